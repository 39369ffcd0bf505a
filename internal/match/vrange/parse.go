// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vrange

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"vigil/internal/match/purl"
	"vigil/internal/match/version"
)

// Parse reads a version range statement: a vers URI ("vers:semver/>=1.0|
// <2.0"; CISA's "vers:all/…" holds vendor versions) or free text in the
// shapes CSAF product_version_range names use. Whatever it cannot read is
// reported in Unparsed, never widened to every version.
func Parse(s string) Range {
	r := Range{Text: s, Scheme: SchemeVendor}
	t := collapse(s)
	if t == "" {
		r.Unparsed = "empty range"
		return r
	}
	if len(t) >= 5 && strings.EqualFold(t[:5], "vers:") {
		parseVers(&r, t)
		return r
	}
	p := parser{r: &r}
	if err := p.parse(t); err != nil {
		r.All, r.Constraints = false, nil
		r.Unparsed = err.Error()
	}
	akaVersion(&r)
	buildBound(&r, p.build)
	firmwareBound(&r)
	return r
}

// buildRE is a build number: three or more dotted numbers.
var buildRE = regexp.MustCompile(`^[vV]?\d+(?:\.\d+){2,}$`)

// buildBound keeps a build number written in parentheses after the one
// bound of a range ("<= 9.90 SP5 (v9.90.196)", "< V2.1 SP3 (2.1.670)",
// "< 2017 (1.9.0)") as the bound's Aka when the bound is itself no build
// number: a version written as a build is compared with it.
func buildBound(r *Range, build string) {
	if build == "" || r.Aka != "" || len(r.Constraints) != 1 || buildRE.MatchString(r.Constraints[0].Version) {
		return
	}
	r.Aka = build
}

var firmwareRE = regexp.MustCompile(`(?i)^firmware(?:\s+(?:versions?|revision))?(\s+(?:prior to|before|older than))?\s+v?(\d+(?:\.\d+)+)$`)

// firmwareBound reads a firmware bound given in parentheses beside the one
// upper bound of a software release ("< 12.4 (firmware 1.46)"): it is the
// range's Firmware, not a condition. "prior to" makes it exclusive;
// without words it takes the bound's comparator.
func firmwareBound(r *Range) {
	if len(r.Constraints) != 1 || !r.Constraints[0].Op.upper() || r.Aka != "" {
		return
	}
	for i, c := range r.Conditions {
		m := firmwareRE.FindStringSubmatch(strings.TrimSpace(c.Text))
		if m == nil {
			continue
		}
		if m[1] != "" && r.Constraints[0].Op != Lt {
			return
		}
		r.Firmware = m[2]
		r.Conditions = append(r.Conditions[:i:i], r.Conditions[i+1:]...)
		return
	}
}

var (
	akaVersionRE = regexp.MustCompile(`(?i)^version\s+(v?\d+(?:\.\d+)+)$`)
	yearLedRE    = regexp.MustCompile(`(?i)^v?(?:19|20)\d\d\b`)
	orVersionRE  = regexp.MustCompile(`(?i)^or\s+(?:(?:software|firmware)\s+)?versions?\s+(v?\d+(?:\.\d+)+)$`)
)

// akaVersion reads a release bound restated as a build number ("<= 2018
// SP3 Version 3.4.430.460"): the build number is the bound's Aka, not a
// condition.
func akaVersion(r *Range) {
	if len(r.Constraints) != 1 {
		return
	}
	// The one bound restated as another version ("< R02 (or Software
	// Version 1.1.13166)"): a build number is compared with it.
	if !buildRE.MatchString(r.Constraints[0].Version) {
		for i, c := range r.Conditions {
			if m := orVersionRE.FindStringSubmatch(strings.TrimSpace(c.Text)); m != nil && buildRE.MatchString(m[1]) {
				r.Aka = m[1]
				r.Conditions = append(r.Conditions[:i:i], r.Conditions[i+1:]...)
				return
			}
		}
	}
	if !yearLedRE.MatchString(r.Constraints[0].Version) {
		return
	}
	for i, c := range r.Conditions {
		if m := akaVersionRE.FindStringSubmatch(strings.TrimSpace(c.Text)); m != nil {
			r.Aka = m[1]
			r.Conditions = append(r.Conditions[:i:i], r.Conditions[i+1:]...)
			return
		}
	}
}

