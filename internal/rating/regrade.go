// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"vigil/internal/assess"
	"vigil/internal/finding"
	"vigil/internal/label"
	"vigil/internal/notify"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// DowngradeFindingType is the finding type of a label downgrade notice;
// the notifier renders it with its own template section.
const DowngradeFindingType = notify.LabelDowngrade

// Regraded is one label replaced by Regrade.
type Regraded struct {
	DeviceID     int64        `json:"device_id"`
	OrgID        int64        `json:"org_id,omitempty"`
	AssessmentID int64        `json:"assessment_id"`
	OldLabel     string       `json:"old_label"`
	NewLabel     string       `json:"new_label"`
	OldGrade     assess.Grade `json:"old_grade"`
	NewGrade     assess.Grade `json:"new_grade"`
	// Why lists the facts that changed the grade, e.g. "CVE-2024-3400
	// added to KEV affects component pkg:generic/pan-os@10.2.9".
	Why       string `json:"why"`
	Downgrade bool   `json:"downgrade"`
	// Trigger names the finding trigger the downgrade notice was filed
	// under (empty for upgrades and product types without organisation).
	Trigger string `json:"trigger,omitempty"`
}

// RegradeResult is what Regrade did.
type RegradeResult struct {
	// Checked counts the live labels re-rated.
	Checked int        `json:"checked"`
	Changes []Regraded `json:"changes"`
}

// Regrade re-rates the current labels of the given devices (every labelled
// device when deviceIDs is empty) with their components' open
// vulnerabilities as of now. A label whose grade changes is superseded by a
// newly signed label of the same assessment, valid until the old one's
// expiry; the old label keeps verifying, as superseded. The label history
// records the new grade and the facts that changed it (reason, the caller's
// cause such as "KEV catalog 2026.11.20", is appended). For a downgrade of a
// device with an organisation, a finding of type "label-downgrade" is
// filed under the trigger "label downgrade: <reason>", so that the notifier
// warns the maker. Each label is handled in its own transaction; the first
// error stops the run and is returned with what was done so far.
//
// The vulnerability matcher calls Regrade with the devices whose
// components it (re-)matched; `vigil label recheck` calls it for all.
//
// Regrade and Recheck are the monitor's: they look at every organisation's
// labels for the operator and change each in its owner's scope.
func (s *Service) Regrade(ctx context.Context, deviceIDs []int64, reason string) (RegradeResult, error) {
	res := RegradeResult{Changes: []Regraded{}}
	labels, err := s.st.LabelList(ctx, tenant.Operator(), label.Filter{DeviceIDs: deviceIDs, Live: true, Limit: 10000})
	if err != nil {
		return res, err
	}
	for _, l := range labels {
		if l.DeviceID == 0 || !l.Current(s.clock()) {
			continue
		}
		ch, changed, err := s.regradeOne(ctx, l, reason)
		if err != nil {
			return res, fmt.Errorf("regrade label %s: %w", l.ID, err)
		}
		res.Checked++
		if changed {
			res.Changes = append(res.Changes, ch)
			s.log.Info("label regraded", "device", ch.DeviceID, "old", ch.OldLabel, "new", ch.NewLabel,
				"grade", ch.OldGrade.String()+"→"+ch.NewGrade.String(), "why", ch.Why)
		}
	}
	return res, nil
}

