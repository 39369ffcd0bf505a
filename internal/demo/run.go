// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/config"
	"vigil/internal/tenant"
	"vigil/internal/text"
	"vigil/internal/verify"
)

// Options configure Run.
type Options struct {
	// Dir holds the demo's database and label keys; both are recreated.
	Dir string
	// URL is where the demo will be served: the labels point there and an
	// operator token is made. Empty: the demo is not served.
	URL string
	// Config is the base configuration (the server's notify settings);
	// the database, label keys, issuer, actor and public URL are the
	// demo's.
	Config config.Config
	Logger *slog.Logger
}

// MailboxPath is the portal page where an administrator reads the demo
// mailbox (app.Mailbox).
const MailboxPath = "/admin/mailbox"

// demoFrom is the address the demo's mail comes from.
const demoFrom = "cert@vigil-demo.example"

// Result is everything Run loaded and produced.
type Result struct {
	Summary
	Vulns  VulnSummary   `json:"vulns"`
	Labels LabelSummary  `json:"labels"`
	Notify NotifySummary `json:"notify"`
	// System is the demo camera's whole-system rating data.
	System SystemSummary `json:"system"`
	// Logins are the portal's demo accounts (when served).
	Logins []Login `json:"logins,omitempty"`
}

// Run creates a fresh SQLite database in opt.Dir, loads the bundled
// registry, feeds, advisories and labels, composes and delivers the
// warnings, and returns the application layer on the database (the
// caller closes it) with what was done.
func Run(ctx context.Context, opt Options) (*app.App, Result, error) {
	var res Result
	if err := os.MkdirAll(opt.Dir, 0o750); err != nil {
		return nil, res, fmt.Errorf("demo dir: %w", err)
	}
	path := filepath.Join(opt.Dir, "vigil.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return nil, res, fmt.Errorf("remove old demo database: %w", err)
		}
	}
	cfg := opt.Config
	cfg.DB, cfg.Labels.Keys, cfg.Labels.Issuer, cfg.Actor = "sqlite:"+path, filepath.Join(opt.Dir, "vigil-keys"), "vigil demo trust center", "demo"
	cfg.BaseURL = "http://127.0.0.1:8080"
	if opt.URL != "" {
		cfg.BaseURL = opt.URL
	}
	if err := os.RemoveAll(cfg.Labels.Keys); err != nil {
		return nil, res, fmt.Errorf("remove old demo keys: %w", err)
	}
	if cfg.Notify.From == "" {
		cfg.Notify.From = demoFrom
	}
	x, err := app.Open(ctx, cfg, opt.Logger)
	if err != nil {
		return nil, res, err
	}
	// Served, the demo keeps the mail that leaves the outbox (its
	// warnings, the portal's confirmation, reset and invitation links) in
	// a mailbox on loopback that administrators read in the portal.
	if opt.URL != "" {
		if _, err := x.OpenMailbox(); err != nil {
			x.Close()
			return nil, res, err
		}
	}
	if err := load(ctx, x, opt, &res); err != nil {
		x.Close()
		return nil, res, err
	}
	res.Database = path
	return x, res, nil
}

func load(ctx context.Context, x *app.App, opt Options, res *Result) error {
	s := x.Store()
	var err error
	if res.Summary, err = Load(ctx, s); err != nil {
		return err
	}
	if res.Vulns, err = LoadVulns(ctx, s); err != nil {
		return err
	}
	if opt.URL != "" {
		tok := auth.Token{Name: "demo analyst", Scopes: []auth.Scope{auth.ScopeAdmin}}
		if res.OperatorToken, err = s.TokenCreate(ctx, tenant.Operator(), &tok); err != nil {
			return err
		}
		res.URL = opt.URL
	}
	if res.System, err = LoadSystem(ctx, s, s.Now()); err != nil {
		return err
	}
	cfg := x.Config()
	if res.Labels, err = LoadLabels(ctx, s, LabelOptions{KeyDir: cfg.Labels.Keys, BaseURL: cfg.BaseURL}); err != nil {
		return err
	}
	if res.Notify, err = Notify(ctx, s, NotifyOptions{KeyDir: cfg.Labels.Keys, BaseURL: cfg.BaseURL, Mailbox: x.Mailbox()}); err != nil {
		return err
	}
	if opt.URL != "" {
		res.Logins, err = LoadAccounts(ctx, s)
	}
	return err
}