// collapse trims s and reduces runs of whitespace to one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

var comparatorRE = regexp.MustCompile(`(<=|>=|=<|=>|==|<|>|=)`)

// parseVers reads a vers URI. Versions of "vers:all" (CISA) are vendor
// versions kept in the order written; other schemes are checked and
// sorted by package purl.
func parseVers(r *Range, t string) {
	scheme, body, ok := strings.Cut(t[5:], "/")
	scheme = strings.ToLower(strings.TrimSpace(scheme))
	if !ok || scheme == "" {
		r.Unparsed = "vers URI without a versioning scheme"
		return
	}
	body = strings.TrimSpace(body)
	if body == "*" {
		r.All = true
		if scheme != "all" {
			r.Scheme = scheme
		}
		return
	}
	if scheme != "all" {
		vr, err := purl.ParseRange(t)
		if err != nil {
			if errors.Is(err, purl.ErrScheme) {
				r.Unparsed = fmt.Sprintf("versioning scheme %q is not implemented", scheme)
			} else {
				r.Unparsed = err.Error()
			}
			return
		}
		r.Scheme = scheme
		r.vers = vr.String()
		for _, c := range vr.Constraints {
			switch c.Comparator {
			case purl.All:
				r.All = true
			case purl.Ne:
				// Contains asks package purl; Bounds shows the others.
			default:
				r.Constraints = append(r.Constraints, Constraint{Op(c.Comparator), c.Version})
			}
		}
		return
	}
	for _, part := range strings.Split(body, "|") {
		cs, err := chain(strings.TrimSpace(part))
		if err != nil {
			r.Unparsed = err.Error()
			r.Constraints = nil
			return
		}
		r.Constraints = append(r.Constraints, cs...)
	}
	if len(r.Constraints) == 0 {
		r.Unparsed = "vers URI without constraints"
	}
}

// chain reads one or more comparator-version pairs written without
// separators (">=V1.80<V2.20", "<V5.2 SP 3 HF 13"); text without a
// comparator is one exact version.
func chain(s string) ([]Constraint, error) {
	if s == "" {
		return nil, nil
	}
	locs := comparatorRE.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		v, err := operand(s)
		if err != nil {
			return nil, err
		}
		return []Constraint{{Eq, v}}, nil
	}
	if pre := strings.TrimSpace(s[:locs[0][0]]); pre != "" {
		return nil, fmt.Errorf("text %q before the first comparator", pre)
	}
	var out []Constraint
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		v, err := operand(s[l[1]:end])
		if err != nil {
			return nil, err
		}
		out = append(out, Constraint{normOp(s[l[0]:l[1]]), v})
	}
	return out, nil
}

func normOp(s string) Op {
	switch s {
	case "=<":
		return Le
	case "=>":
		return Ge
	case "==":
		return Eq
	}
	return Op(s)
}

// parser reads free text into r.
type parser struct {
	r *Range
	// lines are "(14.x series)" notes: lower bounds to put first.
	lines []string
	// orPrior: "(and possibly prior versions)" after one version.
	orPrior bool
	// models: a part of the range names models ("750-832/xxx-xxx"), so
	// "750-823" beside it is a model too, not a range of releases.
	models bool
	// build: a build number restating the version before it in
	// parentheses ("9.90 SP5 (v9.90.196)", "2017 (1.9.0)").
	build string
}

func (p *parser) cond(text string) {
	text = strings.TrimSpace(strings.Trim(collapse(text), "-,;"))
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	for _, c := range p.r.Conditions {
		if c.Text == text {
			return
		}
	}
	c := Condition{Text: text}
	if m := onlyCVERE.FindStringSubmatch(text); m != nil {
		c.CVE = strings.ToUpper(m[1])
	}
	p.r.Conditions = append(p.r.Conditions, c)
}