func (s *Service) regradeOne(ctx context.Context, l label.Record, reason string) (Regraded, bool, error) {
	in := ownerScope(l.OrgID)
	a, err := s.st.AssessmentGet(ctx, in, l.AssessmentID)
	if err != nil {
		return Regraded{}, false, err
	}
	if a.State != assess.Labelled {
		return Regraded{}, false, nil
	}
	ev, sc, vulns, err := s.Score(ctx, a)
	if err != nil {
		return Regraded{}, false, err
	}
	if sc.Grade == l.Grade {
		return Regraded{}, false, nil
	}
	var old assess.Score
	if err := json.Unmarshal(l.Score, &old); err != nil {
		old = assess.Score{Grade: l.Grade}
	}
	why := Explain(old, sc, vulns)
	if r := strings.TrimSpace(reason); r != "" && !strings.Contains(why, r) {
		why += " (" + r + ")"
	}
	ch := Regraded{DeviceID: l.DeviceID, OrgID: l.OrgID, AssessmentID: l.AssessmentID, OldLabel: l.ID, OldGrade: l.Grade, NewGrade: sc.Grade,
		Why: why, Downgrade: sc.Grade > l.Grade}
	lid, err := label.NewID(s.rand)
	if err != nil {
		return Regraded{}, false, err
	}
	ch.NewLabel = lid
	now := s.clock()
	err = s.st.RatingTx(ctx, func(tx Store) error {
		if _, err := tx.AssessmentUpdate(ctx, in, l.AssessmentID, func(a *assess.Assessment) error {
			if a.State != assess.Labelled || a.LabelID != l.ID {
				return fmt.Errorf("assessment %s changed meanwhile (state %s, label %s)", a.ID, a.State, a.LabelID)
			}
			a.LabelID, a.UpdatedAt = lid, now
			return nil
		}); err != nil {
			return err
		}
		if _, err := s.sign(ctx, tx, lid, a, ev, sc, now, l.Expires.Sub(now)); err != nil {
			return err
		}
		if err := tx.LabelSupersede(ctx, in, l.ID, lid); err != nil {
			return err
		}
		if err := tx.LabelEventAdd(ctx, in, &label.Event{AssessmentID: l.AssessmentID, LabelID: lid, Kind: label.EventRegraded,
			Grade: sc.Grade.String(), PrevGrade: l.Grade.String(), Reason: why, Actor: MonitorActor}); err != nil {
			return err
		}
		if !ch.Downgrade || l.OrgID == 0 {
			return nil
		}
		ch.Trigger = triggerName(reason)
		return s.notice(ctx, tx, ch, a.Device)
	})
	if err != nil {
		return Regraded{}, false, err
	}
	return ch, true, nil
}

func triggerName(reason string) string {
	name := "label downgrade"
	if r := strings.TrimSpace(reason); r != "" {
		name += ": " + r
	}
	if len(name) > 200 {
		name = text.Truncate(name, 200-len(text.Mark))
	}
	return name
}

// notice files the downgrade as a finding of the device's organisation.
func (s *Service) notice(ctx context.Context, tx Store, ch Regraded, d assess.Device) error {
	trig, err := tx.TriggerEnsure(ctx, finding.Trigger{Name: ch.Trigger, Kind: "label", Title: "IoT security label downgraded",
		Description: "A labelled device's grade fell because of new facts about its components; a new label was issued."})
	if err != nil {
		return err
	}
	sev := finding.Medium
	if ch.NewGrade >= assess.GradeE {
		sev = finding.High
	}
	evidence, err := json.Marshal(map[string]any{
		"device": d, "old_label": ch.OldLabel, "new_label": ch.NewLabel, "old_grade": ch.OldGrade, "new_grade": ch.NewGrade,
		"why": ch.Why, "verify_url": s.baseURL + "/labels/" + ch.NewLabel,
	})
	if err != nil {
		return err
	}
	_, _, err = tx.FindingUpsert(ctx, 0, []finding.Sighting{{
		OrgID: ch.OrgID, TriggerID: trig, Type: DowngradeFindingType, ReportType: "label",
		Key:      fmt.Sprintf("device:%d:label:%s", ch.DeviceID, ch.NewLabel),
		DeviceID: ch.DeviceID, Severity: sev, Class: DowngradeFindingType, Time: s.clock(), Evidence: evidence,
	}})
	return err
}

