// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"

	"vigil/internal/advisory"
	"vigil/internal/match/cpe"
	"vigil/internal/match/product"
	"vigil/internal/match/purl"
	"vigil/internal/match/vendor"
	"vigil/internal/match/version"
	"vigil/internal/match/vrange"
)

// Compiled is an advisory prepared for matching: CPEs, purls and vendor
// names parsed once. It is read-only and safe for concurrent use.
type Compiled struct {
	// Ref is the advisory's row id in the store (0 when not stored).
	Ref      int64
	Advisory *advisory.Advisory
	// Name is "source:id", e.g. "csaf:ICSA-24-074-05".
	Name string
	// URL is where to read the advisory.
	URL      string
	Keys     []string
	vulns    []cvuln
	products []cproduct
	vendors  *vendor.Table
	// tab holds the strings of the NVD configurations (shared by the
	// advisories of one full re-match).
	tab *strTable
	// software names the software the advisory is about (title, product
	// names, range conditions: "Fortinet NGFW" → FortiOS).
	software []string
}

type cvuln struct {
	v   *advisory.Vuln
	key string
	// confs, nodes and crits are the NVD configurations (nvdconf.go),
	// their strings in the advisory's string table.
	confs []cconf
	nodes []cnode
	crits []ccrit
	// keys are the keys of the configurations' vulnerable criteria
	// (cconf.kfirst; nil when each configuration holds its own in
	// cconf.key), cpeKeys the "cpe:vendor:product" keys of all criteria,
	// as indexes into the string table.
	keys, cpeKeys []uint32
	// and: a configuration requires a platform (AND of nodes).
	and bool
	// confArr and cpeArr hold confs and cpeKeys when they are that short
	// (settle): matching reads them for every candidate advisory, and
	// inside the vulnerability they cost no pointer to follow.
	confArr [2]cconf
	cpeArr  [3]uint32
}

// settle moves short confs and cpeKeys into v itself; v must be where it
// stays (a copy of v would point into v).
func (v *cvuln) settle() {
	if n := len(v.confs); n > 0 && n <= len(v.confArr) {
		copy(v.confArr[:], v.confs)
		v.confs = v.confArr[:n:n]
	}
	if n := len(v.cpeKeys); n > 0 && n <= len(v.cpeArr) {
		copy(v.cpeArr[:], v.cpeKeys)
		v.cpeKeys = v.cpeArr[:n:n]
	}
}

// compiledOne is a compiled advisory of one vulnerability in one
// allocation with it.
type compiledOne struct {
	c Compiled
	v [1]cvuln
}

type cproduct struct {
	p          *advisory.Product
	vendorKey  string   // the first vendor group
	vendorKeys []string // every vendor group of the (possibly compound) vendor name
	vendorRaw  []string // vendor.Key of each part, for exact comparison
	names      []string // names to compare a device model with
	compiled   []*product.Name
	// slashNames are the items of a name joined by " / " (also in
	// names): a match with one of them is rule slash-name, never exact.
	slashNames []string
	// included are the products the full name's parentheses include (also
	// in names): a match with one is rule included, never exact.
	included []string
	// components are the product's name with a component a range's
	// condition names ("CNCSoft ScreenEditor" of "<= 1.01.28 (with
	// ScreenEditor Version 1.01.2)"; also in names), each with the
	// component's versions: a match with one is rule component.
	components map[string]crange
	// owner is the vendor group a product name starts with when it is
	// not the branch's vendor ("Siemens SICAM 230" under WIBU-SYSTEMS AG,
	// "PEPPERL+FUCHS PACTware" under M&M Software); ownerNames are the
	// names without it.
	owners  []owner
	models  []string // compact model numbers and SKUs
	nameKey string   // compact name, for components
	// tokenOpts are the words the token rules (product.MatchTokens) may
	// drop from the head of a model: the vendor's words and initials, and
	// the advisory's title.
	tokenOpts product.TokenOptions
	// soleName: every product of the advisory has this product's name, so
	// the title names it (rule title-name).
	soleName bool
	// soleEntry: no other product of the advisory has this product's
	// name, so its one version is the only one the advisory names for it
	// (earlierVersion).
	soleEntry bool
	// initials are the abbreviations of the product's name the
	// advisory's text uses ("ISCV 3.1" of IntelliSpace Cardiovascular).
	initials []string
	cpes     []cpe.WFN
	purls    []packageurl.PackageURL
	platform *cproduct
	scheme   string // versioning scheme of ranges (purl type / OSV ecosystem), "" = vendor-tolerant
	ranges   []crange
	// version is the product's one exact version (p.Version) when it is
	// one: CISA also writes ranges ("vers:all/*", "6.8 | 6.9") and models
	// ("1783-SAD4T0SBK9") as product_version; those become ranges and
	// names.
	version string
	// cves are the vulnerabilities the full product name says the entry
	// is about ("… are affected by CVE-2020-14513", "(Impacted by
	// CVE-2020-6962 and CVE-2020-6965)"); empty: those its statuses give.
	cves []string
	// cveVersions are the only versions of the entry a vulnerability
	// affects, as the full product name says ("(CVE-2020-5806 only
	// affects Versions 6.10 6.11 and 6.20)").
	cveVersions map[string][]string
	// fixedPatches are the patches of a release the product lists that a
	// vendor fix of a vulnerability names ("C.03.06" of the listed
	// "C.03": "Philips released a remediation for CVE-2021-43548 … in PIC
	// iX C.03.06"), by the CVE the fix's sentence names ("" when it names
	// none): the release-line reading does not take them (nearVersion).
	fixedPatches map[string][]string
	// formerNames are the product's former names its ranges' conditions
	// give ("formerly known as InduSoft Web Studio"), names of it too.
	formerNames []string
	// cveBounds are the ranges a vulnerability's own text bounds the
	// product to, by CVE (rule cve-text, cveTextBounds).
	cveBounds map[string][]vrange.Range
}

