// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"

	"vigil/internal/match/cpe"
	"vigil/internal/match/product"
	"vigil/internal/match/purl"
	"vigil/internal/match/vendor"
	"vigil/internal/match/version"
	"vigil/internal/registry"
)

// Target is what advisories are matched against: a registered device (its
// vendor, model, firmware, CPE and purl) or one component of a device's
// SBOM (Component set; the device is its platform).
type Target struct {
	Device    registry.Device
	Component *Component
}

// DeviceTarget returns the target of a device itself.
func DeviceTarget(d registry.Device) Target { return Target{Device: d} }

// Ref names the target: "device:12" or "component:34".
func (t Target) Ref() string {
	if t.Component != nil {
		return fmt.Sprintf("component:%d", t.Component.ID)
	}
	return fmt.Sprintf("device:%d", t.Device.ID)
}

// Label describes the target for people: "Siemens SCALANCE M874-3 7.1" or
// "openssl 1.1.1k (pkg:…)".
func (t Target) Label() string {
	if c := t.Component; c != nil {
		s := strings.TrimSpace(c.Name + " " + c.Version)
		if c.PURL != "" {
			s += " (" + c.PURL + ")"
		}
		return s
	}
	d := t.Device
	return strings.TrimSpace(strings.Join(strings.Fields(d.Vendor+" "+d.Model+" "+d.Firmware), " "))
}

// platformCPE is a CPE present on the target's platform.
type platformCPE struct {
	wfn      cpe.WFN
	inferred string // why it was inferred; empty for a registered CPE
	// key is the CPE's cpeKey when keyed (a device's CPEs in a
	// prepCache: every component of the device has them).
	key   cpeKeyID
	keyed bool
}

// prepared is a target with everything parsed once per matching run.
type prepared struct {
	t         Target
	comp      *Component
	vendor    string // device vendor or component supplier
	vendorKey string
	model     string // device model or component name
	version   string // firmware or component version
	nameKey   string // compact component name
	nameIndex string // its index key (keyName+nameKey), when not empty
	own       []platformCPE
	platform  []platformCPE // own plus, for a component, the device's CPEs
	buf       []platformCPE // a component's own and platform CPEs (reused)
	// vers parses versions for the goroutine matching the target (nil:
	// each time); hits is matchConfigs' buffer.
	vers     *version.Cache
	hits     []chit
	wfns     []cpe.WFN // platform WFNs, for evaluating configurations
	ownKeys  []string  // "cpe:vendor:product" keys of own
	platKeys []string  // … of platform
	// ownIDs and platIDs are those keys as indexes into the string table
	// ids (nil: not known) of the advisories being matched.
	ownIDs, platIDs []uint32
	ids             *strTable
	purl            packageurl.PackageURL
	purlOK          bool
	purlVer         string
	// models caches MatchModel(name, model) per advisory product name: a
	// device meets the same product in many advisories.
	models map[string]modelResult
	// vendors is the table the vendor is grouped with; vendorRaw the
	// vendor's own key (legal form and spelling aside), compared exactly.
	vendors   *vendor.Table
	vendorRaw string
	compiled  *product.Model
	names     map[*product.Name]product.Result
	// software is the software the firmware string names ("FortiOS
	// 7.2.5" → FortiOS); "" when none.
	software  string
	vendorHow string
}

// how says how the target's vendor name relates to its group (cached).
func (p *prepared) how() string {
	if p.vendorHow == "" {
		p.vendorHow = p.vendors.How(p.vendor, p.vendorKey)
	}
	return p.vendorHow
}

// modelLine returns the version line the model carries ("V2" of
// "CODESYS Control V2" → "2"), "" when none.
func (p *prepared) modelLine() string {
	p.ensureCompiled()
	if p.compiled == nil {
		return ""
	}
	return p.compiled.Line
}

// brandLine is n.BrandLine for the target's compiled model.
func (p *prepared) brandLine(n *product.Name) product.Result {
	p.ensureCompiled()
	return n.BrandLine(p.compiled)
}