// WriteText writes the human summary of a demo run: what was loaded, where
// it is served (when it is), and how to check a warning and its signature.
func (res Result) WriteText(w io.Writer) error {
	vs, ns := res.Vulns, res.Notify
	fmt.Fprintf(w, "vigil demo: database %s\n", res.Database)
	fmt.Fprintf(w, "  registry: %d organisations, %d assets (%d overlapping ranges), %d contacts, %d devices\n",
		res.Organisations, res.Assets, res.Overlaps, res.Contacts, res.Devices)
	fmt.Fprintf(w, "  feeds: %s, %d matched, %d unmatched, %d quarantined; %d findings under %d triggers\n",
		text.Plural(res.FeedRows, "row", "rows"), res.Matched, res.Unmatched, res.Quarantined, res.Findings, res.Triggers)
	fmt.Fprintf(w, "  advisories: %d loaded; %d vulnerable findings (%d in KEV) on %d devices\n",
		vs.Advisories, vs.Findings, vs.KEVFindings, vs.Devices)
	fmt.Fprintf(w, "  whole system: %s: %d risks in the register, %d high left; fleet %d feed rows, %d firmware versions, %d shared keys\n",
		res.System.Product, res.System.Risks, res.System.HighLeft, res.System.FleetRows, res.System.Firmware, res.System.SharedKeys)
	for _, l := range res.Labels.Labels {
		fmt.Fprintf(w, "  label %s: %s (%s) graded %s, %d probe weaknesses\n", l.Label, l.Device, l.Org, l.Grade, l.Weaknesses)
	}
	if res.URL != "" {
		fmt.Fprintf(w, "  serving at %s (Ctrl-C to stop); the portal is at %s/, sign in as\n", res.URL, res.URL)
		for _, l := range res.Logins {
			fmt.Fprintf(w, "    %-8s %-20s password %s", l.Role, l.Email, l.Password)
			if l.TOTPSecret != "" {
				fmt.Fprintf(w, "  TOTP key %s (add it to an authenticator app)", l.TOTPSecret)
			}
			if l.Org != "" {
				fmt.Fprintf(w, "  (%s)", l.Org)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  mail: nothing leaves this machine; what the demo sends (warnings, sign-up confirmations, password resets,\n"+
			"    invitations) arrives in the demo mailbox, which the administrator reads at %s%s\n", res.URL, MailboxPath)
		fmt.Fprintf(w, "  try: curl -H 'Authorization: Bearer %s' %s/api/v1/orgs\n", res.OperatorToken, res.URL)
	}
	where := "the local sink"
	if res.URL != "" {
		where = "the demo mailbox"
	}
	fmt.Fprintf(w, "  warnings: %d notices composed, %d delivered as %d e-mails to %s %v\n",
		ns.Composed, ns.Delivered, ns.Messages, where, ns.Languages)
	if ex := ns.Example; ex != nil {
		fmt.Fprintf(w, "  verify a warning: open %s, enter ticket %s (access code %s for the whole warning);\n",
			ex.VerifyURL, ex.Ticket, ex.AccessCode)
		sent := "not yet sent"
		if ex.Answer.SentAt != nil {
			sent = "sent " + ex.Answer.SentAt.Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(w, "    the ticket alone answers: genuine, %s, to %s\n", sent, strings.Join(ex.Answer.Domains, ", "))
	}
	base := res.URL
	if ns.Example != nil {
		base = strings.TrimSuffix(ns.Example.VerifyURL, verify.Path)
	}
	fmt.Fprintf(w, "  OpenPGP: the messages are also signed (PGP/MIME) with key %s; its public key is on the verification page and at %s%s\n",
		ns.OpenPGP.Fingerprint, base, ns.OpenPGP.WKDPath)
	_, err := fmt.Fprintf(w, "  DKIM: the messages are signed with %s; a real deployment publishes:\n    %s\n", ns.DKIM.Path, ns.DKIM.Zone)
	return err
}
