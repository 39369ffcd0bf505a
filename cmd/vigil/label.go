// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/tenant"
)

// ratingFlags adds the flags of the assess, label, probe and serve
// commands, bound to the configuration.
func (a *cmdline) ratingFlags(cmd *cobra.Command) {
	config.Bind(cmd.PersistentFlags(), &a.cfg, "labels.keys", "base_url", "labels.issuer", "actor")
}

// ratingCmd makes a command whose run gets the assessment and label
// workflow.
func (a *cmdline) ratingCmd(use, short string, n int, run func(ctx context.Context, svc *rating.Service, args []string) error) *cobra.Command {
	return a.command(use, short, n, func(ctx context.Context, x *app.App, args []string) error {
		svc, err := x.Rating()
		if err != nil {
			return err
		}
		return run(ctx, svc, args)
	})
}

func (a *cmdline) labelCmd() *cobra.Command {
	cmd := group("label", "Issue, verify, render and revoke signed A–G security labels", a.labelIssueCmd(), a.labelListCmd(), a.labelShowCmd(),
		a.labelVerifyCmd(), a.labelRenderCmd(), a.labelRevokeCmd(), a.labelRulesCmd(), a.labelKeysCmd(), a.labelRecheckCmd())
	a.ratingFlags(cmd)
	return cmd
}

