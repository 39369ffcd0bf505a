// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/system"
)

// RiskView is a stored version of a product's risk register, with an
// export when one was asked for.
type RiskView struct {
	Doc      system.Doc      `json:"doc"`
	Register system.Register `json:"register"`
	Versions int             `json:"versions"`
	// Export is the CSV or PDF export (not in JSON); Wrote names the file
	// it went to.
	Export []byte `json:"-"`
	Wrote  string `json:"wrote,omitempty"`
}

// Text is the export, a note of where it was written, or the register as
// text.
func (v RiskView) Text() string {
	switch {
	case v.Wrote != "":
		return fmt.Sprintf("wrote %s (%d bytes)\n", v.Wrote, len(v.Export))
	case v.Export != nil:
		return string(v.Export)
	}
	g := v.Register
	inh, res := g.Totals()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: risk register version %d of %d (%s, %s), system model version %d, %s\n", g.Product, v.Doc.Version, v.Versions,
		v.Doc.Actor, v.Doc.Created.Format("2006-01-02 15:04"), g.ModelVersion, g.Catalogue)
	fmt.Fprintf(&b, "  %d risks; inherent %d high, %d medium, %d low; residual %d high, %d medium, %d low\n",
		len(g.Risks), inh.High, inh.Medium, inh.Low, res.High, res.Medium, res.Low)
	for _, r := range g.Risks {
		state := ""
		switch {
		case !r.Assessed:
			state = " (not assessed)"
		case !r.LayeredDefence:
			state = fmt.Sprintf(" (layered defence not met: %d independent mitigation(s))", r.Independent)
		}
		fmt.Fprintf(&b, "  %-34s %-22s inherent %2d %-6s residual %2d %-6s%s\n", r.ID, r.Category, r.Inherent.Value(), r.Inherent.Level(),
			r.Residual.Value(), r.Residual.Level(), state)
	}
	for _, r := range g.Unmitigated() {
		fmt.Fprintf(&b, "  unmitigated high residual risk: %s: %s\n", r.ID, r.Title)
	}
	return b.String()
}

// RiskAssess builds a product's risk register from a risk assessment file
// against the product's latest system model and stores it as the next
// version. Problems refuse the whole file (errs.Invalid with file, line,
// field and reason).
func (a *App) RiskAssess(ctx context.Context, r io.Reader, name string) (RiskView, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return RiskView{}, errs.Field("file", name, err.Error())
	}
	prod := system.ProductOf(data)
	if prod.Vendor == "" || prod.Model == "" {
		return RiskView{}, errs.FieldKeyed("product", name, "risk.product", "the risk assessment names no product (product: {vendor, model})")
	}
	m, md, err := system.Load[system.Model](ctx, a.st, system.DocModel, prod, 0)
	if err != nil {
		return RiskView{}, err
	}
	cat, err := assess.Load()
	if err != nil {
		return RiskView{}, err
	}
	g, bad := system.BuildRegister(m, md.Version, bytes.NewReader(data), name, func(id string) bool { _, ok := cat.Provision(id); return ok })
	if len(bad) > 0 {
		return RiskView{}, rowsInvalid(bad)
	}
	d, err := system.Save(ctx, a.st, system.DocRisks, m.Product, g, a.cfg.Actor)
	if err != nil {
		return RiskView{}, err
	}
	return RiskView{Doc: d, Register: g, Versions: d.Version}, nil
}

// RiskRegister returns version (0: the latest) of a product's risk
// register; format csv or pdf adds the export, written to output when
// that is not empty.
func (a *App) RiskRegister(ctx context.Context, p system.Product, version int, format, output string) (RiskView, error) {
	g, d, err := system.Load[system.Register](ctx, a.st, system.DocRisks, p, version)
	if err != nil {
		return RiskView{}, err
	}
	vs, err := a.st.SystemDocVersions(ctx, system.DocRisks, p)
	if err != nil {
		return RiskView{}, err
	}
	v := RiskView{Doc: d, Register: g, Versions: len(vs)}
	var buf bytes.Buffer
	switch format {
	case "", "text":
		return v, nil
	case "csv":
		err = system.WriteCSV(&buf, g)
	case "pdf":
		var f system.Facts
		if f, err = system.FactsFor(ctx, a.st, p, a.now()); err != nil {
			return v, err
		}
		err = system.RenderPDF(&buf, g, system.ReportInfo{Version: d.Version, Created: d.Created, Lines: ReportLines(f)})
	default:
		return v, errs.FieldKeyed("format", format, "format.risk", "want text, csv or pdf")
	}
	if err != nil {
		return v, err
	}
	v.Export = buf.Bytes()
	if output != "" {
		if err := os.WriteFile(output, v.Export, 0o644); err != nil {
			return v, fmt.Errorf("write %s: %w", output, err)
		}
		v.Wrote = output
	}
	return v, nil
}

// ReportLines are the update posture and test lines of the risk report.
func ReportLines(f system.Facts) []string {
	var out []string
	if p := f.Posture; p != nil {
		l := fmt.Sprintf("Update posture: security updates until %s; latest firmware %s", p.SupportEnd, p.LatestFirmware)
		if p.LatestShare >= 0 {
			l += fmt.Sprintf(", on %.0f%% of field sightings", p.LatestShare*100)
		}
		if p.FixDays >= 0 {
			l += fmt.Sprintf("; median %d days from advisory to fixed firmware", p.FixDays)
		}
		out = append(out, l+".")
	}
	if t := f.Test; t != nil {
		l := fmt.Sprintf("%s by %s on %s: %d passed, %d failed; counts until %s.", t.Kind, t.Lab, t.Date, t.Passed, len(t.Failed), t.Expires.Format("2006-01-02"))
		if t.Expired {
			l = fmt.Sprintf("%s by %s on %s expired on %s: a re-test is due.", t.Kind, t.Lab, t.Date, t.Expires.Format("2006-01-02"))
		}
		out = append(out, l)
	}
	return out
}
