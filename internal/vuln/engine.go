// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/match/vendor"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// FindingType is the type of the findings the engine files, one per
// (device or component, vulnerability).
const FindingType = "vulnerable"

// ReportType is the report type of those findings.
const ReportType = "vuln"

// Store is what the engine needs from storage. Reads of inventory
// (devices, components, matches) take a tenant scope: the engine's own
// feed-wide work runs in the operator's scope (inventory), a caller's
// request (MatchDevices, ImportSBOM) in the caller's. Advisories, CVE
// enrichment, index keys and the engine's writes belong to no organisation.
type Store interface {
	VulnAdvisoryPut(ctx context.Context, p AdvisoryPut) (AdvisoryPutResult, error)
	VulnAdvisoryRefs(ctx context.Context, keys []string) ([]int64, error)
	VulnAdvisoryGet(ctx context.Context, refs []int64) ([]StoredAdvisory, error)
	VulnAdvisoryScan(ctx context.Context, after int64, limit int) ([]StoredAdvisory, error)
	VulnCVEGet(ctx context.Context, cves []string) (map[string]CVEInfo, error)
	VulnCVEPut(ctx context.Context, cves []CVEInfo) error
	VulnEPSSPut(ctx context.Context, scores []EPSSScore) ([]string, error)
	VulnComponentReplace(ctx context.Context, sc tenant.Scope, deviceID int64, comps []Component) ([]int64, error)
	VulnComponentList(ctx context.Context, sc tenant.Scope, deviceID int64) ([]Component, error)
	VulnComponentGet(ctx context.Context, sc tenant.Scope, ids []int64) ([]Component, error)
	VulnComponentScan(ctx context.Context, sc tenant.Scope, after int64, limit int) ([]Component, error)
	VulnTargetKeysPut(ctx context.Context, ts []IndexKeys) error
	VulnTargetKeysReset(ctx context.Context) error
	VulnTargetKeysAdd(ctx context.Context, ts []IndexKeys) error
	VulnTargetsByKeys(ctx context.Context, sc tenant.Scope, keys []string) ([]registry.Device, []Component, error)
	VulnDeviceGet(ctx context.Context, sc tenant.Scope, ids []int64) ([]registry.Device, error)
	VulnDeviceScan(ctx context.Context, sc tenant.Scope, after int64, limit int) ([]registry.Device, error)
	VulnDeviceStale(ctx context.Context, sc tenant.Scope, limit int) ([]registry.Device, error)
	VulnDeviceSynced(ctx context.Context, ds []registry.Device) error
	// VulnTargetCount counts the inventory's devices and components.
	VulnTargetCount(ctx context.Context) (int64, error)
	VulnMatchList(ctx context.Context, sc tenant.Scope, f MatchFilter) ([]Match, error)
	VulnMatchReplace(ctx context.Context, del MatchFilter, ms []Match) error
	TriggerEnsure(ctx context.Context, t finding.Trigger) (int64, error)
	FindingUpsert(ctx context.Context, runID int64, batch []finding.Sighting) (created, updated int, err error)
	FindingResolveKeys(ctx context.Context, keys []finding.Key) (int, error)
	VulnFindingResolveOrphans(ctx context.Context) (int, error)
	// VulnTx runs fn in one transaction, with a Store bound to it.
	VulnTx(ctx context.Context, fn func(tx Store) error) error
	VendorAliasList(ctx context.Context) ([]vendor.Alias, error)
}

// inventory is the scope of the engine's feed-wide work: advisories are
// matched against every organisation's devices for the operator.
func inventory() tenant.Scope { return tenant.Operator() }

// Regrader re-grades the security labels of devices whose vulnerabilities
// changed (rating.Service.Regrade, through RegradeFunc).
type Regrader interface {
	Regrade(ctx context.Context, deviceIDs []int64, reason string) error
}

// RegradeFunc adapts a function to Regrader.
type RegradeFunc func(ctx context.Context, deviceIDs []int64, reason string) error

// Regrade implements Regrader.
func (f RegradeFunc) Regrade(ctx context.Context, deviceIDs []int64, reason string) error {
	return f(ctx, deviceIDs, reason)
}

