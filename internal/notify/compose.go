// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"vigil/internal/finding"
	"vigil/internal/registry"
	"vigil/internal/tlp"
)

// OrgInput is an organisation as composition needs it.
type OrgInput struct {
	ID        int64
	Name      string
	Languages []string
	Policy    registry.Policy
	Contacts  []registry.Contact
	// Suppressed are the contacts' addresses (lower-cased) on the
	// suppression list: they get nothing.
	Suppressed map[string]bool
}

// EventInput is a finding event with its finding and trigger as they are
// when the event is composed.
type EventInput struct {
	Event   finding.Event
	Finding finding.Finding
	Trigger finding.Trigger
	// Run is the source run (feed file, advisory load, re-match) whose
	// batch made the event; 0 for changes outside a run.
	Run int64
}

// PendingItem is a notice item held for an organisation's digest.
type PendingItem struct {
	ID      int64
	OrgID   int64
	Created time.Time
	Item    Item
	// Run is the run whose end the item waits for (an immediate item of a
	// run that had not ended when it was composed); 0 for digest items.
	Run int64
	// Folded marks an item that went to the digest because its
	// organisation had reached its cap of immediate notices.
	Folded bool
}

// Batch is the input of one composition step: the next events after the
// cursor and what judging them needs.
type Batch struct {
	Now    time.Time
	Events []EventInput
	// Orgs holds every organisation of Events and Pending.
	Orgs map[int64]OrgInput
	// Prior is the last notice item per finding id, for the quiet interval.
	Prior map[int64]Prior
	// Pending are the items held for digests, oldest first.
	Pending []PendingItem
	// Waiting are the immediate items of earlier batches that wait for the
	// end of a run in Ended (items of other runs are not loaded).
	Waiting []PendingItem
	// Ended are the runs that ended (or were given up after the grace
	// period) and whose every event is in this batch or an earlier one:
	// their immediate items become notices now, one per organisation and
	// run. Items of runs not in Ended wait.
	Ended map[int64]bool
	// Sent counts the immediate notices each organisation of the batch
	// received in the cap period before this batch (see PlanConfig.Cap).
	Sent map[int64]int
}

// Plan is the output of one composition step, which the store applies in
// the transaction that advances the event cursor.
type Plan struct {
	// Items are the new notice items, one per accepted event.
	Items []PlannedItem
	// Notices are the notices to create now.
	Notices []Draft
	// Skipped counts the events that made no item, by reason.
	Skipped map[Reason]int
	// Resolved lists the findings whose resolution events were consumed, so
	// that notices all of whose findings are resolved can be marked so.
	Resolved []int64
	// Problems lists organisations whose stored policy is invalid (the
	// default policy was used for them).
	Problems []string
	// Unwait are the ids of waiting items of ended runs that are held for
	// the digest now.
	Unwait []int64
	// Folded are those of Unwait that went to the digest because their
	// organisation reached its cap.
	Folded []int64
	// foldedOrg counts Folded per organisation.
	foldedOrg map[int64]int
}

// PlannedItem is one accepted event.
type PlannedItem struct {
	EventID   int64
	FindingID int64
	OrgID     int64
	TriggerID int64
	Kind      finding.EventKind
	Severity  finding.Severity
	// Notice is the index in Plan.Notices of the notice that carries the
	// item, or -1 when it is held for a digest or waits for its run.
	Notice int
	// Wait is the run whose end the item waits for; 0 when it does not.
	Wait int64
	// Folded marks an item held for the digest because its organisation
	// reached its cap of immediate notices.
	Folded bool
}

// Draft is a notice to create.
type Draft struct {
	OrgID int64
	// Run is the run an immediate notice reports (0: none).
	Run     int64
	Content Content
	// Items are indexes into Plan.Items of the new items it carries.
	Items []int
	// Pending are the ids of held items it carries.
	Pending []int64
	// Deliveries are its outbox rows; none when the organisation has no
	// usable contact.
	Deliveries []Delivery
	// Undeliverable says why there are no deliveries (see
	// UndeliverableReason); such a notice goes to the call list at once.
	Undeliverable string
}

