// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"vigil/internal/tenant"
)

// StatRow is one notice's part in one trigger's statistics.
type StatRow struct {
	NoticeID int64
	OrgID    int64 // 0 for unregistered contacts
	Trigger  string
	Created  time.Time
	// Sent is true when at least one delivery of the notice succeeded;
	// Failed when none did and at least one is dead.
	Sent   bool
	Failed bool
	// Undeliverable is true when the notice had no recipient.
	Undeliverable bool
	// Bounced is true when a delivery of the notice was sent and came
	// back (a bounce linked to it).
	Bounced bool
	// Suppressed is true when no delivery succeeded and at least one
	// ended unsent because its recipient is on the suppression list.
	Suppressed bool
	// FirstSent, AckedAt: when the notice first went out, when it was
	// acknowledged. ResolvedAt: when the last of the notice's findings of
	// this trigger was resolved (nil while any is open).
	FirstSent  *time.Time
	AckedAt    *time.Time
	ResolvedAt *time.Time
	// Folded counts the notice's items (of this trigger) that reached it
	// because the organisation's cap of immediate notices folded them
	// into the digest.
	Folded int
}

// StatsStore is the storage statistics need.
type StatsStore interface {
	// NoticeStatRows returns a row per notice item (its trigger, and in
	// ResolvedAt its own resolution time) for the notices of sc created at
	// or after since (all when since is zero), ordered by notice.
	NoticeStatRows(ctx context.Context, sc tenant.Scope, since time.Time) ([]StatRow, error)
}

// Figures are the statistics of one trigger, one period or all.
type Figures struct {
	Trigger      string `json:"trigger,omitempty"`
	Period       string `json:"period,omitempty"`
	OrgsWarned   int    `json:"organisations_warned"`
	Notices      int    `json:"notices"`
	Sent         int    `json:"sent"`
	Failed       int    `json:"failed"`
	Acknowledged int    `json:"acknowledged"`
	Resolved     int    `json:"resolved"`
	// Undeliverable counts the notices that could be sent to nobody (they
	// went to the call list).
	Undeliverable int `json:"undeliverable"`
	// Bounced counts the notices with a delivery that was sent and came
	// back (a bounce answering it).
	Bounced int `json:"bounced"`
	// Suppressed counts the notices that reached nobody because their
	// recipients came on the suppression list after they were composed.
	Suppressed int `json:"suppressed"`
	// Folded counts the items the organisations' caps of immediate
	// notices folded into digests.
	Folded int `json:"folded_into_digest"`
	// Median times from first sending, in seconds; nil without data.
	MedianAckSeconds     *float64 `json:"median_time_to_acknowledge_s"`
	MedianResolveSeconds *float64 `json:"median_time_to_resolve_s"`
}

// Delivered counts the notices sent with none of their mails coming back:
// a mail server took them and no bounce answered them.
func (f Figures) Delivered() int { return max(0, f.Sent-f.Bounced) }

// Stats are the notification statistics.
type Stats struct {
	Since    *time.Time `json:"since,omitempty"`
	Overall  Figures    `json:"overall"`
	Triggers []Figures  `json:"triggers"`
	Periods  []Figures  `json:"periods,omitempty"`
}

// Period groups statistics by calendar period.
type Period string

// The periods.
const (
	PeriodNone  Period = ""
	PeriodDay   Period = "day"
	PeriodWeek  Period = "week"
	PeriodMonth Period = "month"
)

func (p Period) label(t time.Time) string {
	t = t.UTC()
	switch p {
	case PeriodDay:
		return t.Format(time.DateOnly)
	case PeriodWeek:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	case PeriodMonth:
		return t.Format("2006-01")
	}
	return ""
}

