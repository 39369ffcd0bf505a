// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"fmt"

	"vigil/internal/errs"
	"vigil/internal/tenant"
	"vigil/internal/tlp"
)

// orgCond returns the condition that keeps the rows whose organisation
// column col lies in sc, with its arguments: "col = ?" for an
// organisation, true for the operator and false for any other scope (the
// zero and the public scope grant no organisation's rows). Rows without an
// organisation (col NULL) are the operator's only.
func orgCond(sc tenant.Scope, col string) (string, []any) {
	switch {
	case sc.IsOperator():
		return "1 = 1", nil
	case sc.OrgID() != 0:
		return col + " = ?", []any{sc.OrgID()}
	}
	return "1 = 0", nil
}

// findingScope is orgCond for the findings f (an alias): a tenant (a
// member of the organisation, its API token) never reads a finding marked
// TLP:RED, which is for the analysts only (internal/tlp), so no page, list,
// export or change feed of a tenant shows one.
func findingScope(sc tenant.Scope, f string) (string, []any) {
	cond, args := orgCond(sc, f+".org_id")
	if !sc.IsOperator() {
		cond += fmt.Sprintf(" AND %s.tlp < %d", f, int(tlp.Red))
	}
	return cond, args
}

// noticeScope is orgCond for the notices n (an alias): a tenant never
// reads a notice marked TLP:RED, which carries findings for the analysts
// only and waits on their call list.
func noticeScope(sc tenant.Scope, n string) (string, []any) {
	cond, args := orgCond(sc, n+".org_id")
	if !sc.IsOperator() {
		cond += fmt.Sprintf(" AND %s.tlp < %d", n, int(tlp.Red))
	}
	return cond, args
}

// allows checks that sc may write rows of organisation orgID (0: rows of
// no organisation, the operator's). Another organisation is answered as
// if it did not exist.
func allows(sc tenant.Scope, orgID int64) error {
	switch {
	case orgID == 0 && sc.IsOperator():
		return nil
	case orgID == 0:
		return errs.Errorf(errs.Forbidden, "only the operator may act outside an organisation (scope %s)", sc)
	case !sc.Allows(orgID):
		return errs.Errorf(errs.NotFound, "organisation %d not found", orgID)
	}
	return nil
}

// operatorOnly refuses any scope but the operator's, for what no tenant
// may do (create organisations, operator tokens).
func operatorOnly(sc tenant.Scope, what string) error {
	if !sc.IsOperator() {
		return errs.Errorf(errs.Forbidden, "only the operator may %s (scope %s)", what, sc)
	}
	return nil
}

// notFound is the error of an object that does not exist or lies outside
// the caller's scope: the two are not told apart.
func notFound(format string, args ...any) error {
	return errs.Errorf(errs.NotFound, "%s not found", fmt.Sprintf(format, args...))
}
