// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/match/cpe"
	"vigil/internal/match/product"
	"vigil/internal/match/purl"
	"vigil/internal/match/vendor"
	"vigil/internal/match/version"
	"vigil/internal/match/vrange"
	"vigil/internal/text"
	"vigil/internal/tlp"
)

// The rules a match can be made by.
const (
	// RuleCPE: an NVD configuration (AND/OR nodes, version ranges) or a CPE
	// identification helper holds for the target's registered CPE (and
	// the CPEs inferred from it).
	RuleCPE = "cpe"
	// RuleCPEName: an NVD configuration holds for a device or component
	// known only by vendor, model/name and version strings, compared with
	// the criteria's vendor and product fields.
	RuleCPEName = "cpe-name"
	// RulePURL: an advisory package (OSV, CSAF purl helper) is the
	// target's package and its version is in the affected ranges.
	RulePURL = "purl"
	// RuleProduct: an advisory product (CSAF product tree, CVE 5 affected
	// entry) names the target's vendor and model (or model number) and its
	// version statement (product_version, product_version_range, CVE 5
	// versions) covers the target's firmware or version.
	RuleProduct = "product"
)

// Confidence factors applied on top of the identity confidence.
const (
	// factorVersionUnknown: the target has no registered version but the
	// advisory limits the affected versions: possibly affected. A device
	// identified at least as well as by a model code or pattern, under an
	// alias of its vendor (0.95 × 0.8 × 0.7), still reaches
	// DefaultMinConfidence; a series member (0.5 × 0.7) does not.
	factorVersionUnknown = 0.7
	// factorRangeProse: the advisory's version range could not be read (or
	// not compared with the target's version): possibly affected, as when
	// the version is unknown.
	factorRangeProse = factorVersionUnknown
	// factorInferred: the CPE that matched was inferred from the
	// registered one (firmware ↔ hardware).
	factorInferred = 0.95
	// factorCPEName: a CPE criterion compared by name rather than by CPE.
	factorCPEName = 0.9
	// confComponentVendor / confComponentName: a component matched by
	// name with the same vendor / with no vendor to compare.
	confComponentVendor = 0.8
	confComponentName   = 0.6
)

// Evidence says why one advisory matched one target for one vulnerability.
type Evidence struct {
	Rule       string  `json:"rule"`
	Confidence float64 `json:"confidence"`
	Advisory   string  `json:"advisory"`            // "csaf:ICSA-24-074-05"
	Title      string  `json:"title,omitempty"`     // the advisory's title
	URL        string  `json:"url,omitempty"`       // where to read the advisory
	Subject    string  `json:"subject"`             // the device or component, for people
	Component  string  `json:"component,omitempty"` // a component's purl or name@version
	Reason     string  `json:"reason"`
	ProductID  string  `json:"product_id,omitempty"`
	Product    string  `json:"product,omitempty"`  // the advisory's product name
	Platform   string  `json:"platform,omitempty"` // the platform product of a relationship ("installed on")
	Status     string  `json:"status,omitempty"`
	Criteria   string  `json:"criteria,omitempty"`    // the CPE criterion or helper that matched
	MatchedCPE string  `json:"matched_cpe,omitempty"` // the target's (or inferred / synthesised) CPE
	Range      string  `json:"range,omitempty"`
	// TLP is the advisory's own marking.
	TLP       tlp.Marking `json:"tlp,omitempty"`
	Version   string      `json:"version,omitempty"` // the target's version that was compared
	Fixed     string      `json:"fixed_version,omitempty"`
	Remedy    string      `json:"remediation,omitempty"`
	RemedyURL string      `json:"remediation_url,omitempty"`
	Notes     []string    `json:"notes,omitempty"`
	// Checks say how each part was compared (vendor, product, version,
	// software): the rule, its confidence factor and why.
	Checks []Check `json:"checks,omitempty"`
	// Caveat says in words what could not be checked ("The version could
	// not be compared: …"); notices show it.
	Caveat string `json:"caveat,omitempty"`
}

// Match is one reason a target (a device or a component) is affected by
// one vulnerability of one advisory. The store keeps matches as they are
// found; ID, OrgID and MatchedAt are set when they are read back.
type Match struct {
	ID          int64     `json:"id,omitempty"`
	Target      string    `json:"target"` // "device:12", "component:34"
	DeviceID    int64     `json:"device_id"`
	ComponentID int64     `json:"component_id,omitempty"`
	OrgID       int64     `json:"org_id,omitempty"` // the device's organisation (read only)
	CVE         string    `json:"cve"`              // the vulnerability key: CVE id, else the source's id
	AdvisoryRef int64     `json:"advisory_ref"`
	ProductID   string    `json:"product_id,omitempty"`
	Rule        string    `json:"rule"`
	Confidence  float64   `json:"confidence"`
	Evidence    Evidence  `json:"evidence"`
	MatchedAt   time.Time `json:"matched_at,omitzero"`
}

// MatchOne matches one compiled advisory against one target and returns a
// match per affected vulnerability whose confidence is at least
// minConfidence. Versions an advisory states as fixed or not affected never
// match.
func MatchOne(c *Compiled, t Target, minConfidence float64) []Match {
	return matchPrepared(c, prepare(t, c.vendors), minConfidence)
}

// candidate is one way a vulnerability may apply.
type candidate struct {
	ev   Evidence
	spec int // specificity of the version statement: 3 exact, 2 range, 1 all versions, 0 default status
}

func matchPrepared(c *Compiled, t *prepared, minConf float64) []Match {
	var out []Match
	var ids []identity // the target against each product, once
	for i := range c.vulns {
		v := &c.vulns[i]
		var best *candidate
		consider := func(cd candidate) {
			if best == nil || cd.ev.Confidence > best.ev.Confidence ||
				cd.ev.Confidence == best.ev.Confidence && cd.spec > best.spec {
				x := cd
				best = &x
			}
		}
		if len(v.confs) > 0 {
			if cd, ok := matchConfigs(c, v, t); ok {
				consider(cd)
			}
		}
		if len(c.products) > 0 {
			if ids == nil {
				ids = productIDs(c, t)
			}
			if cd, ok := matchProducts(c, v, t, ids); ok {
				consider(cd)
			}
		}
		if best == nil || best.ev.Confidence < minConf {
			continue
		}
		best.ev.Title, best.ev.URL = c.Advisory.Title, c.URL
		best.ev.Subject, best.ev.Component = t.describe()
		m := Match{Target: t.t.Ref(), DeviceID: t.t.Device.ID, OrgID: t.t.Device.OrgID, CVE: v.key, AdvisoryRef: c.Ref,
			ProductID: best.ev.ProductID, Rule: best.ev.Rule, Confidence: best.ev.Confidence, Evidence: best.ev}
		if t.comp != nil {
			m.ComponentID = t.comp.ID
		}
		out = append(out, m)
	}
	return out
}

// round2 keeps confidences readable (0.95 × 0.9 = 0.855 → 0.86).
func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// matchConfigs evaluates NVD configurations: against the target's CPEs
// (rule cpe) and, when the target's CPEs do not speak the advisory's CPE
// vocabulary, against CPEs synthesised from its vendor/model/version
// strings (rule cpe-name).
func matchConfigs(c *Compiled, v *cvuln, t *prepared) (candidate, bool) {
	shared := false
	tab := c.tab
	if len(t.wfns) > 0 {
		// A component is evaluated on its device's platform, but only a
		// vulnerable criterion hitting the component's own CPE is its
		// vulnerability: configurations none of whose vulnerable criteria
		// name one of the target's own CPEs cannot give it a hit.
		t.hits = tab.evalAll(v, t.wfns, t.hits[:0], t.vers, &keySet{t.ownKeys, t.ownIDs, t.ids})
		if hits := ownHits(t.hits, t.wfns, t); len(hits) > 0 {
			return configCandidate(c, v, t, hits, t.wfns, RuleCPE, nil), true
		}
		shared = tab.anyKey(v.cpeKeys, &keySet{t.platKeys, t.platIDs, t.ids})
	}
	if shared {
		return candidate{}, false // the registered CPE was compared and did not match
	}
	synth, confs := synthesise(tab, v, t)
	if len(synth) == 0 {
		return candidate{}, false
	}
	hits := tab.evalAll(v, synth, nil, t.vers, nil)
	if len(hits) == 0 {
		return candidate{}, false
	}
	return configCandidate(c, v, t, hits, synth, RuleCPEName, confs), true
}