func (a *cmdline) labelIssueCmd() *cobra.Command {
	var out string
	cmd := a.assessmentCmd("issue ASSESSMENT", "Grade a reviewed assessment and issue its signed label", 1, func(ctx context.Context, svc *rating.Service, id int64, _ []string) error {
		is, err := svc.Issue(ctx, tenant.Operator(), id, a.cfg.Actor)
		if err != nil {
			return err
		}
		if out != "" {
			if err := os.WriteFile(out, is.Doc, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
		}
		return a.print(is, func() error {
			fmt.Fprintf(a.stdout, "label %s: grade %s for %s, valid until %s\n", is.Label.ID, is.Label.Grade, is.Label.Device, is.Label.Expires.Format(time.DateOnly))
			for _, r := range is.Label.Reasons {
				fmt.Fprintf(a.stdout, "  lowered by %s (%s): %s\n", r.Rule, r.Effect, r.Detail)
			}
			return a.printf("  verify at %s\n", is.Label.VerifyURL)
		})
	})
	cmd.Flags().StringVarP(&out, "output", "o", "", "also write the signed label JSON to this file")
	return cmd
}

func (a *cmdline) labelListCmd() *cobra.Command {
	var org string
	var device int64
	var live bool
	cmd := a.command("list", "List issued labels", 0, func(ctx context.Context, x *app.App, _ []string) error {
		f := label.Filter{Live: live}
		sc, err := x.OrgScope(ctx, org)
		if err != nil {
			return err
		}
		if device != 0 {
			f.DeviceIDs = []int64{device}
		}
		ls, err := x.Store().LabelList(ctx, sc, f)
		if err != nil {
			return err
		}
		now := time.Now()
		return list(a, ls, nil, "LABEL\tASSESSMENT\tDEVICE\tGRADE\tISSUED\tEXPIRES\tSTATE", "%s\t%d\t%d\t%s\t%s\t%s\t%s\n", func(l label.Record) []any {
			return []any{l.ID, l.AssessmentID, l.DeviceID, l.Grade, l.Issued.Format(time.DateOnly), l.Expires.Format(time.DateOnly), l.State(now)}
		})
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation's labels (id or name)")
	cmd.Flags().Int64Var(&device, "device", 0, "only this device's labels")
	cmd.Flags().BoolVar(&live, "live", false, "only labels neither revoked nor superseded")
	return cmd
}

func (a *cmdline) labelShowCmd() *cobra.Command {
	return a.ratingCmd("show LABEL", "Print a label's signed JSON document (--json: with its registry status and history)", 1, func(ctx context.Context, svc *rating.Service, args []string) error {
		doc, _, err := svc.Signed(ctx, args[0])
		if err != nil {
			return err
		}
		if !a.asJSON {
			_, err = a.stdout.Write(doc)
			return err
		}
		reg, err := svc.Registry(ctx, args[0])
		if err != nil {
			return err
		}
		return a.printJSON(map[string]any{"label": json.RawMessage(doc), "registry": reg})
	})
}

// Exit statuses of `vigil label verify` for labels that do not verify.
const (
	exitTampered   = 10 // malformed, bad signature, key retired before issue
	exitExpired    = 11 // expired or not yet valid
	exitRevoked    = 12
	exitSuperseded = 13
	exitUnknownKey = 14 // signed with a key not known here: not proof of tampering
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
	case label.UnknownKey:
		return exitUnknownKey
	}
	return exitTampered
}

func (a *cmdline) labelVerifyCmd() *cobra.Command {
	var jwks, at string
	var allowPrivate bool
	cmd := plain("verify FILE|URL", "Verify a signed label: signature, key, validity, revocation, supersession", 1, func(ctx context.Context, args []string) error {
		x, err := a.service(ctx) // a reader: without a database, verify without one
		if errors.Is(err, errs.ErrNotFound) {
			x, err = app.NewWithoutStore(a.cfg, a.log), nil
		}
		if err != nil {
			return err
		}
		r := app.VerifyRequest{JWKS: jwks, AllowPrivate: allowPrivate}
		if at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return errs.Field("at", at, "want an RFC 3339 time, e.g. 2027-01-01T00:00:00Z")
			}
			r.At = t
		}
		if r.URL = args[0]; !app.IsURL(args[0]) {
			in, _, done, err := a.input(args[0])
			if err != nil {
				return err
			}
			defer done()
			r.URL = ""
			if r.Doc, err = io.ReadAll(io.LimitReader(in, 1<<20)); err != nil {
				return errs.Errorf(errs.Invalid, "read label: %v", err)
			}
		}
		v, err := x.VerifyLabel(ctx, r)
		if err != nil {
			return err
		}
		err = a.print(v, func() error {
			id := ""
			if v.Label != nil {
				id = v.Label.ID + ": "
			}
			if !v.OK() {
				return a.printf("%s%s: %s\n", id, v.Status, v.Reason)
			}
			return a.printf("%svalid: grade %s for %s, issued %s, valid until %s, key %s\n", id, v.Label.Grade, v.Label.Device,
				v.Label.Issued.Format(time.DateOnly), v.Label.Expires.Format(time.DateOnly), v.Label.KeyID)
		})
		if code := verifyExit(v.Status); err == nil && code != 0 {
			return silentError{Code: code}
		}
		return err
	})
	cmd.Long = `Verify a label document from a file (- for stdin) or from a registry URL
(https://…/labels/ID or …/labels/ID.json; fetched through the guarded client).

Keys: --jwks FILE|URL, else the local key directory (--keys); a URL whose
keys are not found locally is checked against its own server's
/.well-known/vigil-keys.json. Revocation and supersession come from the
local registry for a file, and from the URL's registry for a URL.
It only reads: it never creates a database or a key directory.

Exit status: 0 valid; 10 tampered (malformed, bad signature, key retired
before issue); 11 expired or not yet valid; 12 revoked; 13 superseded by a
newer label (the device was regraded); 14 unknown key (signed with a key not
known here: another issuer's label, or name its keys with --keys or --jwks).`
	cmd.Flags().StringVar(&jwks, "jwks", "", "verify against this keys document (file or URL) instead of the local key directory")
	cmd.Flags().StringVar(&at, "at", "", "verify as of this time (RFC 3339; default now)")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow fetching from loopback and private addresses (labs, tests)")
	return cmd
}

