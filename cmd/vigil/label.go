// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/netguard"
	"vigil/internal/rating"
	"vigil/internal/tenant"
)

// ratingFlags adds the flags of the assess, label, probe and serve
// commands, bound to the configuration.
func (a *cmdline) ratingFlags(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&a.cfg.Labels.Keys, "keys", a.cfg.Labels.Keys,
		"label signing key directory (env VIGIL_KEYS; default: vigil-keys next to the SQLite file, or ./vigil-keys)")
	fl.StringVar(&a.cfg.BaseURL, "base-url", a.cfg.BaseURL, "public URL of the label registry, printed in labels' QR codes (env VIGIL_BASE_URL)")
	fl.StringVar(&a.cfg.Labels.Issuer, "issuer", a.cfg.Labels.Issuer, "label issuer name (env VIGIL_ISSUER)")
	fl.StringVar(&a.cfg.Actor, "actor", a.cfg.Actor, "who acts, recorded in the history (env VIGIL_ACTOR, default $USER)")
}

// keyDir returns the key directory: --keys, else vigil-keys next to the
// SQLite database, else ./vigil-keys.
func (a *cmdline) keyDir() string {
	if a.cfg.Labels.Keys != "" {
		return a.cfg.Labels.Keys
	}
	dsn := a.cfg.DB
	if strings.HasPrefix(dsn, "sqlite:") || strings.HasSuffix(dsn, ".db") {
		if p := strings.TrimPrefix(dsn, "sqlite:"); p != ":memory:" && p != "" {
			return filepath.Join(filepath.Dir(p), "vigil-keys")
		}
	}
	return "vigil-keys"
}

// rating opens the store and the key store and returns the workflow
// service.
// ratingFor parses the assessment id arg and returns it with the rating
// service: the prologue of the commands that act on one assessment.
func (a *cmdline) ratingFor(ctx context.Context, arg string) (*rating.Service, int64, error) {
	id, err := assess.ParseID(arg)
	if err != nil {
		return nil, 0, err
	}
	svc, err := a.rating(ctx)
	return svc, id, err
}

func (a *cmdline) rating(ctx context.Context) (*rating.Service, error) {
	s, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := label.OpenKeyStore(a.keyDir(), time.Now, nil)
	if err != nil {
		return nil, err
	}
	return rating.New(rating.Config{Store: s, Keys: keys, Issuer: a.cfg.Labels.Issuer, BaseURL: a.cfg.BaseURL, Logger: a.log})
}

func (a *cmdline) labelCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "label", Short: "Issue, verify, render and revoke signed A–G security labels"}
	a.ratingFlags(cmd)
	cmd.AddCommand(a.labelIssueCmd(), a.labelListCmd(), a.labelShowCmd(), a.labelVerifyCmd(), a.labelRenderCmd(),
		a.labelRevokeCmd(), a.labelRulesCmd(), a.labelKeysCmd(), a.labelRecheckCmd())
	return cmd
}

func (a *cmdline) labelIssueCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "issue ASSESSMENT",
		Short: "Grade a reviewed assessment and issue its signed label",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			svc, id, err := a.ratingFor(ctx, args[0])
			if err != nil {
				return err
			}
			is, err := svc.Issue(ctx, tenant.Operator(), id, a.cfg.Actor)
			if err != nil {
				return err
			}
			if out != "" {
				if err := os.WriteFile(out, is.Doc, 0o644); err != nil {
					return fmt.Errorf("write %s: %w", out, err)
				}
			}
			if a.asJSON {
				return a.printJSON(is)
			}
			fmt.Fprintf(a.stdout, "label %s: grade %s for %s, valid until %s\n", is.Label.ID, is.Label.Grade, is.Label.Device, is.Label.Expires.Format(time.DateOnly))
			for _, r := range is.Label.Reasons {
				fmt.Fprintf(a.stdout, "  lowered by %s (%s): %s\n", r.Rule, r.Effect, r.Detail)
			}
			fmt.Fprintf(a.stdout, "  verify at %s\n", is.Label.VerifyURL)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "also write the signed label JSON to this file")
	return cmd
}