// ownHits returns the hits (on platforms) of a component's own CPEs, in
// place; a device's hits are all its own.
func ownHits(hits []chit, platforms []cpe.WFN, t *prepared) []chit {
	if t.comp == nil {
		return hits
	}
	out := hits[:0]
	for _, h := range hits {
		for i := range t.own {
			if t.own[i].wfn == platforms[h.plat] {
				out = append(out, h)
				break
			}
		}
	}
	return out
}

// synthesise builds, for a target known by strings, the CPEs it would have
// in the advisory's vocabulary: for every criterion whose vendor is the
// target's vendor and whose product names the target's model (or, for a
// component, its name), the criterion's part, vendor and product with the
// target's version (hardware: NA). confs maps each synthesised CPE string
// to the confidence and reason of the name comparison.
func synthesise(tab *strTable, v *cvuln, t *prepared) ([]cpe.WFN, map[string]nameConf) {
	if t.vendorKey == "" && t.comp == nil {
		return nil, nil
	}
	var out []cpe.WFN
	var confs map[string]nameConf // made for the first CPE synthesised: most criteria name other products
	for i := range v.crits {
		cr := &v.crits[i]
		if cr.vendor == 0 { // vendor or product not a plain string
			continue
		}
		vk, nk := tab.s[cr.vendor], tab.s[cr.name]
		var nc nameConf
		if t.comp != nil {
			if nk != t.nameKey || t.nameKey == "" {
				continue
			}
			switch {
			case t.vendorKey == "":
				nc = nameConf{confComponentName, fmt.Sprintf("component name %q equals CPE product %q (no vendor to compare)", t.model, tab.s[cr.cp])}
			case t.vendorKey == vk:
				nc = nameConf{confComponentVendor, fmt.Sprintf("component %q of %q equals CPE %s:%s", t.model, t.vendor, tab.s[cr.cv], tab.s[cr.cp])}
			default:
				continue
			}
		} else {
			if vk != t.vendorKey {
				continue
			}
			ok, conf, reason := t.matchModel(tab.s[cr.model])
			if !ok {
				continue
			}
			nc = nameConf{conf, fmt.Sprintf("vendor %q is CPE vendor %q; %s", t.vendor, tab.s[cr.cv], reason)}
		}
		s := tab.wfn(cr)
		switch s.Part().Unquoted() {
		case "h":
			s.Attrs[cpe.AttrVersion] = cpe.Value{Kind: cpe.NA}
		default:
			s.Attrs[cpe.AttrVersion] = cpe.Value{Kind: cpe.Any}
			if t.version != "" {
				s.Attrs[cpe.AttrVersion] = cpe.StrValue(AlignVersion(t.version))
			}
		}
		key := s.String()
		if old, ok := confs[key]; ok && old.conf >= nc.conf {
			continue
		} else if !ok {
			out = append(out, s)
		}
		if confs == nil {
			confs = map[string]nameConf{}
		}
		confs[key] = nc
	}
	return out, confs
}

type nameConf struct {
	conf   float64
	reason string
}

// configCandidate is the candidate of configurations that hold with hits
// on platforms.
func configCandidate(c *Compiled, v *cvuln, t *prepared, hits []chit, platforms []cpe.WFN, rule string, confs map[string]nameConf) candidate {
	tab := c.tab
	h := hits[0]
	cr := &v.crits[h.crit]
	ev := Evidence{Rule: rule, Advisory: c.Name, Criteria: tab.wfn(cr).String(), MatchedCPE: platforms[h.plat].String(),
		Status: string(advisory.StatusKnownAffected), Version: t.version, TLP: c.Advisory.TLP}
	conf := 1.0
	var reasons []string
	switch rule {
	case RuleCPE:
		reasons = append(reasons, "NVD configuration holds for the registered CPE")
		// Did the configuration need an inferred CPE (the hardware a
		// firmware runs on, or the firmware of registered hardware)?
		var registered []cpe.WFN
		var inferred []string
		for _, p := range t.platform {
			if p.inferred == "" {
				registered = append(registered, p.wfn)
			} else {
				inferred = append(inferred, p.inferred)
			}
		}
		if len(inferred) > 0 && len(ownHits(tab.evalAll(v, registered, nil, t.vers, nil), registered, t)) == 0 {
			conf *= factorInferred
			ev.Notes = append(ev.Notes, "CPE inferred: "+strings.Join(inferred, "; "))
		}
	case RuleCPEName:
		// The weakest name comparison among the synthesised CPEs the
		// configuration needed.
		minc := 1.0
		seen := map[string]bool{}
		for _, x := range hits {
			p := platforms[x.plat].String()
			if nc, ok := confs[p]; ok && !seen[p] {
				seen[p] = true
				minc = min(minc, nc.conf)
				reasons = append(reasons, nc.reason)
			}
		}
		for _, w := range allPlatforms(tab, v, confs) {
			minc = min(minc, w.conf)
		}
		conf = minc * factorCPEName
		reasons = append([]string{"NVD configuration holds for CPEs synthesised from the registered names"}, reasons...)
	}
	if cr.hasRange() {
		ev.Range = rangeText(&advisory.VersionRange{StartIncluding: tab.s[cr.si], StartExcluding: tab.s[cr.se],
			EndIncluding: tab.s[cr.ei], EndExcluding: tab.s[cr.ee]})
		ev.Fixed = tab.s[cr.ee]
	}
	if v.and {
		ev.Notes = append(ev.Notes, "configuration requires a platform (running on / with)")
	}
	ev.Reason = strings.Join(reasons, "; ")
	ev.Confidence = round2(conf)
	addRemedy(&ev, v.v, "")
	return candidate{ev: ev, spec: 2}
}

// allPlatforms returns the name confidences of synthesised platform CPEs
// that only non-vulnerable criteria matched (hardware of a running-on
// configuration): they are part of why the configuration holds.
func allPlatforms(tab *strTable, v *cvuln, confs map[string]nameConf) []nameConf {
	var out []nameConf
	for i := range v.crits {
		cr := &v.crits[i]
		if cr.vulnerable {
			continue
		}
		for k, nc := range confs {
			if w, err := cpe.Parse(k); err == nil && tab.matches(cr, &w, nil) {
				out = append(out, nc)
			}
		}
	}
	return out
}

// identity says how a product names the target.
type identity struct {
	ok      bool
	rule    string
	conf    float64
	reason  string
	version string // the target version the product's statement is about
	scheme  string
	cpe     string
	exact   bool    // vendor and product compared exactly
	product float64 // the product rule's confidence
	checks  []Check // how vendor and product were compared
	line    *product.Line
	// versionIsModel: the product's version is the model code the
	// target's model names (rule model-in-version), not a version.
	versionIsModel bool
	// component is the versions of the component a range's condition
	// names, when the model names the product with it (rule component).
	component *crange
}

// Version check rules that did not compare a version (see versionCheck).
const (
	checkUnparsed       = "unparsed"
	checkVersionUnknown = "version-unknown"
)

// Confidence factors of the product rule.
const (
	// factorVendorAlias: the vendor matched through an alias (a brand, a
	// short form, a CPE vendor) rather than by its own name.
	factorVendorAlias = 0.95
	// factorVendorShort: the vendor is written as the first words of
	// the advisory's vendor name, words several vendors share ("Delta" of
	// Delta Electronics and Delta Controls).
	factorVendorShort = 0.9
	// factorCondition: the range holds only under a condition vigil
	// cannot check ("with Ethernet interface", a serial number).
	factorCondition = 0.8
	// factorLineUnknown: the product name is about a version line
	// ("WinCC V7.4") and the device has no version to tell.
	factorLineUnknown = 0.8
)