func (a *cmdline) labelRenderCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "render LABEL|FILE --format svg|png|pdf -o FILE",
		Short: "Render a label like an energy label (A–G bars, grade, QR code to the registry)",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := app.RenderLabelFile(cmd.Context(), args[0], format, out, a.service)
			return a.show(r, err, func() error { return a.printf("wrote %s (%s, %d bytes)\n", r.File, r.Format, r.Bytes) })
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "svg, png or pdf (default: from the output file's extension)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file")
	return cmd
}

func (a *cmdline) labelRevokeCmd() *cobra.Command {
	var reason string
	cmd := a.ratingCmd("revoke LABEL --reason TEXT", "Revoke a label (and its assessment); verification then fails with the reason", 1, func(ctx context.Context, svc *rating.Service, args []string) error {
		l, err := svc.Revoke(ctx, tenant.Operator(), args[0], reason, a.cfg.Actor)
		return a.show(l, err, func() error { return a.printf("revoked label %s: %s\n", l.ID, l.RevokeReason) })
	})
	cmd.Flags().StringVar(&reason, "reason", "", "why (shown to everyone who verifies the label)")
	return cmd
}

func (a *cmdline) labelRulesCmd() *cobra.Command {
	return plain("rules", "Print the grading rule ("+rating.RuleVersion+")", 0, func(context.Context, []string) error {
		return a.print(map[string]string{"rule": rating.RuleVersion, "text": rating.Rules()}, func() error { return a.printf("%s", rating.Rules()) })
	})
}

func (a *cmdline) labelKeysCmd() *cobra.Command {
	keys := func(use, short string, rotate bool) *cobra.Command {
		return plain(use, short, 0, func(ctx context.Context, _ []string) error {
			kr, where, err := app.Keyring(ctx, a.cfg, rotate, a.service)
			if err != nil {
				return err
			}
			if !a.asJSON {
				fmt.Fprintf(a.stderr, "keys: %s\n", where)
			}
			return a.printKeys(kr)
		})
	}
	return group("keys", "List or rotate the label signing keys", keys("list", "List the signing keys (the public keys document with --json)", false),
		keys("rotate", "Make a new signing key and retire the current one (its public key keeps verifying older labels)", true))
}

func (a *cmdline) printKeys(kr *label.Keyring) error {
	if a.asJSON {
		doc, err := kr.MarshalJWKS()
		if err != nil {
			return err
		}
		return a.printf("%s\n", doc)
	}
	return rows(a, kr.Keys(), "KID\tSTATUS\tCREATED\tRETIRED", "%s\t%s\t%s\t%s\n", func(k label.PublicKey) []any {
		ret := ""
		if !k.Retired.IsZero() {
			ret = k.Retired.Format(time.RFC3339)
		}
		return []any{k.ID, k.Status, k.Created.Format(time.RFC3339), ret}
	})
}

func (a *cmdline) labelRecheckCmd() *cobra.Command {
	var reason string
	cmd := a.ratingCmd("recheck", "Expire labels past their expiry and regrade labelled devices with their open vulnerabilities", 0, func(ctx context.Context, svc *rating.Service, _ []string) error {
		res, err := svc.Recheck(ctx, reason)
		return a.show(res, err, func() error {
			fmt.Fprintf(a.stdout, "checked %d labels: %d expired, %d regraded\n", res.Regrade.Checked, len(res.Expired), len(res.Regrade.Changes))
			for _, id := range res.Expired {
				fmt.Fprintf(a.stdout, "  %s expired\n", id)
			}
			for _, c := range res.Regrade.Changes {
				fmt.Fprintf(a.stdout, "  device %d: %s %s → %s %s: %s\n", c.DeviceID, c.OldLabel, c.OldGrade, c.NewLabel, c.NewGrade, c.Why)
			}
			return nil
		})
	})
	cmd.Flags().StringVar(&reason, "reason", "", "cause recorded with each regrade (e.g. \"KEV catalog 2026.11.20\")")
	return cmd
}