func (a *cmdline) labelListCmd() *cobra.Command {
	var org string
	var device int64
	var live bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List issued labels",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			f := label.Filter{Live: live}
			sc, err := a.orgScope(ctx, s, org)
			if err != nil {
				return err
			}
			if device != 0 {
				f.DeviceIDs = []int64{device}
			}
			ls, err := s.LabelList(ctx, sc, f)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(ls)
			}
			w := a.table()
			fmt.Fprintln(w, "LABEL\tASSESSMENT\tDEVICE\tGRADE\tISSUED\tEXPIRES\tSTATE")
			now := time.Now()
			for _, l := range ls {
				state := "valid"
				switch {
				case l.RevokedAt != nil:
					state = "revoked"
				case l.SupersededBy != "":
					state = "superseded by " + l.SupersededBy
				case !l.Current(now):
					state = "expired"
				}
				fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\t%s\t%s\n", l.ID, l.AssessmentID, l.DeviceID, l.Grade, l.Issued.Format(time.DateOnly), l.Expires.Format(time.DateOnly), state)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "only this organisation's labels (id or name)")
	cmd.Flags().Int64Var(&device, "device", 0, "only this device's labels")
	cmd.Flags().BoolVar(&live, "live", false, "only labels neither revoked nor superseded")
	return cmd
}

func (a *cmdline) labelShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show LABEL",
		Short: "Print a label's signed JSON document (--json: with its registry status and history)",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			svc, err := a.rating(ctx)
			if err != nil {
				return err
			}
			doc, _, err := svc.Signed(ctx, args[0])
			if err != nil {
				return err
			}
			if a.asJSON {
				reg, err := svc.Registry(ctx, args[0])
				if err != nil {
					return err
				}
				return a.printJSON(map[string]any{"label": json.RawMessage(doc), "registry": reg})
			}
			_, err = a.stdout.Write(doc)
			return err
		},
	}
}

// Exit statuses of `vigil label verify` for labels that do not verify.
const (
	exitTampered   = 10 // malformed, unknown key, bad signature, key retired before issue
	exitExpired    = 11 // expired or not yet valid
	exitRevoked    = 12
	exitSuperseded = 13
)

func verifyExit(st label.Status) int {
	switch st {
	case label.Valid:
		return 0
	case label.Expired, label.NotYetValid:
		return exitExpired
	case label.Revoked:
		return exitRevoked
	case rating.Superseded:
		return exitSuperseded
	}
	return exitTampered
}

func (a *cmdline) labelVerifyCmd() *cobra.Command {
	var jwks, at string
	var allowPrivate bool
	cmd := &cobra.Command{
		Use:   "verify FILE|URL",
		Short: "Verify a signed label: signature, key, validity, revocation, supersession",
		Long: `Verify a label document from a file (- for stdin) or from a registry URL
(https://…/labels/ID or …/labels/ID.json; fetched through the guarded client).

Keys: --jwks FILE|URL, else the local key directory (--keys); a URL whose
keys are not found locally is checked against its own server's
/.well-known/vigil-keys.json. Revocation and supersession come from the
local registry for a file, and from the URL's registry for a URL.

Exit status: 0 valid; 10 tampered (malformed, unknown key, bad signature,
key retired before issue); 11 expired or not yet valid; 12 revoked;
13 superseded by a newer label (the device was regraded).`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			when := time.Now()
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return errs.Field("at", at, "want an RFC 3339 time, e.g. 2027-01-01T00:00:00Z")
				}
				when = t
			}
			var v rating.Verification
			var err error
			if isURL(args[0]) {
				v, err = a.verifyURL(ctx, args[0], jwks, when, allowPrivate)
			} else {
				v, err = a.verifyFile(ctx, args[0], jwks, when, allowPrivate)
			}
			if err != nil {
				return err
			}
			if a.asJSON {
				if err := a.printJSON(v); err != nil {
					return err
				}
			} else {
				id := ""
				if v.Label != nil {
					id = v.Label.ID + ": "
				}
				if v.OK() {
					fmt.Fprintf(a.stdout, "%svalid: grade %s for %s, issued %s, valid until %s, key %s\n", id, v.Label.Grade, v.Label.Device,
						v.Label.Issued.Format(time.DateOnly), v.Label.Expires.Format(time.DateOnly), v.Label.KeyID)
				} else {
					fmt.Fprintf(a.stdout, "%s%s: %s\n", id, v.Status, v.Reason)
				}
			}
			if code := verifyExit(v.Status); code != 0 {
				return silentError{code: code}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&jwks, "jwks", "", "verify against this keys document (file or URL) instead of the local key directory")
	cmd.Flags().StringVar(&at, "at", "", "verify as of this time (RFC 3339; default now)")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow fetching from loopback and private addresses (labs, tests)")
	return cmd
}

func isURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// keyring loads --jwks (file or URL), or the local key directory.
func (a *cmdline) keyring(ctx context.Context, jwks string, nc *netguard.Client) (*label.Keyring, error) {
	if jwks == "" {
		ks, err := label.OpenKeyStore(a.keyDir(), time.Now, nil)
		if err != nil {
			return nil, err
		}
		return ks.Keyring()
	}
	var raw []byte
	var err error
	if isURL(jwks) {
		raw, _, err = nc.Fetch(ctx, jwks)
	} else {
		raw, err = os.ReadFile(jwks)
	}
	if err != nil {
		return nil, fetchError("keys "+jwks, err)
	}
	return label.ParseJWKS(bytes.NewReader(raw))
}

func (a *cmdline) verifyFile(ctx context.Context, path, jwks string, at time.Time, allowPrivate bool) (rating.Verification, error) {
	var doc []byte
	var err error
	if path == "-" {
		doc, err = io.ReadAll(io.LimitReader(a.stdin, 1<<20))
	} else {
		doc, err = os.ReadFile(path)
	}
	if err != nil {
		return rating.Verification{}, errs.Errorf(errs.Invalid, "read label: %v", err)
	}
	svc, err := a.rating(ctx)
	if err != nil {
		return rating.Verification{}, err
	}
	if jwks == "" {
		return svc.Verify(ctx, doc, at)
	}
	kr, err := a.keyring(ctx, jwks, netguard.New(netguard.Options{AllowPrivate: allowPrivate}))
	if err != nil {
		return rating.Verification{}, err
	}
	var reg *rating.RegistryStatus
	if rs, err := svc.Registry(ctx, rating.DocID(doc)); err == nil {
		reg = &rs
	} else if !errors.Is(err, errs.ErrNotFound) {
		return rating.Verification{}, err
	}
	return rating.Check(doc, kr, at, reg), nil
}

// verifyURL fetches a label (and its registry status) from a registry URL.
func (a *cmdline) verifyURL(ctx context.Context, raw, jwks string, at time.Time, allowPrivate bool) (rating.Verification, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return rating.Verification{}, errs.Field("url", raw, "not a URL")
	}
	nc := netguard.New(netguard.Options{AllowPrivate: allowPrivate, MaxBytes: 1 << 20})
	docURL, statusURL := *u, ""
	dir, file := "", u.Path
	if i := strings.LastIndex(u.Path, "/"); i >= 0 {
		dir, file = u.Path[:i], u.Path[i+1:]
	}
	if strings.HasSuffix(dir, "/labels") && file != "" {
		id := strings.TrimSuffix(file, ".json")
		docURL.Path = dir + "/" + id + ".json"
		su := *u
		su.Path, su.RawQuery = dir+"/"+id+"/status.json", ""
		statusURL = su.String()
	}
	doc, _, err := nc.Fetch(ctx, docURL.String())
	if err != nil {
		return rating.Verification{}, fetchError("fetch label", err)
	}
	kr, err := a.keyring(ctx, jwks, nc)
	if err != nil {
		return rating.Verification{}, err
	}
	if _, ok := kr.Lookup(docKID(doc)); !ok && jwks == "" {
		// Not one of ours: use the issuing server's published keys.
		ku := *u
		ku.Path, ku.RawQuery = "/.well-known/vigil-keys.json", ""
		if kr, err = a.keyring(ctx, ku.String(), nc); err != nil {
			return rating.Verification{}, err
		}
	}
	var reg *rating.RegistryStatus
	if statusURL != "" {
		body, resp, err := nc.Fetch(ctx, statusURL)
		switch {
		case err == nil:
			var rs rating.RegistryStatus
			if err := json.Unmarshal(body, &rs); err != nil {
				return rating.Verification{}, errs.Errorf(errs.Invalid, "registry status %s: %v", statusURL, err)
			}
			reg = &rs
		case resp != nil && resp.StatusCode == 404:
		default:
			return rating.Verification{}, fetchError("registry status", err)
		}
	}
	return rating.Check(doc, kr, at, reg), nil
}

// fetchError codes a failed fetch: forbidden when the guard refused the
// address, invalid input otherwise.
func fetchError(what string, err error) error {
	code := errs.Invalid
	if errors.Is(err, netguard.ErrBlockedAddress) {
		code = errs.Forbidden
	}
	return &errs.Error{Code: code, Message: what, Err: err}
}

func docKID(doc []byte) string {
	var l struct {
		KID string `json:"kid"`
	}
	_ = json.Unmarshal(doc, &l)
	return l.KID
}