// ComputeStats folds stat rows into figures: per trigger, overall (each
// notice and organisation counted once across triggers) and, when period
// is set, per period of the notices' creation. Medians count the notices
// that were sent and then acknowledged (or resolved).
func ComputeStats(rows []StatRow, since time.Time, period Period) Stats {
	st := Stats{Triggers: []Figures{}}
	if !since.IsZero() {
		s := since.UTC()
		st.Since = &s
	}
	byTrigger := map[string][]StatRow{}
	byPeriod := map[string][]StatRow{}
	for _, r := range rows {
		byTrigger[r.Trigger] = append(byTrigger[r.Trigger], r)
		if period != PeriodNone {
			l := period.label(r.Created)
			byPeriod[l] = append(byPeriod[l], r)
		}
	}
	st.Overall = figures(rows)
	for _, t := range slices.Sorted(maps.Keys(byTrigger)) {
		f := figures(byTrigger[t])
		f.Trigger = t
		st.Triggers = append(st.Triggers, f)
	}
	for _, p := range slices.Sorted(maps.Keys(byPeriod)) {
		f := figures(byPeriod[p])
		f.Period = p
		st.Periods = append(st.Periods, f)
	}
	return st
}

// figures counts rows, each notice once: a notice that spans triggers is
// resolved for the set when all its rows are resolved (at the latest time).
func figures(rows []StatRow) Figures {
	type agg struct {
		r        StatRow
		resolved bool
		resAt    time.Time
	}
	notices := map[int64]*agg{}
	order := []int64{}
	var f Figures
	for _, r := range rows {
		a, ok := notices[r.NoticeID]
		if !ok {
			a = &agg{r: r, resolved: true}
			notices[r.NoticeID] = a
			order = append(order, r.NoticeID)
		}
		f.Folded += r.Folded
		if r.ResolvedAt == nil {
			a.resolved = false
		} else if r.ResolvedAt.After(a.resAt) {
			a.resAt = *r.ResolvedAt
		}
	}
	orgs := map[int64]bool{}
	var acks, resolves []float64
	for _, id := range order {
		a := notices[id]
		f.Notices++
		if a.r.Sent {
			f.Sent++
			key := a.r.OrgID
			if key == 0 {
				key = -a.r.NoticeID // each unregistered contact counts on its own
			}
			orgs[key] = true
		}
		if a.r.Failed {
			f.Failed++
		}
		if a.r.Undeliverable {
			f.Undeliverable++
		}
		if a.r.Bounced {
			f.Bounced++
		}
		if a.r.Suppressed {
			f.Suppressed++
		}
		if a.r.AckedAt != nil {
			f.Acknowledged++
			if a.r.FirstSent != nil {
				acks = append(acks, max(0, a.r.AckedAt.Sub(*a.r.FirstSent).Seconds()))
			}
		}
		if a.resolved {
			f.Resolved++
			if a.r.FirstSent != nil {
				resolves = append(resolves, max(0, a.resAt.Sub(*a.r.FirstSent).Seconds()))
			}
		}
	}
	f.OrgsWarned = len(orgs)
	f.MedianAckSeconds = median(acks)
	f.MedianResolveSeconds = median(resolves)
	return f
}

// median returns the median of xs (the mean of the middle two for an even
// count), nil for none.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}

// LoadStats reads the rows of the notices of sc since since and computes
// the statistics.
func LoadStats(ctx context.Context, st StatsStore, sc tenant.Scope, since time.Time, period Period) (Stats, error) {
	rows, err := st.NoticeStatRows(ctx, sc, since)
	if err != nil {
		return Stats{}, err
	}
	return ComputeStats(foldItems(rows), since, period), nil
}

// WarnDay counts the organisations warned about a trigger on a UTC day
// of sending (Day is YYYY-MM-DD): a point of the dashboard's
// organisations warned per trigger over time.
type WarnDay struct {
	Day     string `json:"day"`
	Trigger string `json:"trigger"`
	Orgs    int64  `json:"orgs"`
}

// NoticeDaysStore is the storage of the notices' figures per day.
type NoticeDaysStore interface {
	// NoticeDayFigures counts the notices of sc created at or after since
	// that have items (the notices NoticeStatRows covers) per UTC day of
	// creation, oldest first: Period, Notices, Sent, Failed, Undeliverable,
	// Acknowledged and Bounced set.
	NoticeDayFigures(ctx context.Context, sc tenant.Scope, since time.Time) ([]Figures, error)
}

