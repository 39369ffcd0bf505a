// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"vigil/internal/advisory"
	"vigil/internal/match/product"
	"vigil/internal/match/vrange"
)

// A vulnerability's own text may bound a product more narrowly than the
// ranges its entry shares with the advisory's other vulnerabilities: the
// summary ("MiR software versions prior to v2.8.3 contain …", "TriStation
// 1131 versions 1.0 through 4.9.0 and 4.10.0") or a fix that names the
// vulnerability ("GE upgraded the Ionic library in ToolBoxST Version 7.8.0
// to resolve CVE-2018-16202"). Rule cve-text reads those bounds; a version
// outside every bound the text gives is not affected by that
// vulnerability (versionStatement). The rule only ever refuses: a version
// inside the bounds is still compared with the product's ranges.

var (
	// cveTextGapRE: what may stand between a word of the product's name
	// and the bound: a class word, "version(s)" or "v".
	cveTextGapRE = regexp.MustCompile(`(?i)^(?:\s+(?:software|firmware|application|system|os|devices?|products?))?\s*,?\s*(?:versions?\s+|v\.?\s*)?`)
	// cveTextBoundREs: the bounds read right after the gap, with the
	// comparison each makes.
	cveTextBeforeRE  = regexp.MustCompile(`(?i)^(?:prior to|before|earlier than|older than|below)\s+(?:versions?\s+|v\.?\s*)?(\d[\w.]*)`)
	cveTextAndPrior  = regexp.MustCompile(`(?i)^(\d[\w.]*)\s+(?:and|or)\s+(?:prior|earlier|before|older|below)\b`)
	cveTextThroughRE = regexp.MustCompile(`(?i)^(\d[\w.]*)\s+(?:through|to)\s+(?:versions?\s+|v\.?\s*)?(\d[\w.]*)(?:\s+and\s+(?:versions?\s+|v\.?\s*)?(\d[\w.]*\d))?`)
	cveTextUpToRE    = regexp.MustCompile(`(?i)^(?:up to(?: and including)?|through)\s+(?:versions?\s+|v\.?\s*)?(\d[\w.]*)`)
	// cveTextFixVersionRE: the version a fix sentence names after a word
	// of the product's name ("ToolBoxST Version 7.8.0").
	cveTextFixVersionRE = regexp.MustCompile(`(?i)^\s*(?:versions?\s+|v\.?\s*)(\d[\w.]*\d)`)
	cveTextFixVerbRE    = regexp.MustCompile(`(?i)\b(?:resolv|fix|address|remediat)(?:e|es|ed|ing|s)?\b`)
)

// cveTextStop: words of product names that name no product.
var cveTextStop = map[string]bool{
	"software": true, "firmware": true, "hardware": true, "version": true, "versions": true, "all": true, "and": true,
	"the": true, "for": true, "with": true, "series": true, "model": true, "models": true, "installed": true,
	"system": true, "systems": true, "devices": true, "device": true, "products": true, "product": true, "incl": true,
	"variants": true, "module": true, "modules": true, "running": true, "server": true, "servers": true,
	"client": true, "clients": true, "controller": true, "controllers": true, "gateway": true, "gateways": true,
	"switch": true, "switches": true, "router": true, "routers": true, "panel": true, "panels": true, "camera": true,
	"cameras": true, "application": true, "applications": true, "web": true, "service": true, "services": true,
}

