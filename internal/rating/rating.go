// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package rating runs vigil's assessment and label workflow on the store:
// it starts EN 303 645 assessments, loads answers, evidence and probe
// results into them, moves them through review, issues signed A–G labels
// from them, revokes and verifies labels, and keeps issued labels true:
// Regrade re-rates labelled devices when their components gain
// vulnerabilities, issues a new label that supersedes the old one, records
// why in the label history and leaves a "label-downgrade" finding for the
// device's organisation, which the notifier turns into a notice.
//
// The domain rules live in internal/assess (catalogue, evaluation, state
// machine, grading rule) and internal/label (label document, signature,
// keys, renderings); this package only combines them with the store, the
// key store and the device's open vulnerabilities (VulnSource).
package rating

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/label"
	"vigil/internal/registry"
	"vigil/internal/system"
	"vigil/internal/tenant"
)

// Store is the storage the rating service needs. Every method that reads
// or changes an assessment or label takes the caller's tenant scope; the
// public scope reads labels (they are published).
type Store interface {
	AssessmentCreate(ctx context.Context, sc tenant.Scope, p assess.Request) (assess.Assessment, error)
	AssessmentGet(ctx context.Context, sc tenant.Scope, id int64) (assess.Assessment, error)
	// AssessmentUpdate loads the assessment in a transaction, serialised
	// with other updates of it, applies fn and stores the result.
	AssessmentUpdate(ctx context.Context, sc tenant.Scope, id int64, fn func(a *assess.Assessment) error) (assess.Assessment, error)
	EvidenceAdd(ctx context.Context, sc tenant.Scope, id int64, name, mediaType string, content []byte, actor string) (assess.Attachment, error)
	EvidenceList(ctx context.Context, sc tenant.Scope, id int64) ([]assess.Attachment, error)
	ProbeRunAdd(ctx context.Context, sc tenant.Scope, r *assess.ProbeRun) error
	ProbeRunList(ctx context.Context, sc tenant.Scope, id int64) ([]assess.ProbeRun, error)
	LabelCreate(ctx context.Context, sc tenant.Scope, l *label.Record) error
	LabelGet(ctx context.Context, sc tenant.Scope, id string) (label.Record, error)
	LabelList(ctx context.Context, sc tenant.Scope, f label.Filter) ([]label.Record, error)
	LabelSupersede(ctx context.Context, sc tenant.Scope, old, next string) error
	LabelRevoke(ctx context.Context, sc tenant.Scope, assessmentID int64, reason string) (int64, error)
	LabelEventAdd(ctx context.Context, sc tenant.Scope, e *label.Event) error
	LabelEventList(ctx context.Context, sc tenant.Scope, assessmentID int64) ([]label.Event, error)
	// TriggerEnsure and FindingUpsert file the finding of a downgrade.
	TriggerEnsure(ctx context.Context, t finding.Trigger) (int64, error)
	FindingUpsert(ctx context.Context, runID int64, batch []finding.Sighting) (created, updated int, err error)
	// FindingList serves FindingVulns, the default VulnSource.
	FindingList(ctx context.Context, sc tenant.Scope, f finding.Filter) ([]finding.Finding, error)
	// AssetAll serves VerifiedOwner.
	AssetAll(ctx context.Context, sc tenant.Scope, kind registry.AssetKind) ([]registry.Asset, error)
	// RatingTx runs fn in one transaction, with a Store bound to it.
	RatingTx(ctx context.Context, fn func(tx Store) error) error
}

// Config configures a Service. Store and Keys are required.
type Config struct {
	Store Store
	// Keys holds the label signing keys.
	Keys *label.KeyStore
	// Catalogue is the provision catalogue (default: the embedded one).
	Catalogue *assess.Catalogue
	// Vulns gives the open vulnerabilities of a device's components
	// (default: FindingVulns over the store's findings).
	Vulns VulnSource
	// System holds the products' system documents (risk registers, fleet
	// evidence, update posture, tests) that vigil-grade/2 reads; nil rates
	// without whole-system facts.
	System system.Store
	// PublicFleetSources are the feed sources whose fleet counts the public
	// registry shows (none by default: a source's terms may forbid it).
	PublicFleetSources []string
	// Issuer names the label issuer (default "vigil trust center").
	Issuer string
	// BaseURL is the public label registry; labels point to
	// BaseURL/labels/{id} (default "http://127.0.0.1:8080").
	BaseURL string
	// Validity of a new label (default one year; never beyond the declared
	// support period).
	Validity time.Duration
	// Now is the clock (default time.Now); Rand the randomness for label
	// ids (default crypto/rand.Reader).
	Now  func() time.Time
	Rand io.Reader
	// Logger receives progress lines (default: discard).
	Logger *slog.Logger
}

