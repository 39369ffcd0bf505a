// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"reflect"
	"slices"
	"testing"

	"vigil/internal/store"
	"vigil/internal/tenant"
)

// Reasons a method of the store takes no tenant scope.
const (
	plumbing = "plumbing: the handle, its clock, transactions and raw SQL (the job queue, tests and bench programs only); the domain methods run inside apply their scopes"
	global   = "reads or writes rows of no organisation: installation settings, feed-wide reference data (advisories, CVE enrichment, IP-to-AS tables, vendor aliases, RDAP), triggers or bounced addresses"
	feed     = "feed-wide ingest internal: a run and its quarantined rows belong to no organisation; findings are written for every organisation a feed row is attributed to"
	engine   = "vulnerability engine internal: rewrites the matches, index keys and findings of every organisation whose inventory or advisories changed"
	notifier = "notification pipeline internal: composition, escalation, delivery and suppression run for every organisation; notices to unregistered owners belong to none"
	operator = "operator-only maintenance, reached through operator-only routes and commands"
	authn    = "authentication: the secret or the address is the credential, and the result carries the caller's scope"
	accounts = "account administration (staff only): users belong to no organisation; memberships, sessions, invitations and the audit log are managed by staff"
	register = "self-service registration: the organisation does not exist yet, so no scope can name it; it waits for approval (OrgApprove, scoped)"
	sources  = "scheduled sources (internal/source) belong to no organisation: the operator registers them, their runs ingest feed-wide files, and an alert goes to the operator"
	product  = "product-level records of the whole-system rating (system model, risk register, update posture, test reports, fleet aggregates) are keyed by vendor and model and belong to no organisation; operator-only commands write them and the public registry page reads them"
)

