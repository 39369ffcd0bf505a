// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// AuditTrail is who makes the changes of one CLI command or one HTTP
// request, carried in its context: every audit entry written through
// App.Audit in that context names the actor and the way (Via), and the
// caller can see afterwards whether the change left an entry.
type AuditTrail struct {
	Via    string // account.AuditCLI, AuditAPI, AuditPortal, AuditLink
	Actor  string
	UserID int64
	n      atomic.Int64
}

type auditKey struct{}

// WithAuditTrail returns ctx carrying t.
func WithAuditTrail(ctx context.Context, t *AuditTrail) context.Context {
	return context.WithValue(ctx, auditKey{}, t)
}

// AuditTrailOf returns the trail ctx carries, nil if none.
func AuditTrailOf(ctx context.Context) *AuditTrail {
	t, _ := ctx.Value(auditKey{}).(*AuditTrail)
	return t
}

// Entries counts the audit entries written in the trail.
func (t *AuditTrail) Entries() int64 { return t.n.Load() }

// Audit appends e to the audit log: an empty actor, user and way come from
// the context's AuditTrail, which counts the entry.
func (a *App) Audit(ctx context.Context, e account.AuditEntry) error {
	return a.auditIn(ctx, a.st, e)
}

// auditIn is Audit written through st: a transaction's store (Store.Tx),
// so that a change and its audit entry are kept or lost together.
func (a *App) auditIn(ctx context.Context, st *store.Store, e account.AuditEntry) error {
	t := AuditTrailOf(ctx)
	if t != nil {
		if e.Actor == "" {
			e.Actor = t.Actor
		}
		if e.UserID == 0 {
			e.UserID = t.UserID
		}
		if e.Via == "" {
			e.Via = t.Via
		}
	}
	if e.Actor == "" {
		e.Actor = "unknown"
	}
	if err := st.AuditAdd(ctx, e); err != nil {
		return err
	}
	if t != nil {
		t.n.Add(1)
	}
	return nil
}

// AuditDone makes sure the change of the context's trail left an entry:
// when nothing was written through Audit, it writes one naming action and
// object (the command or route that made the change).
func (a *App) AuditDone(ctx context.Context, action, object, detail string) error {
	if t := AuditTrailOf(ctx); t != nil && t.Entries() > 0 {
		return nil
	}
	return a.Audit(ctx, account.AuditEntry{Action: action, Object: object, Detail: detail})
}

// auditJSON is v as the JSON of an audit entry's Before or After (nil for
// a nil v).
func auditJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(strconv.Quote(fmt.Sprint(v)))
	}
	return b
}

// AuditJSON is auditJSON for the other layers (web): v as the JSON of an
// audit entry's Before or After.
func AuditJSON(v any) json.RawMessage { return auditJSON(v) }

// AuditQuery returns the audit entries f selects, newest first.
func (a *App) AuditQuery(ctx context.Context, f account.AuditFilter, p keyset.Page) ([]account.AuditEntry, error) {
	return a.st.AuditQuery(ctx, f, p)
}

// AuditExport writes every entry f selects, newest first, as "csv" or
// "json" (an array) to w.
func (a *App) AuditExport(ctx context.Context, f account.AuditFilter, format string, w *strings.Builder) (int, error) {
	var all []account.AuditEntry
	p := keyset.Page{Limit: keyset.MaxLimit}
	for {
		es, err := a.st.AuditQuery(ctx, f, p)
		if err != nil {
			return 0, err
		}
		all = append(all, es...)
		if len(es) < p.Size() {
			break
		}
		p.After = es[len(es)-1].ID
	}
	switch format {
	case "json", "":
		b, err := json.MarshalIndent(all, "", "  ")
		if err != nil {
			return 0, err
		}
		w.Write(b)
		w.WriteByte('\n')
	case "csv":
		if err := WriteAuditCSV(w, all); err != nil {
			return 0, err
		}
	default:
		return 0, errs.FieldKeyed("format", format, "format.csvjson", "not csv or json")
	}
	return len(all), nil
}