var (
	proseSepRE = regexp.MustCompile(`(?i)_(only|with|when|using|and|including)_`)
	serialRE   = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^<=\s*(?:with )?the first (\d+) digits of serial number (\w+)$`),
		regexp.MustCompile(`(?i)^<=\s*first (\d+) digits of serial number(?: are)? (\w+)$`),
		regexp.MustCompile(`(?i)^(\d+) digits of serial number <= (\w+)$`),
	}
	productionRE    = regexp.MustCompile(`(?i)^<=\s*production date (\w+) (\d{4})$`)
	abbRE           = regexp.MustCompile(`(?i)^(1SAP\w+)\s*(?:\|\s*|\(\s*revision index\s+)([A-Z]\d)\s+with BSP\s*<=\s*(UN\d+)\s+v?([\d.]+)\s*\)?$`)
	articleRE       = regexp.MustCompile(`(?i)^(\d{5,}.*?)\s+version\s+(\S+)$`)
	betweenRE       = regexp.MustCompile(`(?i)^between\s+(\S+)\s*\(including\)\s+and\s+(\S+)\s*\(excluding\)$`)
	leadRE          = regexp.MustCompile(`(?i)^(all\s+(?:(bios|firmware)\s+)?versions|all\s+deployments|versions?)\b\s*:?\s*`)
	condLeadRE      = regexp.MustCompile(`(?i)^(with|using|in|only|when|installed|including|if)\b`)
	onlyCVERE       = regexp.MustCompile(`(?i)only affected by (CVE-\d{4}-\d+)`)
	seriesRE        = regexp.MustCompile(`(?i)^(\d+)\.x series$`)
	aliasRE         = regexp.MustCompile(`(?i)^(aka\b.*|build\b.*|v?\d[\d.]*|\d{4}\s+R\d+|R\d[\d.]*)$`)
	monthRE         = regexp.MustCompile(`(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b`)
	starRE          = regexp.MustCompile(`^\*\s*(?:and\s*>\s*)?(.*)$`)
	embeddedVRE     = regexp.MustCompile(`[-_.][vV]\d`)
	cveItemRE       = regexp.MustCompile(`(?i)^(CVE-\d{4}-\d+)$`)
	datedVersionRE  = regexp.MustCompile(`\d\.\d`)
	possiblyPriorRE = regexp.MustCompile(`(?i)^and (?:possibly )?prior versions$`)
)

func (p *parser) parse(t string) error {
	r := p.r
	if proseSepRE.MatchString(t) {
		t = collapse(strings.ReplaceAll(t, "_", " "))
	}
	u := collapse(strings.ReplaceAll(t, "_", " "))
	for _, re := range serialRE {
		if m := re.FindStringSubmatch(u); m != nil {
			r.All = true
			p.cond(fmt.Sprintf("serial number first %s digits <= %s", m[1], m[2]))
			return nil
		}
	}
	if m := productionRE.FindStringSubmatch(u); m != nil {
		r.All = true
		p.cond(fmt.Sprintf("production date <= %s %s", m[1], m[2]))
		return nil
	}
	if strings.Contains(strings.ToLower(u), "serial number") {
		r.All = true
		p.cond(u)
		return nil
	}
	if m := abbRE.FindStringSubmatch(t); m != nil {
		r.Constraints = []Constraint{{Le, m[4]}}
		p.cond("order code " + m[1])
		p.cond("revision index " + m[2])
		p.cond("BSP " + m[3])
		return nil
	}
	if strings.EqualFold(t, "no version") {
		return errors.New("the advisory states no version")
	}
	// "All versions", "All BIOS versions", "Versions": no meaning of their
	// own; BIOS versions are a condition.
	for {
		m := leadRE.FindStringSubmatchIndex(t)
		if m == nil {
			break
		}
		if m[4] >= 0 && strings.EqualFold(t[m[4]:m[5]], "bios") {
			p.cond("BIOS")
		}
		t = strings.TrimSpace(t[m[1]:])
	}
	if len(t) > 5 && strings.EqualFold(t[:5], "bios ") {
		p.cond("BIOS")
		t = strings.TrimSpace(t[5:])
	}
	if t == "" {
		r.All = true
		return nil
	}
	if m := articleRE.FindStringSubmatch(t); m != nil && !comparatorRE.MatchString(m[1]) {
		p.cond(m[1])
		t = m[2]
	}
	if m := betweenRE.FindStringSubmatch(t); m != nil {
		t = ">= " + m[1] + " < " + m[2]
	}
	if condLeadRE.MatchString(t) {
		r.All = true
		p.cond(unwrap(t))
		return nil
	}
	// "up to and including 2.5.1", "5.0 up to and including 5.0.5.31":
	// an inclusive upper bound (before "including" is read as a condition).
	t = uptoInclRE.ReplaceAllString(t, "<= ")
	t = p.tailCondition(t)
	t = p.parentheses(t)
	if t == "" {
		r.All = true
		return nil
	}
	var cs []Constraint
	for _, piece := range splitTop(t, '|') {
		if modelLike(strings.TrimSpace(piece)) {
			p.models = true
		}
	}
	for _, piece := range splitTop(t, '|') {
		pc, err := p.piece(strings.TrimSpace(piece))
		if err != nil {
			return err
		}
		cs = append(cs, pc...)
	}
	if r.All {
		if len(cs) > 0 {
			r.All = false
		} else {
			return nil
		}
	}
	if len(cs) == 0 {
		if len(r.Conditions) > 0 {
			r.All = true
			return nil
		}
		return fmt.Errorf("no version in %q", t)
	}
	if p.orPrior && len(cs) == 1 && cs[0].Op == Eq {
		cs[0].Op = Le
	}
	cs = perLine(cs)
	for i := len(p.lines) - 1; i >= 0; i-- {
		cs = append([]Constraint{{Ge, p.lines[i]}}, cs...)
	}
	r.Constraints = cs
	return nil
}

// unwrap drops one pair of parentheses around s.
func unwrap(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && strings.Count(s, "(") == 1 {
		s = s[1 : len(s)-1]
	}
	return strings.TrimSpace(s)
}

var (
	tailRE    = regexp.MustCompile(`(?i)\s(with|using|only|when|installed|including|of|if|on)\s`)
	andWordRE = regexp.MustCompile(`\sand\s+([A-Za-z][A-Za-z]+)`)
)

// tailCondition moves wording after the versions ("… with WinCC V7.4",
// "… only if web components are used", "… and Function State (FS) <= 3")
// into a condition and returns the rest.
func (p *parser) tailCondition(t string) string {
	cut := -1
	for _, m := range tailRE.FindAllStringIndex(t, -1) {
		if depth(t[:m[0]]) == 0 {
			cut = m[0]
			break
		}
	}
	for _, m := range andWordRE.FindAllStringSubmatchIndex(t, -1) {
		w := strings.ToLower(t[m[2]:m[3]])
		switch w {
		case "earlier", "prior", "later", "above", "below", "lower", "higher", "older", "newer", "all", "before":
			continue
		}
		if depth(t[:m[0]]) == 0 && (cut < 0 || m[0] < cut) {
			cut = m[0]
		}
		break
	}
	if cut <= 0 {
		return t
	}
	rest := strings.TrimSpace(t[cut:])
	if strings.HasPrefix(strings.ToLower(rest), "and ") {
		rest = strings.TrimSpace(rest[4:])
	}
	p.cond(unwrap(rest))
	return strings.TrimSpace(t[:cut])
}

// depth returns the parenthesis depth at the end of s.
func depth(s string) int {
	d := 0
	for _, c := range s {
		switch c {
		case '(':
			d++
		case ')':
			if d > 0 {
				d--
			}
		}
	}
	return d
}

// parentheses handles parenthesised text: a build number after a version
// ("5.7.4 (96)") stays, "(14.x series)" becomes a lower bound, a
// restatement of the version ("(2018 R1)", "(Build Nr. …)", "(aka …)") is
// dropped, a version alone in parentheses ("<=(R4.02)") is unwrapped, and
// anything else is a condition.
func (p *parser) parentheses(t string) string {
	var b strings.Builder
	for i := 0; i < len(t); {
		if t[i] != '(' {
			b.WriteByte(t[i])
			i++
			continue
		}
		end := matching(t, i)
		inner := strings.TrimSpace(t[i+1 : end])
		next := end + 1
		if next > len(t) {
			next = len(t)
		}
		before := strings.TrimSpace(b.String())
		glued := i > 0 && isAlnum(t[i-1]) && len(inner) <= 4 && alnum(inner)
		switch {
		case glued || isDigits(inner) && before != "" && i > 0 && !strings.HasSuffix(before, "|"):
			b.WriteString(t[i:next])
		case seriesRE.MatchString(inner):
			p.lines = append(p.lines, seriesRE.FindStringSubmatch(inner)[1]+".x")
		case before == "" || strings.HasSuffix(before, "<") || strings.HasSuffix(before, "=") || strings.HasSuffix(before, ">"):
			if aliasRE.MatchString(inner) {
				b.WriteString(inner)
			} else {
				p.cond(inner)
			}
		case aliasRE.MatchString(inner):
			if buildRE.MatchString(inner) {
				p.build = strings.TrimLeft(inner, "vV")
			}
		default:
			if possiblyPriorRE.MatchString(inner) {
				p.orPrior = true
			}
			p.cond(inner)
		}
		i = next
	}
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(b.String()), "-"))
}

// matching returns the index of the parenthesis closing the one at i, or
// len(t) when it is never closed (the rest is then inside).
func matching(t string, i int) int {
	d := 0
	for j := i; j < len(t); j++ {
		switch t[j] {
		case '(':
			d++
		case ')':
			d--
			if d == 0 {
				return j
			}
		}
	}
	return len(t)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func alnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// splitTop splits s at sep outside parentheses.
func splitTop(s string, sep byte) []string {
	var out []string
	d, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			d++
		case ')':
			if d > 0 {
				d--
			}
		case sep:
			if d == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

var (
	priorRE  = regexp.MustCompile(`(?i)^(?:prior to|before|earlier than|older than|lower than|below)\s+(.+)$`)
	uptoRE   = regexp.MustCompile(`(?i)^(?:up to and including|up to|through|until)\s+(.+)$`)
	andPrior = regexp.MustCompile(`(?i)^(.+?)\s+(?:and|or)\s+(?:all\s+)?(?:prior|earlier|lower|below|older|before|<)(?:\s+versions?)?$`)
	andLater = regexp.MustCompile(`(?i)^(.+?)\s+(?:and|or)\s+(?:later|above|newer|higher|greater)(?:\s+versions?)?$`)
	toRE     = regexp.MustCompile(`(?i)^(\S+)\s+(?:to|through|thru|-)\s+(\S+)$`)
	// dashRE matches a range of releases written as two numbers joined by
	// a hyphen ("20-33", "V191-V195", "2014-2016").
	dashRE     = regexp.MustCompile(`^([vV]?)(\d{1,4})-([vV]?)(\d{1,4})$`)
	uptoInclRE = regexp.MustCompile(`(?i)\bup\s+to\s+and\s+including\s+`)
	listSepRE  = regexp.MustCompile(`\s*,\s*|\s+and\s+(?:all\s+versions\s+)?`)
)

// piece reads one "|"-separated part of free text.
func (p *parser) piece(s string) ([]Constraint, error) {
	s = strings.TrimSpace(strings.Trim(s, " ,;"))
	if s == "" {
		return nil, nil
	}
	if monthRE.MatchString(s) && !datedVersionRE.MatchString(s) {
		p.cond(s)
		return nil, nil
	}
	if m := starRE.FindStringSubmatch(s); m != nil {
		p.r.All = true
		p.cond(m[1])
		return nil, nil
	}
	if m := priorRE.FindStringSubmatch(s); m != nil {
		return p.piece("< " + m[1])
	}
	if m := uptoRE.FindStringSubmatch(s); m != nil {
		return p.piece("<= " + m[1])
	}
	if m := andPrior.FindStringSubmatch(s); m != nil {
		return p.piece("<= " + m[1])
	}
	if m := andLater.FindStringSubmatch(s); m != nil {
		return p.piece(">= " + m[1])
	}
	if !comparatorRE.MatchString(s) {
		if m := toRE.FindStringSubmatch(s); m != nil && versionLike(m[1]) && versionLike(m[2]) {
			return []Constraint{{Ge, m[1]}, {Le, m[2]}}, nil
		}
		// A list of versions ("V15, V15.1 and V16") or of ranges in words
		// ("R5.01.00 through R5.04.20 and R6.01.00 through R6.09.00", "20-33"),
		// one version, a wildcard ("1.2 *"), or a model named instead of a
		// version.
		var out []Constraint
		for _, item := range listSepRE.Split(s, -1) {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			if m := toRE.FindStringSubmatch(item); m != nil && versionLike(m[1]) && versionLike(m[2]) {
				out = append(out, Constraint{Ge, m[1]}, Constraint{Le, m[2]})
				continue
			}
			if lo, hi, ok := dashRange(item); ok && !p.models {
				out = append(out, Constraint{Ge, lo}, Constraint{Le, hi})
				continue
			}
			if strings.HasSuffix(item, " *") {
				item = strings.TrimSpace(strings.TrimSuffix(item, "*")) + ".x"
			}
			if strings.HasPrefix(strings.ToUpper(item), "1SAP") {
				p.cond("order code " + item)
				continue
			}
			if modelLike(item) {
				p.r.All = true
				p.r.Conditions = append(p.r.Conditions, Condition{Text: "model " + item, Model: item})
				continue
			}
			if m := cveItemRE.FindStringSubmatch(item); m != nil {
				p.cond("only affected by " + strings.ToUpper(m[1]))
				continue
			}
			v, err := p.operand(item)
			if err != nil {
				return nil, err
			}
			out = append(out, Constraint{Eq, v})
		}
		return out, nil
	}
	locs := comparatorRE.FindAllStringIndex(s, -1)
	var out []Constraint
	if pre := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s[:locs[0][0]]), ":")); pre != "" {
		// Text before the comparator: a version ("16 <= 20": from 16), a
		// list of versions and a bound ("V04.00.02 and all versions >= …"),
		// an order number (a condition) or a label ("NMC2 <= 6.9.6").
		items := listSepRE.Split(pre, -1)
		last := strings.TrimSpace(items[len(items)-1])
		first := normOp(s[locs[0][0]:locs[0][1]])
		for _, it := range items[:len(items)-1] {
			if v, err := operand(it); err == nil {
				out = append(out, Constraint{Eq, v})
			}
		}
		switch {
		case orderCode(last) != "":
			p.cond(orderCode(last))
		case numericStart(last) && first.upper():
			v, err := operand(last)
			if err != nil {
				return nil, err
			}
			out = append(out, Constraint{Ge, v})
		case numericStart(last):
			v, err := operand(last)
			if err != nil {
				return nil, err
			}
			out = append(out, Constraint{Eq, v})
		}
	}
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		arg := strings.TrimSpace(s[l[1]:end])
		arg = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(arg, " and"), ","))
		if arg == "" && i == len(locs)-1 && len(out) > 0 && normOp(s[l[0]:l[1]]) == Lt {
			// "3.0 and <": 3.0 and prior.
			out[len(out)-1].Op = Le
			continue
		}
		for _, a := range slashList(arg) {
			v, err := p.operand(a)
			if err != nil {
				return nil, err
			}
			out = append(out, Constraint{normOp(s[l[0]:l[1]]), v})
		}
	}
	return out, nil
}

// dashRange reads "20-33" or "V191-V195" as the releases from the first
// number to the second: both written alike (with or without "V"), the
// same number of digits, the first below the second. Anything else
// ("8.00-20140730", "3.4.5-100", "750-8xx") is no range.
func dashRange(s string) (lo, hi string, ok bool) {
	m := dashRE.FindStringSubmatch(s)
	if m == nil || !strings.EqualFold(m[1], m[3]) || len(m[2]) != len(m[4]) || m[2] >= m[4] {
		return "", "", false
	}
	return m[1] + m[2], m[3] + m[4], true
}

var slashRE = regexp.MustCompile(`\s*/\s*`)

// slashList splits "2.0.11 / 3.0.11" into versions when every part starts
// like one; anything else is one operand.
func slashList(s string) []string {
	parts := slashRE.Split(s, -1)
	if len(parts) < 2 || !strings.Contains(s, " ") {
		return []string{s}
	}
	for _, p := range parts {
		if !numericStart(strings.TrimSpace(p)) {
			return []string{s}
		}
	}
	return parts
}

// operand cleans a version operand: labels dropped ("ROS V4.3.4" →
// "V4.3.4", "firmware_65" → "65", "CPC80 V16.30" → "V16.30"), then checks
// it reads as a version.
func operand(s string) (string, error) {
	v, _, err := operandRest(s)
	return v, err
}

// operand is operand with words after the version ("3.1 C++ / Matlab")
// kept as a condition.
func (p *parser) operand(s string) (string, error) {
	v, rest, err := operandRest(s)
	if rest != "" {
		p.cond(rest)
	}
	return v, err
}

// operandRest cleans a version operand and returns the words after it that
// are no part of a version.
func operandRest(s string) (string, string, error) {
	s = collapse(strings.Trim(strings.TrimSpace(s), ",;-"))
	fs := strings.Fields(s)
	if len(fs) > 1 && strings.EqualFold(fs[0], "v") && numericStart(fs[1]) {
		fs = append([]string{fs[0] + fs[1]}, fs[2:]...) // "V 4.01"
	}
	for len(fs) > 1 && isLabel(fs[0], fs[1]) {
		fs = fs[1:]
	}
	if len(fs) == 1 {
		if i := strings.IndexByte(fs[0], '_'); i > 1 && lettersOnly(fs[0][:i]) && versionStart(fs[0][i+1:]) {
			fs[0] = fs[0][i+1:]
		}
	}
	rest := ""
	for i := 1; i < len(fs); i++ {
		if !versionWord(fs[i]) {
			rest = strings.Join(fs[i:], " ")
			fs = fs[:i]
			break
		}
	}
	v := strings.Join(fs, " ")
	v = strings.TrimSpace(strings.TrimSuffix(v, "."))
	if v == "" {
		return "", "", errors.New("comparator without a version")
	}
	if m := embeddedVRE.FindStringIndex(v); m != nil && !numericStart(v) && !strings.Contains(v, " ") {
		v = v[m[0]+1:] // "InRouter6XX-S-V2.3.0.r5542" → "V2.3.0.r5542"
	}
	if !versionLike(v) {
		return "", "", fmt.Errorf("%q is not a version", v)
	}
	return v, rest, nil
}

// versionWord reports whether a word after the first one of a version
// belongs to it: it holds a digit, is one letter, or is a qualifier
// ("SP", "Update", "Build", "Beta", "release").
func versionWord(w string) bool {
	if hasDigit(w) || len(w) == 1 {
		return true
	}
	switch strings.ToLower(strings.TrimRight(w, ".:")) {
	case "sp", "service", "pack", "update", "upd", "hf", "hotfix", "build", "bld", "patch", "beta", "alpha", "rc",
		"release", "rev", "fp", "cu", "qu", "ru", "sr", "mp", "ga", "bn", "nr", "spi", "?":
		return true
	}
	return false
}

// isLabel reports whether word names the software rather than starting
// its version: a word of letters ("ROS", "WinCC", "Version", "rev."), or
// a code followed by a version ("CPC80 V16.30", "UN31 1.76").
func isLabel(word, next string) bool {
	w := strings.TrimRight(word, ".:")
	if len(w) >= 2 && lettersOnly(w) {
		switch strings.ToLower(w) {
		case "sp", "hf", "update", "upd", "patch", "build":
			return false
		}
		return true
	}
	if qualifierLead(w) {
		return false
	}
	return len(w) >= 2 && !numericStart(w) && hasDigit(w) && hasLetters(w, 2) && versionStart(next)
}

// numericStart reports whether s starts with a digit, or with "V" or "R"
// and a digit.
func numericStart(s string) bool {
	if s == "" {
		return false
	}
	if s[0] >= '0' && s[0] <= '9' {
		return true
	}
	return len(s) > 1 && (s[0]|0x20 == 'v' || s[0]|0x20 == 'r') && s[1] >= '0' && s[1] <= '9'
}

// qualifierLead reports whether a word starts with a version qualifier
// ("SP1", "HF3", "Upd2"), so it is part of the version, not a label.
func qualifierLead(w string) bool {
	i := 0
	for i < len(w) && (w[i]|0x20) >= 'a' && (w[i]|0x20) <= 'z' {
		i++
	}
	switch strings.ToLower(w[:i]) {
	case "sp", "hf", "fp", "mp", "sr", "u", "upd", "update", "p", "patch", "r", "rev", "build":
		return true
	}
	return false
}

func lettersOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			if s[i] != '-' && s[i] != '+' && s[i] != '!' {
				return false
			}
		}
	}
	return true
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// hasLetters reports whether s holds at least n ASCII letters.
func hasLetters(s string, n int) bool {
	k := 0
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			k++
		}
	}
	return k >= n
}

// versionStart reports whether s starts like a version: a digit, a "v"
// or "r" and a digit, or up to three letters and a digit ("SE2021MP5",
// "FW14", "A17", "L81", "P007", "SP3"), or a letter-series version
// ("B.06.18").
func versionStart(s string) bool {
	if s == "" {
		return false
	}
	if s[0] >= '0' && s[0] <= '9' {
		return true
	}
	i := 0
	for i < len(s) && i < 9 && (s[i]|0x20) >= 'a' && (s[i]|0x20) <= 'z' {
		i++
	}
	if i == 0 || i == 9 || i >= len(s) {
		return false
	}
	if i < 4 && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' && i == 1) {
		return true
	}
	// "FullImg-1023-1007", "InRouter6XX-S-V2.3.0": a word joined to a
	// number.
	return i+1 < len(s) && (s[i] == '-' || s[i] == '_') && s[i+1] >= '0' && s[i+1] <= '9' ||
		s[i] >= '0' && s[i] <= '9' && strings.ContainsAny(s, ".-_")
}

// versionLike reports whether s can be a version: it starts like one, or
// is one or two letters (Mitsubishi and Philips letter versions "W", "N").
func versionLike(s string) bool {
	if versionStart(s) || prefixedBuildRE.MatchString(s) {
		return true
	}
	f := strings.Fields(s)
	return len(f) == 1 && len(s) <= 2 && lettersOnly(s)
}

// prefixedBuildRE matches a build named with its product line, one word
// ("NVR-B3801.20.17.240507"): compared whole, as firmware carries it.
var prefixedBuildRE = regexp.MustCompile(`^[A-Za-z]{2,}-[A-Za-z]?\d+(?:\.\d+){2,}$`)

var orderCodeRE = regexp.MustCompile(`\b\d[A-Z0-9]{2,}[- ]?[A-Za-z0-9]{3,}-[A-Za-z0-9]{3,}(?:\s+FS:?\s*\d+)?|\b1SAP\w+`)

// orderCode returns the order number a label holds, if any.
func orderCode(s string) string { return orderCodeRE.FindString(s) }

// modelLike reports whether a range names a model instead of a version:
// one word with a hyphen, letters and digits and no dots
// ("1783-SAD4T0SBK9", "DH-IPC-HDW1XXX").
func modelLike(s string) bool {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, " ._") || !strings.Contains(s, "-") || !hasDigit(s) {
		return false
	}
	if len(s) > 1 && (s[0]|0x20) == 'v' && s[1] >= '0' && s[1] <= '9' {
		return false
	}
	run, best := 0, 0
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best >= 2
}

// perLine turns several upper bounds written side by side ("<= 4.2.21 |
// <= 5.0.27 | <= 5.1.19") into one bound per release line: sorted, the
// lowest covers everything below it and each other one starts at its
// line (">=5.0|<=5.0.27").
func perLine(cs []Constraint) []Constraint {
	if len(cs) < 2 {
		return cs
	}
	for _, c := range cs {
		if !c.Op.upper() {
			return cs
		}
	}
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(a, b Constraint) int { return version.CompareStrings(a.Version, b.Version) })
	out := []Constraint{sorted[0]}
	for _, c := range sorted[1:] {
		if l := Line(c.Version); l != "" {
			out = append(out, Constraint{Ge, l})
		}
		out = append(out, c)
	}
	return out
}

// Line returns the release line of a version: the version cut before its
// last dot-separated number ("5.0.27" → "5.0", "7.2.1-Beta" → "7.2").
func Line(v string) string {
	end := len(v)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c == '.' || i == 0 && (c|0x20 == 'v' || c|0x20 == 'r')) {
			end = i
			break
		}
	}
	rel := v[:end]
	i := strings.LastIndexByte(rel, '.')
	if i <= 0 {
		return ""
	}
	return rel[:i]
}
