// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"

	"vigil/internal/advisory"
	"vigil/internal/match/cpe"
	"vigil/internal/match/product"
	"vigil/internal/match/purl"
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
}

type cvuln struct {
	v       *advisory.Vuln
	key     string
	configs []cpe.Configuration
	// crits are all criteria of the configurations, for synthesising a
	// platform from vendor/model strings, with the product.VendorKey of
	// their vendor and the name key of their product (without
	// "_firmware").
	crits      []cpe.Criterion
	critVendor []string
	critName   []string
	critCV     []string // unquoted CPE vendor
	critCP     []string // unquoted CPE product
	critModel  []string // the product as a model name: "_firmware" dropped, "_" as space
	// cpeKeys are the "cpe:vendor:product" keys of the criteria.
	cpeKeys []string
	// cfgKeys are, per configuration, the keys of its vulnerable
	// criteria; cfgWild marks configurations with a vulnerable criterion
	// whose vendor or product is not a plain string (never skipped).
	cfgKeys [][]string
	cfgWild []bool
}

type cproduct struct {
	p         *advisory.Product
	vendorKey string
	names     []string // names to compare a device model with
	models    []string // compact model numbers and SKUs
	nameKey   string   // compact name, for components
	cpes      []cpe.WFN
	purls     []packageurl.PackageURL
	platform  *cproduct
	scheme    string // versioning scheme of ranges (purl type / OSV ecosystem), "" = vendor-tolerant
}

// Compile prepares advisory a (stored under row id ref) for matching.
// KEV entries and withdrawn advisories compile to nothing that matches:
// KEV names no versions, so it enriches matches of other sources instead.
func Compile(ref int64, a *advisory.Advisory) *Compiled {
	c := &Compiled{Ref: ref, Advisory: a, Name: string(a.Source) + ":" + a.ID, URL: advisoryURL(a)}
	if a.Source == advisory.SourceKEV || a.Withdrawn {
		return c
	}
	var keys []string
	vendorKeys := map[string]string{}
	vkey := func(v string) string {
		k, ok := vendorKeys[v]
		if !ok {
			k = product.VendorKey(v)
			vendorKeys[v] = k
		}
		return k
	}
	defer func() {
		slices.Sort(keys)
		c.Keys = slices.Compact(keys)
	}()
	for i := range a.Vulns {
		v := &a.Vulns[i]
		cv := cvuln{v: v, key: v.Key()}
		for _, conf := range v.Configurations {
			cc := cpe.Configuration{Operator: cpe.Operator(strings.ToUpper(conf.Operator)), Negate: conf.Negate}
			var ck []string
			wild := false
			for _, n := range conf.Nodes {
				cn := cpe.Node{Operator: cpe.Operator(strings.ToUpper(n.Operator)), Negate: n.Negate}
				for _, m := range n.Matches {
					w, err := cpe.Parse(m.Criteria)
					if err != nil {
						continue
					}
					cr := cpe.Criterion{CPE: w, Vulnerable: m.Vulnerable, MatchCriteriaID: m.MatchCriteriaID,
						VersionStartIncluding: m.VersionStartIncluding, VersionStartExcluding: m.VersionStartExcluding,
						VersionEndIncluding: m.VersionEndIncluding, VersionEndExcluding: m.VersionEndExcluding}
					// NVD writes "-" (NA) as the version of a criterion that
					// names no version ("vision1210_firmware:-"): read it as
					// every version.
					if cr.CPE.Attrs[cpe.AttrVersion].Kind == cpe.NA && !cr.HasRange() {
						cr.CPE.Attrs[cpe.AttrVersion] = cpe.Value{Kind: cpe.Any}
					}
					cn.Match = append(cn.Match, cr)
					cv.crits = append(cv.crits, cr)
					vk, nk, rv, rp := "", "", "", ""
					if k, ok := cpeKey(w); ok {
						if !slices.Contains(cv.cpeKeys, k) {
							cv.cpeKeys = append(cv.cpeKeys, k)
						}
						if m.Vulnerable && !slices.Contains(ck, k) {
							ck = append(ck, k)
						}
						rv, rp = w.Vendor().Unquoted(), w.Product().Unquoted()
						vk, nk = vkey(rv), nameKey(trimFirmware(rp))
						keys = append(keys, k, keyVendor+vk)
						if nk != "" {
							keys = append(keys, keyName+nk)
						}
					} else if m.Vulnerable {
						wild = true
					}
					cv.critVendor = append(cv.critVendor, vk)
					cv.critName = append(cv.critName, nk)
					cv.critCV = append(cv.critCV, rv)
					cv.critCP = append(cv.critCP, rp)
					cv.critModel = append(cv.critModel, strings.ReplaceAll(trimFirmware(rp), "_", " "))
				}
				cc.Nodes = append(cc.Nodes, cn)
			}
			cv.configs = append(cv.configs, cc)
			cv.cfgKeys = append(cv.cfgKeys, ck)
			cv.cfgWild = append(cv.cfgWild, wild)
		}
		c.vulns = append(c.vulns, cv)
	}
	if a.Source == advisory.SourceNVD { // NVD products only restate the configurations
		return c
	}
	for i := range a.Products {
		cp := compileProduct(&a.Products[i], vkey)
		c.products = append(c.products, cp)
		keys = append(keys, cp.keys()...)
	}
	return c
}

// slim drops from the compiled advisory what matching and evidence never
// read again (the configurations' source strings, descriptions, CWEs,
// references), to keep a full in-memory index small. Only for advisories
// the engine decoded itself.
func (c *Compiled) slim() {
	a := c.Advisory
	a.URLs, a.Aliases = nil, nil
	for i := range a.Vulns {
		v := &a.Vulns[i]
		v.Configurations, v.Description, v.CWEs, v.URLs = nil, "", nil, nil
	}
}

// keys returns the index keys of a product and its platform.
func (cp *cproduct) keys() []string {
	var keys []string
	if cp.vendorKey != "" {
		keys = append(keys, keyVendor+cp.vendorKey)
	}
	if cp.nameKey != "" {
		keys = append(keys, keyName+cp.nameKey)
	}
	for _, w := range cp.cpes {
		if k, ok := cpeKey(w); ok {
			keys = append(keys, k, keyVendor+product.VendorKey(w.Vendor().Unquoted()))
			if n := nameKey(trimFirmware(w.Product().Unquoted())); n != "" {
				keys = append(keys, keyName+n)
			}
		}
	}
	for _, u := range cp.purls {
		keys = append(keys, keyPURL+purl.IdentityKey(u))
	}
	if cp.platform != nil {
		keys = append(keys, cp.platform.keys()...)
	}
	return keys
}

func compileProduct(p *advisory.Product, vkey func(string) string) cproduct {
	cp := cproduct{p: p, vendorKey: vkey(p.Vendor), nameKey: nameKey(p.Name)}
	if p.Name != "" {
		cp.names = append(cp.names, p.Name)
		if p.Family != "" && !strings.Contains(strings.ToLower(p.Name), strings.ToLower(p.Family)) {
			cp.names = append(cp.names, p.Family+" "+p.Name)
		}
	}
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
	if p.Platform != nil {
		pl := compileProduct(p.Platform, vkey)
		cp.platform = &pl
	}
	return cp
}
