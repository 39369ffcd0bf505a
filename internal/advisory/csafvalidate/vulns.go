// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"time"
)

// 6.1.23: a CVE id is used by one vulnerability only.
func test6123(c *checker) {
	first := map[string]int{}
	c.vulns(func(i int, v map[string]any, vp jpath) {
		cve, ok := v["cve"].(string)
		if !ok {
			return
		}
		if j, dup := first[cve]; dup {
			c.fail(vp.k("cve"), "%s is already used by vulnerabilities[%d]", cve, j)
			return
		}
		first[cve] = i
	})
}

// 6.1.24: per vulnerability, a party appears at most once per date in the
// involvements (dates compare as instants when they parse as RFC 3339).
func test6124(c *checker) {
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		type key struct{ party, date string }
		first := map[key]int{}
		for i, inv := range getArr(v, "involvements") {
			party, ok1 := getStr(inv, "party")
			date, ok2 := getStr(inv, "date")
			if !ok1 || !ok2 {
				continue
			}
			k := key{party, date}
			if t, err := time.Parse(time.RFC3339Nano, date); err == nil {
				k.date = t.UTC().Format(time.RFC3339Nano)
			}
			if j, dup := first[k]; dup {
				c.fail(vp.k("involvements").i(i), "party %q already has an involvement dated %s (involvements[%d])", party, date, j)
				continue
			}
			first[k] = i
		}
	})
}

// productless reports items of list that name neither product_ids nor group_ids.
func (c *checker) productless(list, what string) {
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		for i, item := range getArr(v, list) {
			if !has(item, "product_ids") && !has(item, "group_ids") {
				c.fail(vp.k(list).i(i), "%s has neither product_ids nor group_ids", what)
			}
		}
	})
}

// 6.1.29: every remediation names products or groups.
func test6129(c *checker) { c.productless("remediations", "remediation") }

// 6.1.32: every flag names products or groups.
func test6132(c *checker) { c.productless("flags", "flag") }