// LoadNoticeDays returns the figures of the notices of sc since since per
// day (oldest first) and over all of them: the same notices, sent, failed,
// undeliverable, acknowledged and bounced as LoadStats's periods of PeriodDay and
// overall, without organisations warned, resolutions or medians. The store
// counts per day, so this reads a row per day instead of one per notice
// item, which keeps the analysts' dashboard fast on a large installation.
func LoadNoticeDays(ctx context.Context, st NoticeDaysStore, sc tenant.Scope, since time.Time) ([]Figures, Figures, error) {
	days, err := st.NoticeDayFigures(ctx, sc, since)
	if err != nil {
		return nil, Figures{}, err
	}
	var all Figures
	for _, d := range days {
		all.Notices += d.Notices
		all.Sent += d.Sent
		all.Failed += d.Failed
		all.Undeliverable += d.Undeliverable
		all.Acknowledged += d.Acknowledged
		all.Bounced += d.Bounced
	}
	return days, all, nil
}

// foldItems folds item rows (ordered by notice) into one row per notice
// and trigger: a trigger of several findings is resolved when all of them
// are, at the latest time.
func foldItems(items []StatRow) []StatRow {
	type key struct {
		id      int64
		trigger string
	}
	idx := map[key]int{}
	var out []StatRow
	for _, r := range items {
		k := key{r.NoticeID, r.Trigger}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, r)
			continue
		}
		prev := &out[i]
		prev.Folded += r.Folded
		switch {
		case prev.ResolvedAt == nil:
		case r.ResolvedAt == nil:
			prev.ResolvedAt = nil
		case r.ResolvedAt.After(*prev.ResolvedAt):
			prev.ResolvedAt = r.ResolvedAt
		}
	}
	return out
}

// WriteText writes the statistics as `vigil stats` prints them: a table
// with a row per trigger, one for all, and one per period.
func (st Stats) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TRIGGER\tORGS WARNED\tNOTICES\tSENT\tFAILED\tUNDELIVERABLE\tACKNOWLEDGED\tRESOLVED\tMEDIAN ACK\tMEDIAN RESOLVE\tFOLDED BY CAP")
	row := func(name string, f Figures) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d\n", name, f.OrgsWarned, f.Notices, f.Sent, f.Failed, f.Undeliverable, f.Acknowledged, f.Resolved,
			minutes(f.MedianAckSeconds), minutes(f.MedianResolveSeconds), f.Folded)
	}
	for _, f := range st.Triggers {
		row(f.Trigger, f)
	}
	row("(all)", st.Overall)
	for _, f := range st.Periods {
		row(f.Period, f)
	}
	return tw.Flush()
}

// minutes shows a median in seconds to the minute, "-" without one.
func minutes(s *float64) string {
	if s == nil {
		return "-"
	}
	return (time.Duration(*s) * time.Second).Round(time.Minute).String()
}

// AckTimes are the times to acknowledge of a day's notices (by UTC day of
// creation; Period is YYYY-MM-DD, empty for a total): of the notices with
// items that were sent and then acknowledged, how many, the sum of their
// seconds from first sending to acknowledgement (a negative span counts as
// none), and how many took under an hour, an hour to a day, a day to a
// week, and longer.
type AckTimes struct {
	Period     string `json:"period,omitempty"`
	Timed      int64  `json:"acknowledged"`
	Seconds    int64  `json:"seconds"`
	WithinHour int64  `json:"within_hour"`
	WithinDay  int64  `json:"within_day"`
	WithinWeek int64  `json:"within_week"`
	Later      int64  `json:"later"`
}

// Add adds o's counts to a (its Period stays).
func (a *AckTimes) Add(o AckTimes) {
	a.Timed += o.Timed
	a.Seconds += o.Seconds
	a.WithinHour += o.WithinHour
	a.WithinDay += o.WithinDay
	a.WithinWeek += o.WithinWeek
	a.Later += o.Later
}

// Mean returns the mean time to acknowledge, 0 without any.
func (a AckTimes) Mean() time.Duration {
	if a.Timed == 0 {
		return 0
	}
	return time.Duration(a.Seconds/a.Timed) * time.Second
}