// identify compares an advisory product with the target: by CPE helper,
// by purl, by vendor and model (devices) or name (components).
func identify(cp *cproduct, t *prepared) identity {
	for _, w := range cp.cpes {
		// The helper names the product; the version statement is the
		// product's ranges (CVE 5 ADP CPEs carry the range's first version).
		pat := w
		pat.Attrs[cpe.AttrVersion] = cpe.Value{Kind: cpe.Any}
		pat.Attrs[cpe.AttrUpdate] = cpe.Value{Kind: cpe.Any}
		for _, pl := range t.own {
			if cpe.Match(pat, pl.wfn) {
				ver := pl.wfn.Attrs[cpe.AttrVersion].Unquoted()
				if ver == "*" || ver == "-" {
					ver = t.version
				}
				conf := 1.0
				if pl.inferred != "" {
					conf = factorInferred
				}
				why := "CPE " + w.String() + " names the registered CPE " + pl.wfn.String()
				return identity{ok: true, rule: RuleCPE, conf: conf, reason: why, version: ver, cpe: pl.wfn.String(), exact: pl.inferred == "",
					checks: []Check{{Part: "product", Rule: "cpe", Factor: conf, Why: why}}}
			}
		}
	}
	if t.purlOK {
		for _, u := range cp.purls {
			if same, why := purl.SamePackage(u, t.purl); same {
				return identity{ok: true, rule: RulePURL, conf: 1, reason: why, version: t.purlVer, scheme: scheme(t.purl.Type), exact: true,
					checks: []Check{{Part: "product", Rule: "purl", Factor: 1, Why: why}}}
			}
		}
	}
	if t.comp != nil {
		if cp.nameKey == "" || cp.nameKey != t.nameKey {
			return identity{}
		}
		var id identity
		switch {
		case t.vendorKey == "" || cp.vendorKey == "":
			id = identity{ok: true, rule: RuleProduct, conf: confComponentName, version: t.version, scheme: cp.scheme,
				reason: fmt.Sprintf("component name %q equals advisory product %q", t.model, cp.p.Name)}
		case slices.Contains(cp.vendorKeys, t.vendorKey):
			id = identity{ok: true, rule: RuleProduct, conf: confComponentVendor, version: t.version, scheme: cp.scheme,
				reason: fmt.Sprintf("component %q of %q equals advisory product %q of %q", t.model, t.vendor, cp.p.Name, cp.p.Vendor)}
		default:
			return identity{}
		}
		id.checks = []Check{{Part: "product", Rule: "component-name", Factor: id.conf, Why: id.reason}}
		return id
	}
	if t.vendorKey == "" || t.model == "" {
		return identity{}
	}
	vendorExact := slices.Contains(cp.vendorRaw, t.vendorRaw)
	vcheck := Check{Part: "vendor", Rule: "name", Factor: 1, Why: fmt.Sprintf("vendor %q is %q", t.vendor, cp.p.Vendor)}
	names := cp.compiled
	switch {
	case !slices.Contains(cp.vendorKeys, t.vendorKey) && ownerOf(cp, t) != nil:
		names = []*product.Name{ownerOf(cp, t).name}
		vendorExact = false
		vcheck = Check{Part: "vendor", Rule: "product-vendor", Factor: factorVendorAlias,
			Why: fmt.Sprintf("vendor %q names the product %q (under %q)", t.vendor, cp.p.Name, cp.p.Vendor)}
	case !slices.Contains(cp.vendorKeys, t.vendorKey) && sharedBrand(cp, t) != "":
		vendorExact = false
		vcheck = Check{Part: "vendor", Rule: "shared-brand", Factor: factorVendorShort,
			Why: fmt.Sprintf("vendor %q and %q both sell under the brand %s (a product line that changed hands); the product decides", t.vendor, cp.p.Vendor, sharedBrand(cp, t))}
	case !slices.Contains(cp.vendorKeys, t.vendorKey) && related(cp, t) != "":
		vendorExact = false
		vcheck = Check{Part: "vendor", Rule: "related", Factor: factorVendorRelated,
			Why: fmt.Sprintf("vendor %q and %q are related by ownership: %s; the product decides", t.vendor, cp.p.Vendor, related(cp, t))}
	case !slices.Contains(cp.vendorKeys, t.vendorKey) && division(cp, t) != "":
		vendorExact = false
		vcheck = Check{Part: "vendor", Rule: "division", Factor: factorTitleVendor,
			Why: fmt.Sprintf("vendor %q starts with %q, a name of %q: a business of that vendor; the product decides", t.vendor, division(cp, t), cp.p.Vendor)}
	case !slices.Contains(cp.vendorKeys, t.vendorKey) && titleVendor(cp, t):
		vendorExact = false
		vcheck = Check{Part: "vendor", Rule: "title-vendor", Factor: factorTitleVendor,
			Why: fmt.Sprintf("vendor %q is named in the advisory's title %q before the product %q (under %q): a former owner or a partner in the name", t.vendor, cp.tokenOpts.Title, cp.p.Name, cp.p.Vendor)}
	case !slices.Contains(cp.vendorKeys, t.vendorKey) && coVendor(cp, t) != "":
		vendorExact = false
		vcheck = Check{Part: "vendor", Rule: "co-vendor", Factor: factorTitleVendor,
			Why: fmt.Sprintf("the advisory's title %q names vendor %q with %q (%q): a joint advisory of both; the product decides", cp.tokenOpts.Title, t.vendor, cp.p.Vendor, coVendor(cp, t))}
	case !slices.Contains(cp.vendorKeys, t.vendorKey):
		lead, ok := leadingWords(t, cp.p.Vendor)
		if !ok {
			return identity{}
		}
		vendorExact = false
		vcheck = Check{Part: "vendor", Rule: "short-form", Factor: factorVendorShort,
			Why: fmt.Sprintf("vendor %q is the first word of %q; several vendors share it, the product decides", t.vendor, lead)}
	case !vendorExact:
		vcheck = Check{Part: "vendor", Rule: "alias", Factor: factorVendorAlias,
			Why: fmt.Sprintf("vendor %q is %q: %s", t.vendor, cp.p.Vendor, t.how())}
	}
	best := identity{}
	offer := func(conf float64, rule, why string, line *product.Line) {
		if conf <= best.product {
			return
		}
		best = identity{ok: true, rule: RuleProduct, conf: conf * vcheck.Factor, product: conf, version: t.version, exact: vendorExact && conf == product.ConfExact, line: line,
			reason: vcheck.Why + "; " + why,
			checks: []Check{vcheck, {Part: "product", Rule: rule, Factor: conf, Why: why}}}
	}
	if mk := nameKey(t.model); mk != "" && slices.Contains(cp.models, mk) {
		offer(product.ConfExact, "model-number", fmt.Sprintf("model %q is a model number the advisory gives for %q", t.model, cp.p.Name), nil)
	}
	for _, n := range names {
		if r := t.matchName(n); r.OK {
			line := n.Line
			if r.Line != nil {
				line = r.Line
			}
			if slices.Contains(cp.slashNames, n.Text) && r.Conf > product.ConfListed {
				// One of the names an entry joins by " / ": as sure as a
				// name the advisory lists, not as an exact name.
				r.Conf, r.Rule, r.Why = product.ConfListed, "slash-name", fmt.Sprintf("%s; %q is one of the names %q joins by a slash", r.Why, n.Text, cp.p.Name)
			}
			if comp, ok := cp.components[n.Text]; ok {
				// The product with the component a range's condition
				// names: its version is the component's.
				conf := min(r.Conf, product.ConfListed)
				if conf > best.product {
					offer(conf, "component", fmt.Sprintf("%s (by %s); the range %q of %q names the component with its versions %s", r.Why, r.Rule, comp.src.Text, cp.p.Name, comp.r.Bounds()), line)
					best.component = &comp
				}
				continue
			}
			if slices.Contains(cp.formerNames, n.Text) {
				// The former name a range's condition gives: below an
				// exact name, and named so.
				r.Conf, r.Rule, r.Why = min(r.Conf, product.ConfGeneric), "former-name", fmt.Sprintf("%s (by %s); %q is the former name the advisory gives for %q", r.Why, r.Rule, n.Text, cp.p.Name)
			}
			if slices.Contains(cp.included, n.Text) {
				// A product the full name's parenthesis includes: as sure
				// as a name the advisory lists at most, and named so.
				r.Conf, r.Rule, r.Why = min(r.Conf, product.ConfListed), "included", fmt.Sprintf("%s (by %s); the full name %q includes %q", r.Why, r.Rule, cp.p.FullName, n.Text)
			}
			offer(r.Conf, r.Rule, r.Why, line)
		}
	}
	// No named rule: the token rules, below them all, compare words
	// ("ODA Drawings SDK" / "Drawings SDK", "X-STREAM XEXF" / "X-STREAM
	// enhanced XEXF", "UC-8112-LX" / "UC-8100 Series").
	if best.product == 0 {
		for _, n := range cp.names {
			if r := product.MatchTokens(n, t.model, cp.tokenOpts); r.OK {
				offer(r.Conf, r.Rule, r.Why, nil)
			}
		}
	}
	// Still none: the title's name of the advisory's one product ("Emerson
	// DeltaV" for "DeltaV DCS").
	if best.product == 0 && cp.soleName {
		if ok, why := titleName(cp, t.model); ok {
			offer(confTitleName, "title-name", why, nil)
		}
	}
	// Still none: a brand of the vendor alone for the one product line it
	// leads ("SiPass" of "SiPass integrated V2.85").
	if best.product == 0 {
		for _, n := range names {
			if r := t.brandLine(n); r.OK {
				offer(r.Conf, r.Rule, r.Why, n.Line)
			}
		}
	}
	// Still none: words weighted by how rare they are among product names
	// ("RSLinx Classic" / "RSLinx", "CareLink 2090" / "CareLink 2090
	// Programmer").
	if best.product == 0 {
		for _, n := range cp.names {
			if r := product.MatchWeighted(n, t.model, cp.tokenOpts); r.OK {
				offer(r.Conf, r.Rule, r.Why, nil)
			}
		}
	}
	// Still none: the model is the name and a model code after it, a
	// member of the family the name is ("GateManager 8250" of
	// "GateManager").
	if best.product == 0 {
		for _, n := range cp.names {
			if r := product.MatchModelCode(n, t.model); r.OK {
				offer(r.Conf, r.Rule, r.Why, nil)
			}
		}
	}
	// Still none: the model is the initials the advisory's text uses for
	// the product's name ("ISCV 3.1" of IntelliSpace Cardiovascular).
	if best.product == 0 {
		for _, ab := range cp.initials {
			if strings.TrimSpace(t.model) == ab {
				offer(product.ConfInitials, "initials", fmt.Sprintf("model %q is the initials the advisory writes for %q", t.model, cp.p.Name), nil)
			}
		}
	}
	// A model code written as the product's version ("Performance Series
	// NVRs" at product_version "HEN08104"): a device whose model is that
	// code is the product, every version of it (the advisory gives none),
	// below exact confidence — a version string could look like a code.
	if best.product < confModelInVersion && modelLike(cp.version) {
		if ok, conf, why := t.matchModel(cp.version); ok && conf >= product.ConfGeneric {
			offer(confModelInVersion, "model-in-version", fmt.Sprintf("the advisory writes the model code %q as the version of %q; %s", cp.version, cp.p.Name, why), nil)
			best.versionIsModel = true
		}
	}
	// A model on one major line ("CODESYS Control V2") matched by a name
	// that carries none, in an advisory whose title names only other
	// major lines ("… CODESYS Control V3 …"): another generation.
	if best.ok && best.line == nil && !best.versionIsModel && otherTitleLine(cp.tokenOpts.Title, t.modelLine()) {
		return identity{}
	}
	return best
}

