// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"vigil/internal/errs"
	"vigil/internal/system"
)

// SystemCommands are the subcommands of `vigil system`: the product system
// model, its risk register, fleet evidence, update posture and test
// reports.
func SystemCommands() []Command {
	return []Command{
		{Use: "import FILE", Short: "Store a product system model (YAML or JSON) as the product's next version", Args: 1,
			Long: `Store a product system model (YAML or JSON, format vigil-system/1) as the next version of its
product (vendor and model): components of the kinds hardware, firmware, local-service,
device-cloud, cloud-api, database and app, with their assets, interfaces and data flows.
Every problem is reported with file, line, field and reason, and nothing is stored then.`,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				r, done, err := in.Open(in.Args[0])
				if err != nil {
					return nil, err
				}
				defer done()
				return x.SystemImport(ctx, r, in.Args[0])
			}},
		{Use: "show VENDOR MODEL", Short: "Show a product's system model", Args: 2,
			Flags: []Flag{{Name: "version", Usage: "the model version to show (default: the latest)"}},
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				v, err := in.Int("version")
				if err != nil {
					return nil, err
				}
				return x.SystemShow(ctx, system.Product{Vendor: in.Args[0], Model: in.Args[1]}, v)
			}},
		{Use: "assess FILE", Short: "Assess the risks of a product's latest system model and store the register's next version", Args: 1,
			Long: `Read a risk assessment (YAML or JSON, format vigil-risks/1) of a product whose system model is
stored, and store the product's risk register as its next version: every threat of the built-in
catalogue (STRIDE and fleet takeover) to every component, with likelihood and impact on 1–5 scales
(risk = their product; high ≥ 15, medium 8–14). Each mitigation names its defence layer and the
EN 303 645 provision or the evidence that backs it. A high risk needs mitigations on at least two
independent layers; without them its residual risk stays the inherent one. Threats not assessed
keep the catalogue's likelihood and impact.`,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				r, done, err := in.Open(in.Args[0])
				if err != nil {
					return nil, err
				}
				defer done()
				return x.RiskAssess(ctx, r, in.Args[0])
			}},
		{Use: "risks VENDOR MODEL", Short: "Show or export a product's risk register (text, csv, pdf report with a heat map)", Args: 2,
			Flags: []Flag{{Name: "version", Usage: "the register version (default: the latest)"},
				{Name: "format", Default: "text", Usage: "text, csv or pdf (--json for JSON)"},
				{Name: "output", Usage: "write the export to this file instead of standard output"}},
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				v, err := in.Int("version")
				if err != nil {
					return nil, err
				}
				return x.RiskRegister(ctx, system.Product{Vendor: in.Args[0], Model: in.Args[1]}, v, in.Flags["format"], in.Flags["output"])
			}},
		{Use: "posture FILE", Short: "Store a product's update posture (support period, latest firmware, advisory-to-fix times)", Args: 1,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				r, done, err := in.Open(in.Args[0])
				if err != nil {
					return nil, err
				}
				defer done()
				return x.PostureImport(ctx, r, in.Args[0])
			}},
		{Use: "tests FILE", Short: "Store a product's penetration-test or monitoring report (items mapped to provisions; a pentest counts 12 months)", Args: 1,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				r, done, err := in.Open(in.Args[0])
				if err != nil {
					return nil, err
				}
				defer done()
				return x.TestsImport(ctx, r, in.Args[0])
			}},
		{Use: "facts VENDOR MODEL", Short: "Show what the whole-system rating knows of a product now (risks, fleet, posture, tests, re-test due)", Args: 2,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				return x.SystemFacts(ctx, system.Product{Vendor: in.Args[0], Model: in.Args[1]})
			}},
		{Use: "fleet VENDOR MODEL", Short: "Show a product's fleet evidence from the feeds (exposed services, firmware in the field, shared keys)", Args: 2,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				return x.Fleet(ctx, system.Product{Vendor: in.Args[0], Model: in.Args[1]})
			}},
	}
}

// SystemModel is a stored version of a product system model.
type SystemModel struct {
	Doc      system.Doc   `json:"doc"`
	Model    system.Model `json:"model"`
	Versions int          `json:"versions"`
}

// Text describes the model, one component a line.
func (m SystemModel) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: system model version %d of %d (%s, %s)\n", m.Model.Product, m.Doc.Version, m.Versions, m.Doc.Actor, m.Doc.Created.Format("2006-01-02 15:04"))
	for _, c := range m.Model.Components {
		fmt.Fprintf(&b, "  %-8s %-13s %s\n", c.ID, c.Kind, c.Name)
		for _, a := range c.Assets {
			fmt.Fprintf(&b, "           asset      %s (%s)\n", a.Name, a.Kind)
		}
		for _, f := range c.Interfaces {
			port := ""
			if f.Port > 0 {
				port = fmt.Sprintf(":%d", f.Port)
			}
			fmt.Fprintf(&b, "           interface  %s (%s%s, %s, auth %s)\n", f.Name, f.Protocol, port, f.Exposure, f.Auth)
		}
	}
	for _, f := range m.Model.Flows {
		enc := "unencrypted"
		if f.Encrypted {
			enc = "encrypted"
		}
		fmt.Fprintf(&b, "  flow %s → %s: %s (%s, %s)\n", f.From, f.To, f.Data, f.Protocol, enc)
	}
	return b.String()
}

// SystemImport parses a system model and stores it as the next version of
// its product. A model with problems is refused as a whole with
// errs.Invalid listing them (file, line, field, reason).
func (a *App) SystemImport(ctx context.Context, r io.Reader, name string) (SystemModel, error) {
	m, bad := system.ParseModel(r, name)
	if len(bad) > 0 {
		return SystemModel{}, rowsInvalid(bad)
	}
	d, err := system.Save(ctx, a.st, system.DocModel, m.Product, m, a.cfg.Actor)
	if err != nil {
		return SystemModel{}, err
	}
	return SystemModel{Doc: d, Model: m, Versions: d.Version}, nil
}

// SystemShow returns version (0: the latest) of a product's system model.
func (a *App) SystemShow(ctx context.Context, p system.Product, version int) (SystemModel, error) {
	m, d, err := system.Load[system.Model](ctx, a.st, system.DocModel, p, version)
	if err != nil {
		return SystemModel{}, err
	}
	vs, err := a.st.SystemDocVersions(ctx, system.DocModel, p)
	if err != nil {
		return SystemModel{}, err
	}
	return SystemModel{Doc: d, Model: m, Versions: len(vs)}, nil
}

// rowsInvalid joins row errors into one errs.Invalid, one problem a line.
func rowsInvalid(rows []errs.RowError) error {
	lines := make([]string, len(rows))
	for i, r := range rows {
		lines[i] = r.Error()
	}
	return errs.Keyed(errs.Invalid, "", "check.problems", "%d problem(s):\n%s", len(rows), strings.Join(lines, "\n"))
}