// Delivery is one outbox row of a notice: a channel and a recipient.
type Delivery struct {
	Channel   Channel
	Recipient string // e-mail address or webhook URL
	ContactID int64  // 0 for webhooks and discovered contacts
	Lang      string
}

// PlanConfig tunes composition.
type PlanConfig struct {
	// Default is the operator's policy under the organisations' own.
	Default Policy
	// DigestHour is the hour of the day (in Location) at which daily and
	// weekly digests become due (weekly ones on Mondays).
	DigestHour int
	// Location is the time zone of DigestHour; nil means UTC.
	Location *time.Location
	// Languages are the renderer's languages.
	Languages []string
}

// NextDigest returns when a digest holding an item created at t becomes
// due under mode: the first DigestHour after t (daily) or the first Monday
// DigestHour after t (weekly); t itself for immediate.
func NextDigest(mode Mode, t time.Time, hour int, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if mode == Immediate {
		return t
	}
	l := t.In(loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	if !d.After(l) {
		d = d.AddDate(0, 0, 1)
	}
	if mode == Weekly {
		for d.Weekday() != time.Monday {
			d = d.AddDate(0, 0, 1)
		}
	}
	return d
}

// Recipients returns the deliveries of a notice to organisation o under
// policy p: one e-mail per contact address that has not bounced and is not
// on the suppression list (contacts
// with the security, abuse or technical role when there are any, else all),
// in the contact's language or else the organisation's; and the webhook
// when the policy has one.
func Recipients(o OrgInput, p Policy, languages []string) []Delivery {
	var out []Delivery
	if p.Has(Email) {
		preferred := func(c registry.Contact) bool {
			switch c.Role {
			case "security", "abuse", "technical":
				return true
			}
			return false
		}
		usable := func(c registry.Contact) bool {
			return c.Email != "" && c.Bounced == nil && !o.Suppressed[strings.ToLower(c.Email)]
		}
		hasPreferred := slices.ContainsFunc(o.Contacts, func(c registry.Contact) bool {
			return preferred(c) && usable(c)
		})
		seen := map[string]bool{}
		for _, c := range o.Contacts {
			addr := strings.ToLower(c.Email)
			if !usable(c) || seen[addr] || (hasPreferred && !preferred(c)) {
				continue
			}
			seen[addr] = true
			out = append(out, Delivery{Channel: Email, Recipient: c.Email, ContactID: c.ID,
				Lang: ChooseLang(languages, []string{c.Lang}, o.Languages)})
		}
	}
	if p.Has(Webhook) && p.WebhookURL != "" {
		out = append(out, Delivery{Channel: Webhook, Recipient: p.WebhookURL, Lang: ChooseLang(languages, o.Languages)})
	}
	return out
}

// UndeliverableReason says why Recipients finds no delivery for a notice to
// organisation o under policy p.
func UndeliverableReason(o OrgInput, p Policy) string {
	switch {
	case len(p.Channels) == 0:
		return "the notification policy names no channel"
	case !p.Has(Email):
		return "the notification policy sends by webhook only and names no webhook URL"
	case len(o.Contacts) == 0:
		return "no contact registered"
	case !slices.ContainsFunc(o.Contacts, func(c registry.Contact) bool { return c.Email != "" }):
		return "no contact has an e-mail address (phone only)"
	}
	if slices.ContainsFunc(o.Contacts, func(c registry.Contact) bool { return c.Bounced == nil && c.Email != "" }) {
		return "every contact's e-mail address bounced or is on the suppression list"
	}
	return "every contact's e-mail address bounced"
}

// PlanBatch judges the batch's events and bundles the accepted ones with
// the held items into notices. It is pure: the same batch gives the same
// plan.
//
// The accepted items of a run wait until the run has ended (Batch.Ended);
// then they are judged together: a finding goes out at once when its
// organisation's mode is immediate or its highest severity in the run is
// critical, else it is held for the digest, and the findings that go out
// at once make one notice per organisation and run, with every trigger of
// the run as its sections. So the notices do not depend on the order of
// the rows, the size of the ingest or composition batches, or on
// composing during or after the run. Items of events outside a run are
// judged per batch. Beyond the organisation's cap of immediate notices
// per period, a run's non-critical items fold into the next digest and
// only its critical ones go.
func PlanBatch(b *Batch, cfg PlanConfig) *Plan {
	p := &Plan{Skipped: map[Reason]int{}}
	policies := map[int64]Policy{}
	policyOf := func(orgID int64) Policy {
		if pol, ok := policies[orgID]; ok {
			return pol
		}
		pol, err := Resolve(b.Orgs[orgID].Policy, cfg.Default)
		if err != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("organisation %d: %v (using the default policy)", orgID, err))
			pol = cfg.Default
		}
		policies[orgID] = pol
		return pol
	}
	prior := make(map[int64]Prior, len(b.Prior))
	for k, v := range b.Prior {
		prior[k] = v
	}
	// entry is an item of a run being judged: a new one (an index into
	// p.Items) or one that waited (its id).
	type entry struct {
		idx  int
		wait int64
		snap Item
	}
	type orgWork struct {
		runs    map[int64][]entry
		held    []entry // for the digest
		pending []PendingItem
	}
	work := map[int64]*orgWork{}
	get := func(id int64) *orgWork {
		w := work[id]
		if w == nil {
			w = &orgWork{runs: map[int64][]entry{}}
			work[id] = w
		}
		return w
	}
	for _, in := range b.Events {
		ev := in.Event
		if ev.Kind == finding.EventResolved {
			p.Skipped[ReasonResolved]++
			p.Resolved = append(p.Resolved, ev.FindingID)
			continue
		}
		if _, ok := b.Orgs[ev.OrgID]; !ok {
			p.Skipped[ReasonUnknownEvent]++
			continue
		}
		pol := policyOf(ev.OrgID)
		var pr *Prior
		if x, ok := prior[ev.FindingID]; ok {
			pr = &x
		}
		d := Decide(ev, in.Finding.Type, pol, pr, b.Now)
		if !d.Notify {
			p.Skipped[d.Reason]++
			continue
		}
		prior[ev.FindingID] = Prior{At: b.Now, Severity: ev.Severity}
		idx := len(p.Items)
		p.Items = append(p.Items, PlannedItem{EventID: ev.ID, FindingID: ev.FindingID, OrgID: ev.OrgID,
			TriggerID: in.Finding.TriggerID, Kind: ev.Kind, Severity: ev.Severity, Notice: -1})
		if in.Run != 0 && !b.Ended[in.Run] {
			// Its run goes on: it waits, and is read again (with its
			// finding as it is then) when the run has ended.
			p.Items[idx].Wait = in.Run
			continue
		}
		snap := ItemFromFinding(ev.Kind, in.Finding, in.Trigger)
		snap.Severity = max(snap.Severity, ev.Severity)
		w := get(ev.OrgID)
		w.runs[in.Run] = append(w.runs[in.Run], entry{idx: idx, snap: snap})
	}
	for _, wi := range b.Waiting {
		if _, ok := b.Orgs[wi.OrgID]; !ok || !b.Ended[wi.Run] {
			continue
		}
		w := get(wi.OrgID)
		w.runs[wi.Run] = append(w.runs[wi.Run], entry{idx: -1, wait: wi.ID, snap: wi.Item})
	}
	for _, pi := range b.Pending {
		get(pi.OrgID).pending = append(get(pi.OrgID).pending, pi)
	}
	orgIDs := make([]int64, 0, len(work))
	for id := range work {
		orgIDs = append(orgIDs, id)
	}
	slices.Sort(orgIDs)
	for _, id := range orgIDs {
		w := work[id]
		org, ok := b.Orgs[id]
		if !ok {
			continue // pending items of a deleted organisation
		}
		pol := policyOf(id)
		sent := b.Sent[id]
		runs := make([]int64, 0, len(w.runs))
		for r := range w.runs {
			runs = append(runs, r)
		}
		slices.Sort(runs)
		// Held items an immediate-mode organisation had from before (a
		// digest mode, not the cap) ride with its first notice.
		var carry, rest []PendingItem
		for _, pi := range w.pending {
			if pol.Mode == Immediate && !pi.Folded {
				carry = append(carry, pi)
			} else {
				rest = append(rest, pi)
			}
		}
		if len(runs) == 0 && len(carry) > 0 {
			runs = append(runs, 0)
		}
		for _, r := range runs {
			es := w.runs[r]
			// A finding's highest severity in the run decides for all its
			// items.
			top := map[int64]finding.Severity{}
			for _, e := range es {
				top[e.snap.FindingID] = max(top[e.snap.FindingID], e.snap.Severity)
			}
			capped := pol.Cap > 0 && sent >= pol.Cap
			d := Draft{OrgID: id, Run: r}
			var parts []part
			if !capped {
				for _, pi := range carry {
					parts = append(parts, part{idx: -1, pending: pi.ID, item: pi.Item})
				}
				carry = nil
			}
			for _, e := range es {
				critical := top[e.snap.FindingID] >= finding.Critical
				if !critical && (pol.Mode != Immediate || capped) {
					folded := pol.Mode == Immediate
					if e.idx >= 0 {
						p.Items[e.idx].Folded = folded
						w.held = append(w.held, e)
						continue
					}
					p.Unwait = append(p.Unwait, e.wait)
					if folded {
						p.Folded = append(p.Folded, e.wait)
						if p.foldedOrg == nil {
							p.foldedOrg = map[int64]int{}
						}
						p.foldedOrg[id]++
					}
					rest = append(rest, PendingItem{ID: e.wait, OrgID: id, Created: b.Now, Item: e.snap, Folded: folded})
					continue
				}
				parts = append(parts, part{idx: e.idx, pending: e.wait, item: e.snap})
			}
			if len(parts) == 0 {
				continue
			}
			if p.addNotices(d, KindImmediate, "", org, parts, pol, cfg, b.Now) {
				sent++
			}
		}
		rest = append(rest, carry...)
		if len(w.held) == 0 && len(rest) == 0 {
			continue
		}
		mode := pol.Mode
		if mode == Immediate {
			mode = Daily // folded items go out with the next daily digest
		}
		oldest := b.Now
		for _, pi := range rest {
			if pi.Created.Before(oldest) {
				oldest = pi.Created
			}
		}
		if b.Now.Before(NextDigest(mode, oldest, cfg.DigestHour, cfg.Location)) {
			continue // held: the items stay pending
		}
		d := Draft{OrgID: id}
		var parts []part
		for _, pi := range rest {
			parts = append(parts, part{idx: -1, pending: pi.ID, item: pi.Item})
		}
		for _, e := range w.held {
			parts = append(parts, part{idx: e.idx, item: e.snap})
		}
		p.addNotices(d, KindDigest, mode, org, parts, pol, cfg, b.Now)
	}
	return p
}