var titleLineRE = regexp.MustCompile(`(?i)(?:^|[\s(])V(\d+)(?:\.\d+)*(?:$|[\s),:;])`)

// otherTitleLine reports whether the advisory's title names major lines
// ("V3") and none of them is the major of line ("2.3" → 2).
func otherTitleLine(title, line string) bool {
	if line == "" || title == "" {
		return false
	}
	major, _, _ := strings.Cut(line, ".")
	ms := titleLineRE.FindAllStringSubmatch(title, -1)
	if len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		if m[1] == major {
			return false
		}
	}
	return true
}

// factorTitleVendor is the vendor factor of a device whose vendor the
// advisory's title names before the product while the product tree files
// it under another vendor ("Hitachi ABB Power Grids eSOMS" under Hitachi
// Energy, for an ABB device).
const factorTitleVendor = 0.85

// titleVendor reports whether the advisory's title writes the target's
// vendor name as whole words, followed later by the product's name, and
// the product's vendor name is in the title too: the title names the
// product's vendor by a name that includes the target's ("Hitachi ABB
// Power Grids"), a former owner beside the new one.
func titleVendor(cp *cproduct, t *prepared) bool {
	title := product.Tokens(cp.tokenOpts.Title)
	vw := product.Tokens(t.vendor)
	nw := product.Tokens(cp.p.Name)
	if len(vw) == 0 || len(nw) == 0 || len(title) == 0 {
		return false
	}
	at := func(run []string, from int) int {
		for i := from; i+len(run) <= len(title); i++ {
			if slices.Equal(title[i:i+len(run)], run) {
				return i
			}
		}
		return -1
	}
	v := at(vw, 0)
	if v < 0 || at(nw, v+len(vw)) < 0 {
		return false
	}
	// The product's own vendor must be named there too, by its first word.
	pv := product.Tokens(cp.p.Vendor)
	return len(pv) > 0 && at(pv[:1], 0) >= 0 && at(pv[:1], 0) < at(nw, v+len(vw))
}

// coVendor returns the run of the title, after "<product vendor> and",
// that names the target's vendor ("Siemens and PKE …" for a PKE device),
// "" when there is none.
func coVendor(cp *cproduct, t *prepared) string {
	if t.vendors == nil {
		return ""
	}
	for _, run := range coVendorRuns(cp.tokenOpts.Title, cp.p.Vendor) {
		if t.vendors.Group(run) == t.vendorKey {
			return run
		}
	}
	return ""
}

// factorVendorRelated is the vendor factor of a device whose vendor owns,
// owned or belongs to the advisory product's vendor, or took over its
// product lines (vendor.SourceKnownOwner: "ABB" for B&R, "AVEVA" for
// Schneider Electric's CitectSCADA). Below the word rules' product
// confidence's reach (0.6 × 0.8 < DefaultMinConfidence): a related vendor
// needs a product a named rule matches.
const factorVendorRelated = 0.8

// related returns how the target's vendor and a vendor of cp are related
// by ownership (vendor.Table.Relation), "" when they are not.
func related(cp *cproduct, t *prepared) string {
	if t.vendors == nil {
		return ""
	}
	for _, g := range t.vendors.Related(t.vendorKey) {
		if slices.Contains(cp.vendorKeys, g) {
			return t.vendors.Relation(t.vendorKey, g)
		}
	}
	return ""
}

// division returns the leading words of the target's vendor when they
// are by themselves a name of the product's vendor and words follow them
// ("GE Healthcare" / "General Electric (GE)"): a business of that vendor
// the vendor table keeps apart. "" when not.
func division(cp *cproduct, t *prepared) string {
	if t.vendors == nil {
		return ""
	}
	ws := strings.Fields(t.vendor)
	for n := len(ws) - 1; n >= 1; n-- {
		lead := strings.Trim(strings.Join(ws[:n], " "), ",")
		if len(vendor.Key(lead)) < 2 || !t.vendors.Known(lead) {
			continue
		}
		if g := t.vendors.Group(lead); g != "" && g != t.vendorKey && slices.Contains(cp.vendorKeys, g) {
			return lead
		}
	}
	return ""
}

// confModelInVersion is the product confidence of a device whose model is
// the code an advisory writes as a product's version.
const confModelInVersion = 0.8

// modelLike reports whether a product_version reads as a model code rather
// than a version: one word of five characters or more, letters first, with
// digits, without dots ("HEN08104", "HEW4PER2B"; not "R3.09", "V2", "2014").
func modelLike(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 5 || strings.ContainsAny(v, ". \t") {
		return false
	}
	letters, digits := 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
			letters++
		case c >= '0' && c <= '9':
			digits++
		case c != '-':
			return false
		}
	}
	first := v[0] | 0x20
	second := v[1] | 0x20
	return letters >= 3 && digits >= 2 && first >= 'a' && first <= 'z' && second >= 'a' && second <= 'z'
}

// ownerOf returns the reading of cp's name as led by the target's vendor
// (by group, or by name when the vendor table knows neither), or nil.
func ownerOf(cp *cproduct, t *prepared) *owner {
	for i := range cp.owners {
		o := &cp.owners[i]
		if o.group != "" && o.group == t.vendorKey || o.key == t.vendorRaw {
			return o
		}
	}
	return nil
}