// WriteAuditCSV writes entries as CSV with a header row; cells that a
// spreadsheet would take for a formula are escaped.
func WriteAuditCSV(w interface{ Write([]byte) (int, error) }, entries []account.AuditEntry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "at", "actor", "via", "action", "org_id", "object", "detail", "before", "after"}); err != nil {
		return err
	}
	for _, e := range entries {
		org := ""
		if e.OrgID != 0 {
			org = strconv.FormatInt(e.OrgID, 10)
		}
		row := []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), e.Actor, e.Via, e.Action, org, e.Object, e.Detail,
			string(e.Before), string(e.After)}
		for i := range row {
			row[i] = text.CSVCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ParseAuditFilter reads the filter of `vigil audit` and the portal page:
// actor, kind, and the dates since and until (2026-01-31 or RFC 3339; a
// date until includes that day).
func ParseAuditFilter(actor, kind, since, until string) (account.AuditFilter, error) {
	f := account.AuditFilter{Actor: strings.TrimSpace(actor), Kind: strings.TrimSpace(kind)}
	for _, d := range []struct {
		name, v string
		to      *time.Time
		endOf   bool
	}{{"since", since, &f.Since, false}, {"until", until, &f.Until, true}} {
		v := strings.TrimSpace(d.v)
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			*d.to = t
			continue
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return f, errs.FieldKeyed(d.name, v, "time.dateortime", "not a date (2026-01-31) or RFC 3339 time")
		}
		if d.endOf {
			t = t.AddDate(0, 0, 1)
		}
		*d.to = t
	}
	return f, nil
}

// AuditCommands are the commands of `vigil audit`: list and export the
// append-only audit log.
func AuditCommands() []Command {
	filter := func() []Flag {
		return []Flag{{Name: "by", Usage: "only entries of this actor"}, {Name: "kind", Usage: "only entries of this kind (org, contact, token, suppression, …)"},
			{Name: "since", Usage: "only entries at or after this date (2026-01-31) or time"}, {Name: "until", Usage: "only entries up to and including this date"}}
	}
	return []Command{
		{Use: "list", Short: "List audit entries, newest first (who, when, what, through what)",
			Flags: append(filter(), Flag{Name: "after", Usage: "only entries older than this id"}, Flag{Name: "limit", Usage: "at most this many entries"}),
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				f, err := ParseAuditFilter(in.Flags["by"], in.Flags["kind"], in.Flags["since"], in.Flags["until"])
				if err != nil {
					return nil, err
				}
				after, err := in.Int("after")
				if err != nil {
					return nil, err
				}
				limit, err := in.Int("limit")
				if err != nil {
					return nil, err
				}
				p := keyset.Page{After: int64(after), Limit: limit}
				es, err := x.AuditQuery(ctx, f, p)
				return auditList{Items: es, size: p.Size()}, err
			}},
		{Use: "export", Short: "Print every audit entry the filter selects as CSV or JSON (before/after included)",
			Flags: append(filter(), Flag{Name: "format", Default: "csv", Usage: "csv or json"}),
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				f, err := ParseAuditFilter(in.Flags["by"], in.Flags["kind"], in.Flags["since"], in.Flags["until"])
				if err != nil {
					return nil, err
				}
				var b strings.Builder
				if _, err := x.AuditExport(ctx, f, in.Flags["format"], &b); err != nil {
					return nil, err
				}
				return rawText(b.String()), nil
			}},
	}
}

type auditList struct {
	Items []account.AuditEntry `json:"items"`
	size  int
}

// Text implements Output.
func (l auditList) Text() string {
	if len(l.Items) == 0 {
		return "no audit entries\n"
	}
	var b strings.Builder
	for _, e := range l.Items {
		fmt.Fprintf(&b, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.At.Format("2006-01-02 15:04:05"), e.Actor, e.Via, e.Action,
			text.Truncate(e.Object, 40), text.Truncate(e.Detail, 60))
	}
	if len(l.Items) == l.size {
		fmt.Fprintf(&b, "%s shown, more follow: --after %d for the next page\n", text.Plural(len(l.Items), "entry", "entries"), l.Items[len(l.Items)-1].ID)
	}
	return b.String()
}