// unscoped lists every exported method of *store.Store that takes no
// tenant.Scope, each with the reason it needs none. A method that reads or
// changes rows of one organisation, or lists rows of organisations, takes
// the caller's scope and applies it in its query; TestScopeEveryMethod
// fails on a method that does neither.
func unscoped() map[string]string {
	return map[string]string{
		"Close": plumbing, "DB": plumbing, "Dialect": plumbing, "Now": plumbing, "Ping": plumbing, "Tx": plumbing, "Rebind": plumbing,
		"Exec": plumbing, "Query": plumbing, "QueryRow": plumbing, "Prepare": plumbing, "InsertID": plumbing,
		"AccountTx": plumbing, "IngestTx": plumbing, "RatingTx": plumbing, "VulnTx": plumbing,
		"Backup": "a copy of the whole database file for the operator's vigil backup; no route or member command reaches it",

		"SettingGet": global, "SettingSecret": global, "SettingSet": global,
		"LabelKeyGet": global, "LabelKeyPut": global, "LabelKeyDelete": global,
		"ASNTableCurrent": global, "ASNTablePut": global,
		"RDAPCache": global, "RDAPBootstrapFiles": global, "RDAPBootstrapSave": global,
		"TriggerEnsure": global, "VendorAliasAdd": global, "VendorAliasList": global,
		"VulnAdvisoryPut": global, "VulnAdvisoryRefs": global, "VulnAdvisoryGet": global, "VulnAdvisoryFind": global,
		"VulnAdvisoryScan": global, "VulnAdvisoryCount": global, "VulnAdvisoryRefsByCVE": global,
		"VulnCVEGet": global, "VulnCVEPut": global, "VulnEPSSPut": global,
		"AddressBounced": global, "AddressSuppressed": global,

		"RunStart": feed, "RunResumeOrStart": feed, "RunUnfinished": feed, "RunSplitStart": feed, "RunSplitGet": feed, "RunSplitUnfinished": feed, "RunContentClaim": feed, "RunPartCheckpoint": feed, "RunPartDone": feed, "RunSplitClaimFinish": feed, "RunDone": feed, "RunCheckpoint": feed, "RunCheckpointFrom": feed, "RunMarkStopped": feed, "RunFinish": feed,
		"QuarantineAdd": feed, "QuarantineList": feed, "QuarantineByRun": feed, "RunList": feed, "RunGet": feed, "FindingUpsert": feed, "FindingResolveUnseen": feed,

		"FindingResolveKeys": engine, "VulnFindingResolveOrphans": engine, "VulnMatchReplace": engine,
		"VulnTargetKeysPut": engine, "VulnTargetKeysAdd": engine, "VulnTargetKeysReset": engine, "VulnDeviceSynced": engine, "VulnTargetCount": engine,

		"NotifyCompose": notifier, "NotifyCursor": notifier, "NotifyHeld": notifier, "NoticeEscalate": notifier, "NoticeRecent": notifier,
		"NoticeCreateUnregistered": notifier, "NoticeUndeliverableList": notifier, "NoticeFallback": notifier, "OutboxClaim": notifier, "OutboxClaimDue": notifier, "OutboxDue": notifier,
		"OutboxFinish": notifier, "OutboxStarted": notifier, "OutboxSuppress": notifier, "OutboxBounce": notifier, "AccountMail": notifier,

		"OutboxResolve": operator, "ContactMarkBounced": operator, "NoticeEscalateBounce": operator, "PrivacyExport": operator, "PrivacyErase": operator,
		"SuppressionAdd": operator, "SuppressionList": operator, "SuppressionRemove": operator, "RetentionPurge": operator,

		"TokenAuthenticate": authn, "UserCredentials": authn, "UserLockedUntil": authn, "UserTOTPLockedUntil": authn, "SessionGet": authn, "AccountTokenGet": authn, "AccountTokenUse": authn,

		"UserCreate": accounts, "UserGet": accounts, "UserList": accounts, "UserUpdate": accounts, "UserChange": accounts, "UserSetPassword": accounts,
		"UserSetTOTP": accounts, "UserResetTOTP": accounts, "UserTOTPUse": accounts, "UserLoginFailed": accounts, "UserTOTPFailed": accounts, "UserLoginOK": accounts, "UserConfirm": accounts,
		"MembershipSet": accounts, "MembershipDelete": accounts, "SessionCreate": accounts, "SessionReplace": accounts, "SessionTOTPFailed": accounts,
		"SessionDelete": accounts, "SessionDeleteUser": accounts, "SessionPurge": accounts, "AccountTokenCreate": accounts, "AccountTokenDrop": accounts,
		"AuditAdd": accounts, "AuditList": accounts, "AuditQuery": accounts, "OrgRegister": register, "OrgPendingCount": register,

		"SystemDocPut": product, "SystemDocGet": product, "SystemDocVersions": product, "SystemProducts": product,
		"FleetAdd": product, "FleetGet": product,

		"SourceCreate": sources, "SourceGet": sources, "SourceGetByID": sources, "SourceList": sources, "SourcePause": sources, "SourceRunSoon": sources,
		"SourceDue": sources, "SourceRunStart": sources, "SourceFileSeen": sources, "SourceKeySeen": sources, "SourceFileAdd": sources,
		"SourceRunFinish": sources, "SourceRuns": sources, "SourceAlertRaise": sources, "SourceAlertClear": sources,
	}
}

// scopedMethods returns the names of the exported methods of *store.Store
// that take a tenant.Scope, and of those that take none.
func scopedMethods() (scoped, without []string) {
	typ := reflect.TypeFor[*store.Store]()
	scope := reflect.TypeFor[tenant.Scope]()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		has := false
		for j := range m.Type.NumIn() {
			has = has || m.Type.In(j) == scope
		}
		if has {
			scoped = append(scoped, m.Name)
		} else {
			without = append(without, m.Name)
		}
	}
	return scoped, without
}

// TestScopeEveryMethod lists the store's exported methods through
// reflection: each takes a tenant.Scope or is in unscoped with its reason.
// The allow-list has no stale entries and none for a method that takes a
// scope.
func TestScopeEveryMethod(t *testing.T) {
	scoped, without := scopedMethods()
	if len(scoped) < 50 {
		t.Fatalf("only %d methods take a scope; the reflection is broken", len(scoped))
	}
	allowed := unscoped()
	for _, name := range without {
		if _, ok := allowed[name]; !ok {
			t.Errorf("(*store.Store).%s takes no tenant.Scope: a method that reads or changes an organisation's rows, or lists rows of organisations, takes the caller's scope and applies it in its query; a method that truly touches no organisation's rows goes in unscoped with its reason", name)
		}
	}
	for name := range allowed {
		switch {
		case slices.Contains(scoped, name):
			t.Errorf("(*store.Store).%s takes a scope: remove it from unscoped", name)
		case !slices.Contains(without, name):
			t.Errorf("unscoped lists %s, which is not a method of *store.Store", name)
		}
	}
}