// sharedBrand returns the brand, quoted, through which the target's vendor
// meets the advisory product's vendor when the vendor table knows it as a
// brand several vendors sell under: the target's vendor is that brand and
// the product's vendor one of its owners ("Wonderware" / AVEVA), or the
// product's name or the target's model starts with it and both vendors own
// it ("AVEVA" / Schneider Electric's "Wonderware Historian Client"). "" when
// there is none.
func sharedBrand(cp *cproduct, t *prepared) string {
	if t.vendors == nil {
		return ""
	}
	owns := func(owners []string, g string) bool { return slices.Contains(owners, g) }
	productOwned := func(owners []string) bool {
		return slices.ContainsFunc(cp.vendorKeys, func(g string) bool { return owns(owners, g) })
	}
	// The brand as the vendor: the product's name must start with a brand
	// its vendor shares with the brand's owners ("Wonderware" / "InTouch
	// …"), not be any product of theirs ("Magelis …").
	if owners := t.vendors.SharedOwners(t.vendor); owners != nil && productOwned(owners) {
		if f := strings.Fields(cp.p.Name); len(f) >= 2 && slices.ContainsFunc(t.vendors.SharedOwners(f[0]), func(g string) bool { return owns(owners, g) }) {
			return strconv.Quote(t.vendor)
		}
		return ""
	}
	for _, s := range []string{cp.p.Name, t.model} {
		// The brand may be the whole name ("CitectSCADA"): the product
		// rules still compare it with the model.
		f := strings.Fields(s)
		if len(f) == 0 {
			continue
		}
		if owners := t.vendors.SharedOwners(f[0]); owners != nil && owns(owners, t.vendorKey) && productOwned(owners) {
			return strconv.Quote(f[0])
		}
	}
	return ""
}

// leadingWords reports whether the target's vendor, a name the vendor
// table does not know, is the first words of a part of the advisory's
// vendor name ("Delta" of "Delta Electronics"), and returns that part.
func leadingWords(t *prepared, advVendor string) (string, bool) {
	if t.vendors == nil || t.vendors.Known(t.vendor) {
		return "", false
	}
	// The vendor as written, or without the descriptor words of a business
	// ("Delta Industrial Automation" of Delta Electronics).
	var ks []string
	for _, k := range append([]string{vendor.Key(t.vendor)}, vendor.ShortForms(t.vendor)...) {
		if len(k) >= 3 {
			ks = append(ks, k)
		}
	}
	parts, _ := vendor.Parts(advVendor)
	for _, p := range parts {
		ws := strings.Fields(p)
		for n := 1; n < len(ws); n++ {
			if slices.Contains(ks, vendor.Key(strings.Join(ws[:n], " "))) {
				return p, true
			}
		}
	}
	return "", false
}

// Check is one comparison behind a match: of the vendor, the product, the
// version or the software, by which rule, with what factor (the match's
// confidence is their product) and why.
type Check struct {
	Part   string  `json:"part"` // vendor, product, version, software
	Rule   string  `json:"rule"`
	Factor float64 `json:"factor"`
	Why    string  `json:"why"`
}

// statement is what a product's version information says about a version.
type statement struct {
	applies bool
	status  advisory.Status
	spec    int
	factor  float64
	rng     string
	fixed   string
	notes   []string
	check   Check
	exact   bool // the version was compared with a range understood in full
	// caveat says in words that the version could not be compared.
	caveat string
}

// versionStatement evaluates the version information of product cp, whose
// status for vulnerability cve is status, for version ver.
func versionStatement(cp *cproduct, cve string, status advisory.Status, ver, sch string) statement {
	p := cp.p
	ver = strings.TrimSpace(ver)
	st := statement{status: status, factor: 1}
	cve = strings.ToUpper(cve)
	if len(cp.cves) > 0 && !slices.Contains(cp.cves, cve) {
		return st // the product's name says it is about other CVEs
	}
	if vs, ok := cp.cveVersions[cve]; ok && ver != "" && !slices.ContainsFunc(vs, func(x string) bool { return eq(ver, x, sch) }) {
		return st // the product's name says the CVE affects other versions only
	}
	if outsideCVEText(cp, cve, ver) {
		return st // rule cve-text: the vulnerability's own text bounds the product below ver
	}
	var ranges []crange
	for _, r := range cp.ranges {
		if r.r.AppliesTo(cve) {
			ranges = append(ranges, r)
		}
	}
	if len(cp.ranges) > 0 && len(ranges) == 0 {
		return st // "only affected by" other CVEs
	}
	all := cp.version == "" && len(p.Versions) == 0 && len(ranges) > 0
	for _, r := range ranges {
		if !r.r.Understood() || !r.r.All {
			all = false
		}
	}
	if cp.version == "" && len(p.Versions) == 0 && len(ranges) == 0 {
		all = true
	}
	if all {
		st.applies, st.spec, st.rng, st.exact = true, 1, "all versions", true
		if len(ranges) > 0 {
			st.rng = ranges[0].r.Text
			conditionsOf(&st, ranges[0].r)
		}
		st.check = Check{Part: "version", Rule: "all-versions", Factor: st.factor, Why: "the advisory states every version"}
		return st
	}
	if ver == "" {
		if status.Affected() {
			st.applies, st.spec, st.factor = true, 1, factorVersionUnknown
			st.notes = append(st.notes, "no version registered; the advisory limits the affected versions")
			st.caveat = "No firmware version is registered for the device, so it could not be compared with the affected versions."
			if len(ranges) > 0 {
				st.rng = ranges[0].r.Text
				conditionsOf(&st, ranges[0].r)
			} else {
				st.rng = "= " + cp.version
			}
			st.check = Check{Part: "version", Rule: checkVersionUnknown, Factor: st.factor, Why: st.notes[0]}
		}
		return st
	}
	if cp.version != "" {
		if eq(ver, cp.version, sch) {
			st.applies, st.spec, st.rng, st.exact = true, 3, "= "+cp.version, true
			st.check = Check{Part: "version", Rule: "exact", Factor: 1, Why: fmt.Sprintf("version %q is %q", ver, cp.version)}
		} else if sch == "" && !nearVersion(&st, ver, []string{cp.version}, p.FullName, cp.fixedFor(cve)) && status.Affected() && cp.soleEntry {
			earlierVersion(&st, ver, cp.version)
		}
		return st
	}
	for _, x := range p.Versions {
		if eq(ver, x, sch) {
			st.applies, st.spec, st.rng, st.exact = true, 3, "= "+x, true
			st.check = Check{Part: "version", Rule: "exact", Factor: 1, Why: fmt.Sprintf("version %q is %q", ver, x)}
			return st
		}
	}
	if sch == "" && len(p.Versions) > 0 && nearVersion(&st, ver, p.Versions, p.FullName, cp.fixedFor(cve)) {
		return st
	}
	found := false
	prose := -1
	for i := range ranges {
		r := &ranges[i]
		in, ok := contains(r.r, ver)
		if !ok {
			if prose < 0 {
				prose = i
			}
			continue
		}
		if !in {
			continue
		}
		spec := 2
		switch {
		case r.src.Exact != "":
			spec = 3
		case r.r.All:
			spec = 1
		}
		rs := rangeStatus(r.src, ver, status)
		// The most specific range wins; on a tie a not-affected statement
		// wins (CVE 5 lists unaffected versions inside affected ranges).
		if !found || spec > st.spec || spec == st.spec && rs.NotAffected() && !st.status.NotAffected() {
			st = statement{applies: true, status: rs, spec: spec, factor: 1, rng: r.r.Text, fixed: fixedVersion(r, ver), exact: true,
				check: Check{Part: "version", Rule: "range", Factor: 1, Why: fmt.Sprintf("version %q lies in %s", ver, r.r.Bounds())}}
			if r.line != "" {
				st.check.Why += fmt.Sprintf(" (rule release-lines: the bound read in its release line %s, the product's other entries bounding other lines)", r.line)
			}
			conditionsOf(&st, r.r)
			found = true
		}
	}
	if found {
		return st
	}
	if upTo(&st, ver, ranges, p.FullName, status) {
		return st
	}
	// A range that lists versions ("5.1 | 6.0 | 6.1", "= 2.2"): ver may be
	// one of them written otherwise (nearVersion).
	for i := range ranges {
		r := ranges[i].r
		if !r.Understood() || r.All || r.Scheme != vrange.SchemeVendor || len(r.Constraints) == 0 || len(r.Unchecked()) > 0 {
			continue
		}
		var xs []string
		for _, c := range r.Constraints {
			if c.Op != vrange.Eq {
				xs = nil
				break
			}
			xs = append(xs, c.Version)
		}
		if len(xs) > 0 && ver != "" {
			near := statement{status: rangeStatus(ranges[i].src, ver, status), factor: 1}
			if nearVersion(&near, ver, xs, p.FullName, cp.fixedFor(cve)) {
				return near
			}
		}
	}
	if prose >= 0 && status.Affected() {
		r := &ranges[prose]
		if in, ok, why := prefixCompare(r.r.Text, ver); ok {
			if !in {
				return st
			}
			return statement{applies: true, status: status, spec: 2, factor: factorPrefixCompared, rng: r.r.Text, notes: []string{why},
				check: Check{Part: "version", Rule: "prefix-compared", Factor: factorPrefixCompared, Why: why}}
		}
		why := fmt.Sprintf("the version range %q could not be read (%s)", r.r.Text, r.r.Unparsed)
		if r.r.Understood() {
			why = fmt.Sprintf("version %q cannot be compared with the range %q", ver, r.r.Text)
		}
		return statement{applies: true, status: status, spec: 1, factor: factorRangeProse, rng: r.r.Text,
			notes:  []string{why},
			caveat: fmt.Sprintf("The version could not be compared: %s. Check whether firmware %s is affected.", why, ver),
			check:  Check{Part: "version", Rule: checkUnparsed, Factor: factorRangeProse, Why: why}}
	}
	if p.DefaultStatus != "" && p.DefaultStatus != advisory.StatusUnknown {
		return statement{applies: true, status: p.DefaultStatus, spec: 0, factor: 1, rng: "default status",
			check: Check{Part: "version", Rule: "default-status", Factor: 1, Why: "the advisory's default status"}}
	}
	return st
}

