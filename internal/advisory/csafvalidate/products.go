// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"fmt"
	"strings"

	"github.com/package-url/packageurl-go"
)

// index holds the product and group definitions of the product tree.
type index struct {
	// products maps each defined product_id to the path of its first definition.
	products map[string]jpath
	// productDefs lists every definition in document order.
	productDefs []def
	// groups maps each group_id to the union of its product_ids.
	groups map[string][]string
	// groupDefs lists every group definition in document order.
	groupDefs []def
	// fullProducts lists every full_product_name object with its path.
	fullProducts []fullProduct
}

type def struct {
	id   string
	path jpath
}

type fullProduct struct {
	obj  map[string]any
	path jpath
}

func (c *checker) index() *index {
	if c.idx != nil {
		return c.idx
	}
	x := &index{products: map[string]jpath{}, groups: map[string][]string{}}
	tree := get(c.doc, "product_tree")
	pt := root.k("product_tree")
	addFPN := func(v any, p jpath) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		x.fullProducts = append(x.fullProducts, fullProduct{m, p})
		if id, ok := m["product_id"].(string); ok {
			x.productDefs = append(x.productDefs, def{id, p.k("product_id")})
			if _, dup := x.products[id]; !dup {
				x.products[id] = p.k("product_id")
			}
		}
	}
	walkBranches(getArr(tree, "branches"), pt.k("branches"), 0, func(b map[string]any, p jpath) {
		addFPN(b["product"], p.k("product"))
	})
	for i, v := range getArr(tree, "full_product_names") {
		addFPN(v, pt.k("full_product_names").i(i))
	}
	for i, v := range getArr(tree, "relationships") {
		addFPN(get(v, "full_product_name"), pt.k("relationships").i(i).k("full_product_name"))
	}
	for i, g := range getArr(tree, "product_groups") {
		id, ok := getStr(g, "group_id")
		if !ok {
			continue
		}
		x.groupDefs = append(x.groupDefs, def{id, pt.k("product_groups").i(i).k("group_id")})
		members := x.groups[id]
		strs(getArr(g, "product_ids"), func(_ int, s string) { members = append(members, s) })
		x.groups[id] = members
	}
	c.idx = x
	return x
}

// maxBranchDepth bounds recursion on hostile input; real product trees are a
// handful of levels deep (vendor / product family / product / version).
const maxBranchDepth = 64

// walkBranches calls fn for every branch object, depth first, in document order.
func walkBranches(branches []any, p jpath, depth int, fn func(b map[string]any, p jpath)) {
	if depth > maxBranchDepth {
		return
	}
	for i, v := range branches {
		b, ok := v.(map[string]any)
		if !ok {
			continue
		}
		bp := p.i(i)
		fn(b, bp)
		if sub, ok := b["branches"].([]any); ok {
			walkBranches(sub, bp.k("branches"), depth+1, fn)
		}
	}
}

// productRefs calls fn for every product_id reference outside full product names.
func (c *checker) productRefs(fn func(id string, p jpath)) {
	pt := root.k("product_tree")
	for i, g := range getArr(c.doc, "product_tree", "product_groups") {
		gp := pt.k("product_groups").i(i).k("product_ids")
		strs(getArr(g, "product_ids"), func(j int, s string) { fn(s, gp.i(j)) })
	}
	for i, r := range getArr(c.doc, "product_tree", "relationships") {
		rp := pt.k("relationships").i(i)
		for _, k := range []string{"product_reference", "relates_to_product_reference"} {
			if s, ok := getStr(r, k); ok {
				fn(s, rp.k(k))
			}
		}
	}
	statusLists := []string{"first_affected", "first_fixed", "fixed", "known_affected", "known_not_affected", "last_affected", "recommended", "under_investigation"}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		for _, l := range statusLists {
			lp := vp.k("product_status").k(l)
			strs(getArr(v, "product_status", l), func(j int, s string) { fn(s, lp.i(j)) })
		}
		for _, e := range []struct{ list, key string }{
			{"remediations", "product_ids"},
			{"scores", "products"},
			{"threats", "product_ids"},
			{"flags", "product_ids"},
		} {
			for i, item := range getArr(v, e.list) {
				ip := vp.k(e.list).i(i).k(e.key)
				strs(getArr(item, e.key), func(j int, s string) { fn(s, ip.i(j)) })
			}
		}
	})
}

// 6.1.1: every referenced product_id is defined in the product tree.
// The flags path is included (OASIS known issue #909).
func test611(c *checker) {
	x := c.index()
	c.productRefs(func(id string, p jpath) {
		if _, ok := x.products[id]; !ok {
			c.fail(p, "product_id %q is not defined in the product tree", id)
		}
	})
}