// part is one item of a notice being made: a new item (idx into
// Plan.Items) or a held one (pending, its id).
type part struct {
	idx     int
	pending int64
	item    Item
}

// addNotices makes the notice d of parts. Items marked TLP:RED never leave
// the analysts: they go into a notice of their own without deliveries,
// which goes to the call list at once with the reason, and the others
// make the notice to the organisation. It reports whether a notice to the
// organisation was made.
func (p *Plan) addNotices(d Draft, kind Kind, mode Mode, org OrgInput, parts []part, pol Policy, cfg PlanConfig, now time.Time) bool {
	var out, red []part
	for _, x := range parts {
		if x.item.TLP >= tlp.Red {
			red = append(red, x)
		} else {
			out = append(out, x)
		}
	}
	add := func(ps []part, withheld bool) {
		dd := d
		dd.Items, dd.Pending = nil, nil
		items := make([]Item, 0, len(ps))
		for _, x := range ps {
			if x.idx >= 0 {
				dd.Items = append(dd.Items, x.idx)
			} else {
				dd.Pending = append(dd.Pending, x.pending)
			}
			items = append(items, x.item)
		}
		p.addNotice(dd, kind, mode, org, items, pol, cfg, now)
		if withheld {
			n := &p.Notices[len(p.Notices)-1]
			n.Deliveries = nil
			n.Undeliverable = tlp.Red.Why(tlp.Contact)
			p.Skipped[ReasonTLPRed] += len(ps)
		}
	}
	if len(red) > 0 {
		add(red, true)
	}
	if len(out) > 0 {
		add(out, false)
		return true
	}
	return false
}