// Version factors of the readings nearVersion makes.
const (
	// factorDecimal: a two-part version whose minor is written with a
	// trailing zero on one side ("2.20" / "2.2").
	factorDecimal = 0.9
	// factorListLine: a named version of two parts read as its release
	// line ("6.1" for 6.1.1).
	factorListLine = 0.8
	// factorEarlier: a build earlier than the one version the advisory
	// names, on its major line (earlierVersion).
	factorEarlier = 0.7
)

// buildRE matches a version of three numbers or more ("4.3.1.71").
var buildRE = regexp.MustCompile(`^\d+(?:\.\d+){2,}$`)

// earlierVersion applies an affected statement to ver when the product
// (the advisory's one entry of its name) names one version only, a build of three numbers or more ("SCADA:
// 4.3.1.71", the version the finder tested), and ver is an earlier build
// of the same major: the advisory gives no bound below it, so it cannot
// rule the earlier build out. Below exact confidence (factorEarlier); a
// later build, or another major, is not read so.
func earlierVersion(st *statement, ver, x string) bool {
	v, x := strings.TrimSpace(AlignVersion(ver)), strings.TrimSpace(AlignVersion(x))
	if !buildRE.MatchString(v) || !buildRE.MatchString(x) {
		return false
	}
	vs, xs := strings.Split(v, "."), strings.Split(x, ".")
	if vs[0] != xs[0] || version.CompareNumbers(vs, xs) >= 0 {
		return false
	}
	why := fmt.Sprintf("version %q is an earlier build of the major %s than %q, the one version the advisory names (no lower bound given)", ver, xs[0], x)
	*st = statement{applies: true, status: st.status, spec: 2, factor: factorEarlier, rng: "<= " + x, notes: []string{why},
		check: Check{Part: "version", Rule: "earlier-build", Factor: factorEarlier, Why: why}}
	return true
}

var (
	twoPartRE   = regexp.MustCompile(`^(\d+)\.(\d+)$`)
	linePatchRE = regexp.MustCompile(`^(\d+\.\d+)(\.\d+)+$`)
	// letterReleaseRE and letterPatchRE: a release named by a letter and
	// a number ("B.02", "C.03": Philips' PIC iX and Information Center
	// iX) and a patch of it ("C.03.06").
	letterReleaseRE = regexp.MustCompile(`^[A-Za-z]\.\d+$`)
	letterPatchRE   = regexp.MustCompile(`^([A-Za-z]\.\d+)(\.\d+)+$`)
)

// nearVersion applies the statement of a product's named versions (xs) to
// ver when ver is one of them written otherwise, below exact confidence:
// the same two-part version with a trailing zero on one side ("2.20" of
// "2.2": vendors write minors as decimals, and CSAF conversions drop the
// zero) when the product's full name (fullName) writes ver as the device
// does ("T4APP: 2.20"), for "1.10" is another version than "1.1" in most
// numberings; or a patch of a named two-part release ("6.1.1" of "5.1,
// 6.0, 6.1": a list of releases names their lines), also of a letter-led
// release ("C.03.06" of "B.02, C.02, C.03"), unless a vendor fix of the
// vulnerability names that patch (fixed: "… in PIC iX C.03.06"). It
// reports whether it did.
func nearVersion(st *statement, ver string, xs []string, fullName string, fixed []string) bool {
	v := strings.TrimSpace(AlignVersion(ver))
	for _, x := range xs {
		x = strings.TrimSpace(AlignVersion(x))
		if decimalSame(v, x) && namesVersion(fullName, v) {
			why := fmt.Sprintf("version %q is %q written with a trailing zero (the minor as a decimal)", ver, x)
			*st = statement{applies: true, status: st.status, spec: 2, factor: factorDecimal, rng: "= " + x, notes: []string{why},
				check: Check{Part: "version", Rule: "decimal", Factor: factorDecimal, Why: why}}
			return true
		}
	}
	for _, x := range xs {
		x = strings.TrimSpace(AlignVersion(x))
		if line := patchLine(v); line != "" && strings.EqualFold(line, x) && (twoPartRE.MatchString(x) || letterReleaseRE.MatchString(x)) &&
			!slices.ContainsFunc(fixed, func(f string) bool { return strings.EqualFold(f, v) }) {
			why := fmt.Sprintf("version %q is of the release %q the advisory names (a patch of that line)", ver, x)
			*st = statement{applies: true, status: st.status, spec: 2, factor: factorListLine, rng: x + ".x", notes: []string{why},
				check: Check{Part: "version", Rule: "release-line", Factor: factorListLine, Why: why}}
			return true
		}
	}
	return false
}

// fixedFor returns the patches a vendor fix names for vulnerability cve
// (fixedPatches).
func (cp *cproduct) fixedFor(cve string) []string {
	if cp.fixedPatches == nil {
		return nil
	}
	return append(slices.Clip(cp.fixedPatches[""]), cp.fixedPatches[cve]...)
}

// namesVersion reports whether name holds version v as a word of its own:
// not inside a longer number ("2.20" is not named by "12.20" or "2.201").
func namesVersion(name, v string) bool {
	for i := 0; ; {
		j := strings.Index(name[i:], v)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(v)
		if (j == 0 || !versionByte(name[j-1])) && (end == len(name) || !versionByte(name[end])) {
			return true
		}
		i = j + 1
	}
}

// versionByte reports whether c may be part of a version number.
func versionByte(c byte) bool { return c >= '0' && c <= '9' || c == '.' }

// decimalSame reports whether two two-part versions differ only by a
// trailing zero of the minor ("2.2" and "2.20", "2.7" and "2.70").
func decimalSame(a, b string) bool {
	ma, mb := twoPartRE.FindStringSubmatch(a), twoPartRE.FindStringSubmatch(b)
	if ma == nil || mb == nil || ma[1] != mb[1] || ma[2] == mb[2] {
		return false
	}
	return len(ma[2]) == 1 && mb[2] == ma[2]+"0" || len(mb[2]) == 1 && ma[2] == mb[2]+"0"
}

// conditionsOf lowers a statement's confidence to factorCondition for the
// conditions of a range that cannot be checked and names them.
func conditionsOf(st *statement, r vrange.Range) {
	var texts []string
	for _, c := range r.Unchecked() {
		if !formerlyRE.MatchString(c.Text) { // a former name, no condition (rule former-name)
			texts = append(texts, c.Text)
		}
	}
	if len(texts) == 0 {
		return
	}
	st.factor = min(st.factor, factorCondition)
	st.exact = false
	note := "condition not checked: " + strings.Join(texts, "; ")
	st.notes = append(st.notes, note)
	st.check.Factor = min(st.check.Factor, factorCondition)
	if st.check.Why != "" {
		st.check.Why += "; " + note
	}
}

func eq(a, b, sch string) bool {
	if sch != "" {
		if c, err := purl.CompareVersions(sch, a, b); err == nil {
			return c == 0
		}
	}
	return sameVersion(a, b)
}