func (a *cmdline) labelRenderCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "render LABEL|FILE --format svg|png|pdf -o FILE",
		Short: "Render a label like an energy label (A–G bars, grade, QR code to the registry)",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if out == "" {
				return errs.Field("output", out, "-o FILE is required")
			}
			if format == "" {
				format = strings.TrimPrefix(filepath.Ext(out), ".")
			}
			if format != rating.FormatSVG && format != rating.FormatPNG && format != rating.FormatPDF {
				return errs.Field("format", format, "want svg, png or pdf")
			}
			var l label.Label
			if st, err := os.Stat(args[0]); err == nil && !st.IsDir() {
				raw, err := os.ReadFile(args[0])
				if err != nil {
					return err
				}
				if err := json.Unmarshal(raw, &l); err != nil || l.Format != label.Format {
					return errs.Field("label", args[0], "not a label document")
				}
			} else {
				svc, err := a.rating(ctx)
				if err != nil {
					return err
				}
				if _, l, err = svc.Signed(ctx, args[0]); err != nil {
					return err
				}
			}
			var buf bytes.Buffer
			if err := rating.RenderDoc(&buf, l, format); err != nil {
				return err
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"label": l.ID, "format": format, "file": out, "bytes": buf.Len()})
			}
			_, err := fmt.Fprintf(a.stdout, "wrote %s (%s, %d bytes)\n", out, format, buf.Len())
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "svg, png or pdf (default: from the output file's extension)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file")
	return cmd
}

func (a *cmdline) labelRevokeCmd() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "revoke LABEL --reason TEXT",
		Short: "Revoke a label (and its assessment); verification then fails with the reason",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			svc, err := a.rating(ctx)
			if err != nil {
				return err
			}
			l, err := svc.Revoke(ctx, tenant.Operator(), args[0], reason, a.cfg.Actor)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(l)
			}
			_, err = fmt.Fprintf(a.stdout, "revoked label %s: %s\n", l.ID, l.RevokeReason)
			return err
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why (shown to everyone who verifies the label)")
	return cmd
}

func (a *cmdline) labelRulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "Print the grading rule (" + assess.RuleVersion + ")",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.asJSON {
				return a.printJSON(map[string]string{"rule": assess.RuleVersion, "text": assess.Rules()})
			}
			_, err := fmt.Fprint(a.stdout, assess.Rules())
			return err
		},
	}
}

func (a *cmdline) labelKeysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "List or rotate the label signing keys"}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the signing keys (the public keys document with --json)",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ks, err := label.OpenKeyStore(a.keyDir(), time.Now, nil)
			if err != nil {
				return err
			}
			kr, err := ks.Keyring()
			if err != nil {
				return err
			}
			return a.printKeys(kr)
		},
	}
	rotate := &cobra.Command{
		Use:   "rotate",
		Short: "Make a new signing key and retire the current one (its public key keeps verifying older labels)",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ks, err := label.OpenKeyStore(a.keyDir(), time.Now, nil)
			if err != nil {
				return err
			}
			if _, err := ks.Rotate(); err != nil {
				return err
			}
			kr, err := ks.Keyring()
			if err != nil {
				return err
			}
			return a.printKeys(kr)
		},
	}
	cmd.AddCommand(list, rotate)
	return cmd
}

func (a *cmdline) printKeys(kr *label.Keyring) error {
	if a.asJSON {
		doc, err := kr.MarshalJWKS()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(a.stdout, "%s\n", doc)
		return err
	}
	w := a.table()
	fmt.Fprintln(w, "KID\tSTATUS\tCREATED\tRETIRED")
	for _, k := range kr.Keys() {
		ret := ""
		if !k.Retired.IsZero() {
			ret = k.Retired.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", k.ID, k.Status, k.Created.Format(time.RFC3339), ret)
	}
	return w.Flush()
}

func (a *cmdline) labelRecheckCmd() *cobra.Command {
	var reason string
	cmd := &cobra.Command{
		Use:   "recheck",
		Short: "Expire labels past their expiry and regrade labelled devices with their open vulnerabilities",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			svc, err := a.rating(ctx)
			if err != nil {
				return err
			}
			res, err := svc.Recheck(ctx, reason)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(res)
			}
			fmt.Fprintf(a.stdout, "checked %d labels: %d expired, %d regraded\n", res.Regrade.Checked, len(res.Expired), len(res.Regrade.Changes))
			for _, id := range res.Expired {
				fmt.Fprintf(a.stdout, "  %s expired\n", id)
			}
			for _, c := range res.Regrade.Changes {
				fmt.Fprintf(a.stdout, "  device %d: %s %s → %s %s: %s\n", c.DeviceID, c.OldLabel, c.OldGrade, c.NewLabel, c.NewGrade, c.Why)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "cause recorded with each regrade (e.g. \"KEV catalog 2026.11.20\")")
	return cmd
}