// addNotice completes d and appends it, pointing its new items at it.
func (p *Plan) addNotice(d Draft, kind Kind, mode Mode, org OrgInput, items []Item, pol Policy, cfg PlanConfig, now time.Time) {
	idx := len(p.Notices)
	for _, i := range d.Items {
		p.Items[i].Notice = idx
		p.Items[i].Wait = 0
	}
	d.Content = Content{Kind: kind, Mode: mode, Created: now, OrgID: org.ID, OrgName: org.Name, Languages: org.Languages, Items: mergeItems(items)}
	for _, it := range d.Content.Items {
		d.Content.Severity = max(d.Content.Severity, it.Severity)
	}
	d.Deliveries = Recipients(org, pol, cfg.Languages)
	if len(d.Deliveries) == 0 {
		d.Undeliverable = UndeliverableReason(org, pol)
	}
	p.Notices = append(p.Notices, d)
}

// mergeItems keeps one item per finding: the latest snapshot, with the
// first event kind (a finding that was new and then rose in severity is
// still new to the reader), sorted by severity (highest first), then
// trigger and key.
func mergeItems(items []Item) []Item {
	out := make([]Item, 0, len(items))
	at := map[int64]int{}
	for _, it := range items {
		if it.FindingID != 0 {
			if i, ok := at[it.FindingID]; ok {
				ev := out[i].Event
				sev := max(out[i].Severity, it.Severity)
				out[i] = it
				out[i].Event, out[i].Severity = ev, sev
				continue
			}
			at[it.FindingID] = len(out)
		}
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Trigger != b.Trigger {
			return a.Trigger < b.Trigger
		}
		return a.Key < b.Key
	})
	return out
}