// inLine reports whether version v belongs to a version line a product
// name carries ("V7.4": 7.4.x; "V5.X": 5.x; "V8.0 and earlier": up to the
// 8.0 line). ok is false when v is empty.
func inLine(v string, l *product.Line) (in, ok bool) {
	v = strings.TrimSpace(AlignVersion(v))
	if v == "" {
		return false, false
	}
	if l.Op == product.OpThrough {
		r := vrange.Range{Scheme: vrange.SchemeVendor, Constraints: []vrange.Constraint{{Op: vrange.Ge, Version: l.Version}, {Op: vrange.Le, Version: l.To}}}
		return r.Contains(v)
	}
	bound := strings.TrimSuffix(strings.TrimSuffix(l.Version, ".x"), ".X")
	op := vrange.Eq
	switch l.Op {
	case "<=":
		op = vrange.Le
	case "<":
		op = vrange.Lt
	}
	r := vrange.Range{Scheme: vrange.SchemeVendor, Constraints: []vrange.Constraint{{Op: op, Version: bound + ".x"}}}
	return r.Contains(v)
}

// inRelease reports whether version v is of a release ("2010 SP2" of
// 2010, "SE2022 MP1" of SE2022) and returns what follows the release.
// ok is false when v is empty.
func inRelease(v, release string) (rest string, in, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", false, false
	}
	if len(v) < len(release) || !strings.EqualFold(v[:len(release)], release) {
		return "", false, true
	}
	rest = v[len(release):]
	if rest != "" && isDigit(rest[0]) {
		return "", false, true // "20201" is no release 2020
	}
	return strings.TrimLeft(rest, " -_,:"), true, true
}

// factorReleaseBuild: a device version that is a build number compared
// with the versions of a release the model leaves out (releaseBuild).
const factorReleaseBuild = 0.8

// releaseYearRE matches a version written as a release ("2017 R1",
// "SE2021 MP1"), not as a build.
var releaseYearRE = regexp.MustCompile(`(?i)^[a-z]{0,2}(?:199\d|20[0-3]\d)\b`)

// releaseBuild reports whether ver, which does not start with release,
// is a build number to compare with the versions the product's entry of
// that release gives (rule release-build): "5.21.17" of "WIN-911 2021 R2"
// = 5.21.17, "V11.1" of "Siveillance VMS 2017 R1" < V11.1a, "76.5648"
// of "ClearSCADA 2015 R1" <= 76.5648. Not when ver names a release
// itself ("2017 R2"), when the release is written with letters (a model:
// "CEM Systems AC2000"), when the entry gives no bounded version (all
// versions of the release), or when its ranges name the release.
func releaseBuild(cp *cproduct, ver, release string) bool {
	ver = strings.TrimSpace(ver)
	if ver == "" || release == "" || !isDigit(release[0]) || releaseYearRE.MatchString(ver) || !strings.ContainsAny(ver, "0123456789") || rangesName(cp, release) {
		return false
	}
	if cp.version != "" {
		return true
	}
	for _, r := range cp.ranges {
		if r.r.Understood() && !r.r.All && len(r.r.Constraints) > 0 {
			return true
		}
	}
	return false
}

// rangesName reports whether a version range of the product names the
// release ("< SE2022MP1"): then the version is compared whole.
func rangesName(cp *cproduct, release string) bool {
	for _, r := range cp.ranges {
		if strings.Contains(strings.ToLower(r.r.Text), strings.ToLower(release)) {
			return true
		}
	}
	return false
}

// productIDs identifies the target against every product of the
// advisory (against the platform of a relationship product: the device is
// the platform, the statement is about its firmware). A device the
// advisory names exactly, or in a list, is that product: weaker readings
// of other product names (a model code, a pattern, a series) are dropped.
func productIDs(c *Compiled, t *prepared) []identity {
	ids := make([]identity, len(c.products))
	best := 0.0
	for i := range c.products {
		cp := &c.products[i]
		if cp.platform != nil && t.comp == nil {
			id := identify(cp.platform, t)
			if id.ok {
				plat := cp.platform.p.FullName
				if plat == "" {
					plat = strings.TrimSpace(cp.platform.p.Vendor + " " + cp.platform.p.Name)
				}
				id.reason += fmt.Sprintf("; %s %s", cp.p.Relationship, plat)
			}
			ids[i] = id
			continue
		}
		ids[i] = identify(cp, t)
		if ids[i].ok {
			best = max(best, ids[i].product)
		}
	}
	if best >= product.ConfBrandOmitted {
		for i := range ids {
			if ids[i].ok && ids[i].product < product.ConfGeneric && c.products[i].platform == nil {
				ids[i] = identity{}
			}
		}
	}
	return ids
}

// matchProducts evaluates the advisory's products that have a status for
// the vulnerability. A not-affected or fixed statement at least as specific
// as the best affected one suppresses the match.
func matchProducts(c *Compiled, v *cvuln, t *prepared, ids []identity) (candidate, bool) {
	var aff *candidate
	notAff := -1
	lineOf := func(id identity) string {
		if t.compiled != nil && t.compiled.Line != "" {
			return t.compiled.Line
		}
		return id.version
	}
	// The version lines the device is in ("Mendix 9 (V9.6)" at 9.6.11):
	// a product about a finer one eclipses one about a coarser line
	// ("Mendix 9"), as the vendor fixes each line on its own.
	var lines []string
	for i := range c.products {
		if _, ok := c.products[i].p.Status[v.key]; ok && ids[i].ok && ids[i].line != nil && ids[i].line.Op == "=" {
			if in, ok := inLine(lineOf(ids[i]), ids[i].line); ok && in {
				lines = append(lines, strings.ToLower(ids[i].line.Version))
			}
		}
	}
	coarser := func(l *product.Line) bool {
		if l == nil || l.Op != "=" {
			return false
		}
		return slices.ContainsFunc(lines, func(x string) bool { return strings.HasPrefix(x, strings.ToLower(l.Version)+".") })
	}
	for i := range c.products {
		cp := &c.products[i]
		status, ok := cp.p.Status[v.key]
		if !ok {
			continue
		}
		id := ids[i]
		plat := ""
		if cp.platform != nil && t.comp == nil {
			plat = cp.platform.p.FullName
			if plat == "" {
				plat = strings.TrimSpace(cp.platform.p.Vendor + " " + cp.platform.p.Name)
			}
		}
		if !id.ok || coarser(id.line) {
			continue
		}
		sch := id.scheme
		if sch == "" {
			sch = cp.scheme
		}
		// A version line in the product name ("WinCC V7.4") must hold for
		// the device: its model's version, else its firmware.
		lineFactor, lineNote, lineRule := 1.0, "", "line-unknown"
		var spanCheck *Check
		ver := id.version
		if id.line != nil && id.line.Op == product.OpRelease {
			// "Solid Edge SE2022" for a device "Solid Edge" at "SE2022
			// MP1", "SIMATIC WinAC RTX (F) 2010" at "2010 SP2".
			rest, in, ok := inRelease(ver, id.line.Version)
			switch {
			case ok && !in && releaseBuild(cp, ver, id.line.Version):
				// "WIN-911" at 5.21.17 for "WIN-911 2021 R2" = 5.21.17:
				// the version is compared with the release's own.
				lineFactor, lineRule = factorReleaseBuild, "release-build"
				lineNote = fmt.Sprintf("version %q is a build, not a release; compared with the versions the advisory gives release %s", ver, strings.ToUpper(id.line.Version))
			case ok && !in:
				continue
			case !ok:
				lineFactor = factorLineUnknown
				lineNote = fmt.Sprintf("the advisory is about release %s; the device's version is unknown", strings.ToUpper(id.line.Version))
			case rest != "" && !rangesName(cp, id.line.Version):
				ver = rest
			case rest == "" && !rangesName(cp, id.line.Version):
				// The version is the release itself ("Siveillance VMS"
				// at "2017 R2"): the build in it is unknown.
				ver = ""
			}
		} else if id.line != nil {
			lv := id.version
			if t.compiled != nil && t.compiled.Line != "" {
				lv = t.compiled.Line
			}
			in, ok := inLine(lv, id.line)
			switch {
			case ok && !in:
				continue
			case ok && id.line.Op == product.OpThrough:
				spanCheck = &Check{Part: "version", Rule: "range", Factor: 1,
					Why: fmt.Sprintf("version %q lies in %s through %s, the versions the product name gives", lv, id.line.Version, id.line.To)}
			case !ok:
				lineFactor = factorLineUnknown
				lineNote = fmt.Sprintf("the advisory is about version line V%s; the device's version is unknown", id.line.Version)
				if id.line.Op == product.OpThrough {
					lineNote = fmt.Sprintf("the advisory is about versions %s through %s; the device's version is unknown", id.line.Version, id.line.To)
				}
			}
		}
		scp := cp
		if id.versionIsModel {
			c := *cp
			c.version = ""
			scp = &c
		}
		if id.component != nil {
			c := *cp
			c.version, c.ranges = "", []crange{*id.component}
			scp = &c
		}
		st := versionStatement(scp, v.key, status, ver, sch)
		if lineRule == "release-build" && st.check.Rule != "exact" && st.check.Rule != "range" {
			// A build is read against the release's versions as
			// written only: 5.20.16 is no earlier build of 2021 R1's
			// 5.21.10, for the release names the line.
			continue
		}
		if !st.applies {
			// "Version 6.1 prior to 6.1.4" (> 6.1 | < 6.1.4) at 6.1.4:
			// the device's line is fixed, whatever a coarser range of
			// the same product ("< 6.3") says.
			if status.Affected() && lineFixed(scp, ver) {
				notAff = max(notAff, 3)
			}
			continue
		}
		if st.status.NotAffected() {
			notAff = max(notAff, st.spec)
			continue
		}
		if !st.status.Affected() {
			continue // under investigation, unknown
		}
		ev := Evidence{Rule: id.rule, Advisory: c.Name, Reason: id.reason, ProductID: cp.p.ID, Product: productName(cp.p), Platform: plat,
			Status: string(st.status), Range: st.rng, Version: id.version, Fixed: st.fixed, MatchedCPE: id.cpe, Caveat: st.caveat, TLP: c.Advisory.TLP}
		ev.Notes = append(ev.Notes, st.notes...)
		if lineNote != "" {
			ev.Notes = append(ev.Notes, lineNote)
		}
		ev.Checks = append(ev.Checks, id.checks...)
		if spanCheck != nil {
			ev.Checks = append(ev.Checks, *spanCheck)
		}
		if st.check.Part != "" {
			ev.Checks = append(ev.Checks, st.check)
		}
		if lineNote != "" {
			ev.Checks = append(ev.Checks, Check{Part: "version", Rule: lineRule, Factor: lineFactor, Why: lineNote})
		}
		// The version part counts once, at its weakest check: an unknown
		// version, an unchecked condition and an unknown line all say
		// the same thing (possibly affected), they do not multiply.
		conf := id.conf * min(st.factor, lineFactor)
		if sw := softwareCheck(c, t); sw != nil {
			if sw.Factor == 0 {
				continue
			}
			conf *= sw.Factor
			ev.Checks = append(ev.Checks, *sw)
		}
		// Confidence 1 only when vendor, product and version were all
		// compared exactly.
		if conf >= 1 && !(id.exact && st.exact && lineFactor == 1) {
			conf = 0.99
		}
		ev.Confidence = round2(conf)
		ev.Reason = summarize(ev)
		addRemedy(&ev, v.v, cp.p.ID)
		cd := candidate{ev: ev, spec: st.spec}
		if aff == nil || cd.ev.Confidence > aff.ev.Confidence || cd.ev.Confidence == aff.ev.Confidence && cd.spec > aff.spec {
			aff = &cd
		}
	}
	if aff == nil || notAff >= aff.spec {
		return candidate{}, false
	}
	return *aff, true
}

