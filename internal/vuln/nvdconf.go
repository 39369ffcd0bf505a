// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"slices"
	"strings"
	"sync"

	"vigil/internal/advisory"
	"vigil/internal/match/cpe"
	"vigil/internal/match/version"
)

// A full re-match holds every advisory compiled while it streams the
// inventory past them, and the collector marks all of them at each
// collection. NVD configurations are most of that: kept as cpe.Criterion
// (a CPE of 11 strings, four bounds, an id; 352 bytes, 16 pointers each)
// with strings of names and keys beside them, they were about half the
// bytes and most of the pointers. Compiled, their strings are indexes into
// a string table shared by the run's advisories, and the criteria, nodes
// and configurations of a vulnerability are flat slices of small structs
// without pointers, which the collector does not scan. They are evaluated
// as cpe.Configuration.Eval evaluates them (the same order, the same
// hits), without copying a criterion or a platform CPE.

// strTable holds each distinct string of the compiled advisories once;
// they refer to it by index (0 is ""). It is safe for concurrent use
// while advisories are compiled (MatchAll compiles on several
// goroutines); afterwards it is read only.
type strTable struct {
	mu sync.Mutex
	m  map[string]uint32
	s  []string
	// vp caches what a criterion derives from its CPE's vendor and
	// product (attr forms, vendor above product): advisories repeat them.
	vp   map[uint64]vpKeys
	done bool // compiling is over: read only
}

// vpKeys is what a criterion derives from its vendor and product: the
// cpeKey (kid; ok false when there is none), the unquoted vendor and
// product, the vendor's group, the product's name key, the product as a
// model name, and the index keys of the group and name (strings: the
// advisory's keys).
type vpKeys struct {
	ok                          bool
	kid, cv, cp, vk, nk, model  uint32
	key, vendorIndex, nameIndex string
}

func newStrTable() *strTable {
	return &strTable{m: map[string]uint32{"": 0}, s: []string{""}, vp: map[uint64]vpKeys{}}
}