// ComposeResult counts what a composition run did.
type ComposeResult struct {
	Events  int             `json:"events"`
	Cursor  int64           `json:"cursor"`
	Items   int             `json:"items"`
	Held    int             `json:"held"`
	Notices int             `json:"notices"`
	Digests int             `json:"digests"`
	Outbox  map[Channel]int `json:"outbox"`
	Skipped map[Reason]int  `json:"skipped"`
	// Waiting counts the items left waiting for the end of their run
	// after the step (the last step's count in a sum).
	Waiting int `json:"waiting"`
	// Folded counts the items that went to a digest because their
	// organisation had reached its cap of immediate notices.
	Folded   int `json:"folded"`
	Resolved int `json:"notices_resolved"`
	// Undeliverable counts the notices that could be sent to nobody: they
	// went to the call list with the reason.
	Undeliverable int `json:"undeliverable"`
	// Discovered counts the notices without a usable contact that the
	// fallback chain sent to a security.txt or RDAP abuse contact.
	Discovered int      `json:"discovered_contacts"`
	Problems   []string `json:"problems,omitempty"`
	NoticeIDs  []int64  `json:"-"`
	// Orgs counts the notices per organisation, most first.
	Orgs []OrgNotices `json:"orgs,omitempty"`
	// Previews are the notices a dry run would compose (dry runs only).
	Previews []Preview `json:"previews,omitempty"`
	// More is true when events remain after this batch.
	More bool `json:"-"`
}