// crange is one version range of a product with its interpretation.
type crange struct {
	src *advisory.VersionRange
	r   vrange.Range
	// line is the release line releaseLines read the bound in from the
	// product's other entries ("V2" of < V2.3.0), "" when none.
	line string
}

// Compile prepares advisory a (stored under row id ref) for matching.
// KEV entries and withdrawn advisories compile to nothing that matches:
// KEV names no versions, so it enriches matches of other sources instead.
//
// Vendor names are compared through vt (nil: the embedded table).
func Compile(ref int64, a *advisory.Advisory, vt *vendor.Table) *Compiled {
	c := compile(ref, a, vt, nil)
	c.tab.finish()
	return c
}

// compile is Compile with the strings of the criteria (CPE attributes,
// version bounds, vendor and product names, index keys) in string table in
// (nil: a table of the advisory's own, which the caller ends with done): a
// full re-match holds every advisory compiled at once, and their CPEs
// repeat the same vendors, products and bounds.
func compile(ref int64, a *advisory.Advisory, vt *vendor.Table, in *strTable) *Compiled {
	if vt == nil {
		vt = vendor.Embedded()
	}
	if in == nil {
		in = newStrTable()
	}
	var c *Compiled
	if len(a.Vulns) == 1 {
		one := &compiledOne{}
		c = &one.c
		c.vulns = one.v[:0:1]
	} else {
		c = &Compiled{vulns: make([]cvuln, 0, len(a.Vulns))}
	}
	c.Ref, c.Advisory, c.Name, c.URL, c.vendors, c.tab = ref, a, string(a.Source)+":"+a.ID, advisoryURL(a), vt, in
	if a.Source == advisory.SourceKEV || a.Withdrawn {
		return c
	}
	var keys []string
	vendorKeys := map[string]string{}
	vkey := func(v string) string {
		k, ok := vendorKeys[v]
		if !ok {
			k = vt.Group(v)
			vendorKeys[v] = k
		}
		return k
	}
	defer func() {
		slices.Sort(keys)
		c.Keys = slices.Clone(slices.Compact(keys)) // exact size: a full re-match holds them all
	}()
	for i := range a.Vulns {
		v := &a.Vulns[i]
		cv := cvuln{v: v, key: v.Key()}
		keys = compileConfigs(&cv, v.Configurations, vkey, in, keys)
		c.vulns = append(c.vulns, cv)
		c.vulns[len(c.vulns)-1].settle()
	}
	if a.Source == advisory.SourceNVD { // NVD products only restate the configurations
		return c
	}
	codes := productCodes(a)
	suite := titleSuite(a)
	for i := range a.Products {
		cp := compileProduct(&a.Products[i], vt, codes, a.Title, suite)
		c.products = append(c.products, cp)
		keys = append(keys, cp.keys(vt)...)
	}
	for i := range c.products {
		c.products[i].soleName = !slices.ContainsFunc(c.products, func(o cproduct) bool { return o.p.Name != c.products[i].p.Name })
		c.products[i].soleEntry = !slices.ContainsFunc(c.products, func(o cproduct) bool { return o.p != c.products[i].p && o.p.Name == c.products[i].p.Name })
	}
	for i := range c.products {
		c.products[i].fixedPatches = fixedPatches(a, &c.products[i])
		c.products[i].cveBounds = cveTextBounds(a, &c.products[i])
	}
	if abbrs := textInitials(a); len(abbrs) > 0 {
		for i := range c.products {
			for _, ab := range abbrs {
				if product.SpellsInitials(ab, c.products[i].p.Name) {
					c.products[i].initials = append(c.products[i].initials, ab)
				}
			}
		}
	}
	keys = append(keys, titleVendorKeys(vt, a.Title)...)
	for i := range c.products {
		for _, run := range coVendorRuns(a.Title, c.products[i].p.Vendor) {
			keys = append(keys, keyVendor+vt.Group(run))
		}
	}
	keys = append(keys, titleBrandKeys(vt, a.Title, c.products)...)
	releaseLines(c.products)
	c.software = advisorySoftware(a, c.products)
	return c
}

var (
	suiteRE       = regexp.MustCompile(`(?i)^(.*?\bsuite)\b`)
	titleUpdateRE = regexp.MustCompile(`(?i)\s*\(update [a-z]+\)\s*$`)
)

// titleSuite returns the suite the advisory's title names ("PHOENIX
// CONTACT Automation Worx Software Suite" → the title up to "Suite") when
// no product name of the advisory holds the suite's own words (then the
// products are its parts, and a device registered as the suite is one of
// them), else "".
func titleSuite(a *advisory.Advisory) string {
	m := suiteRE.FindStringSubmatch(titleUpdateRE.ReplaceAllString(a.Title, ""))
	if m == nil {
		return ""
	}
	var own []string
	for _, w := range strings.Fields(m[1]) {
		k := nameKey(w)
		if k == "" || k == "suite" || k == "software" || slices.ContainsFunc(a.Products, func(p advisory.Product) bool { return strings.Contains(nameKey(p.Vendor), k) }) {
			continue
		}
		own = append(own, k)
	}
	if len(own) == 0 {
		return ""
	}
	for i := range a.Products {
		name := nameKey(a.Products[i].Name)
		if !slices.ContainsFunc(own, func(k string) bool { return !strings.Contains(name, k) }) {
			return ""
		}
	}
	return m[1]
}