// Explain says which facts differ between an old and a new score: CVEs that
// entered KEV or became open (with the components they affect), CVEs no
// longer open, and other rules (support period, probes) that newly lower
// the grade.
func Explain(old, cur assess.Score, vulns []assess.Vuln) string {
	comps := map[string][]string{}
	for _, v := range vulns {
		if v.Component != "" && !slices.Contains(comps[v.ID], v.Component) {
			comps[v.ID] = append(comps[v.ID], v.Component)
		}
	}
	affects := func(id string) string {
		c := comps[id]
		switch len(c) {
		case 0:
			return id
		case 1:
			return id + " affects component " + c[0]
		}
		return id + " affects components " + strings.Join(c, ", ")
	}
	var parts []string
	mentioned := map[string]bool{}
	for _, id := range cur.Input.KEV {
		if !slices.Contains(old.Input.KEV, id) {
			parts = append(parts, strings.Replace(affects(id), id, id+" added to KEV", 1))
			mentioned[id] = true
		}
	}
	for _, sev := range []struct {
		name     string
		cur, old []string
	}{{"critical", cur.Input.Critical, old.Input.Critical}, {"high", cur.Input.High, old.Input.High}} {
		for _, id := range sev.cur {
			if !slices.Contains(sev.old, id) && !mentioned[id] {
				parts = append(parts, strings.Replace(affects(id), id, id+" ("+sev.name+")", 1))
				mentioned[id] = true
			}
		}
	}
	open := map[string]bool{}
	for _, v := range vulns {
		open[v.ID] = true
	}
	for _, list := range [][]string{old.Input.KEV, old.Input.Critical, old.Input.High} {
		for _, id := range list {
			if !open[id] && !mentioned[id] {
				parts = append(parts, id+" no longer open")
				mentioned[id] = true
			}
		}
	}
	had := map[string]bool{}
	for _, r := range old.Reasons {
		had[r.Rule+"|"+r.Effect] = true
	}
	for _, r := range cur.Reasons {
		switch r.Rule {
		case "kev", "critical", "high":
			continue
		}
		if !had[r.Rule+"|"+r.Effect] {
			parts = append(parts, r.Rule+" ("+r.Effect+"): "+r.Detail)
		}
	}
	now := map[string]bool{}
	for _, r := range cur.Reasons {
		now[r.Rule+"|"+r.Effect] = true
	}
	for _, r := range old.Reasons {
		if slices.Contains(systemRules(), r.Rule) && !now[r.Rule+"|"+r.Effect] {
			parts = append(parts, r.Rule+" ("+r.Effect+") no longer applies")
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("grade %s → %s under %s", old.Grade, cur.Grade, cur.Rule)
	}
	return strings.Join(parts, "; ")
}

// RecheckResult is what Recheck did.
type RecheckResult struct {
	// Expired lists the labels that passed their expiry since the last
	// check (their assessments are now expired).
	Expired []string      `json:"expired"`
	Regrade RegradeResult `json:"regrade"`
}

// Recheck expires labels past their expiry and regrades every labelled
// device (`vigil label recheck`, and a periodic job).
func (s *Service) Recheck(ctx context.Context, reason string) (RecheckResult, error) {
	res := RecheckResult{Expired: []string{}}
	labels, err := s.st.LabelList(ctx, tenant.Operator(), label.Filter{Live: true, Limit: 10000})
	if err != nil {
		return res, err
	}
	now := s.clock()
	for _, l := range labels {
		if now.Before(l.Expires) {
			continue
		}
		in := ownerScope(l.OrgID)
		err := s.st.RatingTx(ctx, func(tx Store) error {
			a, err := tx.AssessmentUpdate(ctx, in, l.AssessmentID, func(a *assess.Assessment) error {
				if a.State != assess.Labelled || a.LabelID != l.ID {
					return nil
				}
				return a.Expire(MonitorActor, now)
			})
			if err != nil || a.State != assess.Expired {
				return err
			}
			res.Expired = append(res.Expired, l.ID)
			return tx.LabelEventAdd(ctx, in, &label.Event{AssessmentID: l.AssessmentID, LabelID: l.ID, Kind: label.EventExpired,
				Grade: l.Grade.String(), Reason: "expired on " + l.Expires.Format("2006-01-02"), Actor: MonitorActor})
		})
		if err != nil {
			return res, fmt.Errorf("expire label %s: %w", l.ID, err)
		}
	}
	res.Regrade, err = s.Regrade(ctx, nil, reason)
	return res, err
}