// OrgNotices counts what composition made for one organisation.
type OrgNotices struct {
	OrgID     int64  `json:"org_id"`
	Name      string `json:"name"`
	Notices   int    `json:"notices"`
	Immediate int    `json:"immediate"`
	Digests   int    `json:"digests"`
	Items     int    `json:"items"`
	Folded    int    `json:"folded,omitempty"`
}

// CountOrgs returns the notices and folded items of plan p per
// organisation.
func (p *Plan) CountOrgs(orgs map[int64]OrgInput) []OrgNotices {
	by := map[int64]*OrgNotices{}
	get := func(id int64) *OrgNotices {
		o := by[id]
		if o == nil {
			o = &OrgNotices{OrgID: id, Name: orgs[id].Name}
			by[id] = o
		}
		return o
	}
	for _, d := range p.Notices {
		o := get(d.OrgID)
		o.Notices++
		if d.Content.Kind == KindDigest {
			o.Digests++
		} else {
			o.Immediate++
		}
		o.Items += len(d.Content.Items)
	}
	for _, it := range p.Items {
		if it.Folded {
			get(it.OrgID).Folded++
		}
	}
	for id, n := range p.foldedOrg {
		get(id).Folded += n
	}
	out := make([]OrgNotices, 0, len(by))
	for _, o := range by {
		out = append(out, *o)
	}
	return mergeOrgs(nil, out)
}

// mergeOrgs adds the counts of b to a, most notices first, then by id.
func mergeOrgs(a, b []OrgNotices) []OrgNotices {
	at := make(map[int64]int, len(a))
	for i, o := range a {
		at[o.OrgID] = i
	}
	for _, o := range b {
		i, ok := at[o.OrgID]
		if !ok {
			at[o.OrgID] = len(a)
			a = append(a, o)
			continue
		}
		x := &a[i]
		x.Notices += o.Notices
		x.Immediate += o.Immediate
		x.Digests += o.Digests
		x.Items += o.Items
		x.Folded += o.Folded
	}
	sort.Slice(a, func(i, j int) bool {
		if a[i].Notices != a[j].Notices {
			return a[i].Notices > a[j].Notices
		}
		return a[i].OrgID < a[j].OrgID
	})
	return a
}

// Add adds the counts of r2 to r.
func (r *ComposeResult) Add(r2 ComposeResult) {
	r.Events += r2.Events
	r.Cursor = max(r.Cursor, r2.Cursor)
	r.Items += r2.Items
	r.Held += r2.Held
	r.Notices += r2.Notices
	r.Digests += r2.Digests
	r.Waiting = r2.Waiting
	r.Folded += r2.Folded
	r.Resolved += r2.Resolved
	r.Undeliverable += r2.Undeliverable
	r.Discovered += r2.Discovered
	r.Problems = append(r.Problems, r2.Problems...)
	r.NoticeIDs = append(r.NoticeIDs, r2.NoticeIDs...)
	r.Orgs = mergeOrgs(r.Orgs, r2.Orgs)
	r.Previews = append(r.Previews, r2.Previews...)
	if r.Outbox == nil {
		r.Outbox = map[Channel]int{}
	}
	for k, v := range r2.Outbox {
		r.Outbox[k] += v
	}
	if r.Skipped == nil {
		r.Skipped = map[Reason]int{}
	}
	for k, v := range r2.Skipped {
		r.Skipped[k] += v
	}
}

// Held counts the items composition holds back: those waiting for the end
// of their run, and those the organisations' caps of immediate notices
// folded into digests in a period.
type Held struct {
	Waiting    int `json:"waiting_for_run"`
	Folded     int `json:"folded_by_cap"`
	FoldedOrgs int `json:"folded_organisations"`
}

// ComposeRequest says what one composition step reads.
type ComposeRequest struct {
	Now time.Time
	// Limit is the most events read.
	Limit int
	// DryRun rolls the transaction back.
	DryRun bool
	// Grace is how long a run that has not ended may go without a batch
	// before its items are composed as they are (a run never resumed).
	Grace time.Duration
	// AllEnded composes every run's items as if it had ended (a dry run
	// shows what the runs going on will send).
	AllEnded bool
	// CapSince is the start of the cap period: the immediate notices
	// created since count against an organisation's cap.
	CapSince time.Time
}