// productCodes returns the compact model codes of all product names of an
// advisory (for telling a family code from a model, product.NameOptions).
func productCodes(a *advisory.Advisory) map[string]bool {
	out := map[string]bool{}
	for i := range a.Products {
		for _, w := range strings.Fields(a.Products[i].Name) {
			if c := nameKey(w); len(c) >= 3 && strings.ContainsAny(c, "0123456789") {
				out[c] = true
			}
		}
	}
	return out
}

// releaseLines reads products that repeat one name with one upper bound
// each ("Relion 670 series: <= 1.2.3.18", "<= 2.0.0.11", "<= 2.1.0.1") as
// one bound per release line, as vrange does inside one range: the lowest
// covers everything below it, each other one starts at its line. The name
// is compared without its parenthesised qualifiers, which tell tracks or
// editions of one product apart ("Mendix SAML (Mendix 7 compatible)" < V1.17.0,
// "(Mendix 8 compatible)" < V2.3.0; "… (SW3PVC-CCPU)" <= 3.13P, "…
// (SW4PVC-CCPU)" <= 4.12N), and a bound's line is its shortest prefix that
// no lower bound shares ("V2" of V2.3.0 above V1.17.0, "V5.10" of
// V5.10.069 above V5.00.171), so a fixed version of one line never lies in
// another line's bound (rule release-lines, named in the range check).
func releaseLines(cps []cproduct) {
	groups := map[string][]int{}
	for i := range cps {
		cp := &cps[i]
		if len(cp.ranges) != 1 || cp.p.Relationship != "" {
			continue
		}
		r := cp.ranges[0].r
		if !r.Understood() || r.All || len(r.Constraints) != 1 || len(r.Conditions) > 0 ||
			r.Constraints[0].Op != vrange.Lt && r.Constraints[0].Op != vrange.Le {
			continue
		}
		name := nameQualifierRE.ReplaceAllStringFunc(cp.p.Family+" "+cp.p.Name, func(q string) string {
			if lineQualifierRE.MatchString(q) {
				return q // a version line ("(V8.6)"): another line of the product
			}
			return " "
		})
		name = strings.Join(strings.Fields(name), " ")
		k := cp.vendorKey + "\x00" + strings.ToLower(name) + "\x00" + statusKeys(cp.p)
		groups[k] = append(groups[k], i)
	}
	for _, idx := range groups {
		if len(idx) < 2 {
			continue
		}
		bound := func(i int) string { return cps[i].ranges[0].r.Constraints[0].Version }
		slices.SortStableFunc(idx, func(a, b int) int { return version.CompareStrings(bound(a), bound(b)) })
		if !slices.ContainsFunc(idx, func(i int) bool { return !plainBoundRE.MatchString(bound(i)) }) {
			// Bounds written as plain versions: each in its own line.
			if lines, ok := boundLines(cps, idx, bound); ok {
				for k, i := range idx {
					if k == 0 || lines[k] == "" {
						continue
					}
					cr := &cps[i].ranges[0]
					cr.r.Constraints = append([]vrange.Constraint{{Op: vrange.Ge, Version: lines[k]}}, cr.r.Constraints...)
					cr.line = lines[k]
				}
			}
			continue
		}
		lines := map[string]bool{}
		for _, i := range idx {
			lines[vrange.Line(bound(i))] = true
		}
		if len(lines) < len(idx) {
			continue // two bounds in one line: their union
		}
		for _, i := range idx[1:] {
			r := &cps[i].ranges[0].r
			if l := vrange.Line(bound(i)); l != "" {
				r.Constraints = append([]vrange.Constraint{{Op: vrange.Ge, Version: l}}, r.Constraints...)
			}
		}
	}
}

// boundLines returns the release line of each bound of a group of
// entries sorted by bound (bound(idx[k])): the lowest none, each other its
// shortest prefix no lower bound shares; false when two entries of one
// name bound one line (their union, not lines) or a bound opens its line.
func boundLines(cps []cproduct, idx []int, bound func(int) string) ([]string, bool) {
	lines := make([]string, len(idx))
	ok := true
	for k := 1; k < len(idx) && ok; k++ {
		comps := boundComponents(bound(idx[k]))
		shared, with := 0, -1
		for j := 0; j < k; j++ {
			if n := commonComponents(comps, boundComponents(bound(idx[j]))); n >= shared {
				shared, with = n, j
			}
		}
		switch {
		case shared+1 < len(comps):
			lines[k] = strings.Join(strings.Split(bound(idx[k]), ".")[:shared+1], ".")
		case cps[idx[with]].p.Name != cps[idx[k]].p.Name && lines[with] != "":
			// Two tracks' bounds in one line ("… New Track)" < V3.3.1,
			// "… Upgrade Track)" < V3.3.0): each covers that line.
			lines[k] = lines[with]
		default:
			ok = false // two bounds of one name in one line: their union
		}
		if ok && version.CompareStrings(lines[k], bound(idx[k])) >= 0 {
			// A bound that opens its line ("< 4.16.0" above "<= 4.9.7")
			// would cover nothing in it: no release lines.
			ok = false
		}
	}
	return lines, ok
}