// 6.1.2: no product_id is defined twice.
func test612(c *checker) {
	x := c.index()
	for _, d := range x.productDefs {
		if first := x.products[d.id]; first != d.path {
			c.fail(d.path, "product_id %q is already defined at %s", d.id, first)
		}
	}
}

// 6.1.3: product ids defined by relationships do not end up in a circle.
func test613(c *checker) {
	rels := getArr(c.doc, "product_tree", "relationships")
	// Graph over product ids defined by relationships: id -> referenced ids.
	edges := map[string][]string{}
	var order []string
	for _, r := range rels {
		id, ok := getStr(r, "full_product_name", "product_id")
		if !ok {
			continue
		}
		if _, seen := edges[id]; !seen {
			order = append(order, id)
			edges[id] = nil
		}
		for _, k := range []string{"product_reference", "relates_to_product_reference"} {
			if s, ok := getStr(r, k); ok {
				edges[id] = append(edges[id], s)
			}
		}
	}
	cyclic := cyclicNodes(order, edges)
	for i, r := range rels {
		id, ok := getStr(r, "full_product_name", "product_id")
		if ok && cyclic[id] {
			c.fail(root.k("product_tree").k("relationships").i(i).k("full_product_name").k("product_id"),
				"product_id %q is defined through a circular chain of relationships", id)
		}
	}
}

// cyclicNodes returns the nodes that lie on a cycle (Tarjan's strongly
// connected components, iterative to be safe on deep chains).
func cyclicNodes(order []string, edges map[string][]string) map[string]bool {
	type frame struct {
		node string
		next int
	}
	indexOf := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	cyclic := map[string]bool{}
	n := 0
	for _, start := range order {
		if _, done := indexOf[start]; done {
			continue
		}
		indexOf[start], low[start] = n, n
		n++
		stack = append(stack, start)
		onStack[start] = true
		call := []frame{{start, 0}}
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.next < len(edges[f.node]) {
				w := edges[f.node][f.next]
				f.next++
				if _, defined := edges[w]; !defined {
					continue
				}
				if _, visited := indexOf[w]; !visited {
					indexOf[w], low[w] = n, n
					n++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{w, 0})
				} else if onStack[w] {
					low[f.node] = min(low[f.node], indexOf[w])
				}
				continue
			}
			v := f.node
			call = call[:len(call)-1]
			if len(call) > 0 {
				parent := call[len(call)-1].node
				low[parent] = min(low[parent], low[v])
			}
			if low[v] != indexOf[v] {
				continue
			}
			var scc []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				scc = append(scc, w)
				if w == v {
					break
				}
			}
			selfLoop := false
			for _, w := range edges[v] {
				if w == v {
					selfLoop = true
				}
			}
			if len(scc) > 1 || selfLoop {
				for _, w := range scc {
					cyclic[w] = true
				}
			}
		}
	}
	return cyclic
}

// 6.1.4: every referenced group_id is defined. The flags path is included
// (OASIS known issue #909).
func test614(c *checker) {
	x := c.index()
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		for _, list := range []string{"remediations", "threats", "flags"} {
			for i, item := range getArr(v, list) {
				ip := vp.k(list).i(i).k("group_ids")
				strs(getArr(item, "group_ids"), func(j int, s string) {
					if _, ok := x.groups[s]; !ok {
						c.fail(ip.i(j), "group_id %q is not defined in the product tree", s)
					}
				})
			}
		}
	})
}

// 6.1.5: no group_id is defined twice.
func test615(c *checker) {
	first := map[string]jpath{}
	for _, d := range c.index().groupDefs {
		if p, dup := first[d.id]; dup {
			c.fail(d.path, "group_id %q is already defined at %s", d.id, p)
			continue
		}
		first[d.id] = d.path
	}
}

// 6.1.6: the contradiction groups of product_status are pairwise disjoint.
func test616(c *checker) {
	groups := []struct {
		name  string
		lists []string
	}{
		{"affected", []string{"first_affected", "known_affected", "last_affected"}},
		{"not affected", []string{"known_not_affected"}},
		{"fixed", []string{"first_fixed", "fixed"}},
		{"under investigation", []string{"under_investigation"}},
	}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		where := map[string]int{} // product id -> first group index
		for gi, g := range groups {
			for _, l := range g.lists {
				lp := vp.k("product_status").k(l)
				strs(getArr(v, "product_status", l), func(j int, s string) {
					prev, seen := where[s]
					switch {
					case !seen:
						where[s] = gi
					case prev != gi:
						c.fail(lp.i(j), "product_id %q is both %s and %s", s, groups[prev].name, g.name)
					}
				})
			}
		}
	})
}