// id returns the index of s, adding a copy of s when new.
func (t *strTable) id(s string) uint32 {
	if s == "" {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.m[s]; ok {
		return i
	}
	i := uint32(len(t.s))
	s = strings.Clone(s)
	t.m[s] = i
	t.s = append(t.s, s)
	return i
}

// str returns the table's copy of s.
func (t *strTable) str(s string) string {
	if s == "" {
		return s
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.m[s]; ok {
		return t.s[i]
	}
	s = strings.Clone(s)
	t.m[s] = uint32(len(t.s))
	t.s = append(t.s, s)
	return s
}

// vendorProduct returns what a criterion derives from its CPE w's vendor
// and product (their attr forms), the vendor's group from vkey.
func (t *strTable) vendorProduct(w *cpe.WFN, vendorAttr, productAttr uint32, vkey func(string) string) vpKeys {
	pair := uint64(vendorAttr)<<32 | uint64(productAttr)
	t.mu.Lock()
	d, ok := t.vp[pair]
	t.mu.Unlock()
	if ok {
		return d
	}
	rp := ""
	if k, ok := cpeKey(*w); ok {
		rv := w.Vendor().Unquoted()
		rp = w.Product().Unquoted()
		vk, nk := vkey(rv), nameKey(trimFirmware(rp))
		d = vpKeys{ok: true, kid: t.id(k), cv: t.id(rv), cp: t.id(rp), vk: t.id(vk), nk: t.id(nk)}
		d.key, d.vendorIndex = t.str(k), t.str(keyVendor+vk)
		if nk != "" {
			d.nameIndex = t.str(keyName + nk)
		}
	}
	d.model = t.id(strings.ReplaceAll(trimFirmware(rp), "_", " "))
	t.mu.Lock()
	t.vp[pair] = d
	t.mu.Unlock()
	return d
}

// finish ends compiling: the table is read only from now on (lookup).
func (t *strTable) finish() {
	t.mu.Lock()
	t.vp, t.done = nil, true
	t.mu.Unlock()
}

// lookup returns the index of s, 0 when the table does not hold it. Only
// after finish: it reads without the lock.
func (t *strTable) lookup(s string) uint32 { return t.m[s] }

// attr returns the index form of a CPE attribute value: its kind in the
// low two bits, its string's index above them.
func (t *strTable) attr(v cpe.Value) uint32 { return uint32(v.Kind) | t.id(v.S)<<2 }

// value returns the attribute value of an index form (attr).
func (t *strTable) value(x uint32) cpe.Value { return cpe.Value{Kind: cpe.Kind(x & 3), S: t.s[x>>2]} }

// ccrit is one NVD match criterion, compiled: its CPE's attributes (attr
// form) and version bounds as indexes into the string table, with what
// synthesising a CPE from a target's names compares (the vendor group and
// name key of its vendor and product, both unquoted, the product as a
// model name).
type ccrit struct {
	attrs          [cpe.NumAttrs]uint32
	si, se, ei, ee uint32 // versionStartIncluding, …Excluding, versionEndIncluding, …Excluding
	// vendor is the criterion's vendor group and name the name key of
	// its product (without "_firmware"); 0 when the vendor or product is
	// not a plain string. cv and cp are the unquoted vendor and product,
	// model the product as a model name ("_firmware" dropped, "_" as
	// space).
	vendor, name, cv, cp, model uint32
	vulnerable                  bool
}

// hasRange reports whether any version bound is set.
func (c *ccrit) hasRange() bool { return c.si|c.se|c.ei|c.ee != 0 }

// cnode is a node: the criteria crits[first:first+n] of its vulnerability.
type cnode struct {
	first, n    uint32
	and, negate bool
}

// cconf is a configuration: the nodes nodes[first:first+n] and, for
// skipping it, the keys keys[kfirst:kfirst+kn] of its vulnerable criteria;
// wild marks a configuration with a vulnerable criterion whose vendor or
// product is not a plain string (never skipped).
type cconf struct {
	first, n, kfirst, kn uint32
	// key holds the first two keys too: most configurations have no more,
	// and the keys are read for every configuration of every candidate.
	key               [2]uint32
	and, negate, wild bool
}

// keysOf returns the keys of configuration cf of v.
func (v *cvuln) keysOf(cf *cconf) []uint32 {
	if cf.kn <= uint32(len(cf.key)) {
		return cf.key[:cf.kn]
	}
	return v.keys[cf.kfirst : cf.kfirst+cf.kn]
}

// chit is a hit of cpe.Configuration.Eval by indexes: which vulnerable
// criterion (of the vulnerability's crits) matched which platform CPE (of
// the platforms evaluated).
type chit struct{ crit, plat int32 }

// matchOrder is the order in which cpe.Match compares attributes: vendor
// and product first, they reject almost every pair.
var matchOrder = [cpe.NumAttrs]int{cpe.AttrProduct, cpe.AttrVendor, cpe.AttrPart, cpe.AttrVersion, cpe.AttrUpdate,
	cpe.AttrEdition, cpe.AttrLanguage, cpe.AttrSWEdition, cpe.AttrTargetSW, cpe.AttrTargetHW, cpe.AttrOther}

// matches is cpe.Criterion.Matches for a compiled criterion, with versions
// parsed through vc (nil: each time).
func (t *strTable) matches(c *ccrit, target *cpe.WFN, vc *version.Cache) bool {
	for _, i := range matchOrder {
		switch cpe.CompareAttr(t.value(c.attrs[i]), target.Attrs[i]) {
		case cpe.Superset, cpe.Equal:
		default:
			return false
		}
	}
	if !c.hasRange() {
		return true
	}
	v := target.Attrs[cpe.AttrVersion]
	if v.Kind != cpe.Str || v.HasWildcards() {
		return false
	}
	return vc.InRange(v.Unquoted(), t.s[c.si], t.s[c.se], t.s[c.ei], t.s[c.ee])
}

// wfn returns the criterion's CPE.
func (t *strTable) wfn(c *ccrit) cpe.WFN {
	var w cpe.WFN
	for i := range w.Attrs {
		w.Attrs[i] = t.value(c.attrs[i])
	}
	return w
}

// evalNode is cpe.Node's evaluation: it appends to hits the hits of the
// node's vulnerable criteria when the node holds and is not negated.
func (t *strTable) evalNode(v *cvuln, n *cnode, platforms []cpe.WFN, hits []chit, vc *version.Cache) (bool, []chit) {
	mark := len(hits)
	result := n.and
	for i := n.first; i < n.first+n.n; i++ {
		c := &v.crits[i]
		matched := false
		for j := range platforms {
			if t.matches(c, &platforms[j], vc) {
				matched = true
				if c.vulnerable {
					hits = append(hits, chit{int32(i), int32(j)})
				}
			}
		}
		if n.and && !matched {
			result = false
			break
		}
		if !n.and && matched {
			result = true
		}
	}
	if n.and && n.n == 0 {
		result = false
	}
	if n.negate {
		return !result, hits[:mark]
	}
	if !result {
		hits = hits[:mark]
	}
	return result, hits
}

// evalConf is cpe.Configuration.Eval: it appends to hits the hits of a
// configuration that applies.
func (t *strTable) evalConf(v *cvuln, cf *cconf, platforms []cpe.WFN, hits []chit, vc *version.Cache) []chit {
	mark := len(hits)
	applies := cf.and && cf.n > 0
	for k := cf.first; k < cf.first+cf.n; k++ {
		ok, h := t.evalNode(v, &v.nodes[k], platforms, hits, vc)
		hits = h
		if cf.and && !ok {
			applies = false
			break
		}
		if !cf.and && ok {
			applies = true
		}
	}
	if cf.negate || !applies {
		return hits[:mark]
	}
	return hits
}

// keySet is the index keys of a target's CPEs: as strings, and as indexes
// into the string table ids (nil: not known).
type keySet struct {
	strs []string
	ids  []uint32
	tab  *strTable
}

// evalAll is cpe.EvalAllCached over the vulnerability's configurations,
// appending to hits; with own, only over those a vulnerable criterion of
// which has one of the keys of own (or is wild).
func (t *strTable) evalAll(v *cvuln, platforms []cpe.WFN, hits []chit, vc *version.Cache, own *keySet) []chit {
	for i := range v.confs {
		cf := &v.confs[i]
		if own != nil && !cf.wild && !t.anyKey(v.keysOf(cf), own) {
			continue
		}
		hits = t.evalConf(v, cf, platforms, hits, vc)
	}
	return hits
}

// anyKey reports whether any of the keys ids is in ks (both short).
func (t *strTable) anyKey(ids []uint32, ks *keySet) bool {
	if ks.tab == t {
		for _, id := range ids {
			if containsID(ks.ids, id) {
				return true
			}
		}
		return false
	}
	for _, id := range ids {
		s := t.s[id]
		for _, k := range ks.strs {
			if k == s {
				return true
			}
		}
	}
	return false
}

// compileConfigs compiles the NVD configurations of a vulnerability into
// cv, and returns the index keys of its criteria appended to keys.
func compileConfigs(cv *cvuln, confs []advisory.Config, vkey func(string) string, in *strTable, keys []string) []string {
	nc, nn := 0, 0
	for _, conf := range confs {
		nc += len(conf.Nodes)
		for _, n := range conf.Nodes {
			nn += len(n.Matches)
		}
	}
	if len(confs) == 0 {
		return keys
	}
	cv.confs = make([]cconf, 0, len(confs))
	cv.nodes = make([]cnode, 0, nc)
	cv.crits = make([]ccrit, 0, nn)
	var ck, cpeKeys []uint32
	for _, conf := range confs {
		cf := cconf{first: uint32(len(cv.nodes)), n: uint32(len(conf.Nodes)), kfirst: uint32(len(ck)),
			and: cpe.Operator(strings.ToUpper(conf.Operator)) == cpe.AND, negate: conf.Negate}
		for _, n := range conf.Nodes {
			cn := cnode{first: uint32(len(cv.crits)), and: cpe.Operator(strings.ToUpper(n.Operator)) == cpe.AND, negate: n.Negate}
			for _, m := range n.Matches {
				w, err := cpe.Parse(m.Criteria)
				if err != nil {
					continue
				}
				cr := ccrit{vulnerable: m.Vulnerable, si: in.id(m.VersionStartIncluding), se: in.id(m.VersionStartExcluding),
					ei: in.id(m.VersionEndIncluding), ee: in.id(m.VersionEndExcluding)}
				// NVD writes "-" (NA) as the version of a criterion that
				// names no version ("vision1210_firmware:-"): read it as
				// every version.
				if w.Attrs[cpe.AttrVersion].Kind == cpe.NA && !cr.hasRange() {
					w.Attrs[cpe.AttrVersion] = cpe.Value{Kind: cpe.Any}
				}
				for i := range w.Attrs {
					cr.attrs[i] = in.attr(w.Attrs[i])
				}
				d := in.vendorProduct(&w, cr.attrs[cpe.AttrVendor], cr.attrs[cpe.AttrProduct], vkey)
				if d.ok {
					if !containsID(cpeKeys, d.kid) {
						cpeKeys = append(cpeKeys, d.kid)
					}
					if m.Vulnerable && !containsID(ck[cf.kfirst:], d.kid) {
						ck = append(ck, d.kid)
					}
					cr.cv, cr.cp, cr.vendor, cr.name = d.cv, d.cp, d.vk, d.nk
					keys = append(keys, d.key, d.vendorIndex)
					if d.nameIndex != "" {
						keys = append(keys, d.nameIndex)
					}
				} else if m.Vulnerable {
					cf.wild = true
				}
				cr.model = d.model
				cv.crits = append(cv.crits, cr)
			}
			cn.n = uint32(len(cv.crits)) - cn.first
			cv.nodes = append(cv.nodes, cn)
		}
		cf.kn = uint32(len(ck)) - cf.kfirst
		copy(cf.key[:], ck[cf.kfirst:])
		cv.confs = append(cv.confs, cf)
		if cf.and && cf.n > 1 {
			cv.and = true
		}
	}
	// The keys of configurations with more than cconf.key holds; short
	// cpeKeys move into cv (cvuln.settle).
	if slices.ContainsFunc(cv.confs, func(cf cconf) bool { return cf.kn > uint32(len(cf.key)) }) {
		cv.keys = slices.Clip(ck)
	}
	cv.cpeKeys = cpeKeys
	return keys
}

func containsID(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