// Options configure an Engine.
type Options struct {
	Store Store // required
	// Regrader, when set, is called after each change with the devices
	// whose vulnerability findings changed.
	Regrader Regrader
	// MinConfidence is the lowest confidence recorded (default
	// DefaultMinConfidence).
	MinConfidence float64
	// Workers bound MatchAll's parallelism (default GOMAXPROCS).
	Workers int
	// MatchMemory is the memory budget in bytes of a full re-match
	// (MatchAll), which holds every advisory compiled: the process's
	// memory limit is lowered to it meanwhile, so that the garbage
	// collector runs only when the heap nears it. When what stays live
	// takes more than four fifths of it, MatchAll falls back to collecting
	// each time the heap has grown by a quarter. 0: DefaultMatchMemory;
	// negative: no budget, always the quarter.
	MatchMemory int64
	Logger      *slog.Logger     // default: discard
	Now         func() time.Time // default time.Now
	// Progress, when set, is told that MatchAll starts matching total
	// targets (devices and components) and returns step, told how many
	// are matched, and finish.
	Progress func(what string, total int64) (step func(done int64), finish func())
}

// Engine keeps matches and findings in step with advisories and inventory.
// It is safe for concurrent use; each call is one transaction.
type Engine struct {
	st      Store
	run     int64 // the source run the findings belong to (0: none)
	regrade Regrader
	minConf float64
	workers int
	budget  int64 // MatchAll's memory budget (bytes; 0: none)
	log     *slog.Logger
	now     func() time.Time
	prog    func(what string, total int64) (step func(done int64), finish func())
	pages   pageSizes
}

// pageSizes are how many advisories, devices and components MatchAll reads
// from the store at a time.
type pageSizes struct{ advisories, devices, components int }

// defaultPages are MatchAll's page sizes.
var defaultPages = pageSizes{advisories: 1000, devices: 1000, components: 10000}

