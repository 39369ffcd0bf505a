// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"time"

	"github.com/riverqueue/river"

	"context"
	"encoding/json"
	"fmt"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/privacy"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// PrivacyExport returns everything held about the person with the e-mail
// address email and records the export in the audit log (by a digest of
// the address, not the address). actor names who asked.
func (a *App) PrivacyExport(ctx context.Context, actor, email string) (privacy.Export, error) {
	addr, err := privacy.Normalize(email)
	if err != nil {
		return privacy.Export{}, errs.Errorf(errs.Invalid, "%v", err)
	}
	e, err := a.st.PrivacyExport(ctx, addr)
	if err != nil {
		return e, err
	}
	if err := a.Audit(ctx, account.AuditEntry{Actor: actor, Action: "privacy.export", Object: privacy.Ref(addr)}); err != nil {
		return e, fmt.Errorf("privacy export: audit: %w", err)
	}
	return e, nil
}

// PrivacyErase erases the person with the e-mail address email (see
// store.PrivacyErase: contact rows deleted, the address elsewhere replaced
// by a fresh pseudonym, counts kept) and records the erasure in the audit
// log with the number of rows of each kind, in the erasure's transaction:
// an erasure is kept only with its entry.
func (a *App) PrivacyErase(ctx context.Context, actor, email string) (privacy.Erased, error) {
	addr, err := privacy.Normalize(email)
	if err != nil {
		return privacy.Erased{}, errs.Errorf(errs.Invalid, "%v", err)
	}
	pseudo, err := privacy.NewPseudonym()
	if err != nil {
		return privacy.Erased{}, err
	}
	var out privacy.Erased
	err = a.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.PrivacyErase(ctx, addr, pseudo); err != nil {
			return err
		}
		detail := fmt.Sprintf("contacts=%d notices=%d replies=%d bounces=%d accounts=%d calls=%d audit=%d",
			out.Contacts, out.Notices, out.Replies, out.Bounces, out.Accounts, out.Calls, out.Audit)
		if err := a.auditIn(ctx, tx, account.AuditEntry{Actor: actor, Action: "privacy.erase", Object: privacy.Ref(addr), Detail: detail}); err != nil {
			return fmt.Errorf("privacy erase: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return privacy.Erased{}, err
	}
	return out, nil
}

// PrivacyCommands are the commands of `vigil privacy`: export and erase
// the personal data of one contact.
func PrivacyCommands() []Command {
	contact := Flag{Name: "contact", Usage: "the person's e-mail address"}
	return []Command{
		{Use: "export", Short: "Print everything held about a person as JSON (contacts, notices, replies, bounces, accounts, calls, audit)", Flags: []Flag{contact},
			Long: "Print as JSON everything held about the person with the address --contact, across every organisation: contact rows,\n" +
				"notices sent to the address, replies from it, bounce records (the suppression list), portal accounts, the call\n" +
				"list's notes of calls about its warnings (or made by it) and audit entries naming it. The export is recorded in\n" +
				"the audit log by a digest of the address.",
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				e, err := x.PrivacyExport(ctx, x.cfg.Actor, in.Flags["contact"])
				return exportText(e), err
			}},
		{Use: "erase", Short: "Erase a person's data: contact rows deleted, the address elsewhere pseudonymised (counts kept)", Flags: []Flag{contact},
			Long: "Erase the person with the address --contact: their contact rows are deleted; deliveries, replies (subject and body\n" +
				"emptied), bounce records, portal accounts (disabled, secrets cleared), calls it made and audit entries get a\n" +
				"random pseudonym instead of the address, so every count stays; the notes of calls about its warnings are\n" +
				"emptied (their outcomes stay). The erasure is recorded in the audit log.",
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				out, err := x.PrivacyErase(ctx, x.cfg.Actor, in.Flags["contact"])
				return erasedText(out), err
			}},
	}
}

// exportText prints an export as JSON with or without --json: the export
// is a document for the person.
type exportText privacy.Export

// Text implements Output.
func (e exportText) Text() string {
	b, _ := json.MarshalIndent(e, "", "  ")
	return string(b) + "\n"
}

type erasedText privacy.Erased

// Text implements Output.
func (e erasedText) Text() string {
	return fmt.Sprintf("erased: %s deleted; pseudonymised as %s: %s, %s, %s, %s, %s, %s\n",
		text.Plural(e.Contacts, "contact", "contacts"), e.Pseudonym, text.Plural(e.Notices, "delivery", "deliveries"),
		text.Plural(e.Replies, "reply", "replies"), text.Plural(e.Bounces, "bounce", "bounces"),
		text.Plural(e.Accounts, "account", "accounts"), text.Plural(e.Calls, "call", "calls"), text.Plural(e.Audit, "audit entry", "audit entries"))
}