// 6.1.7: per vulnerability, a product has at most one score per CVSS version.
func test617(c *checker) {
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		type key struct{ product, version string }
		seen := map[key]bool{}
		for i, s := range getArr(v, "scores") {
			var versions []string
			for _, k := range []string{"cvss_v2", "cvss_v3"} {
				if ver, ok := getStr(s, k, "version"); ok {
					versions = append(versions, ver)
				}
			}
			sp := vp.k("scores").i(i).k("products")
			strs(getArr(s, "products"), func(j int, id string) {
				for _, ver := range versions {
					k := key{id, ver}
					if seen[k] {
						c.fail(sp.i(j), "product_id %q already has a CVSS v%s score in this vulnerability", id, ver)
					}
					seen[k] = true
				}
			})
		}
	})
}

// 6.1.13: every PURL parses.
func test6113(c *checker) {
	for _, fp := range c.index().fullProducts {
		s, ok := getStr(fp.obj, "product_identification_helper", "purl")
		if !ok {
			continue
		}
		if err := checkPURL(s); err != nil {
			c.fail(fp.path.k("product_identification_helper").k("purl"), "invalid purl %q: %v", s, err)
		}
	}
}

func checkPURL(s string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("purl parser failed: %v", r)
		}
	}()
	_, err = packageurl.FromString(s)
	return err
}

// 6.1.25: one item of hashes does not use the same algorithm twice.
func test6125(c *checker) {
	for _, fp := range c.index().fullProducts {
		hp := fp.path.k("product_identification_helper").k("hashes")
		for i, h := range getArr(fp.obj, "product_identification_helper", "hashes") {
			seen := map[string]bool{}
			fhp := hp.i(i).k("file_hashes")
			for j, fh := range getArr(h, "file_hashes") {
				alg, ok := getStr(fh, "algorithm")
				if !ok {
					continue
				}
				k := strings.ToLower(alg)
				if seen[k] {
					c.fail(fhp.i(j).k("algorithm"), "hash algorithm %q is used more than once for this file", alg)
				}
				seen[k] = true
			}
		}
	}
}

// 6.1.31: a product_version branch name holds no version range.
func test6131(c *checker) {
	words := []string{"after", "all", "before", "earlier", "later", "prior", "versions"}
	walkBranches(getArr(c.doc, "product_tree", "branches"), root.k("product_tree").k("branches"), 0, func(b map[string]any, p jpath) {
		if cat, _ := b["category"].(string); cat != "product_version" {
			return
		}
		name, ok := b["name"].(string)
		if !ok {
			return
		}
		lower := strings.ToLower(name)
		if strings.ContainsAny(lower, "<>") {
			c.fail(p.k("name"), "product_version %q contains a version range operator; use product_version_range", name)
			return
		}
		for _, tok := range strings.Fields(lower) {
			for _, w := range words {
				if tok == w {
					c.fail(p.k("name"), "product_version %q contains the version range word %q; use product_version_range", name, w)
					return
				}
			}
		}
	})
}

// vexJustification reports whether a flag label is a VEX justification code
// (section 3.2.3.5; in CSAF 2.0 every flag label is one).
func vexJustification(label string) bool {
	switch label {
	case "component_not_present", "inline_mitigations_already_exist", "vulnerable_code_cannot_be_controlled_by_adversary",
		"vulnerable_code_not_in_execute_path", "vulnerable_code_not_present":
		return true
	}
	return false
}

// expand returns the product ids an item with product_ids and group_ids
// refers to, deduplicated, in order.
func (c *checker) expand(item any) []string {
	x := c.index()
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	strs(getArr(item, "product_ids"), func(_ int, s string) { add(s) })
	strs(getArr(item, "group_ids"), func(_ int, g string) {
		for _, s := range x.groups[g] {
			add(s)
		}
	})
	return out
}

// 6.1.33: a product is in at most one flag with a VEX justification code per
// vulnerability, counting membership through product groups.
func test6133(c *checker) {
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		seen := map[string]int{} // product id -> index of first flag
		for i, f := range getArr(v, "flags") {
			label, _ := getStr(f, "label")
			if !vexJustification(label) {
				continue
			}
			var dups []string
			for _, id := range c.expand(f) {
				if _, ok := seen[id]; ok {
					dups = append(dups, id)
					continue
				}
				seen[id] = i
			}
			if len(dups) > 0 {
				c.fail(vp.k("flags").i(i), "product(s) %s already have a VEX justification flag (first at flags[%d])", quoteList(dups), seen[dups[0]])
			}
		}
	})
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}
