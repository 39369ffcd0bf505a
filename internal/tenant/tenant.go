// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package tenant says whose rows a read or a change may touch. Every store
// method that reads or changes rows of an organisation takes a Scope and
// applies it in its query, so a tenant asking for another tenant's object
// gets "not found", exactly as for an object that does not exist.
//
// A Scope is one of:
//   - Org(id): the rows of organisation id (a tenant, or the operator
//     acting on one organisation);
//   - Operator(): the rows of every organisation;
//   - Public(): only what is published to everyone (a label by its id);
//     it grants no organisation's rows.
//
// The zero Scope grants nothing: there is no value that means "every
// organisation" by omission.
package tenant

import "strconv"

type kind uint8

const (
	none kind = iota
	org
	operator
	public
)

// Scope is whose rows a call may touch. The zero value grants nothing.
// Scopes are small values; compare them with ==.
type Scope struct {
	kind kind
	org  int64
}

// Org returns the scope of organisation id. An id that is not positive
// gives the zero scope, which grants nothing.
func Org(id int64) Scope {
	if id <= 0 {
		return Scope{}
	}
	return Scope{kind: org, org: id}
}

// Operator returns the operator's scope: the rows of every organisation.
func Operator() Scope { return Scope{kind: operator} }

// Public returns the scope of an anonymous reader: objects published to
// everyone, such as a label looked up by its id, and no organisation's
// rows.
func Public() Scope { return Scope{kind: public} }

// IsZero reports whether s is the zero scope, which grants nothing.
func (s Scope) IsZero() bool { return s.kind == none }

// IsOperator reports whether s is the operator's scope.
func (s Scope) IsOperator() bool { return s.kind == operator }

// IsPublic reports whether s is the public scope.
func (s Scope) IsPublic() bool { return s.kind == public }

// OrgID returns the organisation of an Org scope, 0 for any other.
func (s Scope) OrgID() int64 {
	if s.kind != org {
		return 0
	}
	return s.org
}

// Allows reports whether s may touch the rows of organisation orgID: the
// operator every organisation's, an Org scope its own, nothing else.
func (s Scope) Allows(orgID int64) bool {
	switch s.kind {
	case operator:
		return true
	case org:
		return orgID == s.org
	}
	return false
}

// String describes the scope for logs and errors: "org 12", "operator",
// "public" or "none".
func (s Scope) String() string {
	switch s.kind {
	case org:
		return "org " + strconv.FormatInt(s.org, 10)
	case operator:
		return "operator"
	case public:
		return "public"
	}
	return "none"
}