// rawText is an Output printed as it is, with or without --json (an
// export is its own document).
type rawText string

// Text implements Output.
func (r rawText) Text() string { return string(r) }

// MarshalJSON prints the document itself under --json.
func (r rawText) MarshalJSON() ([]byte, error) {
	if json.Valid([]byte(r)) {
		return []byte(r), nil
	}
	return json.Marshal(string(r))
}

// OrgSnapshot is organisation id's registry record as an audit entry's
// Before or After (its contacts, ranges, domains, AS numbers, devices and
// policy; nothing secret): nil when it does not exist.
func (a *App) OrgSnapshot(ctx context.Context, id int64) json.RawMessage {
	if id <= 0 {
		return nil
	}
	o, err := a.st.OrgGet(ctx, tenant.Operator(), id)
	if err != nil {
		return nil
	}
	return auditJSON(o)
}

// AuditOrgDone is AuditDone for a change of organisation org's registry
// data: the entry also holds the record before (taken by the caller) and
// after the change, when they differ.
func (a *App) AuditOrgDone(ctx context.Context, action, object string, org int64, before json.RawMessage) error {
	if t := AuditTrailOf(ctx); t != nil && t.Entries() > 0 {
		return nil
	}
	e := account.AuditEntry{Action: action, Object: object, OrgID: org}
	if after := a.OrgSnapshot(ctx, org); string(after) != string(before) {
		e.Before, e.After = before, after
	}
	return a.Audit(ctx, e)
}

// Unaudited are the commands that run a service (whose changes are audited
// one by one) rather than make a change.
const Unaudited = "|serve|mail receive|"

// ChangesOrg reports whether the command at path (e.g. "contact add")
// changes the registry data of the organisation its first argument names.
func ChangesOrg(path string, args []string) bool {
	p := strings.Fields(path)
	return len(args) > 0 && len(p) >= 2 && strings.Contains("|org|asset|contact|device|", "|"+p[0]+"|") && p[1] != "import"
}

// CommandOrg returns the organisation args[0] names (id or name) with its
// record now; 0 when there is none.
func (a *App) CommandOrg(ctx context.Context, args []string) (int64, json.RawMessage) {
	if len(args) == 0 {
		return 0, nil
	}
	id, err := a.OrgID(ctx, args[0])
	if err != nil {
		return 0, nil
	}
	return id, a.OrgSnapshot(ctx, id)
}

// AuditCommand makes sure that the CLI command at path, run with args,
// left an audit entry: when it wrote none, one naming the command and its
// arguments (never the flags' values), with the record of the
// organisation it changed before (taken by the caller) and after.
func (a *App) AuditCommand(ctx context.Context, path string, args []string, org int64, before json.RawMessage) error {
	if strings.Contains(Unaudited, "|"+path+"|") {
		return nil
	}
	action, object := strings.ReplaceAll(path, " ", "."), strings.Join(args, " ")
	if org == 0 && path == "org add" {
		org, _ = a.CommandOrg(ctx, args)
	}
	if org != 0 {
		return a.AuditOrgDone(ctx, action, object, org, before)
	}
	return a.AuditDone(ctx, action, object, "")
}

// KeyMade runs made, which generates a key kept outside the database (in
// the key directory), and records it in the audit log of the database
// open opens, as action naming the command's actor.
func KeyMade[T any](ctx context.Context, open func(context.Context) (*App, error), action string, made func() (T, error)) (T, error) {
	v, err := made()
	if err != nil {
		return v, err
	}
	x, err := open(ctx)
	if err == nil {
		err = x.AuditDone(ctx, action, "", "")
	}
	if err != nil {
		return v, fmt.Errorf("record %s in the audit log: %w", action, err)
	}
	return v, nil
}
