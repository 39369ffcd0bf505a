// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

// Version numbers (version_t) are either integers or semantic versions.
const (
	intVersionPattern = `^(0|[1-9][0-9]*)$`
	semVersionPattern = `^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`
)

var (
	// Compiled once; regexp.Regexp is immutable and safe for concurrent use.
	intVersionRe = regexp.MustCompile(intVersionPattern)
	semVersionRe = regexp.MustCompile(semVersionPattern)
)

// version is a parsed version_t.
type version struct {
	raw     string
	integer bool
	semver  bool
	key     string // "vMAJOR.MINOR.PATCH[-pre]" for golang.org/x/mod/semver; integers map to "vN.0.0"
}

func parseVersion(s string) version {
	v := version{raw: s}
	switch {
	case intVersionRe.MatchString(s):
		v.integer = true
		v.key = "v" + s + ".0.0"
	case semVersionRe.MatchString(s):
		v.semver = true
		v.key = "v" + s
	}
	return v
}

func (v version) valid() bool { return v.integer || v.semver }

// major returns the major version number; ok is false for invalid versions
// and numbers too large for uint64.
func (v version) major() (uint64, bool) {
	if !v.valid() {
		return 0, false
	}
	m, _, _ := strings.Cut(v.raw, ".")
	n, err := strconv.ParseUint(m, 10, 64)
	return n, err == nil
}

func (v version) prerelease() bool { return v.semver && semver.Prerelease(v.key) != "" }