// cveTextWords returns the words of a product's name a vulnerability's
// text may name it by: of three characters or more, not generic, and in
// no other product name of the advisory (others: "RTOS" and "SDK" name
// a dozen products of one advisory) or in all of them ("MiR software"
// names MiR's robot and fleet software both).
func cveTextWords(name string, others []string) []string {
	var shared []string
	all := map[string]bool{}
	for _, t := range product.Tokens(name) {
		all[t] = true
	}
	for _, o := range others {
		if o != name {
			ts := product.Tokens(o)
			shared = append(shared, ts...)
			for t := range all {
				if !slices.Contains(ts, t) {
					delete(all, t)
				}
			}
		}
	}
	var out []string
	for _, t := range product.Tokens(name) {
		if len(t) < 3 || cveTextStop[t] || slices.Contains(shared, t) && !all[t] {
			continue
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// textBounds returns the ranges the sentences of text bound a product
// named by words to: each bound read right after a word of the name (a
// class word or "versions" between). Nil when text gives none.
func textBounds(text string, words []string) []vrange.Range {
	var out []vrange.Range
	lower := strings.ToLower(text)
	for _, w := range words {
		for i := 0; ; {
			j := wordAt(lower, w, i)
			if j < 0 {
				break
			}
			end := j + len(w)
			if end < len(lower) && lower[end] == 's' && (end+1 == len(lower) || !isWordByte(lower[end+1])) {
				end++ // "TCMs"
			}
			i = end
			rest := text[end:]
			rest = rest[len(cveTextGapRE.FindString(rest)):]
			if r, ok := readBound(rest); ok {
				out = append(out, r...)
			}
		}
	}
	return out
}

// readBound reads one bound at the start of s.
func readBound(s string) ([]vrange.Range, bool) {
	clean := func(v string) string { return strings.TrimRight(v, ".,;:") }
	if m := cveTextBeforeRE.FindStringSubmatch(s); m != nil {
		return []vrange.Range{vrange.FromBounds("", "", "", "", clean(m[1]))}, true
	}
	if m := cveTextAndPrior.FindStringSubmatch(s); m != nil {
		return []vrange.Range{vrange.FromBounds("", "", "", clean(m[1]), "")}, true
	}
	if m := cveTextThroughRE.FindStringSubmatch(s); m != nil {
		lo, hi := clean(m[1]), clean(m[2])
		var r vrange.Range
		if line, ok := strings.CutSuffix(strings.ToLower(hi), ".x"); ok {
			next, ok := nextLine(line)
			if !ok {
				return nil, false
			}
			r = vrange.FromBounds("", lo, "", "", next)
		} else {
			r = vrange.FromBounds("", lo, "", hi, "")
		}
		out := []vrange.Range{r}
		if m[3] != "" {
			out = append(out, vrange.Exact("", clean(m[3])))
		}
		return out, true
	}
	if m := cveTextUpToRE.FindStringSubmatch(s); m != nil {
		return []vrange.Range{vrange.FromBounds("", "", "", clean(m[1]), "")}, true
	}
	return nil, false
}

// nextLine returns the release after line ("10.5" of "10.4").
func nextLine(line string) (string, bool) {
	i := strings.LastIndexByte(line, '.')
	n, err := strconv.Atoi(line[i+1:])
	if err != nil {
		return "", false
	}
	return line[:i+1] + strconv.Itoa(n+1), true
}

// wordAt returns the index of word w in s at or after i, standing as a
// word of its own, or -1.
func wordAt(s, w string, i int) int {
	for i <= len(s) {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return -1
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isWordByte(s[j-1])) && (end == len(s) || !isWordByte(s[end]) || s[end] == 's') {
			return j
		}
		i = j + 1
	}
	return -1
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// cveTextBounds returns, by vulnerability, the ranges its own text bounds
// cp to (rule cve-text): its summary, and the sentences of its remedies
// for cp that name it with a fix and one version of cp ("… in ToolBoxST
// Version 7.8.0 to resolve CVE-2018-16202": versions before it). Only for
// an advisory of several vulnerabilities and a product of one entry.
func cveTextBounds(a *advisory.Advisory, cp *cproduct) map[string][]vrange.Range {
	if len(a.Vulns) < 2 || !cp.soleEntry {
		// One vulnerability: the product's ranges are its own; entries
		// of one name with ranges of their own: the text may bound one.
		return nil
	}
	var names []string
	for i := range a.Products {
		names = append(names, a.Products[i].Name)
	}
	words := cveTextWords(cp.p.Name, names)
	if len(words) == 0 {
		return nil
	}
	var out map[string][]vrange.Range
	add := func(cve string, rs []vrange.Range) {
		if out == nil {
			out = map[string][]vrange.Range{}
		}
		out[cve] = append(out[cve], rs...)
	}
	for _, v := range a.Vulns {
		cve := strings.ToUpper(v.Key())
		if rs := textBounds(v.Description, words); len(rs) > 0 {
			add(cve, rs)
		}
		for _, r := range v.Remedies {
			if len(r.ProductIDs) > 0 && !slices.Contains(r.ProductIDs, cp.p.ID) {
				continue
			}
			for _, sentence := range strings.Split(strings.ReplaceAll(r.Details, "\n", ". "), ". ") {
				ids := cveIDRE.FindAllStringSubmatch(sentence, -1)
				if len(ids) == 0 || !cveTextFixVerbRE.MatchString(sentence) {
					continue
				}
				var fixes []string
				lower := strings.ToLower(sentence)
				for _, w := range words {
					for i := 0; ; {
						j := wordAt(lower, w, i)
						if j < 0 {
							break
						}
						i = j + len(w)
						if m := cveTextFixVersionRE.FindStringSubmatch(sentence[i:]); m != nil && !slices.Contains(fixes, m[1]) {
							fixes = append(fixes, m[1])
						}
					}
				}
				if len(fixes) != 1 {
					continue // none, or fixes on several lines
				}
				for _, m := range ids {
					id := "CVE-" + m[1] + "-" + m[2]
					if id == cve {
						add(cve, []vrange.Range{vrange.FromBounds("", "", "", "", fixes[0])})
					}
				}
			}
		}
	}
	return out
}

// outsideCVEText reports whether ver lies outside every range the
// vulnerability's own text bounds the product to (cveTextBounds); false
// when the text gives none or a range cannot compare ver.
func outsideCVEText(cp *cproduct, cve, ver string) bool {
	rs := cp.cveBounds[cve]
	if len(rs) == 0 || ver == "" {
		return false
	}
	for _, r := range rs {
		in, ok := contains(r, ver)
		if !ok || in {
			return false
		}
	}
	return true
}

// factorUpTo: a version equal to a range's exclusive bound that the
// product's name writes as "up to" it (rule up-to).
const factorUpTo = 0.8

// upTo applies an affected statement to ver when a range of the product
// ends before ver exactly ("< 7.0") and the product's full name writes
// the bound "up to" it ("WebCtrl Server: All versions up to 7.0",
// "PeerVue Web Server: all versions up to 7.6.2"): the advisory's text
// does not rule the bound out, the conversion made it exclusive. Below
// exact confidence; it reports whether it did.
func upTo(st *statement, ver string, ranges []crange, fullName string, status advisory.Status) bool {
	if ver == "" || !status.Affected() || !strings.Contains(strings.ToLower(fullName), "up to") {
		return false
	}
	for _, r := range ranges {
		cs := r.r.Constraints
		if !r.r.Understood() || len(r.r.Conditions) > 0 || len(cs) == 0 || cs[len(cs)-1].Op != vrange.Lt {
			continue
		}
		x := cs[len(cs)-1].Version
		if !eq(ver, x, "") || !upToRE.MatchString(fullName) {
			continue
		}
		m := upToRE.FindStringSubmatch(fullName)
		if !eq(strings.TrimRight(m[1], ".,;:"), x, "") {
			continue
		}
		if len(cs) > 1 {
			lower := r.r
			lower.Constraints = cs[:len(cs)-1]
			if in, ok := contains(lower, ver); !ok || !in {
				continue
			}
		}
		why := fmt.Sprintf("version %q is the bound of %s that the product's name writes %q (the bound included)", ver, r.r.Bounds(), m[0])
		*st = statement{applies: true, status: rangeStatus(r.src, ver, status), spec: 2, factor: factorUpTo, rng: "<= " + x, notes: []string{why},
			check: Check{Part: "version", Rule: "up-to", Factor: factorUpTo, Why: why}}
		return true
	}
	return false
}

// upToRE: "up to" a version in a product's full name, not "up to but not
// including" it.
var upToRE = regexp.MustCompile(`(?i)\bup to (?:and including )?(?:versions?\s+|v\.?\s*)?(\d[\w.]*)`)
