// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"bufio"
	"bytes"
	_ "embed" // cwec.tsv
	"fmt"
	"strings"
)

// cwecTSV lists every (id, name) pair a CWE weakness has had in the CWE
// releases 1.0 … 4.17, with the first and last release that used the name.
//
//go:embed cwe/cwec.tsv
var cwecTSV []byte

// cweLatest is the newest CWE release in cwec.tsv.
const cweLatest = "4.17"

type cweName struct {
	name, first, last string
}

func loadCWE() (map[string][]cweName, error) {
	out := map[string][]cweName{}
	sc := bufio.NewScanner(bytes.NewReader(cwecTSV))
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Split(t, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("cwec.tsv line %d: want 4 fields, got %d", line, len(f))
		}
		out[f[0]] = append(out[f[0]], cweName{name: f[3], first: f[1], last: f[2]})
	}
	return out, sc.Err()
}

// 6.1.11: the CWE exists and its name is a name the weakness has (or had) in
// the CWE list. Any name used by some CWE release is accepted, so documents
// written against an older CWE release stay valid.
func test6111(c *checker) {
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		cwe, ok := v["cwe"].(map[string]any)
		if !ok {
			return
		}
		id, ok := cwe["id"].(string)
		if !ok {
			return
		}
		names, known := c.v.cwe[id]
		if !known {
			c.fail(vp.k("cwe").k("id"), "%s is not a weakness in the CWE list (releases 1.0–%s)", id, cweLatest)
			return
		}
		name, ok := cwe["name"].(string)
		if !ok {
			return
		}
		current := names[len(names)-1]
		for _, n := range names {
			if n.name == name {
				return
			}
			if n.last == cweLatest {
				current = n
			}
		}
		c.fail(vp.k("cwe").k("name"), "%q is not the name of %s; CWE %s names it %q", name, id, current.last, current.name)
	})
}
