// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vendor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"vigil/internal/match/product"
)

// Input is the advisory data Derive learns aliases from.
type Input struct {
	CSAF []Product   // products of CSAF product trees
	KEV  []Named     // KEV entries: vendorProject, product, cveID
	CPEs []CPEVendor // CPE vendor parts of NVD and CVE 5 records
	CVE5 []Named     // CVE 5 affected[] vendor and product
}

// Product is one product of a CSAF document.
type Product struct {
	Doc        string   // the advisory id
	Vendor     string   // the vendor branch name as written
	Name       string   // the product name
	CVEs       []string // vulnerabilities it has a status for
	CPEVendors []string // vendor parts of its identification helper CPEs
}

// Named is a vendor and product a record names for a CVE.
type Named struct {
	CVE, Vendor, Product string
	CPEVendors           []string // CVE 5: vendor parts of the entry's CPEs
}

// CPEVendor is a CPE vendor and product a record (NVD, CVE 5) gives a CVE.
type CPEVendor struct {
	CVE, Vendor, Product, Source string // Source: SourceNVD or SourceCVE5
}

// use is how often a word leads the product names of one vendor group.
type use struct {
	products map[string]bool
	docs     map[string]bool
	next     map[string]bool
	spelling string
}

// sharedBrand returns the aliases of a brand whose products appear under
// several vendor groups — a product line that changed hands ("Wonderware",
// "InTouch" and "InduSoft" under Schneider Electric Software and under
// AVEVA): one word, written like a name, no vendor name of its own, leading
// product names of each group in two advisories or more and three products
// or more in all. The brand names each of those groups (SourceSharedBrand);
// it joins none of them, so the groups stay apart.
func sharedBrand(d *dsu, wk string, groups map[string]*use) []Alias {
	if strings.Contains(wk, " ") {
		return nil
	}
	if _, ok := d.names[wk]; ok {
		return nil
	}
	var owners []string
	products := map[string]bool{}
	spelling := ""
	for _, g := range sortedKeys(groups) {
		u := groups[g]
		if len(u.docs) < 2 || !capitalisedWord(u.spelling) && !distinctive(u.spelling) {
			continue
		}
		owners = append(owners, g)
		for p := range u.products {
			products[p] = true
		}
		spelling = u.spelling
	}
	if len(owners) < 2 || len(products) < 3 {
		return nil
	}
	var out []Alias
	for _, g := range owners {
		var others []string
		for _, o := range owners {
			if o != g {
				others = append(others, o)
			}
		}
		u := groups[g]
		note := fmt.Sprintf("%d products in %d advisories; also under %s", len(u.products), len(u.docs), strings.Join(others, ", "))
		out = append(out, Alias{Vendor: g, Alias: spelling, Source: SourceSharedBrand, Note: note})
	}
	return out
}

// dsu is a union-find over vendor keys with the evidence of each link.
type dsu struct {
	parent map[string]string
	names  map[string]map[string]int // key → spellings → count
	links  map[string]Alias          // key → how it joined (first link wins)
}

func newDSU() *dsu {
	return &dsu{parent: map[string]string{}, names: map[string]map[string]int{}, links: map[string]Alias{}}
}

func (d *dsu) find(k string) string {
	p, ok := d.parent[k]
	if !ok {
		d.parent[k] = k
		return k
	}
	if p == k {
		return k
	}
	r := d.find(p)
	d.parent[k] = r
	return r
}

// name records a spelling of a vendor.
func (d *dsu) name(spelling string, weight int) string {
	k := Key(spelling)
	if k == "" {
		return ""
	}
	d.find(k)
	if d.names[k] == nil {
		d.names[k] = map[string]int{}
	}
	d.names[k][strings.TrimSpace(spelling)] += weight
	return k
}

// union joins the group of alias into the group of owner.
func (d *dsu) union(owner, alias string, how Alias) {
	a, b := d.find(owner), d.find(alias)
	if a == "" || b == "" || a == b {
		return
	}
	d.parent[b] = a
	if _, ok := d.links[alias]; !ok {
		d.links[alias] = how
	}
}

