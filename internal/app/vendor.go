// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"strings"

	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/match/vendor"
	"vigil/internal/vuln"
)

// VendorAliasAdd stores an operator's vendor alias (al.Alias names the
// vendor al.Vendor) and re-matches the whole inventory, so findings follow
// it at once. An alias stored before is errs.Conflict.
func (a *App) VendorAliasAdd(ctx context.Context, al vendor.Alias) (vuln.Result, error) {
	al.Alias, al.Vendor, al.Note = strings.TrimSpace(al.Alias), strings.TrimSpace(al.Vendor), strings.TrimSpace(al.Note)
	al.Source = vendor.SourceOperator
	if vendor.Key(al.Alias) == vendor.Key(al.Vendor) {
		return vuln.Result{}, errs.Keyed(errs.Invalid, "", "vendor.same", "vendor alias %q: it is already the same name as %q", al.Alias, al.Vendor)
	}
	if err := a.st.VendorAliasAdd(ctx, al); err != nil {
		return vuln.Result{}, err
	}
	e, err := a.vulnEngine()
	if err != nil {
		return vuln.Result{}, err
	}
	var res vuln.Result
	err = a.vulnRun(ctx, e, ingest.KindRematch, "vendor alias "+al.Alias, func(e *vuln.Engine, _ func() error) error {
		res, err = e.MatchAll(ctx, false)
		return err
	})
	return res, err
}

// VendorAliases returns the vendor alias table, the generated aliases and
// the operators', each with where it came from; with name only the
// aliases of name's vendor.
func (a *App) VendorAliases(ctx context.Context, name string) ([]vendor.Alias, error) {
	ops, err := a.st.VendorAliasList(ctx)
	if err != nil {
		return nil, err
	}
	t := vendor.Embedded().With(ops)
	all := t.List()
	if strings.TrimSpace(name) == "" {
		return all, nil
	}
	g := t.Group(name)
	var out []vendor.Alias
	for _, al := range all {
		if t.Group(al.Vendor) == g {
			out = append(out, al)
		}
	}
	if len(out) == 0 {
		return nil, errs.Keyed(errs.NotFound, "", "vendor.noalias", "no vendor alias for %q", name)
	}
	return out, nil
}