// summarize writes the checks of a match as one sentence: which rule
// matched each part, at what factor, and why.
func summarize(ev Evidence) string {
	if len(ev.Checks) == 0 {
		return ev.Reason
	}
	var parts []string
	for _, c := range ev.Checks {
		parts = append(parts, fmt.Sprintf("%s by %s (%.2f): %s", c.Part, c.Rule, c.Factor, c.Why))
	}
	return strings.Join(parts, "; ")
}

func productName(p *advisory.Product) string {
	if p.FullName != "" {
		return p.FullName
	}
	return strings.TrimSpace(p.Vendor + " " + p.Name)
}

// addRemedy copies the first vendor fix (else workaround or mitigation)
// that applies to product id (any product when id is empty).
func addRemedy(ev *Evidence, v *advisory.Vuln, id string) {
	for _, cat := range []string{"vendor_fix", "workaround", "mitigation", "no_fix_planned", "none_available"} {
		for _, r := range v.Remedies {
			if r.Category != cat || id != "" && len(r.ProductIDs) > 0 && !slices.Contains(r.ProductIDs, id) {
				continue
			}
			ev.Remedy = strings.TrimSpace(cat + ": " + firstLine(r.Details))
			ev.RemedyURL = r.URL
			return
		}
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return text.Truncate(s, 300)
}

// DefaultMinConfidence is the lowest confidence a match needs to be
// recorded when Options.MinConfidence is zero: a model of a named series
// ("RUT model routers", 0.5) still matches, and so does a named device
// without registered firmware when the advisory limits the versions
// (1.0 × 0.7, noted as such); a series model without firmware (0.35) does
// not.
const DefaultMinConfidence = 0.5

// mayMatchModel is a cheap necessary condition for product.MatchModel
// (advisory name a, device model m): when both carry numbers, one number
// must be common, unless the advisory names a wildcard pattern ("6XX") or a
// series ("DSM Series", "RUT model routers"). It skips most of the costly
// comparisons of a vendor's devices with the vendor's other products.
func mayMatchModel(a, m string) bool {
	var ra, rm [8]string
	na, nm := digitRuns(a, &ra), digitRuns(m, &rm)
	if na == 0 || nm == 0 {
		return true
	}
	for i := 0; i < na; i++ {
		for j := 0; j < nm; j++ {
			if ra[i] == rm[j] {
				return true
			}
		}
	}
	la := strings.ToLower(a)
	if strings.Contains(la, "series") || strings.Contains(la, "model") {
		return true
	}
	for i := 0; i+1 < len(la); i++ {
		if la[i] == 'x' && (i > 0 && isDigit(la[i-1]) || isDigit(la[i+1])) || isDigit(la[i]) && la[i+1] == 'x' {
			return true
		}
	}
	return false
}

// digitRuns stores up to len(out) runs of ASCII digits of s, without
// leading zeros, and returns how many. More runs than fit count as "many"
// and are not compared (the caller then compares the first ones only).
func digitRuns(s string, out *[8]string) int {
	n := 0
	for i := 0; i < len(s) && n < len(out); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		r := strings.TrimLeft(s[i:j], "0")
		if r == "" {
			r = "0"
		}
		out[n] = r
		n++
		i = j
	}
	return n
}

// confTitleName is the product confidence of rule title-name.
const confTitleName = 0.6

// titlePrefixRE matches the advisory id CISA writes before some titles
// ("ICSA-20-070-01_").
var titlePrefixRE = regexp.MustCompile(`(?i)^icsm?a-\d\d-\d{3}-\d\d[a-z]?_`)

// titleName reports whether the model is the advisory title's name of its
// one product: the title's words after the product vendor's words (the
// advisory id and "(Update X)" aside), plurals folded, are the model's
// words ("Emerson DeltaV" / "DeltaV DCS": model "DeltaV"; "Emerson DeltaV
// DCS Workstations" / "DeltaV": model "DeltaV DCS Workstation"), or the
// model begins those words and holds every word of the product's name
// ("LCDS LAquis SCADA LQS File Parsing" / "SCADA": model "LAquis SCADA").
func titleName(cp *cproduct, model string) (bool, string) {
	title := titleUpdateRE.ReplaceAllString(titlePrefixRE.ReplaceAllString(cp.tokenOpts.Title, ""), "")
	fold := func(ts []string) []string {
		out := make([]string, len(ts))
		for i, t := range ts {
			if len(t) > 3 && strings.HasSuffix(t, "s") && !strings.HasSuffix(t, "ss") {
				t = t[:len(t)-1]
			}
			out[i] = t
		}
		return out
	}
	tw, vw := fold(product.Tokens(title)), fold(product.Tokens(cp.p.Vendor))
	n := 0
	for n < len(tw) && n < len(vw) && tw[n] == vw[n] {
		n++
	}
	if n == 0 {
		return false, ""
	}
	phrase, mw, nw := tw[n:], fold(product.Tokens(model)), fold(product.Tokens(cp.p.Name))
	if len(mw) == 0 || len(phrase) < len(mw) || !slices.Equal(phrase[:len(mw)], mw) || !slices.ContainsFunc(mw, func(w string) bool { return slices.Contains(nw, w) }) {
		return false, ""
	}
	if len(mw) < len(phrase) && slices.ContainsFunc(nw, func(w string) bool { return !slices.Contains(mw, w) }) {
		return false, ""
	}
	return true, fmt.Sprintf("model %q is how the advisory's title %q names its one product %q", model, cp.tokenOpts.Title, cp.p.Name)
}