// matchName compares an advisory product name with the device model,
// cached per name.
func (p *prepared) matchName(n *product.Name) product.Result {
	if r, ok := p.names[n]; ok {
		return r
	}
	p.ensureCompiled()
	r := n.Match(p.compiled)
	if p.names == nil {
		p.names = map[*product.Name]product.Result{}
	}
	p.names[n] = r
	return r
}

// ensureCompiled compiles the model once, with the vendor's words and
// those of the companies it is related to.
func (p *prepared) ensureCompiled() {
	if p.compiled == nil {
		words := vendorWords(p.vendors, p.vendor, []string{p.vendorKey})
		// A model led by the name of a company the vendor owns or belongs
		// to ("B&R Automation Studio" of an ABB device, rule related).
		for _, g := range p.vendors.Related(p.vendorKey) {
			for _, n := range p.vendors.Names(g) {
				if ts := product.Tokens(n); len(ts) > 0 {
					words = append(words, ts)
				}
			}
		}
		p.compiled = product.CompileModel(p.model, words)
	}
}

type modelResult struct {
	ok     bool
	conf   float64
	reason string
}

// matchModel is product.MatchModel(name, p.model), pre-filtered and cached.
func (p *prepared) matchModel(name string) (bool, float64, string) {
	if r, ok := p.models[name]; ok {
		return r.ok, r.conf, r.reason
	}
	var r modelResult
	if mayMatchModel(name, p.model) {
		r.ok, r.conf, r.reason = product.MatchModel(name, p.model)
	}
	if p.models == nil {
		p.models = map[string]modelResult{}
	}
	p.models[name] = r
	return r.ok, r.conf, r.reason
}

// prepare prepares a target with vendor table vt (nil: the embedded one).
func prepare(t Target, vt *vendor.Table) *prepared { return prepareCached(t, nil, vt) }

// prepCache keeps, while many targets are prepared by one goroutine, the
// parsed platform CPEs of devices (shared by their components), the
// vendor keys of supplier names (few distinct ones, costly to normalise),
// the index keys of component names and CPE products, and the prepared
// target itself, whose buffers the next target reuses: a full re-match
// prepares every component once, and what it allocates for each is
// garbage the collector must chase while every advisory is held compiled.
type prepCache struct {
	devices map[int64][]platformCPE
	vendors map[string]vendorKeys
	names   map[string][2]string   // component name → nameKeyIndex
	cpeKeys map[[2]string]cpeKeyID // WFN vendor and product → cpeKey
	// tab is the string table of the advisories matched (nil: not
	// shared), in which the CPE keys' indexes are looked up.
	tab  *strTable
	p    prepared
	keys []string      // the last target's index keys (appendKeys)
	vers version.Cache // versions of targets and advisory bounds
}

// cpeKeyID is a CPE's cpeKey, its index in the string table of prepCache
// (0: not there) and whether it has one.
type cpeKeyID struct {
	key string
	id  uint32
	ok  bool
}

// vendorKeys are a vendor name's group (vendor.Table.Group) and own key
// (vendor.Key).
type vendorKeys struct{ group, raw string }

// maxCached bounds each of a prepCache's name maps: an inventory of many
// more distinct names empties the map and starts again.
const maxCached = 1 << 16

func newPrepCache() *prepCache {
	return &prepCache{devices: map[int64][]platformCPE{}, vendors: map[string]vendorKeys{},
		names: map[string][2]string{}, cpeKeys: map[[2]string]cpeKeyID{}}
}

func (c *prepCache) vendorKeys(vt *vendor.Table, v string) vendorKeys {
	if c == nil {
		return vendorKeys{vt.Group(v), vendor.Key(v)}
	}
	k, ok := c.vendors[v]
	if !ok {
		k = vendorKeys{vt.Group(v), vendor.Key(v)}
		if len(c.vendors) >= maxCached {
			clear(c.vendors)
		}
		c.vendors[v] = k
	}
	return k
}