// PurgeRetention deletes the personal data past its retention period
// (config retention.*), unconfirmed sign-ups among it (retention.signups_days
// after their confirmation link expired), and records the counts in the
// audit log in the purge's transaction, so a purge is kept only with its
// entry. Notices composition or delivery is not done with stay (counted
// as kept), and so do those within their organisation's quiet interval
// (quietSince).
func (a *App) PurgeRetention(ctx context.Context) (privacy.Purged, error) {
	r := a.cfg.Retention
	c := privacy.CutoffsAt(a.now(), r.NoticesDays, r.RepliesDays, r.BouncesDays, r.AuditDays)
	if r.SignupsDays > 0 {
		c.Signups = a.now().AddDate(0, 0, -r.SignupsDays)
	}
	var out privacy.Purged
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		if c.NoticesOrg, err = a.quietSince(ctx, tx, c.Notices); err != nil {
			return fmt.Errorf("retention purge: %w", err)
		}
		if out, err = tx.RetentionPurge(ctx, c); err != nil {
			return err
		}
		detail := fmt.Sprintf("notices=%d notices_kept=%d replies=%d bounces=%d suppressions=%d audit=%d signups=%d",
			out.Notices, out.NoticesKept, out.Replies, out.Bounces, out.Suppressions, out.Audit, out.Signups)
		if err := a.auditIn(ctx, tx, account.AuditEntry{Actor: "retention", Action: "retention.purge", Detail: detail}); err != nil {
			return fmt.Errorf("retention purge: audit: %w", err)
		}
		return nil
	})
	if err != nil {
		return privacy.Purged{}, err
	}
	return out, nil
}

// quietSince returns, for the purge of the notices created before cutoff,
// the start of each organisation's quiet interval that reaches further
// back (privacy.Cutoffs.NoticesOrg): composition does not warn an
// organisation again about a finding it was warned about within its
// renotify_after (its policy over notify.default_renotify, as composition
// resolves it), and reads that from the items of its notices, so a notice
// must outlast it. Key privacy.Unregistered is the quiet interval of the
// warnings to unregistered owners (the operator default, as
// warnUnregistered uses). A zero cutoff keeps every notice and needs none.
func (a *App) quietSince(ctx context.Context, st *store.Store, cutoff time.Time) (map[int64]time.Time, error) {
	if cutoff.IsZero() {
		return nil, nil
	}
	def, err := a.defaultPolicy()
	if err != nil {
		return nil, err
	}
	now := a.now()
	out := map[int64]time.Time{}
	keep := func(org int64, quiet time.Duration) {
		if since := now.Add(-quiet); since.Before(cutoff) {
			out[org] = since
		}
	}
	keep(privacy.Unregistered, def.RenotifyAfter)
	for after := int64(0); ; {
		orgs, err := st.OrgList(ctx, tenant.Operator(), keyset.Page{After: after, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("quiet intervals: %w", err)
		}
		if len(orgs) == 0 {
			return out, nil
		}
		for _, o := range orgs {
			pol, err := notify.Resolve(o.Policy, def)
			if err != nil {
				pol = def // as composition does
			}
			keep(o.ID, pol.RenotifyAfter)
		}
		after = orgs[len(orgs)-1].ID
	}
}

// retentionPurgeArgs is the daily job that purges personal data past its
// retention period.
type retentionPurgeArgs struct{}

// Kind implements river.JobArgs.
func (retentionPurgeArgs) Kind() string { return "retention_purge" }

// retentionPurgeWorker runs PurgeRetention.
type retentionPurgeWorker struct {
	river.WorkerDefaults[retentionPurgeArgs]
	a *App
	// timeout bounds one purge (RetentionPurgeTimeout).
	timeout time.Duration
}

// Timeout implements river.Worker.
func (w *retentionPurgeWorker) Timeout(*river.Job[retentionPurgeArgs]) time.Duration {
	return w.timeout
}

// Work implements river.Worker; a failed purge is retried by the queue.
func (w *retentionPurgeWorker) Work(ctx context.Context, _ *river.Job[retentionPurgeArgs]) error {
	out, err := w.a.PurgeRetention(ctx)
	if err != nil {
		return err
	}
	w.a.log.Info("retention purge", "notices", out.Notices, "notices_kept", out.NoticesKept, "replies", out.Replies, "bounces", out.Bounces,
		"suppressions", out.Suppressions, "audit", out.Audit, "signups", out.Signups)
	return nil
}

// retentionJobs registers the purge worker and returns its daily
// periodic job.
func (a *App) retentionJobs(workers *river.Workers, lim jobLimits) *river.PeriodicJob {
	river.AddWorker(workers, &retentionPurgeWorker{a: a, timeout: lim.timeout(retentionPurgeArgs{}.Kind())})
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return retentionPurgeArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