// plainBoundRE matches a bound written as a plain version: numbers and
// letters joined by dots, "V" first or not ("V5.10.069", "4.12N").
var plainBoundRE = regexp.MustCompile(`^[vV]?\d+(?:\.[0-9A-Za-z]+)*$`)

// lineQualifierRE matches a parenthesised version line ("(V8.6)").
var lineQualifierRE = regexp.MustCompile(`^\(\s*[vV]?\d+(?:\.\d+)*\s*\)$`)

// nameQualifierRE matches a parenthesised qualifier of a product name.
var nameQualifierRE = regexp.MustCompile(`\([^()]*\)`)

// boundComponents splits a bound into its dot-separated parts, lower case,
// a leading "v" and leading zeros of numbers dropped ("V5.00.171" → 5 0
// 171).
func boundComponents(v string) []string {
	f := strings.Split(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "v"), ".")
	for i, c := range f {
		if t := strings.TrimLeft(c, "0"); c != "" && strings.Trim(c, "0123456789") == "" {
			if t == "" {
				t = "0"
			}
			f[i] = t
		}
	}
	return f
}

// commonComponents is the number of leading parts a and b share.
func commonComponents(a, b []string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// statusKeys lists the vulnerabilities a product's statuses name: bounds
// of one product name are release lines only when they answer the same
// vulnerabilities (two bounds for two different CVEs are two ranges).
func statusKeys(p *advisory.Product) string {
	ks := slices.Sorted(maps.Keys(p.Status))
	return strings.Join(ks, ",")
}

// slim drops from the compiled advisory what matching and evidence never
// read again (the configurations' source strings, descriptions, CWEs,
// references, scores: findings take those from the per-CVE enrichment;
// the publisher, record state, dates and vulnerabilities' titles), to keep
// a full in-memory index small. Only for advisories the engine decoded
// itself.
func (c *Compiled) slim() {
	a := c.Advisory
	a.URLs, a.Aliases, a.CVEs = nil, nil, nil
	a.Publisher, a.Version, a.Status, a.Published, a.Modified = "", "", "", time.Time{}, time.Time{}
	for i := range a.Vulns {
		v := &a.Vulns[i]
		v.Configurations, v.Description, v.CWEs, v.URLs, v.Title = nil, "", nil, nil, ""
		v.CVSS, v.KEV, v.EPSS, v.SSVC = nil, nil, nil, nil
	}
}

// keys returns the index keys of a product and its platform.
func (cp *cproduct) keys(vt *vendor.Table) []string {
	var keys []string
	for _, k := range cp.vendorKeys {
		keys = append(keys, keyVendor+k)
	}
	if cp.nameKey != "" {
		keys = append(keys, keyName+cp.nameKey)
	}
	// The vendors the product name starts with (rule product-vendor) and
	// the leading words of the branch's vendor (rule short-form: a device
	// of "Delta" meets Delta Electronics' advisories).
	for _, o := range cp.owners {
		if o.group != "" {
			keys = append(keys, keyVendor+o.group)
		} else if o.key != "" {
			keys = append(keys, keyVendor+o.key)
		}
	}
	parts, _ := vendor.Parts(cp.p.Vendor)
	for _, part := range parts {
		ws := strings.Fields(part)
		for n := 1; n < len(ws) && n <= 3; n++ {
			if lead := strings.Join(ws[:n], " "); len(vendor.Key(lead)) >= 3 {
				keys = append(keys, keyVendor+vt.Group(lead))
			}
		}
	}
	for _, w := range cp.cpes {
		if k, ok := cpeKey(w); ok {
			keys = append(keys, k, keyVendor+vt.Group(w.Vendor().Unquoted()))
			if n := nameKey(trimFirmware(w.Product().Unquoted())); n != "" {
				keys = append(keys, keyName+n)
			}
		}
	}
	for _, u := range cp.purls {
		keys = append(keys, keyPURL+purl.IdentityKey(u))
	}
	if cp.platform != nil {
		keys = append(keys, cp.platform.keys(vt)...)
	}
	return keys
}

// abbrevRE matches an abbreviation a vendor's name gives in parentheses:
// two to five capitals.
var abbrevRE = regexp.MustCompile(`^[A-Z]{2,5}$`)

// standaloneCapsRE matches a word of three to six capitals standing alone
// (not joined by a hyphen: "MELFA-Works" is a name, not initials).
var standaloneCapsRE = regexp.MustCompile(`(?:^|[^A-Za-z0-9-])([A-Z]{3,6})(?:$|[^A-Za-z0-9-])`)

// textInitials returns the words of three to six capitals the advisory's
// title, vulnerability descriptions and remediations write alone
// ("Philips is adding … to ISCV 3.1"): abbreviations a product name may
// go by (product.SpellsInitials decides which).
func textInitials(a *advisory.Advisory) []string {
	var out []string
	add := func(s string) {
		for _, m := range standaloneCapsRE.FindAllStringSubmatch(strings.ReplaceAll(s, " ", "  "), -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	add(a.Title)
	for i := range a.Vulns {
		add(a.Vulns[i].Description)
		for _, r := range a.Vulns[i].Remedies {
			add(r.Details)
		}
	}
	return out
}

// slashItemRE matches an item of a name joined by " / " that can name a
// product: a word of three letters or more in it ("CitectSCADA", "S615"
// has "S" and digits: a code, also taken; "1" of "Hawkeye 4 / 1" is not).
var slashItemRE = regexp.MustCompile(`[A-Za-z]{3}|[A-Za-z]+\d{2}`)

// vendorWords returns the token sequences of the names of a vendor group
// that product names may start with ("Mitsubishi Electric MELSEC …").
func vendorWords(vt *vendor.Table, raw string, groups []string) [][]string {
	var out [][]string
	add := func(s string) {
		if ts := product.Tokens(s); len(ts) > 0 {
			out = append(out, ts)
		}
	}
	parts, _ := vendor.Parts(raw)
	for _, p := range parts {
		add(p)
		if i := strings.IndexByte(p, '('); i > 0 {
			add(p[:i])
			// The abbreviation the vendor's name gives in parentheses
			// leads product names too ("BD Pyxis SupplyStation" of
			// "Becton, Dickinson and Company (BD)", "ALC WebCTRL" of
			// "Automated Logic Corporation (ALC)").
			if j := strings.IndexByte(p[i:], ')'); j > 0 && abbrevRE.MatchString(p[i+1:i+j]) {
				add(p[i+1 : i+j])
			}
		}
		// The first word alone when it names the vendor too ("FATEK
		// Communication Server" of FATEK Automation, "Delta WPLSoft").
		if ts := product.Tokens(p); len(ts) > 1 && len(ts[0]) >= 4 {
			// Its own group, or no group at all ("Delta" is Delta
			// Electronics' and Delta Controls' first word).
			if g := vt.Group(ts[0]); slices.Contains(groups, g) || g == ts[0] && slices.ContainsFunc(groups, func(k string) bool { return strings.HasPrefix(k, g) }) {
				out = append(out, ts[:1])
			}
		}
	}
	for _, g := range groups {
		add(vt.Display(g))
	}
	return out
}

// owner is a vendor a product name may start with when it is not the
// branch's vendor: its key, its group when the vendor table knows it, and
// the name without it.
type owner struct {
	key, group string
	name       *product.Name
}

// ownerLeads returns the readings of a product name's first one to three
// words as its own vendor, other than the branch's vendors ("Siemens SICAM
// 230" under WIBU-SYSTEMS AG, "PEPPERL+FUCHS PACTware" under M&M Software).
func ownerLeads(vt *vendor.Table, name string, branch []string, opts product.NameOptions) []owner {
	ws := strings.Fields(name)
	var out []owner
	for k := 1; k <= 3 && k < len(ws); k++ {
		lead := strings.Join(ws[:k], " ")
		key := vendor.Key(lead)
		if len(key) < 3 {
			continue
		}
		g := ""
		if vt.Known(lead) {
			g = vt.Group(lead)
		}
		if slices.Contains(branch, g) || slices.Contains(branch, key) {
			continue
		}
		o := opts
		o.Vendor = vendorWords(vt, lead, []string{g})
		out = append(out, owner{key: key, group: g, name: product.CompileName(strings.Join(ws[k:], " "), o)})
	}
	return out
}

// title is the advisory's title: it may spell out the abbreviations of
// product names ("JT Open Toolkit" for "JTTK").
func compileProduct(p *advisory.Product, vt *vendor.Table, codes map[string]bool, title, suite string) cproduct {
	cp := cproduct{p: p, vendorKeys: vt.Groups(p.Vendor), nameKey: nameKey(p.Name)}
	if len(cp.vendorKeys) > 0 {
		cp.vendorKey = cp.vendorKeys[0]
		if g := vt.Group(p.Vendor); slices.Contains(cp.vendorKeys, g) {
			cp.vendorKey = g
		}
	}
	parts, _ := vendor.Parts(p.Vendor)
	for _, part := range parts {
		cp.vendorRaw = append(cp.vendorRaw, vendor.Key(part))
	}
	var brands []string
	for _, g := range cp.vendorKeys {
		brands = append(brands, vt.Brands(g)...)
		brands = append(brands, vt.SharedBrands(g)...)
	}
	opts := product.NameOptions{Brands: brands, Vendor: vendorWords(vt, p.Vendor, cp.vendorKeys), Codes: codes, Title: title, Suite: suite}
	for i := range p.Ranges {
		r := &p.Ranges[i]
		cp.ranges = append(cp.ranges, crange{src: r, r: interpret(r, cp.scheme)})
	}
	cp.version = p.Version
	cp.cves, cp.cveVersions = nameCVEs(p.FullName)
	if v := strings.TrimSpace(p.Version); v != "" {
		// A product_version that is more than one version ("1.3 *": every
		// 1.3 revision; a model; a range) is read as a range.
		if r := vrange.Parse(v); len(r.Models()) > 0 || !(r.Understood() && len(r.Constraints) == 1 && r.Constraints[0].Op == vrange.Eq &&
			len(r.Conditions) == 0 && !strings.ContainsAny(r.Constraints[0].Version, "xX*")) {
			src := &advisory.VersionRange{Type: "text", Text: v}
			cp.ranges = append(cp.ranges, crange{src: src, r: r})
			cp.version = ""
		}
	}
	// A range that names models instead of versions ("DH-IPC-HDW1XXX",
	// "1783-SAD4T0SBK9") names the product too.
	var rangeModels []string
	for _, r := range cp.ranges {
		rangeModels = append(rangeModels, r.r.Models()...)
	}
	cp.names = append(cp.names, rangeModels...)
	if p.Name != "" {
		cp.names = append(cp.names, p.Name)
		// The full name narrows the product to models after a dash
		// ("MELSEC iQ-F Series - FX5U(C) CPU module: firmware …").
		if rest, ok := strings.CutPrefix(p.FullName, p.Name+" - "); ok {
			if i := strings.Index(rest, ":"); i >= 0 {
				rest = rest[:i]
			}
			if rest = strings.TrimSpace(rest); rest != "" && !strings.EqualFold(rest, p.Name) {
				cp.names = append(cp.names, rest)
			}
		}
		// Names joined by a slash between spaces are each a name of the
		// product ("SCADA Expert Vijeo Citect / CitectSCADA", "SCALANCE
		// M-800 / S615"): a renamed product under both names, or two
		// products under one entry.
		if parts := strings.Split(p.Name, " / "); len(parts) > 1 {
			for _, part := range parts {
				if part = strings.TrimSpace(part); slashItemRE.MatchString(part) {
					cp.names = append(cp.names, part)
					cp.slashNames = append(cp.slashNames, part)
				}
			}
		}
		// A product the full name's parenthesis includes is a name of it
		// too ("CompactLogix 5370 L3 controllers: (includes CompactLogix
		// GuardLogix controllers) …", "CENTUM CS 3000 (Including CENTUM CS
		// 3000 Entry Class)").
		for _, inc := range includedNames(p.FullName) {
			if !strings.EqualFold(inc, p.Name) && !slices.Contains(cp.names, inc) {
				cp.names = append(cp.names, inc)
				cp.included = append(cp.included, inc)
			}
		}
		// A component a range's condition names with its versions ("with
		// ScreenEditor Version 1.01.2", "with Wireless Battery Modules v9
		// | v11 …"): the product's name with the component's is a name of
		// it, compared with the component's versions.
		for _, cr := range cp.ranges {
			for _, cond := range cr.r.Conditions {
				name, r, ok := componentRange(p.Name, cond.Text, cr.r)
				if !ok || slices.Contains(cp.names, name) {
					continue
				}
				if cp.components == nil {
					cp.components = map[string]crange{}
				}
				cp.names = append(cp.names, name)
				cp.components[name] = crange{src: cr.src, r: r}
			}
		}
		if p.Family != "" && !strings.Contains(strings.ToLower(p.Name), strings.ToLower(p.Family)) {
			cp.names = append(cp.names, p.Family+" "+p.Name)
		}
		// A former name a range's condition gives (rule former-name:
		// "<= R2 (formerly known as InduSoft Web Studio)", "1.x (formerly
		// Power Manager)") is a name of the product.
		for _, cr := range cp.ranges {
			for _, cond := range cr.r.Conditions {
				if m := formerlyRE.FindStringSubmatch(cond.Text); m != nil {
					if name := strings.TrimSpace(m[1]); name != "" && !slices.Contains(cp.names, name) {
						cp.names = append(cp.names, name)
						cp.formerNames = append(cp.formerNames, name)
					}
				}
			}
		}
	}
	for _, n := range cp.names {
		cp.compiled = append(cp.compiled, product.CompileName(n, opts))
	}
	cp.owners = ownerLeads(vt, p.Name, cp.vendorKeys, opts)
	lead := append(slices.Clone(opts.Vendor), vendorInitials(p.Vendor)...)
	// The vendor's brands lead models as its names do ("Allen-Bradley
	// Micro870" of a Rockwell Automation device, "Micro800 family").
	for _, b := range brands {
		if t := product.Tokens(b); len(t) > 0 {
			lead = append(lead, t)
		}
	}
	cp.tokenOpts = product.TokenOptions{Lead: lead, Title: title}
	for _, m := range append(append([]string(nil), p.ModelNumbers...), p.SKUs...) {
		if k := nameKey(m); k != "" {
			cp.models = append(cp.models, k)
		}
	}
	for _, s := range p.CPEs {
		if w, err := cpe.Parse(s); err == nil {
			cp.cpes = append(cp.cpes, w)
		}
	}
	for _, s := range p.PURLs {
		if u, err := purl.Parse(s); err == nil {
			cp.purls = append(cp.purls, u)
			if cp.scheme == "" {
				cp.scheme = scheme(u.Type)
			}
		}
	}
	if cp.scheme == "" && p.Ecosystem != "" {
		cp.scheme = scheme(p.Ecosystem)
	}
	if cp.scheme != "" {
		for i := range cp.ranges {
			cp.ranges[i].r = interpret(cp.ranges[i].src, cp.scheme)
		}
	}
	if p.Platform != nil {
		pl := compileProduct(p.Platform, vt, codes, title, "")
		cp.platform = &pl
	}
	return cp
}

var (
	// cveIDRE matches a CVE id as advisories write it, a space after the
	// year's hyphen included ("CVE-2020- 6962").
	cveIDRE = regexp.MustCompile(`(?i)\bCVE-(\d{4})-\s?(\d{4,})\b`)
	// aboutCVERE matches the words by which a product name says which
	// vulnerabilities it is about.
	aboutCVERE = regexp.MustCompile(`(?i)\b(?:affected|impacted)\s+by\b|\bvulnerable\s+to\b`)
	// onlyAffectsRE matches "CVE-… only affects Versions 6.10 6.11 and
	// 6.20": the versions of the entry that vulnerability affects.
	onlyAffectsRE = regexp.MustCompile(`(?i)\b(CVE-\d{4}-\s?\d{4,})\s+only\s+affects\s+(?:versions?\s+)?((?:v?\d[\w.]*(?:\s*,\s*|\s+and\s+|\s+)?)+)`)
)

// nameCVEs reads the notes about vulnerabilities in a full product name
// (CSAF full_product_name, "CodeMeter: All versions prior to 6.81 are
// affected by CVE-2020-14513"): the vulnerabilities the entry is about, or
// for a vulnerability the only versions it affects. Names that merely
// mention a CVE say nothing.
func nameCVEs(full string) (cves []string, versions map[string][]string) {
	if !strings.Contains(strings.ToUpper(full), "CVE-") {
		return nil, nil
	}
	id := func(m []string) string { return "CVE-" + m[1] + "-" + m[2] }
	if m := onlyAffectsRE.FindStringSubmatch(full); m != nil {
		c := cveIDRE.FindStringSubmatch(m[1])
		var vs []string
		for _, f := range strings.FieldsFunc(m[2], func(r rune) bool { return r == ',' || r == ' ' }) {
			if f != "and" && f != "" {
				vs = append(vs, f)
			}
		}
		if c != nil && len(vs) > 0 {
			return nil, map[string][]string{id(c): vs}
		}
	}
	if !aboutCVERE.MatchString(full) {
		return nil, nil
	}
	for _, m := range cveIDRE.FindAllStringSubmatch(full, -1) {
		if c := id(m); !slices.Contains(cves, c) {
			cves = append(cves, c)
		}
	}
	return cves, nil
}

// vendorInitials returns the initials of each part of a vendor name of
// three words or more, legal forms aside ("Open Design Alliance" → "oda"),
// as one-word runs: a model may lead with them ("ODA Drawings SDK").
func vendorInitials(raw string) [][]string {
	var out [][]string
	parts, _ := vendor.Parts(raw)
	for _, p := range parts {
		ws := product.Tokens(p)
		if len(ws) < 3 {
			continue
		}
		var b strings.Builder
		for _, w := range ws {
			b.WriteByte(w[0])
		}
		if k := vendor.Key(p); k != "" && k != b.String() {
			out = append(out, []string{b.String()})
		}
	}
	return out
}

// titleBrandKeys returns the vendor keys of the title's runs of one to
// three words that end right before a product's name in the title, known
// as vendors or not: rule title-vendor takes a device vendor written so
// ("INNCOM" of "Honeywell INNCOM INNControl 3"), so the index must let such
// a device meet the advisory.
func titleBrandKeys(vt *vendor.Table, title string, products []cproduct) []string {
	tw := product.Tokens(title)
	var keys []string
	for _, cp := range products {
		nw := product.Tokens(cp.p.Name)
		if len(nw) == 0 {
			continue
		}
		for i := 1; i+len(nw) <= len(tw); i++ {
			if !slices.Equal(tw[i:i+len(nw)], nw) {
				continue
			}
			for n := 1; n <= 3 && n <= i; n++ {
				if g := vt.Group(strings.Join(tw[i-n:i], " ")); len(g) >= 2 {
					keys = append(keys, keyVendor+g)
				}
			}
		}
	}
	return keys
}

// coVendorRuns returns the runs of one to three words a joint advisory's
// title gives after "<vendor> and" ("Siemens and PKE Control Center
// Server": "PKE", "PKE Control", "PKE Control Center"), where <vendor> is
// the first word of the product's vendor: the title names a second vendor
// of the products (rule co-vendor).
func coVendorRuns(title, productVendor string) []string {
	pv := product.Tokens(productVendor)
	ws := product.Tokens(title)
	if len(pv) == 0 {
		return nil
	}
	var out []string
	for i := 0; i+2 < len(ws); i++ {
		if ws[i] != pv[0] || ws[i+1] != "and" {
			continue
		}
		for n := 1; n <= 3 && i+2+n <= len(ws); n++ {
			out = append(out, strings.Join(ws[i+2:i+2+n], " "))
		}
	}
	return out
}

// titleVendorKeys returns the vendor keys of the known vendor names among
// the title's runs of one to three words (rule title-vendor: "Hitachi ABB
// Power Grids eSOMS" names ABB).
func titleVendorKeys(vt *vendor.Table, title string) []string {
	var keys []string
	ws := strings.Fields(title)
	for i := range ws {
		for n := 1; n <= 3 && i+n <= len(ws); n++ {
			if run := strings.Trim(strings.Join(ws[i:i+n], " "), ",:;()"); len(vendor.Key(run)) >= 2 && vt.Known(run) {
				keys = append(keys, keyVendor+vt.Group(run))
			}
		}
	}
	return keys
}

// includedRe finds "(includes X)" and "(including X)" in a full product
// name (not Siemens' "(incl. SIPLUS variants)").
var includedRe = regexp.MustCompile(`(?i)\((?:includes|including)\s+([^()]+)\)`)

// includedNames returns the products a full name's parentheses include,
// each with a word of three letters or more ("(including)" after a bound
// names none).
func includedNames(full string) []string {
	var out []string
	for _, m := range includedRe.FindAllStringSubmatch(full, -1) {
		x := strings.TrimSpace(m[1])
		if strings.HasSuffix(strings.ToLower(x), "variants") || !hasWordOfLetters(x) {
			continue
		}
		out = append(out, x)
	}
	return out
}

// hasWordOfLetters reports whether s holds a word of three letters or more.
func hasWordOfLetters(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			n++
			if n >= 3 {
				return true
			}
		default:
			n = 0
		}
	}
	return false
}

// componentRE reads a range's condition that names a component and its
// versions: "with", one to four words of the component, "Version(s)" or
// not, then versions ("with ScreenEditor Version 1.01.2", "with Wireless
// Battery Module >= v22D19 | <= v22D28").
var componentRE = regexp.MustCompile(`(?i)^with\s+([A-Za-z][\w+-]*(?:\s+[A-Za-z][\w+-]*){0,3}?)\s+(?:versions?\s+)?((?:[<>]=?\s*)?v?\d[\w.]*(?:\s*\|\s*(?:[<>]=?\s*)?v?\d[\w.]*)*)$`)

// formerlyRE matches a former name in a range's condition ("formerly
// known as InduSoft Web Studio", "formerly Power Manager").
var formerlyRE = regexp.MustCompile(`(?i)^\(?\s*formerly\s+(?:known\s+as\s+|named\s+|called\s+)?([^()]+?)\s*\)?$`)

// componentRange returns the name of the product with the component a
// condition of range r names, and the component's versions: as written,
// or, for one version under a product's one upper bound ("<= 1.01.28 (with
// ScreenEditor Version 1.01.2)"), that version as the component's bound.
func componentRange(product, cond string, r vrange.Range) (string, vrange.Range, bool) {
	m := componentRE.FindStringSubmatch(strings.TrimSpace(cond))
	if m == nil || strings.EqualFold(m[1], "version") || strings.EqualFold(m[1], "versions") {
		return "", vrange.Range{}, false
	}
	cr := vrange.Parse(m[2])
	if !cr.Understood() || cr.All || len(cr.Conditions) > 0 {
		return "", vrange.Range{}, false
	}
	if cs := r.Constraints; len(cr.Constraints) == 1 && cr.Constraints[0].Op == vrange.Eq && len(cs) == 1 && (cs[0].Op == vrange.Lt || cs[0].Op == vrange.Le) {
		cr.Constraints = []vrange.Constraint{{Op: cs[0].Op, Version: cr.Constraints[0].Version}}
	}
	cr.Text = m[2]
	return product + " " + m[1], cr, true
}

// fixedPatches returns, by CVE, the patches of the releases cp lists
// ("C.03.06" of "C.03", "6.1.2" of "6.1") that the sentences of a's vendor
// fixes for cp name; a sentence that names CVEs counts for those only
// ("… a remediation for CVE-2021-43548 … in PIC iX C.03.06. Philips plans
// to remediate CVE-2021-43552 … by end of Q2 of 2023"), one that names
// none for every vulnerability (key ""). Nil when cp lists no release.
func fixedPatches(a *advisory.Advisory, cp *cproduct) map[string][]string {
	listed := listedReleases(cp)
	if len(listed) == 0 {
		return nil
	}
	var out map[string][]string
	for _, v := range a.Vulns {
		for _, r := range v.Remedies {
			if r.Category != "vendor_fix" || len(r.ProductIDs) > 0 && !slices.Contains(r.ProductIDs, cp.p.ID) {
				continue
			}
			for _, sentence := range strings.Split(strings.ReplaceAll(r.Details, "\n", ". "), ". ") {
				var patches []string
				for _, w := range strings.Fields(sentence) {
					w = strings.Trim(w, ".,;:()")
					if line := patchLine(w); line != "" && slices.ContainsFunc(listed, func(x string) bool { return strings.EqualFold(x, line) }) {
						patches = append(patches, w)
					}
				}
				if len(patches) == 0 {
					continue
				}
				keys := []string{""}
				if ids := cveIDRE.FindAllStringSubmatch(sentence, -1); len(ids) > 0 {
					keys = keys[:0]
					for _, m := range ids {
						keys = append(keys, "CVE-"+m[1]+"-"+m[2])
					}
				}
				if out == nil {
					out = map[string][]string{}
				}
				for _, k := range keys {
					for _, p := range patches {
						if !slices.Contains(out[k], p) {
							out[k] = append(out[k], p)
						}
					}
				}
			}
		}
	}
	return out
}

// listedReleases returns the releases cp names as exact versions that
// the release-line reading reads as lines: two-part ("6.1") or led by a
// letter ("C.03").
func listedReleases(cp *cproduct) []string {
	var out []string
	add := func(x string) {
		x = strings.TrimSpace(AlignVersion(x))
		if twoPartRE.MatchString(x) || letterReleaseRE.MatchString(x) {
			out = append(out, x)
		}
	}
	if cp.version != "" {
		add(cp.version)
	}
	for _, x := range cp.p.Versions {
		add(x)
	}
	for _, r := range cp.ranges {
		for _, c := range r.r.Constraints {
			if c.Op == vrange.Eq {
				add(c.Version)
			}
		}
	}
	return out
}

// patchLine returns the release a patch version is of ("6.1" of "6.1.2",
// "C.03" of "C.03.06"), "" when v is no patch.
func patchLine(v string) string {
	if m := linePatchRE.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	if m := letterPatchRE.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}