// New returns an Engine.
func New(o Options) (*Engine, error) {
	if o.Store == nil {
		return nil, errors.New("vuln: Options.Store is required")
	}
	e := &Engine{st: o.Store, regrade: o.Regrader, minConf: o.MinConfidence, workers: o.Workers, log: o.Logger, now: o.Now, prog: o.Progress,
		pages: defaultPages}
	if e.minConf <= 0 {
		e.minConf = DefaultMinConfidence
	}
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	switch e.budget = o.MatchMemory; {
	case e.budget == 0:
		e.budget = DefaultMatchMemory
	case e.budget < 0:
		e.budget = 0
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e, nil
}

// InRun returns a copy of e whose finding changes belong to source run
// run (an ingest.Run of kind advisory, rematch or sync): notice
// composition makes one warning per organisation of the run once the run
// has ended.
func (e *Engine) InRun(run int64) *Engine {
	c := *e
	c.run = run
	return &c
}

// OnStore returns a copy of e on st (a transaction's store) that hands the
// devices to re-grade to rg instead of its own regrader (nil: none), so
// that a caller can make several calls one transaction and re-grade after
// its commit.
func (e *Engine) OnStore(st Store, rg Regrader) *Engine {
	c := *e
	c.st = st
	c.regrade = rg
	return &c
}

// Result says what one engine call did.
type Result struct {
	Advisories       int     `json:"advisories"` // advisories offered
	New              int     `json:"new"`
	Changed          int     `json:"changed"`
	Unchanged        int     `json:"unchanged"`
	Targets          int     `json:"targets_checked"` // devices and components (re-)matched
	Matches          int     `json:"matches"`         // matches written
	FindingsNew      int     `json:"findings_new"`
	FindingsUpdated  int     `json:"findings_updated"`
	FindingsResolved int     `json:"findings_resolved"`
	Devices          []int64 `json:"devices,omitempty"` // devices whose findings changed
	// RegradeError is set when re-grading labels failed (the matches and
	// findings are committed regardless).
	RegradeError string `json:"regrade_error,omitempty"`
}

func (r *Result) add(o Result) {
	r.Advisories += o.Advisories
	r.New += o.New
	r.Changed += o.Changed
	r.Unchanged += o.Unchanged
	r.Targets += o.Targets
	r.Matches += o.Matches
	r.FindingsNew += o.FindingsNew
	r.FindingsUpdated += o.FindingsUpdated
	r.FindingsResolved += o.FindingsResolved
	r.Devices = mergeIDs(r.Devices, o.Devices)
	if o.RegradeError != "" {
		r.RegradeError = o.RegradeError
	}
}

// Add merges o into r (for callers that load in batches).
func (r *Result) Add(o Result) { r.add(o) }

func mergeIDs(a, b []int64) []int64 {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// pair is a (target, vulnerability) — the identity of one finding.
type pair struct{ target, cve string }

func (e *Engine) afterCommit(ctx context.Context, res *Result, reason string) {
	if e.regrade == nil || len(res.Devices) == 0 {
		return
	}
	if err := e.regrade.Regrade(ctx, res.Devices, reason); err != nil {
		res.RegradeError = err.Error()
		e.log.Warn("label regrade failed", "devices", len(res.Devices), "err", err)
	}
}

// Advisories stores a batch of advisories and re-matches incrementally:
// advisories whose digest is unchanged are skipped; for new and changed
// ones, only devices and components sharing an index key with the old or
// the new version are re-checked; KEV, EPSS and CVSS updates refresh the
// findings of the vulnerabilities they concern. origin names the file or URL.
//
// Devices registered or changed since the last Sync are synced first, so
// that the new advisories find them.
func (e *Engine) Advisories(ctx context.Context, advs []advisory.Advisory, origin string) (Result, error) {
	res, err := e.Sync(ctx)
	if err != nil {
		return res, err
	}
	res.Advisories = len(advs)
	vt, err := vendorTable(ctx, e.st)
	if err != nil {
		return res, err
	}
	var reason []string
	err = e.st.VulnTx(ctx, func(tx Store) error {
		var changed []*Compiled
		var keys []string
		for i := range advs {
			a := &advs[i]
			ks := Compile(0, a, vt).Keys
			r, err := tx.VulnAdvisoryPut(ctx, AdvisoryPut{Advisory: a, Digest: a.Digest(), Keys: ks, Origin: origin})
			if err != nil {
				return err
			}
			switch r.State {
			case AdvisoryUnchanged:
				res.Unchanged++
				continue
			case AdvisoryNew:
				res.New++
			default:
				res.Changed++
			}
			changed = append(changed, Compile(r.Ref, a, vt))
			keys = append(append(keys, ks...), r.OldKeys...)
		}
		if len(changed) == 0 {
			return nil
		}
		for _, c := range changed {
			if len(reason) < 3 {
				reason = append(reason, c.Name)
			}
		}
		// Per-CVE enrichment.
		var cves []string
		for _, c := range changed {
			for _, v := range c.Advisory.Vulns {
				cves = append(cves, v.Key())
			}
		}
		oldInfo, err := tx.VulnCVEGet(ctx, cves)
		if err != nil {
			return err
		}
		newInfo := make(map[string]CVEInfo, len(oldInfo))
		for k, v := range oldInfo {
			newInfo[k] = v
		}
		var enriched []string
		var put []CVEInfo
		for _, c := range changed {
			for i := range c.Advisory.Vulns {
				v := &c.Advisory.Vulns[i]
				if v.Key() == "" {
					continue
				}
				n, diff := mergeCVE(newInfo[v.Key()], c.Advisory, v)
				newInfo[v.Key()] = n
				if diff {
					enriched = append(enriched, v.Key())
				}
			}
		}
		for _, k := range uniq(enriched) {
			put = append(put, newInfo[k])
		}
		if err := tx.VulnCVEPut(ctx, put); err != nil {
			return err
		}
		// Candidates: inventory sharing a key, plus targets the changed
		// advisories matched before.
		refs := make([]int64, len(changed))
		for i, c := range changed {
			refs[i] = c.Ref
		}
		prevByAdv, err := tx.VulnMatchList(ctx, inventory(), MatchFilter{Advisories: refs})
		if err != nil {
			return err
		}
		prevByCVE, err := tx.VulnMatchList(ctx, inventory(), MatchFilter{CVEs: enriched})
		if err != nil {
			return err
		}
		targets, err := e.targetsFor(ctx, tx, expandKeys(vt, keys), prevByAdv)
		if err != nil {
			return err
		}
		res.Targets += len(targets)
		index := indexCompiled(changed)
		var found []Match
		for _, t := range targets {
			p := prepare(t, vt)
			for _, c := range index.candidates(p) {
				found = append(found, matchPrepared(c, p, e.minConf)...)
			}
		}
		// Affected pairs: every (target, CVE) a changed advisory matched
		// before or matches now, and every pair of an enriched CVE.
		affected, affTargets, _ := affectedPairs(prevByAdv, prevByCVE, found)
		before, err := tx.VulnMatchList(ctx, inventory(), MatchFilter{Targets: uniq(affTargets)})
		if err != nil {
			return err
		}
		if err := tx.VulnMatchReplace(ctx, MatchFilter{Advisories: refs}, found); err != nil {
			return err
		}
		res.Matches += len(found)
		isChanged := map[int64]bool{}
		for _, r := range refs {
			isChanged[r] = true
		}
		var after []Match
		for _, m := range before {
			if !isChanged[m.AdvisoryRef] {
				after = append(after, m)
			}
		}
		after = append(after, found...)
		return e.reconcile(ctx, tx, affected, before, after, oldInfo, newInfo, &res)
	})
	if err != nil {
		return res, err
	}
	e.afterCommit(ctx, &res, "advisories "+strings.Join(reason, ", "))
	return res, nil
}

// affectedPairs returns the (target, CVE) pairs of the matches of every
// set, with their targets and CVEs (repeats included).
func affectedPairs(sets ...[]Match) (affected map[pair]bool, targets, cves []string) {
	affected = map[pair]bool{}
	for _, ms := range sets {
		for _, m := range ms {
			affected[pair{m.Target, m.CVE}] = true
			targets = append(targets, m.Target)
			cves = append(cves, m.CVE)
		}
	}
	return affected, targets, cves
}

func uniq(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}

// targetsFor loads the devices and components that share any of the keys,
// plus the targets of the given matches.
func (e *Engine) targetsFor(ctx context.Context, tx Store, keys []string, prev []Match) ([]Target, error) {
	devs, comps, err := tx.VulnTargetsByKeys(ctx, inventory(), uniq(keys))
	if err != nil {
		return nil, err
	}
	haveDev := map[int64]bool{}
	haveComp := map[int64]bool{}
	for _, d := range devs {
		haveDev[d.ID] = true
	}
	for _, c := range comps {
		haveComp[c.ID] = true
	}
	var moreDev, moreComp []int64
	for _, m := range prev {
		switch {
		case m.ComponentID != 0 && !haveComp[m.ComponentID]:
			moreComp = append(moreComp, m.ComponentID)
			haveComp[m.ComponentID] = true
		case m.ComponentID == 0 && !haveDev[m.DeviceID]:
			moreDev = append(moreDev, m.DeviceID)
			haveDev[m.DeviceID] = true
		}
	}
	if len(moreDev) > 0 {
		ds, err := tx.VulnDeviceGet(ctx, inventory(), moreDev)
		if err != nil {
			return nil, err
		}
		devs = append(devs, ds...)
	}
	if len(moreComp) > 0 {
		cs, err := tx.VulnComponentGet(ctx, inventory(), moreComp)
		if err != nil {
			return nil, err
		}
		comps = append(comps, cs...)
	}
	// Components are matched on their device's platform.
	byID := map[int64]registry.Device{}
	for _, d := range devs {
		byID[d.ID] = d
	}
	var need []int64
	for _, c := range comps {
		if _, ok := byID[c.DeviceID]; !ok {
			need = append(need, c.DeviceID)
			byID[c.DeviceID] = registry.Device{}
		}
	}
	if len(need) > 0 {
		ds, err := tx.VulnDeviceGet(ctx, inventory(), need)
		if err != nil {
			return nil, err
		}
		for _, d := range ds {
			byID[d.ID] = d
		}
	}
	out := make([]Target, 0, len(devs)+len(comps))
	for _, d := range devs {
		out = append(out, Target{Device: d})
	}
	for i := range comps {
		out = append(out, Target{Device: byID[comps[i].DeviceID], Component: &comps[i]})
	}
	return out, nil
}

// compiledIndex maps index keys to compiled advisories.
type compiledIndex map[string][]*Compiled

func indexCompiled(cs []*Compiled) compiledIndex {
	ix := compiledIndex{}
	for _, c := range cs {
		for _, k := range c.Keys {
			ix[k] = append(ix[k], c)
		}
	}
	return ix
}

// candidates returns the advisories sharing a key with the target, each
// once.
func (ix compiledIndex) candidates(p *prepared) []*Compiled {
	var out []*Compiled
	for _, k := range p.keys() {
		for _, c := range ix[k] {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// EPSS stores EPSS scores and refreshes the findings of the CVEs whose
// score changed.
func (e *Engine) EPSS(ctx context.Context, scores []EPSSScore) (Result, error) {
	var res Result
	err := e.st.VulnTx(ctx, func(tx Store) error {
		cves := make([]string, len(scores))
		for i, s := range scores {
			cves[i] = s.CVE
		}
		matched, err := tx.VulnMatchList(ctx, inventory(), MatchFilter{CVEs: cves})
		if err != nil {
			return err
		}
		var mcves []string
		for _, m := range matched {
			mcves = append(mcves, m.CVE)
		}
		oldInfo, err := tx.VulnCVEGet(ctx, mcves)
		if err != nil {
			return err
		}
		changed, err := tx.VulnEPSSPut(ctx, scores)
		if err != nil {
			return err
		}
		res.Advisories = len(scores)
		res.Changed = len(changed)
		isChanged := map[string]bool{}
		for _, c := range changed {
			isChanged[c] = true
		}
		var rescored []Match
		for _, m := range matched {
			if isChanged[m.CVE] {
				rescored = append(rescored, m)
			}
		}
		affected, targets, acves := affectedPairs(rescored)
		if len(affected) == 0 {
			return nil
		}
		newInfo, err := tx.VulnCVEGet(ctx, acves)
		if err != nil {
			return err
		}
		ms, err := tx.VulnMatchList(ctx, inventory(), MatchFilter{Targets: uniq(targets)})
		if err != nil {
			return err
		}
		return e.reconcile(ctx, tx, affected, ms, ms, oldInfo, newInfo, &res)
	})
	return res, err
}

// Sync matches the devices that are new or changed since they were last
// matched (vendor, model, firmware, CPE or purl) against all advisories
// sharing a key with them, in batches, and resolves the findings of devices
// that were deleted.
func (e *Engine) Sync(ctx context.Context) (Result, error) {
	var res Result
	n, err := e.st.VulnFindingResolveOrphans(ctx)
	if err != nil {
		return res, err
	}
	res.FindingsResolved += n
	for {
		var batch []registry.Device
		err := e.st.VulnTx(ctx, func(tx Store) error {
			var err error
			batch, err = tx.VulnDeviceStale(ctx, inventory(), 500)
			if err != nil || len(batch) == 0 {
				return err
			}
			return e.matchDevices(ctx, tx, batch, nil, &res)
		})
		if err != nil {
			return res, err
		}
		if len(batch) < 500 {
			break
		}
	}
	e.afterCommit(ctx, &res, "inventory changed")
	return res, nil
}

// MatchDevices re-matches the given devices of sc and their components
// against all advisories sharing a key with them; devices outside sc are
// skipped.
func (e *Engine) MatchDevices(ctx context.Context, sc tenant.Scope, ids []int64) (Result, error) {
	var res Result
	err := e.st.VulnTx(ctx, func(tx Store) error {
		ds, err := tx.VulnDeviceGet(ctx, sc, ids)
		if err != nil {
			return err
		}
		return e.matchDevices(ctx, tx, ds, nil, &res)
	})
	if err != nil {
		return res, err
	}
	e.afterCommit(ctx, &res, "inventory changed")
	return res, nil
}

// ImportSBOM replaces the components of device deviceID of sc with comps
// (ids are set), indexes them and matches the device and its components
// against all advisories sharing a key: findings of removed components are
// resolved, new ones filed. A device outside sc is errs.NotFound.
func (e *Engine) ImportSBOM(ctx context.Context, sc tenant.Scope, deviceID int64, comps []Component) (Result, error) {
	var res Result
	err := e.st.VulnTx(ctx, func(tx Store) error {
		ds, err := tx.VulnDeviceGet(ctx, sc, []int64{deviceID})
		if err != nil {
			return err
		}
		if len(ds) == 0 {
			return errs.Errorf(errs.NotFound, "device %d not found", deviceID)
		}
		old, err := tx.VulnComponentList(ctx, sc, deviceID)
		if err != nil {
			return err
		}
		var oldTargets []string
		for _, c := range old {
			oldTargets = append(oldTargets, Target{Device: ds[0], Component: &c}.Ref())
		}
		prev, err := tx.VulnMatchList(ctx, sc, MatchFilter{Targets: oldTargets})
		if err != nil {
			return err
		}
		if _, err := tx.VulnComponentReplace(ctx, sc, deviceID, comps); err != nil {
			return err
		}
		return e.matchDevices(ctx, tx, ds, prev, &res)
	})
	if err != nil {
		return res, err
	}
	e.afterCommit(ctx, &res, fmt.Sprintf("SBOM of device %d", deviceID))
	return res, nil
}

// matchDevices indexes and re-matches devices and all their components.
// extraBefore are matches of targets that no longer exist (replaced
// components), whose findings are resolved.
func (e *Engine) matchDevices(ctx context.Context, tx Store, ds []registry.Device, extraBefore []Match, res *Result) error {
	vt, err := vendorTable(ctx, tx)
	if err != nil {
		return err
	}
	var targets []Target
	for _, d := range ds {
		targets = append(targets, Target{Device: d})
		comps, err := tx.VulnComponentList(ctx, inventory(), d.ID)
		if err != nil {
			return err
		}
		for i := range comps {
			targets = append(targets, Target{Device: d, Component: &comps[i]})
		}
	}
	res.Targets += len(targets)
	preps := make([]*prepared, len(targets))
	tk := make([]IndexKeys, len(targets))
	var keys, refs []string
	for i, t := range targets {
		p := prepare(t, vt)
		preps[i] = p
		ks := p.keys()
		tk[i] = IndexKeys{Target: t.Ref(), DeviceID: t.Device.ID, Keys: ks}
		if t.Component != nil {
			tk[i].ComponentID = t.Component.ID
		}
		keys = append(keys, ks...)
		refs = append(refs, t.Ref())
	}
	if err := tx.VulnTargetKeysPut(ctx, tk); err != nil {
		return err
	}
	advRefs, err := tx.VulnAdvisoryRefs(ctx, expandKeys(vt, keys))
	if err != nil {
		return err
	}
	var compiled []*Compiled
	for start := 0; start < len(advRefs); start += 500 {
		stored, err := tx.VulnAdvisoryGet(ctx, advRefs[start:min(start+500, len(advRefs))])
		if err != nil {
			return err
		}
		for _, s := range stored {
			a, err := s.Decode()
			if err != nil {
				return err
			}
			compiled = append(compiled, Compile(s.Ref, a, vt))
		}
	}
	index := indexCompiled(compiled)
	var found []Match
	for _, p := range preps {
		for _, c := range index.candidates(p) {
			found = append(found, matchPrepared(c, p, e.minConf)...)
		}
	}
	before, err := tx.VulnMatchList(ctx, inventory(), MatchFilter{Targets: refs})
	if err != nil {
		return err
	}
	before = append(before, extraBefore...)
	if err := tx.VulnMatchReplace(ctx, MatchFilter{Targets: refs}, found); err != nil {
		return err
	}
	res.Matches += len(found)
	if err := e.replaced(ctx, tx, before, found, res); err != nil {
		return err
	}
	return tx.VulnDeviceSynced(ctx, ds)
}

// replaced reconciles the findings of every pair that was matched before or
// is matched now, after the matches of the targets were replaced.
func (e *Engine) replaced(ctx context.Context, tx Store, before, now []Match, res *Result) error {
	affected, _, cves := affectedPairs(before, now)
	info, err := tx.VulnCVEGet(ctx, cves)
	if err != nil {
		return err
	}
	return e.reconcile(ctx, tx, affected, before, now, info, info, res)
}

// MatchAll re-matches the whole inventory against all stored advisories:
// advisories are compiled into an in-memory index once, devices and
// components are streamed from the store and matched in parallel, and the
// matches and findings are replaced in one transaction. It also indexes
// every target's keys when reindex is set (after a bulk import that did
// not).
func (e *Engine) MatchAll(ctx context.Context, reindex bool) (Result, error) {
	var res Result
	vt, err := vendorTable(ctx, e.st)
	if err != nil {
		return res, err
	}
	// 1. Compile every advisory.
	gc := paceGC(e.budget)
	defer gc.restore()
	all, tab, err := e.compileAll(ctx, vt, gc)
	if err != nil {
		return res, err
	}
	res.Advisories = len(all)
	index := indexCompiled(all)
	for _, c := range all {
		c.Keys = nil // the index has them; nothing else reads them here
	}
	if reindex {
		if err := e.st.VulnTargetKeysReset(ctx); err != nil {
			return res, err
		}
	}
	step, finish := e.progress(ctx)
	start := time.Now()
	e.log.Debug("match all: advisories compiled", "advisories", len(all), "keys", len(index))
	// 2. Stream devices, then components, matching each page in parallel.
	devices := map[int64]registry.Device{}
	// Per-worker caches live across pages: components of one device are
	// spread over all pages.
	caches := make([]*prepCache, e.workers)
	for i := range caches {
		caches[i] = newPrepCache()
		caches[i].tab = tab
	}
	var devList []registry.Device
	var found []Match
	var keys []IndexKeys
	for after := int64(0); ; {
		page, err := e.st.VulnDeviceScan(ctx, inventory(), after, e.pages.devices)
		if err != nil {
			return res, err
		}
		ts := make([]Target, len(page))
		for i, d := range page {
			devices[d.ID] = d
			ts[i] = Target{Device: d}
		}
		devList = append(devList, page...)
		ms, ks := e.matchParallel(index, ts, reindex, caches, vt)
		found, keys = append(found, ms...), append(keys, ks...)
		res.Targets += len(ts)
		step(int64(res.Targets))
		if len(page) < e.pages.devices {
			break
		}
		after = page[len(page)-1].ID
	}
	// The next page of components is read while this one is matched
	// (unless the index keys are written between pages).
	compPage := e.pages.components
	for p := range pagesOf(ctx, !reindex, compPage, func(after int64) ([]Component, error) {
		return e.st.VulnComponentScan(ctx, inventory(), after, compPage)
	}, func(c Component) int64 { return c.ID }) {
		page, err := p.rows, p.err
		if err != nil {
			return res, err
		}
		ts := make([]Target, len(page))
		for i := range page {
			ts[i] = Target{Device: devices[page[i].DeviceID], Component: &page[i]}
		}
		ms, ks := e.matchParallel(index, ts, reindex, caches, vt)
		found, keys = append(found, ms...), append(keys, ks...)
		res.Targets += len(ts)
		step(int64(res.Targets))
		e.checkGC(gc)
		if reindex && len(keys) >= 50000 {
			if err := e.st.VulnTargetKeysAdd(ctx, keys); err != nil {
				return res, err
			}
			keys = keys[:0]
		}
	}
	if reindex && len(keys) > 0 {
		if err := e.st.VulnTargetKeysAdd(ctx, keys); err != nil {
			return res, err
		}
	}
	finish()
	// The compiled advisories are not used after this: collect them before
	// the write phase reads the old matches, and go back to the usual
	// target (its next goal is then twice what is live now, not twice the
	// compiled advisories).
	runtime.GC()
	gc.restore()
	e.log.Debug("match all: targets matched", "targets", res.Targets, "matches", len(found), "seconds", time.Since(start).Seconds())
	// 3. Replace matches and reconcile findings.
	err = e.st.VulnTx(ctx, func(tx Store) error {
		before, err := tx.VulnMatchList(ctx, inventory(), MatchFilter{All: true})
		if err != nil {
			return err
		}
		if err := tx.VulnMatchReplace(ctx, MatchFilter{All: true}, found); err != nil {
			return err
		}
		e.log.Debug("match all: matches replaced", "before", len(before), "after", len(found), "seconds", time.Since(start).Seconds())
		res.Matches = len(found)
		if err := e.replaced(ctx, tx, before, found, &res); err != nil {
			return err
		}
		e.log.Debug("match all: findings reconciled", "new", res.FindingsNew, "updated", res.FindingsUpdated, "resolved", res.FindingsResolved,
			"seconds", time.Since(start).Seconds())
		return tx.VulnDeviceSynced(ctx, devList)
	})
	if err != nil {
		return res, err
	}
	e.afterCommit(ctx, &res, "full re-match")
	return res, nil
}

// compileAll decodes and compiles every stored advisory, slimmed, in the
// order of their row ids: one goroutine reads the next page from the store
// while e.workers goroutines decode and compile the page before it. The
// advisories share the string table it returns.
func (e *Engine) compileAll(ctx context.Context, vt *vendor.Table, gc *gcPacing) ([]*Compiled, *strTable, error) {
	in := newStrTable()
	defer in.finish()
	var all []*Compiled
	for p := range pagesOf(ctx, true, e.pages.advisories, func(after int64) ([]StoredAdvisory, error) {
		return e.st.VulnAdvisoryScan(ctx, after, e.pages.advisories)
	}, func(a StoredAdvisory) int64 { return a.Ref }) {
		if p.err != nil {
			return nil, nil, p.err
		}
		out := make([]*Compiled, len(p.rows))
		errs := make([]error, e.workers)
		var wg sync.WaitGroup
		for w := range e.workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(p.rows); i += e.workers {
					a, err := p.rows[i].Decode()
					if err != nil {
						errs[w] = err
						return
					}
					c := compile(p.rows[i].Ref, a, vt, in)
					c.slim()
					out[i] = c
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, nil, err
		}
		all = append(all, out...)
		e.checkGC(gc)
	}
	return all, in, nil
}

// checkGC falls back from pacing the collector by the memory budget to the
// low target when the live heap nears the budget (gcPacing.check), and
// says so in the log.
func (e *Engine) checkGC(gc *gcPacing) {
	if fell, live := gc.check(); fell {
		e.log.Info("match all: the compiled advisories take most of the memory budget; collecting more often",
			"live_mib", live>>20, "budget_mib", e.budget>>20)
	}
}

// fetched is one page that pagesOf read, or the error that ended
// the reading.
type fetched[T any] struct {
	rows []T
	err  error
}

// pagesOf returns the pages of at most limit rows that fetch reads, each
// after the key (of next) of the last row of the page before, until a
// short page or an error, which comes as the last page. With ahead, a
// goroutine of its own reads one page ahead of the caller (who must then
// not use the store meanwhile: a transaction's connection serves one
// query at a time); cancelling ctx ends it.
func pagesOf[T any](ctx context.Context, ahead bool, limit int, fetch func(after int64) ([]T, error), next func(T) int64) iter.Seq[fetched[T]] {
	read := func(yield func(fetched[T]) bool) {
		for after := int64(0); ; {
			rows, err := fetch(after)
			if !yield(fetched[T]{rows, err}) || err != nil || len(rows) < limit {
				return
			}
			after = next(rows[len(rows)-1])
		}
	}
	if !ahead {
		return read
	}
	return func(yield func(fetched[T]) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		pages := make(chan fetched[T], 1)
		go func() {
			defer close(pages)
			read(func(p fetched[T]) bool {
				select {
				case pages <- p:
					return true
				case <-ctx.Done():
					return false
				}
			})
		}()
		for p := range pages {
			if !yield(p) {
				cancel()
				for range pages { // wait for the reader to return
				}
				return
			}
		}
	}
}

// progress starts MatchAll's progress (nothing without Options.Progress
// or targets) and returns its step and finish.
func (e *Engine) progress(ctx context.Context) (func(int64), func()) {
	if e.prog == nil {
		return func(int64) {}, func() {}
	}
	n, err := e.st.VulnTargetCount(ctx)
	if err != nil || n == 0 {
		return func(int64) {}, func() {}
	}
	return e.prog("targets", n)
}

// matchParallel matches targets against the index with e.workers
// goroutines; with keys it also returns the targets' index keys.
func (e *Engine) matchParallel(index compiledIndex, ts []Target, keys bool, caches []*prepCache, vt *vendor.Table) ([]Match, []IndexKeys) {
	if len(ts) == 0 {
		return nil, nil
	}
	w := min(e.workers, max(1, len(ts)/64), len(caches))
	type out struct {
		ms []Match
		ks []IndexKeys
	}
	outs := make([]out, w)
	var wg sync.WaitGroup
	per := (len(ts) + w - 1) / w
	for i := 0; i < w; i++ {
		lo, hi := i*per, min((i+1)*per, len(ts))
		if lo >= hi {
			continue
		}
		wg.Add(1)
		go func(i int, part []Target) {
			defer wg.Done()
			var o out
			cache := caches[i]
			var seen []*Compiled // the advisories a target met, reused
			for _, t := range part {
				p := prepareCached(t, cache, vt)
				cache.keys = p.appendKeys(cache.keys)
				ks := cache.keys
				if keys {
					tk := IndexKeys{Target: t.Ref(), DeviceID: t.Device.ID, Keys: slices.Clone(ks)}
					if t.Component != nil {
						tk.ComponentID = t.Component.ID
					}
					o.ks = append(o.ks, tk)
				}
				seen = seen[:0]
				for _, k := range ks {
					for _, c := range index[k] {
						if slices.Contains(seen, c) {
							continue
						}
						seen = append(seen, c)
						o.ms = append(o.ms, matchPrepared(c, p, e.minConf)...)
					}
				}
			}
			outs[i] = o
		}(i, ts[lo:hi])
	}
	wg.Wait()
	var ms []Match
	var ks []IndexKeys
	for _, o := range outs {
		ms = append(ms, o.ms...)
		ks = append(ks, o.ks...)
	}
	return ms, ks
}

// vendorTable returns the embedded vendor alias table with the operators'
// aliases from st (the transaction, inside one).
func vendorTable(ctx context.Context, st Store) (*vendor.Table, error) {
	extra, err := st.VendorAliasList(ctx)
	if err != nil {
		return nil, fmt.Errorf("vendor aliases: %w", err)
	}
	return vendor.Embedded().With(extra), nil
}

// expandKeys adds, for every vendor key, the keys of all names of its
// vendor group: inventory and advisories stored under one name of a vendor
// are found under any other (an operator's alias added later included).
func expandKeys(vt *vendor.Table, keys []string) []string {
	out := slices.Clone(keys)
	for _, k := range keys {
		if g, ok := strings.CutPrefix(k, keyVendor); ok {
			for _, m := range vt.Members(g) {
				out = append(out, keyVendor+m)
			}
			// A brand several vendors sell under ("Wonderware"): a device
			// of one owner, or of the brand, meets the other owners'
			// advisories (rule shared-brand).
			for _, o := range vt.SharedOwners(g) {
				for _, m := range vt.Members(o) {
					out = append(out, keyVendor+m)
				}
			}
			// Vendors related by ownership (rule related: "ABB" meets
			// B&R's advisories, B&R ABB's).
			for _, o := range vt.Related(g) {
				for _, m := range vt.Members(o) {
					out = append(out, keyVendor+m)
				}
			}
			for _, b := range vt.SharedBrands(g) {
				out = append(out, keyVendor+b)
				for _, o := range vt.SharedOwners(b) {
					for _, m := range vt.Members(o) {
						out = append(out, keyVendor+m)
					}
				}
			}
		}
	}
	return uniq(out)
}