// ComposeStore is the storage composition needs.
type ComposeStore interface {
	// NotifyCompose loads the next batch (at most req.Limit events after
	// the stored cursor, the held items, the waiting items of the runs that
	// ended and what judging them needs), calls plan on it and applies the
	// plan in one transaction that also advances the cursor. With
	// req.DryRun the transaction is rolled back.
	NotifyCompose(ctx context.Context, req ComposeRequest, plan func(*Batch) *Plan) (ComposeResult, error)
}

// NotifierConfig configures a Notifier.
type NotifierConfig struct {
	Store ComposeStore
	PlanConfig
	// BatchSize is the number of events per transaction (default 5000).
	BatchSize int
	// RunGrace is how long composition waits for a run that has not ended
	// and had no batch (an interrupted ingest never resumed) before it
	// composes that run's items as they are (default DefaultRunGrace).
	RunGrace time.Duration
	// CapPeriod is the period of the organisations' caps of immediate
	// notices (default a day).
	CapPeriod time.Duration
	// Fallback, when set, looks for a contact (security.txt, RDAP) for
	// every notice that could be sent to nobody before it stays on the
	// call list.
	Fallback *Fallback
	Now      func() time.Time
	Logger   *slog.Logger
}

// Notifier composes notices from finding events.
type Notifier struct {
	cfg NotifierConfig
}

// NewNotifier returns a Notifier; zero config fields get defaults (the
// default policy, UTC, digest hour 0, batch size 5000, English only).
func NewNotifier(cfg NotifierConfig) *Notifier {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 5000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RunGrace <= 0 {
		cfg.RunGrace = DefaultRunGrace
	}
	if cfg.CapPeriod <= 0 {
		cfg.CapPeriod = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Default.Mode == "" {
		cfg.Default = DefaultPolicy()
	}
	if len(cfg.Languages) == 0 {
		cfg.Languages = []string{FallbackLang}
	}
	return &Notifier{cfg: cfg}
}

// DefaultRunGrace is how long composition waits by default for a run that
// stopped without ending before it composes the run's items as they are.
const DefaultRunGrace = 2 * time.Hour

// Compose consumes every finding event after the cursor, in batches, and
// returns the totals. A dry run plans one batch of all pending events, as
// if every run going on had ended, and writes nothing: its Orgs say how
// many notices each organisation would get.
func (n *Notifier) Compose(ctx context.Context, dryRun bool) (ComposeResult, error) {
	var total ComposeResult
	total.Outbox, total.Skipped = map[Channel]int{}, map[Reason]int{}
	now := n.cfg.Now().UTC()
	req := ComposeRequest{Now: now, Limit: n.cfg.BatchSize, DryRun: dryRun, Grace: n.cfg.RunGrace, AllEnded: dryRun,
		CapSince: now.Add(-n.cfg.CapPeriod)}
	if dryRun {
		req.Limit = 1 << 30
	}
	plan := func(b *Batch) *Plan { return PlanBatch(b, n.cfg.PlanConfig) }
	for {
		r, err := n.cfg.Store.NotifyCompose(ctx, req, plan)
		if err != nil {
			return total, fmt.Errorf("compose notices: %w", err)
		}
		if fb := n.cfg.Fallback; fb != nil && !dryRun && r.Undeliverable > 0 {
			fr, err := fb.Run(ctx, r.NoticeIDs)
			if err != nil {
				return total, fmt.Errorf("fallback contacts: %w", err)
			}
			r.Undeliverable -= fr.Found
			r.Discovered += fr.Found
			if r.Outbox == nil {
				r.Outbox = map[Channel]int{}
			}
			r.Outbox[Email] += fr.Found
		}
		total.Add(r)
		for _, pr := range r.Problems {
			n.cfg.Logger.Warn("notification policy", "problem", pr)
		}
		if !r.More || dryRun {
			return total, nil
		}
	}
}