var genericBrandRE = regexp.MustCompile(`^(network|web|smart|industrial|digital|remote|power|control|data|security|management|system|series|the|all|multiple|embedded|wireless|ethernet|controller|module|application|server|client|engineering|software|firmware|hardware|device|open|unified|advanced|integrated|cloud|mobile|video|process|safety|energy|battery|field|building|patient|medical|infusion|tcp|ip|opc|bacnet|modbus|universal|automation|communication|communications|interface|operator|station|panel|gateway|monitor|monitoring|access|central|enterprise|industrial|intelligent|portable|protection|controllers|products|product|version|versions|models|model|devices|and|for|with|other|various|several|some|affected|legacy|standard|basic|professional|compact|micro|mini|plus|pro|new|old|global|home|central|manager|system|systems|suite|tool|tools|studio|configurator|configuration|designer|editor|viewer|builder|runtime|library|sdk|kit|driver|service|services|connect|link|net|hmi|plc|rtu|ups|pdu|cpu|io|i|o|e|x|v|r|s|ii|iii)$`)

// Derive learns vendor aliases from advisory data (see the package
// comment). The result is sorted by vendor and alias, one line per
// alias, the vendor's own display name first with source "name".
func Derive(in Input) []Alias {
	d := newDSU()
	byCVE := map[string][]Product{}
	counted := map[[2]string]bool{} // (doc, vendor): a name counts once per advisory
	for _, p := range in.CSAF {
		parts, rel := Parts(p.Vendor)
		var keys []string
		for _, part := range parts {
			w := 0
			if !counted[[2]string{p.Doc, part}] {
				counted[[2]string{p.Doc, part}] = true
				w = 1
			}
			if k := d.name(part, w); k != "" {
				keys = append(keys, k)
			}
		}
		if rel == Owned && len(keys) > 1 {
			owner := keys[len(keys)-1]
			for i, k := range keys[:len(keys)-1] {
				d.union(owner, k, Alias{Alias: parts[i], Source: SourceCompound, Note: p.Doc})
			}
		}
		for _, cv := range p.CPEVendors {
			if k := d.name(cv, 0); k != "" && len(keys) > 0 {
				d.union(keys[len(keys)-1], k, Alias{Alias: cv, Source: SourceCPE, Note: p.Doc})
			}
		}
		for _, c := range p.CVEs {
			byCVE[c] = append(byCVE[c], p)
		}
	}
	// Abbreviations and former names in parentheses.
	for k, spellings := range d.names {
		for s := range spellings {
			if abbr, former := abbreviation(s); abbr != "" && (former || len(abbr) <= 8) {
				if ak := d.name(abbr, 0); ak != "" {
					note := "abbreviation"
					if former {
						note = "former name"
					}
					d.union(k, ak, Alias{Alias: abbr, Source: SourceParenthesis, Note: note})
				}
			}
		}
	}
	// Records about the same CVE and products: KEV, CVE 5, NVD.
	correlate := func(cve, vendor, prod, source string) {
		vk := Key(vendor)
		if vk == "" {
			return
		}
		for _, p := range byCVE[cve] {
			parts, _ := Parts(p.Vendor)
			for _, part := range parts {
				pk := Key(part)
				if pk == "" {
					continue
				}
				if keysAgree(vk, pk) || productsAgree(prod, p.Name) && weight(d, vk) <= 1 {
					d.name(vendor, 0)
					d.union(pk, vk, Alias{Alias: vendor, Source: source, Note: cve})
				}
			}
		}
	}
	kevVendor := map[string]bool{}
	for _, e := range in.KEV {
		parts, _ := Parts(e.Vendor)
		for _, part := range parts {
			kevVendor[Key(part)] = true
		}
		for _, part := range parts {
			d.name(part, 1)
			correlate(e.CVE, part, e.Product, SourceKEV)
		}
	}
	for _, e := range in.CVE5 {
		if Key(e.Vendor) == "" || strings.EqualFold(e.Vendor, "n/a") {
			continue
		}
		d.name(e.Vendor, 0)
		for _, cv := range e.CPEVendors {
			d.name(cv, 0)
			d.union(Key(e.Vendor), Key(cv), Alias{Alias: cv, Source: SourceCVE5, Note: e.CVE})
		}
		correlate(e.CVE, e.Vendor, e.Product, SourceCVE5)
	}
	for _, e := range in.CPEs {
		correlate(e.CVE, e.Vendor, strings.ReplaceAll(e.Product, "_", " "), e.Source)
	}
	// Short forms that are another vendor name join it ("Schneider Electric
	// Software" → "Schneider Electric").
	keys := sortedKeys(d.names)
	for _, k := range keys {
		for s := range d.names[k] {
			for _, f := range shortForms(s) {
				if _, ok := d.names[f]; ok {
					d.union(f, k, Alias{Alias: s, Source: SourceDescriptor, Note: "short form " + f})
				}
			}
		}
	}
	// Brands: words the product names of one vendor start with, in several
	// documents, that no other vendor's products start with.
	brandUse := map[string]map[string]*use{} // word key → group → use
	for _, p := range in.CSAF {
		parts, _ := Parts(p.Vendor)
		if len(parts) == 0 {
			continue
		}
		f := strings.Fields(fixMojibake(p.Name))
		if len(f) < 2 {
			continue
		}
		w := strings.Trim(f[0], ",:;()")
		wk := strings.Join(product.Tokens(w), "")
		if len(wk) < 3 || strings.ContainsAny(wk, "0123456789") || genericBrandRE.MatchString(wk) {
			continue
		}
		g := d.find(Key(parts[len(parts)-1]))
		if g == "" || wk == g {
			continue
		}
		if brandUse[wk] == nil {
			brandUse[wk] = map[string]*use{}
		}
		u := brandUse[wk][g]
		if u == nil {
			u = &use{products: map[string]bool{}, docs: map[string]bool{}, next: map[string]bool{}, spelling: w}
			brandUse[wk][g] = u
		}
		u.products[strings.ToLower(p.Name)] = true
		u.docs[p.Doc] = true
		u.next[strings.ToLower(f[1])] = true
		// Two capitalised words may be one brand ("American Dynamics
		// victor Web Client", "Software House C•CURE 9000"): counted as
		// their own lead, kept when the first word never leads without the
		// second.
		if w2 := strings.Trim(f[1], ",:;()"); len(f) >= 3 && capitalisedWord(w) && capitalisedWord(w2) && !genericBrandRE.MatchString(strings.ToLower(w2)) {
			k2 := wk + " " + strings.Join(product.Tokens(w2), "")
			if brandUse[k2] == nil {
				brandUse[k2] = map[string]*use{}
			}
			u2 := brandUse[k2][g]
			if u2 == nil {
				u2 = &use{products: map[string]bool{}, docs: map[string]bool{}, next: map[string]bool{}, spelling: w + " " + w2}
				brandUse[k2][g] = u2
			}
			u2.products[strings.ToLower(p.Name)] = true
			u2.docs[p.Doc] = true
			u2.next[strings.ToLower(f[2])] = true
		}
	}
	var brands []Alias
	for _, wk := range sortedKeys(brandUse) {
		groups := brandUse[wk]
		if len(groups) > 1 {
			brands = append(brands, sharedBrand(d, wk, groups)...)
			continue
		}
		for g, u := range groups {
			if len(u.products) < 3 || len(u.docs) < 2 {
				continue
			}
			note := fmt.Sprintf("%d products in %d advisories", len(u.products), len(u.docs))
			// A brand names the vendor when it is written like a brand
			// (SIMATIC, FactoryTalk, Allen-Bradley, LOGO!) or starts many
			// different products in many advisories (Modicon); other
			// leading words only name product lines.
			brand := distinctive(u.spelling) || len(u.docs) >= 5 && len(u.next) >= 3
			first, second, two := strings.Cut(wk, " ")
			if two {
				// A brand of two words names the vendor when its first
				// word never leads without the second.
				one := brandUse[first][g]
				if one == nil || len(one.next) != 1 || len(one.products) != len(u.products) {
					continue
				}
				brand = true
				wk = first + second
			} else if two := brandUse[wk+" "+onlyKey(u.next)][g]; len(u.next) == 1 && two != nil && len(two.products) == len(u.products) && !distinctive(u.spelling) {
				continue // the first word of a two-word brand
			}
			src := SourceProductLine
			if brand {
				src = SourceBrand
			}
			if _, ok := d.names[wk]; ok && d.find(wk) != g {
				// A vendor of its own whose products appear under g.
				if brand && !kevVendor[wk] {
					d.union(g, wk, Alias{Alias: u.spelling, Source: SourceBrand, Note: note})
				}
				continue
			}
			if d.find(wk) == g && wk != g {
				continue
			}
			brands = append(brands, Alias{Vendor: g, Alias: u.spelling, Source: src, Note: note})
		}
	}
	// "<Brand> by <Vendor> …" ("Eurotherm by Schneider Electric GUIcon"):
	// the product name itself says whose brand it is.
	for _, p := range in.CSAF {
		m := byBrandRE.FindStringSubmatch(fixMojibake(p.Name))
		if m == nil {
			continue
		}
		bk := Key(m[1])
		rest := strings.Fields(m[2])
		g := ""
		for n := min(4, len(rest)); n >= 1 && g == ""; n-- {
			if k := Key(strings.Join(rest[:n], " ")); k != "" {
				if _, ok := d.names[k]; ok {
					g = d.find(k)
				}
			}
		}
		parts, _ := Parts(p.Vendor)
		if g == "" || len(bk) < 3 || genericBrandRE.MatchString(bk) || !slices.ContainsFunc(parts, func(v string) bool { return d.find(Key(v)) == g }) {
			continue
		}
		note := fmt.Sprintf("%q (%s)", p.Name, p.Doc)
		if _, ok := d.names[bk]; ok && d.find(bk) != g {
			if !kevVendor[bk] {
				d.union(g, bk, Alias{Alias: m[1], Source: SourceBrand, Note: note})
			}
			continue
		}
		if !slices.ContainsFunc(brands, func(a Alias) bool { return Key(a.Alias) == bk }) {
			brands = append(brands, Alias{Vendor: g, Alias: m[1], Source: SourceBrand, Note: note})
		}
	}
	// Group the keys.
	groups := map[string][]string{}
	for _, k := range sortedKeys(d.names) {
		r := d.find(k)
		groups[r] = append(groups[r], k)
	}
	// Unique short forms and initials.
	shortOwner := map[string][]string{}
	shortCaps := map[string]bool{} // written in capitals ("HMS Networks"): a name, however short
	initOwner := map[string][]string{}
	for r, ks := range groups {
		seen := map[string]bool{}
		seenI := map[string]bool{}
		for _, k := range ks {
			for s := range d.names[k] {
				if fs := shortForms(s); len(fs) > 0 {
					f := fs[len(fs)-1]
					if w := strings.Fields(s)[0]; len(w) == len(f) && w == strings.ToUpper(w) {
						shortCaps[f] = true
					}
					if !seen[f] {
						seen[f] = true
						shortOwner[f] = append(shortOwner[f], r)
					}
				}
				if i := initials(s); i != "" && !seenI[i] {
					seenI[i] = true
					initOwner[i] = append(initOwner[i], r)
				}
			}
		}
	}
	var out []Alias
	for _, r := range sortedKeys(groups) {
		ks := groups[r]
		display := displayName(d, ks)
		out = append(out, Alias{Vendor: display, Alias: display, Source: SourceName, Note: countNote(d, ks)})
		have := map[string]bool{Key(display): true}
		emit := func(a Alias) {
			k := Key(a.Alias)
			if k == "" || have[k] {
				return
			}
			have[k] = true
			a.Vendor = display
			out = append(out, a)
		}
		for _, k := range ks {
			for _, s := range sortedKeys(d.names[k]) {
				src, note := SourceName, ""
				if l, ok := d.links[k]; ok {
					src, note = l.Source, l.Note
				}
				emit(Alias{Alias: s, Source: src, Note: note})
				emit(translit(s))
			}
		}
		for f, owners := range shortOwner {
			if len(owners) == 1 && owners[0] == r && (len(f) >= 4 || len(f) == 3 && shortCaps[f]) {
				if _, taken := d.names[f]; !taken {
					emit(Alias{Alias: f, Source: SourceDescriptor})
				}
			}
		}
		for i, owners := range initOwner {
			if len(owners) == 1 && owners[0] == r && !have[i] {
				if _, taken := d.names[i]; !taken && !prefixOfName(d, i) {
					emit(Alias{Alias: strings.ToUpper(i), Source: SourceInitials})
				}
			}
		}
		for _, b := range brands {
			if d.find(b.Vendor) == r {
				emit(b)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Alias) int {
		if c := strings.Compare(strings.ToLower(a.Vendor), strings.ToLower(b.Vendor)); c != 0 {
			return c
		}
		if (a.Source == sourceDisplayFirst && a.Alias == a.Vendor) != (b.Source == sourceDisplayFirst && b.Alias == b.Vendor) {
			if a.Alias == a.Vendor {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Alias, b.Alias)
	})
	return out
}

// weight returns how often the data names a vendor key on its own (CSAF
// products, KEV entries): a vendor with a record of its own is not merged
// into another because one CVE touches both (Cisco IOS XE in a Rockwell
// switch).
func weight(d *dsu, k string) int {
	n := 0
	for _, c := range d.names[k] {
		n += c
	}
	return n
}

// keysAgree reports whether two vendor keys plausibly name one vendor:
// equal, or one is the other with words added ("paloaltonetworks",
// "paloalto").
func keysAgree(a, b string) bool {
	if len(a) < 3 || len(b) < 3 {
		return a == b
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// productsAgree reports whether a record's product name and a CSAF
// product name share a distinctive word of four or more characters.
func productsAgree(a, b string) bool {
	ta, tb := product.Tokens(a), strings.Join(product.Tokens(b), " ")
	for _, t := range ta {
		if len(t) >= 4 && !genericBrandRE.MatchString(t) && strings.Contains(tb, t) {
			return true
		}
	}
	return false
}

// translit returns the spelling of a name with umlauts dropped
// ("Geutebrück" → "Geutebruck"; the key writes them out, "Geutebrueck");
// the zero Alias when there is none.
func translit(s string) Alias {
	s = fixMojibake(s)
	r := strings.NewReplacer("ü", "u", "ö", "o", "ä", "a", "Ü", "U", "Ö", "O", "Ä", "A").Replace(s)
	if r == s || Key(r) == Key(s) {
		return Alias{}
	}
	return Alias{Alias: r, Source: SourceTranslit}
}

// displayName picks a group's name: the most used spelling, or a shorter
// name of the group it extends ("Schneider Electric" over "Schneider
// Electric Software, LLC"), without its legal form.
func displayName(d *dsu, ks []string) string {
	best, bestN := "", -1
	for _, k := range ks {
		for s, n := range d.names[k] {
			if parts, _ := Parts(s); len(parts) > 1 {
				continue
			}
			if n > bestN || n == bestN && s < best {
				best, bestN = s, n
			}
		}
	}
	if best == "" {
		for _, k := range ks {
			for s := range d.names[k] {
				if best == "" || s < best {
					best = s
				}
			}
		}
	}
	for _, f := range shortForms(best) {
		for s, n := range d.names[f] {
			if parts, _ := Parts(s); len(parts) == 1 && n > 0 {
				best = s
			}
		}
	}
	if i := strings.IndexByte(best, '('); i > 0 {
		best = best[:i]
	}
	return trimLegal(fixMojibake(best))
}

var legalTailRE = regexp.MustCompile(`(?i)[\s,]+(inc\.?|incorporated|ltd\.?|limited|llc|l\.l\.c\.|gmbh|ag|co\.?|corp\.?|corporation|b\.v\.|bv|s\.a\.|sa|ab|oy|plc|kg|& co\.? kg|pte|pty)$`)

// trimLegal drops legal forms from the end of a display name.
func trimLegal(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := legalTailRE.ReplaceAllString(s, "")
		t = strings.TrimRight(strings.TrimSpace(t), ",&")
		if t == s || t == "" {
			return s
		}
		s = strings.TrimSpace(t)
	}
}

func countNote(d *dsu, ks []string) string {
	n := 0
	for _, k := range ks {
		for _, c := range d.names[k] {
			n += c
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("named in %d advisories or KEV entries", n)
}

// prefixOfName reports whether k starts another vendor key ("psi" of
// "psigridconnect").
func prefixOfName(d *dsu, k string) bool {
	for n := range d.names {
		if n != k && strings.HasPrefix(n, k) {
			return true
		}
	}
	return false
}

// byBrandRE matches a product name that names its brand's owner:
// "Eurotherm by Schneider Electric GUIcon".
var byBrandRE = regexp.MustCompile(`^([A-Z][A-Za-z-]+)\s+by\s+(.+)$`)

// capitalisedWord reports whether a word is a capital followed by small
// letters only ("American", "House").
func capitalisedWord(w string) bool {
	if len(w) < 2 || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	for _, r := range w[1:] {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

// onlyKey returns the one key of a set.
func onlyKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

var camelRE = regexp.MustCompile(`[a-z][A-Z]`)

// distinctive reports whether a word is written like a brand: all capitals
// (three letters or more), CamelCase, or with a hyphen or "!".
func distinctive(w string) bool {
	if strings.ContainsAny(w, "-!") || camelRE.MatchString(w) {
		return true
	}
	letters := 0
	for _, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			letters++
		case r >= 'a' && r <= 'z':
			return false
		}
	}
	return letters >= 3
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