// compareVersions orders valid versions by semantic version precedence (an
// integer N counts as N.0.0); invalid versions sort first.
func compareVersions(a, b version) int {
	switch {
	case !a.valid() || !b.valid():
		return cmp.Compare(boolInt(a.valid()), boolInt(b.valid()))
	}
	return semver.Compare(a.key, b.key)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// revision is one item of the revision history.
type revision struct {
	index  int
	number version
	date   time.Time
}

// revisions returns the revision history when every item has a string number
// and date; ok is false otherwise (the schema reports the broken items).
// datesOK is false when some date is not RFC 3339.
func (c *checker) revisions() (revs []revision, ok, datesOK bool) {
	items, isArr := get(c.doc, "document", "tracking", "revision_history").([]any)
	if !isArr {
		return nil, false, false
	}
	datesOK = true
	for i, it := range items {
		n, ok1 := getStr(it, "number")
		d, ok2 := getStr(it, "date")
		if !ok1 || !ok2 {
			return nil, false, false
		}
		t, err := time.Parse(time.RFC3339Nano, d)
		if err != nil {
			datesOK = false
		}
		revs = append(revs, revision{index: i, number: parseVersion(n), date: t})
	}
	return revs, true, datesOK
}

// byDate returns the revisions sorted ascending by date, ties by version.
// ok is false (and a warning recorded) when a date cannot be parsed.
func (c *checker) byDate() ([]revision, bool) {
	revs, ok, datesOK := c.revisions()
	if !ok {
		return nil, false
	}
	if !datesOK {
		c.warn(root.k("document").k("tracking").k("revision_history"), "a revision date is not an RFC 3339 date-time; items cannot be sorted by date")
		return nil, false
	}
	sorted := slices.Clone(revs)
	slices.SortStableFunc(sorted, func(a, b revision) int {
		return cmp.Or(a.date.Compare(b.date), compareVersions(a.number, b.number))
	})
	return sorted, true
}

const historyPath = root + ".document.tracking.revision_history"

// 6.1.14: sorted by date, the version numbers ascend.
func test6114(c *checker) {
	sorted, ok := c.byDate()
	if !ok {
		return
	}
	seen := map[string]bool{}
	var prev *revision
	for i := range sorted {
		r := &sorted[i]
		if !r.number.valid() || seen[r.number.key] {
			continue
		}
		seen[r.number.key] = true
		if prev != nil && compareVersions(r.number, prev.number) < 0 {
			c.fail(historyPath.i(r.index), "number %q dated %s sorts after number %q dated %s: numbers must ascend with the date",
				r.number.raw, r.date.Format(time.RFC3339), prev.number.raw, prev.date.Format(time.RFC3339))
		}
		if prev == nil || compareVersions(r.number, prev.number) > 0 {
			prev = r
		}
	}
}

// trackingVersion returns document.tracking.version and .status.
func (c *checker) trackingVersion() (ver, status string, ok bool) {
	ver, ok1 := getStr(c.doc, "document", "tracking", "version")
	status, ok2 := getStr(c.doc, "document", "tracking", "status")
	return ver, status, ok1 && ok2
}

// 6.1.16: the document version equals the number of the latest revision
// (build metadata ignored; pre-release ignored when the status is draft).
func test6116(c *checker) {
	ver, status, ok := c.trackingVersion()
	if !ok {
		return
	}
	sorted, ok := c.byDate()
	if !ok || len(sorted) == 0 {
		return
	}
	latest := sorted[len(sorted)-1].number.raw
	norm := func(s string) string {
		s, _, _ = strings.Cut(s, "+")
		if status == "draft" {
			s, _, _ = strings.Cut(s, "-")
		}
		return s
	}
	if norm(latest) != norm(ver) {
		c.fail(root.k("document").k("tracking").k("version"), "version %q does not match %q, the number of the latest revision history item", ver, latest)
	}
}

// 6.1.17: version 0, 0.y.z or a pre-release requires status draft.
func test6117(c *checker) {
	ver, status, ok := c.trackingVersion()
	if !ok || status == "draft" {
		return
	}
	v := parseVersion(ver)
	if m, ok := v.major(); ok && m == 0 || v.prerelease() {
		c.fail(root.k("document").k("tracking").k("status"), "status is %q but version %q requires draft", status, ver)
	}
}

func finalOrInterim(status string) bool { return status == "final" || status == "interim" }

// 6.1.18: a final or interim document has no revision 0 or 0.y.z.
func test6118(c *checker) {
	_, status, ok := c.trackingVersion()
	if !ok || !finalOrInterim(status) {
		return
	}
	revs, ok, _ := c.revisions()
	if !ok {
		return
	}
	for _, r := range revs {
		if m, ok := r.number.major(); ok && m == 0 {
			c.fail(historyPath.i(r.index).k("number"), "status is %q but the revision history has number %q", status, r.number.raw)
		}
	}
}

// 6.1.19: no revision number has a pre-release part.
func test6119(c *checker) {
	revs, ok, _ := c.revisions()
	if !ok {
		return
	}
	for _, r := range revs {
		if r.number.prerelease() {
			c.fail(historyPath.i(r.index).k("number"), "revision number %q has a pre-release part", r.number.raw)
		}
	}
}

// 6.1.20: a final or interim document version has no pre-release part.
func test6120(c *checker) {
	ver, status, ok := c.trackingVersion()
	if ok && finalOrInterim(status) && parseVersion(ver).prerelease() {
		c.fail(root.k("document").k("tracking").k("version"), "status is %q but version %q has a pre-release part", status, ver)
	}
}

// 6.1.21: sorted by date, the (major) version numbers start at 0 or 1 and
// omit none.
func test6121(c *checker) {
	sorted, ok := c.byDate()
	if !ok || len(sorted) == 0 {
		return
	}
	var majors []uint64
	seen := map[uint64]bool{}
	for _, r := range sorted {
		m, ok := r.number.major()
		if !ok {
			return // an invalid number: the schema reports it
		}
		if !seen[m] {
			seen[m] = true
			majors = append(majors, m)
		}
	}
	if majors[0] > 1 {
		c.fail(historyPath, "the earliest revision has (major) version %d; it must be 0 or 1", majors[0])
	}
	highest := majors[0]
	for _, m := range majors[1:] {
		if m > highest+1 {
			for missing := highest + 1; missing < m && missing-highest <= 10; missing++ {
				c.fail(historyPath, "(major) version %d is missing from the revision history", missing)
			}
		}
		highest = max(highest, m)
	}
}

// 6.1.22: no version number appears twice in the revision history.
func test6122(c *checker) {
	revs, ok, _ := c.revisions()
	if !ok {
		return
	}
	first := map[string]int{}
	for _, r := range revs {
		if j, dup := first[r.number.raw]; dup {
			c.fail(historyPath.i(r.index).k("number"), "number %q is already used by revision_history[%d]", r.number.raw, j)
			continue
		}
		first[r.number.raw] = r.index
	}
}

// 6.1.30: revision numbers and the document version use one versioning
// scheme (integer or semantic).
func test6130(c *checker) {
	kind := func(s string) string {
		if intVersionRe.MatchString(s) {
			return "integer"
		}
		return "semantic"
	}
	scheme, from := "", ""
	for i, it := range getArr(c.doc, "document", "tracking", "revision_history") {
		n, ok := getStr(it, "number")
		if !ok {
			continue
		}
		k := kind(n)
		if scheme == "" {
			scheme, from = k, n
			continue
		}
		if k != scheme {
			c.fail(historyPath.i(i).k("number"), "number %q uses %s versioning but %q uses %s versioning", n, k, from, scheme)
		}
	}
	if ver, ok := getStr(c.doc, "document", "tracking", "version"); ok && scheme != "" && kind(ver) != scheme {
		c.fail(root.k("document").k("tracking").k("version"), "version %q uses %s versioning but the revision history (%q) uses %s versioning", ver, kind(ver), from, scheme)
	}
}