// nameKeys returns nameKey(name) and, when that is not empty, the index
// key keyName+nameKey(name).
func (c *prepCache) nameKeys(name string) (key, index string) {
	if c == nil {
		return nameKeyIndex(name)
	}
	k, ok := c.names[name]
	if !ok {
		k[0], k[1] = nameKeyIndex(name)
		if len(c.names) >= maxCached {
			clear(c.names)
		}
		c.names[name] = k
	}
	return k[0], k[1]
}

func nameKeyIndex(name string) (key, index string) {
	if key = nameKey(name); key != "" {
		index = keyName + key
	}
	return key, index
}

// cpeKey returns cpeKey(*w) with its index in the cache's string table.
func (c *prepCache) cpeKey(w *cpe.WFN) cpeKeyID {
	if c == nil {
		k, ok := cpeKey(*w)
		return cpeKeyID{key: k, ok: ok}
	}
	plain := w.Vendor().Kind == cpe.Str && w.Product().Kind == cpe.Str
	vp := [2]string{w.Attrs[cpe.AttrVendor].S, w.Attrs[cpe.AttrProduct].S}
	if k, ok := c.cpeKeys[vp]; ok && plain {
		return k
	}
	k, ok := cpeKey(*w)
	kid := cpeKeyID{key: k, ok: ok}
	if ok && c.tab != nil {
		kid.id = c.tab.lookup(k)
	}
	if plain {
		if len(c.cpeKeys) >= maxCached {
			clear(c.cpeKeys)
		}
		c.cpeKeys[vp] = kid
	}
	return kid
}

// reuse returns the cache's prepared target, emptied for t and keeping
// its buffers and maps. The target prepared before is gone: callers
// prepare the next target only when done with the last.
func (c *prepCache) reuse(t Target, vt *vendor.Table) *prepared {
	p := &c.p
	clear(p.models)
	clear(p.names)
	*p = prepared{t: t, comp: t.Component, vendors: vt, buf: p.buf[:0], wfns: p.wfns[:0], ownKeys: p.ownKeys[:0],
		platKeys: p.platKeys[:0], models: p.models, names: p.names, vers: &c.vers, hits: p.hits[:0],
		ownIDs: p.ownIDs[:0], platIDs: p.platIDs[:0], ids: c.tab}
	return p
}

func prepareCached(t Target, cache *prepCache, vt *vendor.Table) *prepared {
	if vt == nil {
		vt = vendor.Embedded()
	}
	var p *prepared
	if cache != nil {
		p = cache.reuse(t, vt)
	} else {
		p = &prepared{t: t, comp: t.Component, vendors: vt}
	}
	d := t.Device
	devCPEs := func() []platformCPE {
		if cache == nil {
			return platformCPEs(d.CPE, d.Firmware, true)
		}
		pc, ok := cache.devices[d.ID]
		if !ok {
			pc = platformCPEs(d.CPE, d.Firmware, true)
			for i := range pc {
				pc[i].key, pc[i].keyed = cache.cpeKey(&pc[i].wfn), true
			}
			cache.devices[d.ID] = pc
		}
		return pc
	}
	if c := t.Component; c != nil {
		p.vendor, p.model, p.version = c.Supplier, c.Name, c.Version
		p.nameKey, p.nameIndex = cache.nameKeys(c.Name)
		// The component's own CPEs, then its device's, in p's own buffer
		// (the device's slice belongs to the cache).
		p.buf = appendPlatformCPEs(p.buf, c.CPE, c.Version, false)
		own := len(p.buf)
		p.buf = append(p.buf, devCPEs()...)
		p.own, p.platform = p.buf[:own:own], p.buf
		if c.PURL != "" {
			if u, err := purl.Parse(c.PURL); err == nil {
				p.purl, p.purlOK, p.purlVer = u, true, u.Version
				if p.purlVer == "" {
					p.purlVer = c.Version
				}
			}
		}
		if p.vendor == "" && p.purlOK && p.purl.Namespace != "" {
			p.vendor = p.purl.Namespace
		}
	} else {
		p.vendor, p.model, p.version = d.Vendor, d.Model, d.Firmware
		p.own = devCPEs()
		if d.PURL != "" {
			if u, err := purl.Parse(d.PURL); err == nil {
				p.purl, p.purlOK, p.purlVer = u, true, u.Version
				if p.purlVer == "" {
					p.purlVer = d.Firmware
				}
			}
		}
		p.platform = p.own
	}
	if p.vendor != "" {
		vk := cache.vendorKeys(vt, p.vendor)
		p.vendorKey, p.vendorRaw = vk.group, vk.raw
	}
	if p.comp == nil {
		p.software = softwareOf(p.version)
	}
	for i := range p.platform {
		pc := &p.platform[i]
		p.wfns = append(p.wfns, pc.wfn)
		k := pc.key
		if !pc.keyed {
			k = cache.cpeKey(&pc.wfn)
		}
		if k.ok {
			p.platKeys, p.platIDs = append(p.platKeys, k.key), append(p.platIDs, k.id)
			if i < len(p.own) {
				p.ownKeys, p.ownIDs = append(p.ownKeys, k.key), append(p.ownIDs, k.id)
			}
		}
	}
	return p
}

