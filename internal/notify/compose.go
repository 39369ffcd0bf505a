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
)

// OrgInput is an organisation as composition needs it.
type OrgInput struct {
	ID        int64
	Name      string
	Languages []string
	Policy    registry.Policy
	Contacts  []registry.Contact
}

// EventInput is a finding event with its finding and trigger as they are
// when the event is composed.
type EventInput struct {
	Event   finding.Event
	Finding finding.Finding
	Trigger finding.Trigger
}

// PendingItem is a notice item held for an organisation's digest.
type PendingItem struct {
	ID      int64
	OrgID   int64
	Created time.Time
	Item    Item
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
	// item, or -1 when it is held for a digest.
	Notice int
}

// Draft is a notice to create.
type Draft struct {
	OrgID   int64
	Content Content
	// Items are indexes into Plan.Items of the new items it carries.
	Items []int
	// Pending are the ids of held items it carries.
	Pending []int64
	// Deliveries are its outbox rows; none when the organisation has no
	// usable contact (the notice still counts and can be escalated).
	Deliveries []Delivery
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
// policy p: one e-mail per contact address that has not bounced (contacts
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
		hasPreferred := slices.ContainsFunc(o.Contacts, func(c registry.Contact) bool {
			return preferred(c) && c.Email != "" && c.Bounced == nil
		})
		seen := map[string]bool{}
		for _, c := range o.Contacts {
			addr := strings.ToLower(c.Email)
			if addr == "" || c.Bounced != nil || seen[addr] || (hasPreferred && !preferred(c)) {
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

// PlanBatch judges the batch's events and bundles the accepted ones with
// the held items into notices. It is pure: the same batch gives the same
// plan.
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
	type orgWork struct {
		newItems []int // indexes into p.Items
		snaps    []Item
		pending  []PendingItem
	}
	work := map[int64]*orgWork{}
	get := func(id int64) *orgWork {
		w := work[id]
		if w == nil {
			w = &orgWork{}
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
		w := get(ev.OrgID)
		w.newItems = append(w.newItems, len(p.Items))
		snap := ItemFromFinding(ev.Kind, in.Finding, in.Trigger)
		snap.Severity = max(snap.Severity, ev.Severity)
		w.snaps = append(w.snaps, snap)
		p.Items = append(p.Items, PlannedItem{EventID: ev.ID, FindingID: ev.FindingID, OrgID: ev.OrgID,
			TriggerID: in.Finding.TriggerID, Kind: ev.Kind, Severity: ev.Severity, Notice: -1})
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
		var nowIdx, heldIdx []int
		for k := range w.newItems {
			if pol.Mode == Immediate || w.snaps[k].Severity >= finding.Critical {
				nowIdx = append(nowIdx, k)
			} else {
				heldIdx = append(heldIdx, k)
			}
		}
		if len(nowIdx) > 0 || (pol.Mode == Immediate && len(w.pending) > 0) {
			d := Draft{OrgID: id}
			var items []Item
			if pol.Mode == Immediate {
				for _, pi := range w.pending {
					d.Pending = append(d.Pending, pi.ID)
					items = append(items, pi.Item)
				}
				w.pending = nil
			}
			for _, k := range nowIdx {
				d.Items = append(d.Items, w.newItems[k])
				items = append(items, w.snaps[k])
			}
			p.addNotice(d, KindImmediate, "", org, items, pol, cfg, b.Now)
		}
		if pol.Mode == Immediate || (len(heldIdx) == 0 && len(w.pending) == 0) {
			continue
		}
		oldest := b.Now
		for _, pi := range w.pending {
			if pi.Created.Before(oldest) {
				oldest = pi.Created
			}
		}
		if b.Now.Before(NextDigest(pol.Mode, oldest, cfg.DigestHour, cfg.Location)) {
			continue // held: the items stay pending
		}
		d := Draft{OrgID: id}
		var items []Item
		for _, pi := range w.pending {
			d.Pending = append(d.Pending, pi.ID)
			items = append(items, pi.Item)
		}
		for _, k := range heldIdx {
			d.Items = append(d.Items, w.newItems[k])
			items = append(items, w.snaps[k])
		}
		p.addNotice(d, KindDigest, pol.Mode, org, items, pol, cfg, b.Now)
	}
	return p
}

// addNotice completes d and appends it, pointing its new items at it.
func (p *Plan) addNotice(d Draft, kind Kind, mode Mode, org OrgInput, items []Item, pol Policy, cfg PlanConfig, now time.Time) {
	idx := len(p.Notices)
	for _, i := range d.Items {
		p.Items[i].Notice = idx
	}
	d.Content = Content{Kind: kind, Mode: mode, Created: now, OrgID: org.ID, OrgName: org.Name, Languages: org.Languages, Items: mergeItems(items)}
	for _, it := range d.Content.Items {
		d.Content.Severity = max(d.Content.Severity, it.Severity)
	}
	d.Deliveries = Recipients(org, pol, cfg.Languages)
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
	Events    int             `json:"events"`
	Cursor    int64           `json:"cursor"`
	Items     int             `json:"items"`
	Held      int             `json:"held"`
	Notices   int             `json:"notices"`
	Digests   int             `json:"digests"`
	Outbox    map[Channel]int `json:"outbox"`
	Skipped   map[Reason]int  `json:"skipped"`
	Resolved  int             `json:"notices_resolved"`
	Problems  []string        `json:"problems,omitempty"`
	NoticeIDs []int64         `json:"-"`
	// More is true when events remain after this batch.
	More bool `json:"-"`
}

// Add adds the counts of r2 to r.
func (r *ComposeResult) Add(r2 ComposeResult) {
	r.Events += r2.Events
	r.Cursor = max(r.Cursor, r2.Cursor)
	r.Items += r2.Items
	r.Held += r2.Held
	r.Notices += r2.Notices
	r.Digests += r2.Digests
	r.Resolved += r2.Resolved
	r.Problems = append(r.Problems, r2.Problems...)
	r.NoticeIDs = append(r.NoticeIDs, r2.NoticeIDs...)
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

// ComposeStore is the storage composition needs.
type ComposeStore interface {
	// NotifyCompose loads the next batch (at most limit events after the
	// stored cursor, the held items and what judging them needs), calls
	// plan on it and applies the plan in one transaction that also
	// advances the cursor. With dryRun the transaction is rolled back.
	NotifyCompose(ctx context.Context, now time.Time, limit int, dryRun bool, plan func(*Batch) *Plan) (ComposeResult, error)
}

// NotifierConfig configures a Notifier.
type NotifierConfig struct {
	Store ComposeStore
	PlanConfig
	// BatchSize is the number of events per transaction (default 5000).
	BatchSize int
	Now       func() time.Time
	Logger    *slog.Logger
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

// Compose consumes every finding event after the cursor, in batches, and
// returns the totals. A dry run plans one batch of all pending events and
// writes nothing.
func (n *Notifier) Compose(ctx context.Context, dryRun bool) (ComposeResult, error) {
	var total ComposeResult
	total.Outbox, total.Skipped = map[Channel]int{}, map[Reason]int{}
	limit := n.cfg.BatchSize
	if dryRun {
		limit = 1 << 30
	}
	now := n.cfg.Now().UTC()
	plan := func(b *Batch) *Plan { return PlanBatch(b, n.cfg.PlanConfig) }
	for {
		r, err := n.cfg.Store.NotifyCompose(ctx, now, limit, dryRun, plan)
		if err != nil {
			return total, fmt.Errorf("compose notices: %w", err)
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