// Service is the assessment and label workflow. It is safe for concurrent
// use; the store serialises updates of one assessment.
type Service struct {
	st     Store
	keys   *label.KeyStore
	cat    *assess.Catalogue
	vulns  VulnSource
	system system.Store
	// publicFleet are the sources whose fleet counts are public.
	publicFleet []string
	issuer      string
	baseURL     string
	validity    time.Duration
	now         func() time.Time
	rand        io.Reader
	log         *slog.Logger
}

// DefaultIssuer and DefaultBaseURL are the defaults of Config.
const (
	DefaultIssuer  = "vigil trust center"
	DefaultBaseURL = "http://127.0.0.1:8080"
)

// MonitorActor is the actor recorded for automatic regrades and expiries.
const MonitorActor = "vigil monitor"

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Keys == nil {
		return nil, fmt.Errorf("rating: Config.Store and Config.Keys are required")
	}
	s := &Service{st: cfg.Store, keys: cfg.Keys, cat: cfg.Catalogue, vulns: cfg.Vulns, system: cfg.System, publicFleet: cfg.PublicFleetSources, issuer: cfg.Issuer,
		baseURL: strings.TrimRight(cfg.BaseURL, "/"), validity: cfg.Validity, now: cfg.Now, rand: cfg.Rand, log: cfg.Logger}
	if s.cat == nil {
		c, err := assess.Load()
		if err != nil {
			return nil, err
		}
		s.cat = c
	}
	if s.vulns == nil {
		s.vulns = FindingVulns{Store: cfg.Store}
	}
	if s.issuer == "" {
		s.issuer = DefaultIssuer
	}
	if s.baseURL == "" {
		s.baseURL = DefaultBaseURL
	}
	if s.validity <= 0 {
		s.validity = 365 * 24 * time.Hour
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// On returns a copy of s whose reads and writes go through st, a
// transaction's store, so that the caller can write what goes with a
// change (its audit entry) in the change's transaction: the service's
// own transactions (Store.RatingTx) then join st's. The default
// vulnerability source and a System store follow st when st also serves
// them; a VulnSource given in Config stays as it is.
func (s *Service) On(st Store) *Service {
	c := *s
	c.st = st
	if _, ok := s.vulns.(FindingVulns); ok {
		c.vulns = FindingVulns{Store: st}
	}
	if sys, ok := st.(system.Store); ok && s.system != nil {
		c.system = sys
	}
	return &c
}

// Catalogue returns the service's catalogue.
func (s *Service) Catalogue() *assess.Catalogue { return s.cat }

// Keyring returns the public keys labels are verified against.
func (s *Service) Keyring() (*label.Keyring, error) { return s.keys.Keyring() }

// BaseURL returns the public registry's base URL.
func (s *Service) BaseURL() string { return s.baseURL }

func (s *Service) clock() time.Time { return s.now().UTC() }

// Start starts a draft assessment of a registered device of sc or, for the
// operator, of a product type.
func (s *Service) Start(ctx context.Context, sc tenant.Scope, p assess.Request) (assess.Assessment, error) {
	return s.st.AssessmentCreate(ctx, sc, p)
}

// SetAnswers loads an answers file (YAML or JSON) into draft assessment id
// of sc, replacing earlier answers. Good answers are stored even when some
// are bad; the bad ones come back as row errors (and are not stored).
func (s *Service) SetAnswers(ctx context.Context, sc tenant.Scope, id int64, r io.Reader, name, actor string) (assess.Assessment, []errs.RowError, error) {
	ans, bad := s.cat.LoadAnswers(r, name)
	a, err := s.st.AssessmentUpdate(ctx, sc, id, func(a *assess.Assessment) error {
		return a.SetAnswers(ans, actor, s.clock())
	})
	return a, bad, err
}

// AddEvidence stores an evidence file for draft or submitted assessment id
// of sc.
func (s *Service) AddEvidence(ctx context.Context, sc tenant.Scope, id int64, name, mediaType string, content []byte, actor string) (assess.Attachment, error) {
	a, err := s.st.AssessmentGet(ctx, sc, id)
	if err != nil {
		return assess.Attachment{}, err
	}
	if a.State != assess.Draft && a.State != assess.Submitted {
		return assess.Attachment{}, errs.Errorf(errs.Conflict, "assessment %d: cannot add evidence: state is %s, must be draft or submitted", id, a.State)
	}
	return s.st.EvidenceAdd(ctx, sc, id, name, mediaType, content, actor)
}

// MissingEvidence returns the evidence the answers reference whose content
// (by SHA-256) is not stored with the assessment, sorted by file name.
func MissingEvidence(a assess.Assessment, stored []assess.Attachment) []assess.Evidence {
	have := map[string]bool{}
	for _, e := range stored {
		have[e.SHA256] = true
	}
	seen := map[string]bool{}
	var out []assess.Evidence
	for _, ans := range a.Answers.Items {
		for _, e := range ans.Evidence {
			if have[e.SHA256] || seen[e.File+" "+e.SHA256] {
				continue
			}
			seen[e.File+" "+e.SHA256] = true
			out = append(out, assess.Evidence{File: e.File, SHA256: e.SHA256})
		}
	}
	slices.SortFunc(out, func(x, y assess.Evidence) int { return strings.Compare(x.File+x.SHA256, y.File+y.SHA256) })
	return out
}

// Submit hands draft id of sc to review. Every applicable provision must be
// answered and every evidence file the answers name must have been added
// (errs.Conflict lists what is missing).
func (s *Service) Submit(ctx context.Context, sc tenant.Scope, id int64, actor string) (assess.Assessment, error) {
	ev, err := s.st.EvidenceList(ctx, sc, id)
	if err != nil {
		return assess.Assessment{}, err
	}
	return s.st.AssessmentUpdate(ctx, sc, id, func(a *assess.Assessment) error {
		if a.State == assess.Draft {
			if missing := MissingEvidence(*a, ev); len(missing) > 0 {
				names := make([]string, len(missing))
				for i, m := range missing {
					names[i] = m.File
				}
				return errs.Errorf(errs.Conflict, "assessment %s: cannot submit: %d evidence files named in the answers were not added: %s",
					a.ID, len(missing), strings.Join(names, ", "))
			}
		}
		return a.Submit(s.cat, actor, s.clock())
	})
}

// Review approves (reject == "") or rejects submitted assessment id of sc.
func (s *Service) Review(ctx context.Context, sc tenant.Scope, id int64, reviewer, note, reject string) (assess.Assessment, error) {
	if strings.TrimSpace(reviewer) == "" {
		return assess.Assessment{}, errs.Field("reviewer", reviewer, "required")
	}
	return s.st.AssessmentUpdate(ctx, sc, id, func(a *assess.Assessment) error {
		if reject != "" {
			return a.Reject(reviewer, s.clock(), reject)
		}
		return a.Approve(reviewer, s.clock(), note)
	})
}

// Score rates an assessment as of now under RuleVersion with its device's
// current open vulnerabilities (none for a product type) and its product's
// whole-system facts.
func (s *Service) Score(ctx context.Context, a assess.Assessment) (assess.Evaluation, assess.Score, []assess.Vuln, error) {
	ev := a.Evaluate(s.cat)
	var vulns []assess.Vuln
	if a.DeviceID != 0 {
		var err error
		if vulns, err = s.vulns.DeviceVulns(ctx, ownerScope(a.OrgID), a.DeviceID); err != nil {
			return ev, assess.Score{}, nil, fmt.Errorf("vulnerabilities of device %d: %w", a.DeviceID, err)
		}
	}
	facts, err := s.Facts(ctx, a.Device)
	if err != nil {
		return ev, assess.Score{}, nil, err
	}
	return ev, RateSystem(assess.Rate(assess.NewScoreInput(ev, vulns, s.clock())), facts), vulns, nil
}

// Facts returns the whole-system facts of a device's product as of now
// (empty without a System store).
func (s *Service) Facts(ctx context.Context, d assess.Device) (system.Facts, error) {
	p := system.Product{Vendor: d.Vendor, Model: d.Model}
	if s.system == nil {
		return system.Facts{Product: p}, nil
	}
	f, err := system.FactsFor(ctx, s.system, p, s.clock())
	if err != nil {
		return f, fmt.Errorf("whole-system facts of %s: %w", p, err)
	}
	return f, nil
}

// Status is what `vigil assess status` shows.
type Status struct {
	Assessment assess.Assessment `json:"assessment"`
	Mandatory  assess.Tally      `json:"mandatory"`
	// Recommended counts applicable recommended provisions.
	Recommended assess.Tally            `json:"recommended"`
	Sections    []assess.SectionSummary `json:"sections"`
	// Unanswered lists applicable provisions without an answer.
	Unanswered []string `json:"unanswered,omitempty"`
	// Contradicted lists provisions a probe contradicted.
	Contradicted    []string            `json:"contradicted,omitempty"`
	Evidence        []assess.Attachment `json:"evidence"`
	MissingEvidence []assess.Evidence   `json:"missing_evidence,omitempty"`
	Probes          []ProbeSummary      `json:"probes,omitempty"`
	Vulns           []assess.Vuln       `json:"vulnerabilities,omitempty"`
	// Score is the grade the assessment would get now.
	Score  assess.Score            `json:"score"`
	Report *assess.FrameworkReport `json:"report,omitempty"`
	Labels []label.Record          `json:"labels,omitempty"`
	// History is the label history (issue, regrades, revocation).
	History []label.Event `json:"label_history,omitempty"`
}

// ProbeSummary is one stored probe run without its report.
type ProbeSummary struct {
	ID     int64     `json:"id"`
	Target string    `json:"target"`
	Failed int       `json:"failed"`
	Actor  string    `json:"actor"`
	At     time.Time `json:"at"`
}

// Status gathers the state, results, evidence, provisional grade and labels
// of assessment id of sc; with a framework name, also the mapped report.
func (s *Service) Status(ctx context.Context, sc tenant.Scope, id int64, framework string) (Status, error) {
	a, err := s.st.AssessmentGet(ctx, sc, id)
	if err != nil {
		return Status{}, err
	}
	st := Status{Assessment: a}
	ev, score, vulns, err := s.Score(ctx, a)
	if err != nil {
		return st, err
	}
	st.Score, st.Vulns = score, vulns
	st.Mandatory, st.Recommended = ev.Totals()
	st.Sections = s.cat.SectionSummaries(ev)
	st.Unanswered = ev.Missing()
	st.Contradicted = score.Input.Contradicted
	if framework != "" {
		rep, err := s.cat.Report(ev, framework)
		if err != nil {
			return st, err
		}
		st.Report = &rep
	}
	if st.Evidence, err = s.st.EvidenceList(ctx, sc, id); err != nil {
		return st, err
	}
	st.MissingEvidence = MissingEvidence(a, st.Evidence)
	runs, err := s.st.ProbeRunList(ctx, sc, id)
	if err != nil {
		return st, err
	}
	for _, r := range runs {
		st.Probes = append(st.Probes, ProbeSummary{ID: r.ID, Target: r.Target, Failed: r.Failed, Actor: r.Actor, At: r.At})
	}
	if st.Labels, err = s.st.LabelList(ctx, sc, label.Filter{AssessmentID: id}); err != nil {
		return st, err
	}
	if st.History, err = s.st.LabelEventList(ctx, sc, id); err != nil {
		return st, err
	}
	return st, nil
}

// Issued is a newly issued label.
type Issued struct {
	Record label.Record `json:"record"`
	Label  label.Label  `json:"label"`
	// Doc is the signed label document.
	Doc   json.RawMessage `json:"-"`
	Score assess.Score    `json:"score"`
}

// Issue grades reviewed assessment id of sc, signs its label, stores it
// and marks the assessment labelled.
func (s *Service) Issue(ctx context.Context, sc tenant.Scope, id int64, actor string) (Issued, error) {
	// Everything that reads outside the transaction happens first: on
	// SQLite the transaction holds the only connection.
	a, err := s.st.AssessmentGet(ctx, sc, id)
	if err != nil {
		return Issued{}, err
	}
	if a.State != assess.Reviewed {
		return Issued{}, errs.Errorf(errs.Conflict, "assessment %d: cannot issue a label: state is %s, must be reviewed", id, a.State)
	}
	ev, score, _, err := s.Score(ctx, a)
	if err != nil {
		return Issued{}, err
	}
	lid, err := label.NewID(s.rand)
	if err != nil {
		return Issued{}, err
	}
	var out Issued
	err = s.st.RatingTx(ctx, func(tx Store) error {
		now := s.clock()
		// The state check under the row lock makes a concurrent second
		// issue fail here.
		if _, err := tx.AssessmentUpdate(ctx, sc, id, func(a *assess.Assessment) error {
			return a.MarkLabelled(lid, actor, now)
		}); err != nil {
			return err
		}
		if out, err = s.sign(ctx, tx, lid, a, ev, score, now, s.validity); err != nil {
			return err
		}
		return tx.LabelEventAdd(ctx, sc, &label.Event{AssessmentID: id, LabelID: lid, Kind: label.EventIssued,
			Grade: score.Grade.String(), Reason: reasonsText(score.Reasons), Actor: actor})
	})
	return out, err
}

// sign builds, signs and stores label lid for assessment a, in the scope
// of a's owner.
func (s *Service) sign(ctx context.Context, tx Store, lid string, a assess.Assessment, ev assess.Evaluation, sc assess.Score, now time.Time, validity time.Duration) (Issued, error) {
	l, err := label.New(label.Params{ID: lid, Catalogue: s.cat, Eval: ev, Score: sc, Issuer: s.issuer, Issued: now, Validity: validity, BaseURL: s.baseURL})
	if err != nil {
		return Issued{}, err
	}
	signer, err := s.keys.Signer()
	if err != nil {
		return Issued{}, err
	}
	doc, err := signer.Sign(l)
	if err != nil {
		return Issued{}, err
	}
	if err := json.Unmarshal(doc, &l); err != nil {
		return Issued{}, err
	}
	score, err := json.Marshal(sc)
	if err != nil {
		return Issued{}, err
	}
	aid, _ := assess.ParseID(a.ID)
	rec := label.Record{ID: l.ID, AssessmentID: aid, DeviceID: a.DeviceID, OrgID: a.OrgID, Grade: l.Grade, Rule: l.Rule, KeyID: l.KeyID,
		Signed: doc, Score: score, Issued: l.Issued, Expires: l.Expires}
	if err := tx.LabelCreate(ctx, ownerScope(a.OrgID), &rec); err != nil {
		return Issued{}, err
	}
	return Issued{Record: rec, Label: l, Doc: doc, Score: sc}, nil
}

// Revoke withdraws label labelID of sc and its assessment (and so every
// label issued from it). A superseded label cannot be revoked alone: revoke
// the label that superseded it.
func (s *Service) Revoke(ctx context.Context, sc tenant.Scope, labelID, reason, actor string) (label.Record, error) {
	if strings.TrimSpace(reason) == "" {
		return label.Record{}, errs.Field("reason", reason, "a revocation needs a reason")
	}
	var out label.Record
	err := s.st.RatingTx(ctx, func(tx Store) error {
		l, err := tx.LabelGet(ctx, sc, labelID)
		if err != nil {
			return err
		}
		switch {
		case l.RevokedAt != nil:
			return errs.Errorf(errs.Conflict, "label %s is already revoked (%s)", l.ID, l.RevokeReason)
		case l.SupersededBy != "":
			return errs.Errorf(errs.Conflict, "label %s was superseded by %s: revoke that one", l.ID, l.SupersededBy)
		}
		now := s.clock()
		if _, err := tx.AssessmentUpdate(ctx, sc, l.AssessmentID, func(a *assess.Assessment) error {
			if a.State == assess.Expired {
				return errs.Errorf(errs.Conflict, "label %s has expired; there is nothing to revoke", l.ID)
			}
			return a.Revoke(actor, now, reason)
		}); err != nil {
			return err
		}
		if _, err := tx.LabelRevoke(ctx, sc, l.AssessmentID, reason); err != nil {
			return err
		}
		if err := tx.LabelEventAdd(ctx, sc, &label.Event{AssessmentID: l.AssessmentID, LabelID: l.ID, Kind: label.EventRevoked,
			Grade: l.Grade.String(), Reason: reason, Actor: actor}); err != nil {
			return err
		}
		out, err = tx.LabelGet(ctx, sc, labelID)
		return err
	})
	return out, err
}

// ownerScope is the scope of the organisation that owns an assessment or
// label: that organisation's, or the operator's for a product type (no
// organisation).
func ownerScope(orgID int64) tenant.Scope {
	if orgID == 0 {
		return tenant.Operator()
	}
	return tenant.Org(orgID)
}

func reasonsText(rs []assess.Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Rule + " (" + r.Effect + "): " + r.Detail
	}
	return strings.Join(parts, "; ")
}