// describe returns the target's label and, for a component, its purl or
// name@version (computed only for targets that matched).
func (p *prepared) describe() (label, component string) {
	label = p.t.Label()
	if c := p.t.Component; c != nil {
		component = c.PURL
		if component == "" {
			component = c.Name
			if c.Version != "" {
				component += "@" + c.Version
			}
		}
	}
	return label, component
}

// platformCPEs parses a registered CPE. A version the CPE leaves ANY is
// taken from the registered firmware/version. With infer, the counterpart
// of a device CPE is added: the hardware "<model>" of an operating system
// "<model>_firmware" and vice versa, since NVD states most IoT
// vulnerabilities as "firmware running on hardware".
func platformCPEs(s, ver string, infer bool) []platformCPE {
	return appendPlatformCPEs(nil, s, ver, infer)
}

// appendPlatformCPEs appends platformCPEs(s, ver, infer) to out.
func appendPlatformCPEs(out []platformCPE, s, ver string, infer bool) []platformCPE {
	s = strings.TrimSpace(s)
	if s == "" {
		return out
	}
	w, err := cpe.Parse(s)
	if err != nil {
		return out
	}
	if v := w.Attrs[cpe.AttrVersion]; v.Kind == cpe.Any && strings.TrimSpace(ver) != "" && w.Part().Unquoted() != "h" {
		w.Attrs[cpe.AttrVersion] = cpe.StrValue(AlignVersion(ver))
	}
	out = append(out, platformCPE{wfn: w})
	if !infer || w.Product().Kind != cpe.Str {
		return out
	}
	prod := w.Product().Unquoted()
	switch part := w.Part().Unquoted(); {
	case part == "o" && trimFirmware(prod) != prod:
		h := w
		h.Attrs[cpe.AttrPart] = cpe.StrValue("h")
		h.Attrs[cpe.AttrProduct] = cpe.StrValue(trimFirmware(prod))
		h.Attrs[cpe.AttrVersion] = cpe.Value{Kind: cpe.NA}
		out = append(out, platformCPE{wfn: h, inferred: "hardware of " + s})
	case part == "h":
		o := w
		o.Attrs[cpe.AttrPart] = cpe.StrValue("o")
		o.Attrs[cpe.AttrProduct] = cpe.StrValue(prod + "_firmware")
		o.Attrs[cpe.AttrVersion] = cpe.Value{Kind: cpe.Any}
		if strings.TrimSpace(ver) != "" {
			o.Attrs[cpe.AttrVersion] = cpe.StrValue(AlignVersion(ver))
		}
		out = append(out, platformCPE{wfn: o, inferred: "firmware of " + s})
	}
	return out
}
