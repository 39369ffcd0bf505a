// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"vigil/internal/text"
)

// More confidence levels of Name.Match (see model.go for the others).
const (
	ConfBrandOmitted = 0.95 // equal but for a brand word one side omits ("CP 443-1 RNA" / "SIMATIC CP 443-1 RNA")
	ConfMember       = 0.85 // the model is a member the name covers ("S7-1200 CPU 1214C" of "S7-1200 CPU family")
	ConfPattern      = 0.8  // the model fits a placeholder pattern or model range ("FOX61x", "MX400-MX850")
	ConfFamily       = 0.75 // the model belongs to a series or family code ("HMIGTO series", "X-300 family")
	ConfVariant      = 0.6  // the model names a family; the advisory names a variant of it
	ConfAcronym      = 0.7  // equal once a run of words is read as its initials ("PI SDK" / "PI Software Development Kit")
	ConfContainer    = 0.7  // the model is the product the name says it is part of ("CODESYS Development System")
)

// Line is a version line a product name carries ("SIMATIC WinCC V7.4",
// "RUGGEDCOM RSG2488 V5.X", "SIMATIC PCS 7 V8.0 and earlier"): the
// product is about the versions in that line (Op "=") or up to it ("<=",
// "<").
type Line struct {
	Version string `json:"version"`
	Op      string `json:"op"`
	// To is the last version of a span (Op OpThrough).
	To string `json:"to,omitempty"`
}

// OpThrough is the Op of a Line that is a span of versions written in
// words at the end of a name ("OpenEnterprise 3.1 through 3.3.3"): the
// product is about the versions from Version through To.
const OpThrough = "through"

// OpRelease is the Op of a Line that is a release the name ends with
// ("Solid Edge SE2022", "SIMATIC WinAC RTX (F) 2010") and the model
// omits: the device's version must start with it ("SE2022 MP1", "2010
// SP2"); what follows is the version proper.
const OpRelease = "release"

// Name is an advisory's product name prepared for comparison with models.
// It is read-only once compiled.
type Name struct {
	Text string
	// Line is the version line the name carries, if any.
	Line *Line
	// Revisions are the hardware series or revisions the name is about
	// ("Series A and B" → a, b); empty: any.
	Revisions []string
	// Conditions are words of the name a model cannot be compared with
	// ("Serial number 17X**** or later").
	Conditions []string

	main     []string   // tokens of the name proper
	alts     [][]string // listed alternatives (lists, slashes, parentheses, order numbers)
	pats     []pattern
	ranges   []modelRange
	families []pattern
	series   []string // stems of "… series" / "… family" names (compact)
	// seriesMembers holds, for each stem of series, the member codes the
	// name lists after its keyword ("GOT2000 models GT27 GT25 GT23" →
	// gt27, gt25, gt23); nil when it lists none.
	seriesMembers [][]string
	// seriesAbbr are the first letters and the number of "<Word> <number>
	// series" names ("Relion 670 series": re, 670).
	seriesAbbr [][2]string
	brands     []string
	siplus     bool // "(incl. SIPLUS variants)"
	// uses are the products named after "using" ("Applications using
	// Mendix 9" → mendix 9).
	uses [][]string
	// cut says what was taken off the name (a clause, "All", a word
	// size): an equal model is then not an exact match.
	cut string
	// expanded are the name with an abbreviation written out as the
	// advisory's title spells it, with the abbreviation and its words.
	expanded []expansion
	// bases are the names before an edition ("Connected Components
	// Workbench - Developer Edition …" → connected components workbench).
	bases [][]string
	// containers are the products the name says it is part of or
	// included in ("(part of the CODESYS Development System)").
	containers [][]string
	// title are the tokens of the advisory's title: a model may name the
	// family the title gives before the code the name gives ("Multilin
	// MX350" / "MX350 Relay firmware" in "GE Multilin … Protective Relays").
	title []string
	// suite is what a suite the title names ("Automation Worx Software
	// Suite") is without generic words, when no product name names it:
	// each product of the advisory is a part of it.
	suite string
}

// Model is a device model prepared for comparison.
type Model struct {
	Text      string
	Line      string   // a version in the model ("SIMATIC WinCC V7.4" → "7.4")
	Revisions []string // "1756-EN2T Series D" → d
	toks      []string // tokens without revision and line
	sub       bool     // the model without family words the title gives
}

// NameOptions tune CompileName.
type NameOptions struct {
	// Brands are compact words the vendor's product names start with
	// ("simatic", "allenbradley"): either side may omit them.
	Brands []string
	// Vendor are the token sequences of the vendor's names, dropped from
	// the start of the name ("Mitsubishi Electric MELSEC …").
	Vendor [][]string
	// Codes are the compact codes of all product names of the advisory: a
	// family code ("XM400") is read as a family only when no sibling
	// product is a member of it.
	Codes map[string]bool
	// Title is the advisory's title: an abbreviation of the name it
	// spells out ("JT Open Toolkit" for "JTTK", "VISAM Automation Base"
	// for "VBASE") names the product too, and its words may come before
	// the name's code in a model ("SICAM A8000 CP-8021").
	Title string
	// Suite is the suite the title names when no product name of the
	// advisory names it ("Automation Worx Software Suite" of "PC Worx",
	// "PC Worx Express" and "Config+"): a model naming it names each.
	Suite string
}

var (
	serialPhraseRE = regexp.MustCompile(`(?i)\bserial\s+(?:number|no\.?)\b.*$`)
	seriesRevRE    = regexp.MustCompile(`(?i)\bseries\s+([A-Z])((?:\s*(?:,|and|/|&)\s*[A-Z])*)(?:\s|$|\))`)
	revRE          = regexp.MustCompile(`(?i)\b(?:hw\s*rev(?:ision)?\.?|hardware\s+(?:revision|version)|revision|rev\.?|hw|fs:?)\s*([A-Z0-9]{1,3})\b`)
	lineRE         = regexp.MustCompile(`(?i)(<\s*)?\bV(\d+(?:\.(?:\d+|x))*)\b(\s+and\s+(?:earlier|prior|below|older)(?:\s+versions)?)?`)
	letterListRE   = regexp.MustCompile(`[A-Z]`)
	andRE          = regexp.MustCompile(`(?i)\band\b`)
	// clauseRE matches a clause that turns a product name into a sentence
	// ("CODESYS Control for Linux containing the CmpUserMgr component",
	// "Chiller SK 3232-Series web interface as built upon Carel pCOWeb",
	// "SINUMERIK Integrate Operate Client as part of Sinumerik Integrate
	// Product suite",
	// "PowerSCADA Anywhere redistributed with PowerSCADA Expert v8.1"): the
	// product is named before it; after "based on" / "built upon" the
	// product it is built on is named too.
	clauseRE = regexp.MustCompile(`(?i)\s+(?:(containing|redistributed\s+with|(?:as\s+|also\s+)?part\s+of)|((?:as\s+)?(?:based|built)\s+(?:on|upon)))\s+(?:an?\s+|the\s+)?`)
	// containerRE matches the product a name says it is part of or
	// included in, up to a parenthesis, "setup", a condition or a clause.
	containerRE = regexp.MustCompile(`(?i)\b(?:part\s+of|included\s+in)\s+(?:the\s+|an?\s+)?([^()]+?)(?:\s+setup\b|\s+if\s|\s+containing\s|\s*\)|\s*$)`)
	// quantifierRE matches a leading "All" or "All other" ("All 32 and 64
	// bit CODESYS Development System V3").
	quantifierRE = regexp.MustCompile(`(?i)^\s*all\s+(?:other\s+)?`)
	// platformRE matches the operating system a product is based on
	// ("Windows XP-Based", "Windows 7-Based").
	platformRE = regexp.MustCompile(`(?i)\bwindows\s+(?:xp|vista|\d+(?:\.\d)?|server\s+\d{4}(?:\s*r2)?)[- ]based\b`)
	// bitnessRE matches word sizes the owner rarely types ("32 and 64 bit",
	// "32-bit", "(64-bit)", "x64"): an edition of the same product.
	bitnessRE = regexp.MustCompile(`(?i)\(?\b(?:(?:32|64)(?:\s*(?:and|or|/|,)\s*(?:32|64))?[- ]?bits?|x64|x86)\b\)?`)
)

// cutClause returns the name before a clause that makes it a sentence,
// the product the name says it is built on ("" when none) and the clause
// itself ("" when none).
func cutClause(s string) (head, base, clause string) {
	m := quantifierRE.FindStringIndex(s)
	if m != nil && m[1] < len(s) {
		s = s[m[1]:]
	}
	loc := clauseRE.FindStringSubmatchIndex(s)
	if loc == nil || loc[0] == 0 {
		return s, "", ""
	}
	head, clause = s[:loc[0]], strings.TrimSpace(s[loc[0]:])
	if loc[4] >= 0 {
		base = s[loc[1]:]
		if l := clauseRE.FindStringIndex(base); l != nil {
			base = base[:l[0]]
		}
	}
	return head, strings.TrimSpace(base), clause
}

// spacedCodeRE matches a model code of a family: one to four letters and
// two to five digits, a letter after them ("tc50", "gt27", "mp70e").
var spacedCodeRE = regexp.MustCompile(`^[a-z]{1,4}\d{2,5}[a-z]?$`)

// codeLetters returns the letters a code starts with ("tc" of "tc50").
func codeLetters(t string) string {
	if i := strings.IndexFunc(t, func(r rune) bool { return r >= '0' && r <= '9' }); i >= 0 {
		return t[:i]
	}
	return t
}

// CompileName prepares an advisory product name.
func CompileName(name string, o NameOptions) *Name {
	n := &Name{Text: name, brands: o.Brands}
	s := name
	if m := serialPhraseRE.FindStringIndex(s); m != nil {
		n.Conditions = append(n.Conditions, strings.TrimSpace(s[m[0]:]))
		s = s[:m[0]]
	}
	s = sizeRE.ReplaceAllString(s, " ")
	s = bitnessRE.ReplaceAllString(s, " ")
	platform := ""
	if m := platformRE.FindStringIndex(s); m != nil {
		// "Siemens PET/CT Systems Windows XP-Based": the platform is a
		// condition, not a word of the product's name.
		platform = strings.TrimSpace(s[m[0]:m[1]])
		n.Conditions = append(n.Conditions, platform)
		s = s[:m[0]] + " " + s[m[1]:]
	}
	s, base, clause := cutClause(s)
	if clause != "" {
		n.Conditions = append(n.Conditions, clause)
	}
	if platform != "" && clause == "" {
		clause = platform
	}
	if s != name && strings.Join(strings.Fields(s), " ") != strings.Join(strings.Fields(sizeRE.ReplaceAllString(name, " ")), " ") {
		n.cut = strings.TrimSpace(clause)
		if n.cut == "" {
			n.cut = "words of quantity or word size"
		}
	}
	unwrapped := unwrapRE.ReplaceAllStringFunc(s, func(p string) string {
		in := strings.TrimSpace(p)[1 : len(strings.TrimSpace(p))-1]
		if strings.ContainsAny(in, ",;") || inclRE.MatchString(in) {
			return p
		}
		return " " + in + " "
	})
	s = n.parens(s)
	n.Revisions, s = revisions(s)
	var line *Line
	if s, line = cutSpan(s); line == nil {
		s, line = cutLine(s)
	}
	if line != nil {
		n.Line = line
	}
	s = cutRunning(s)
	if line == nil {
		if s2, l := cutBareLine(s); l != nil {
			s, n.Line = s2, l
		}
	}
	main := nameTokens(s, o.Vendor)
	n.main = main
	// The name proper comes first (Match reads alts[0] as the name), the
	// parenthesised alternatives after it.
	if len(main) > 0 {
		n.alts = slices.DeleteFunc(n.alts, func(a []string) bool { return slices.Equal(a, main) })
		n.alts = append([][]string{main}, n.alts...)
	}
	if strings.Contains(s, "(") || unwrapped != name {
		// Parenthesised parts read as part of the name: "R08 (EN) CPU" is
		// also "R08 EN CPU", "L26 CPU - (P) BT" also "L26 CPU-PBT",
		// "STEP 7 (TIA Portal) V14" also "STEP 7 TIA Portal".
		_, x := revisions(n.parens(unwrapped))
		x, _ = cutLine(x)
		if ts := nameTokens(cutRunning(x), o.Vendor); !slices.Equal(ts, main) {
			n.addAlt(ts)
		}
	}
	// An order number written before the name instead of after it, in
	// parentheses ("2700974 ILC 151 ETH" like "SCALANCE X308-2
	// (6GK5308-2FL10-2AA3)"): the name without it names the product too.
	if m := leadOrderRE.FindStringSubmatch(s); m != nil && hasLetter(strings.ToLower(m[1])) {
		n.addAlt(nameTokens(m[1], o.Vendor))
	}
	// Lists outside parentheses: "KTP400F, KTP700 and KTP900F", "C300 and
	// ACE controllers", "RT430 RT431 and RT434".
	pieces := listSplitRE.Split(s, -1)
	if len(pieces) > 1 {
		for _, p := range pieces {
			if pt := nameTokens(p, o.Vendor); len(pt) > 0 && hasDigitToken(pt) || len(pieces) == 2 {
				n.addAlt(pt)
			}
		}
		// A one-word item after the first shares the first item's family
		// words ("PACSystems CPU320/CRU320 and RXi": PACSystems RXi).
		first := nameTokens(pieces[0], o.Vendor)
		k := 0
		for k < len(first) && !hasDigit(first[k]) {
			k++
		}
		if k > 0 && k < len(first) {
			for _, p := range pieces[1:] {
				if pt := nameTokens(p, o.Vendor); len(pt) == 1 && pt[0] != first[0] {
					n.addAlt(append(slices.Clone(first[:k]), pt...))
				}
			}
		} else if k == len(first) && k >= 2 && !genericWord(first[0]) {
			// Names of words only: the first word is the family of the
			// items after the first ("LaserWash AutoXpress and
			// AutoExpress Plus": LaserWash AutoExpress Plus).
			for _, p := range pieces[1:] {
				if pt := nameTokens(p, o.Vendor); len(pt) >= 1 && len(pt) <= 3 && pt[0] != first[0] && !hasDigitToken(pt) {
					n.addAlt(append([]string{first[0]}, pt...))
				}
			}
		}
	}
	// Codes of one family listed with spaces only ("PageWriter TC10 TC20
	// TC30 TC50 TC70 Cardiographs", "GOT2000 models GT27 GT25 GT23"): each
	// code in the run's place is a name.
	for i := 0; i < len(main); {
		j := i
		for j < len(main) && spacedCodeRE.MatchString(main[j]) && codeLetters(main[j]) == codeLetters(main[i]) {
			j++
		}
		if j-i >= 3 {
			for k := i; k < j; k++ {
				alt := append(append(slices.Clone(main[:i]), main[k]), main[j:]...)
				n.addAlt(alt)
			}
			i = j
			continue
		}
		i++
	}
	// Letter designations of three or more distinct parts are a list of
	// models ("APOGEE MEC/MBC/PXC", "Metasys ADS/ADX/OAS"); two parts
	// are one designation ("PN/DP", "TX/TX").
	for i, t := range main {
		parts := strings.Split(t, "/")
		if len(parts) < 3 || slices.ContainsFunc(parts, func(p string) bool { return len(p) < 2 }) {
			continue
		}
		if distinct := slices.Compact(slices.Sorted(slices.Values(parts))); len(distinct) != len(parts) {
			continue
		}
		for _, p := range parts {
			alt := slices.Clone(main)
			alt[i] = p
			n.addAlt(alt)
		}
	}
	// "<Product> - <Edition>": the product without the edition ("- (P)
	// BT" is a model's suffix, not an edition).
	if i := strings.Index(s, " - "); i > 0 && editionRE.MatchString(s[i:]) {
		if ts := nameTokens(s[:i], o.Vendor); len(ts) > 0 && !slices.Equal(ts, main) {
			n.bases = append(n.bases, ts)
		}
	}
	// "Applications using PI Software Development Kit", "Mendix
	// Applications using Mendix 9": the product used is named too.
	if i := text.IndexFold(s, " using "); i > 0 {
		if ts := nameTokens(s[i+len(" using "):], o.Vendor); len(ts) > 0 {
			n.addAlt(ts)
			n.uses = append(n.uses, ts)
		}
	}
	// "(also part of the CODESYS Development System setup)", "included in
	// SIPROTEC Merging Unit 6MU80": the product that ships it.
	for _, m := range containerRE.FindAllStringSubmatch(name, -1) {
		// Two distinctive words at least: "the CODESYS setup" names a
		// brand, not a product.
		ts := nameTokens(m[1], o.Vendor)
		if d := slices.DeleteFunc(slices.Clone(ts), func(t string) bool { return !distinctiveToken(t) }); len(d) >= 2 {
			n.containers = append(n.containers, ts)
		}
	}
	// "… based on a CODESYS V2 Runtime Toolkit": the product it is built on.
	if base != "" {
		b, _ := cutLine(n.parens(base))
		if ts := nameTokens(cutRunning(b), o.Vendor); len(ts) > 0 {
			n.addAlt(ts)
			n.uses = append(n.uses, ts)
		}
	}
	n.expand(main, o.Title, o.Vendor)
	n.contract(o.Title, o.Vendor)
	if o.Title != "" {
		n.title = nameTokens(o.Title, o.Vendor)
	}
	if o.Suite != "" {
		n.suite = compact(suiteCore(nameTokens(o.Suite, o.Vendor)))
	}
	// Items of several words around a slash ("SPECT Workplaces/Symbia.net
	// Windows XP-Based", "ELI 250c/BUR 250c Resting Electrocardiograph"):
	// the name up to the slash and the name after it are each a product.
	for _, w := range strings.Fields(s) {
		l, r, ok := strings.Cut(w, "/")
		if !ok || strings.Contains(r, "/") || len(l) < 3 || len(r) < 3 || l == r {
			continue
		}
		i := strings.Index(s, w)
		before, after := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(w):])
		if before == "" && after == "" {
			continue
		}
		if ts := nameTokens(before+" "+l, o.Vendor); len(ts) > 1 {
			n.addAlt(ts)
		}
		if ts := nameTokens(r+" "+after, o.Vendor); len(ts) > 1 || after == "" {
			n.addAlt(ts)
		}
	}
	// Slash lists inside tokens: "R04/08/16(EN)CPU", "XGK-CPUU/H/A".
	for _, w := range strings.Fields(s) {
		if !strings.Contains(w, "/") || strings.ContainsAny(w, "*") {
			continue
		}
		for _, x := range expandSlash(w) {
			for _, v := range optionalInfix(x) {
				alt := slices.Clone(main)
				repl := nameTokens(v, nil)
				alt = replaceToken(alt, nameTokens(w, nil), repl)
				n.addAlt(alt)
				n.addAlt(repl)
			}
		}
	}
	// Optional parts glued in parentheses ("L02CPU(-P)", "FX5U(C)-…").
	for _, w := range strings.Fields(s) {
		if strings.Contains(w, "(") && !strings.Contains(w, "/") {
			for _, v := range optionalInfix(w) {
				n.addAlt(nameTokens(v, nil))
			}
		}
	}
	// Placeholders, model ranges, families and series.
	fields := strings.Fields(s)
	for i, w := range fields {
		w = strings.Trim(w, ",;:")
		for _, v := range expandSlash(w) {
			for _, x := range optionalInfix(v) {
				if p, ok := compilePattern(x); ok {
					// Words after the pattern name the product too: "CP
					// 44x-1 RNA" is no "CP 443-1".
					p.after = withoutGeneric(nameTokens(strings.Join(fields[i+1:], " "), nil))
					n.pats = append(n.pats, p)
				}
			}
		}
		if r, ok := parseModelRange(w); ok {
			n.ranges = append(n.ranges, r)
		}
		if f, ok := familyPattern(w, o.Codes); ok {
			n.families = append(n.families, f)
		}
	}
	lower := strings.ToLower(s)
	if strings.Contains(lower, "series") || strings.Contains(lower, "family") || strings.Contains(lower, " model") {
		// The stem and its tails that start with a code: "Magelis HMIGTO
		// series" → magelishmigto, hmigto.
		// The words before each keyword name a series: "GT27 Model FTP
		// server" is the GT27 series, "GOT2000 Series GT21 Model" the
		// GOT2000 and the GT21 series.
		start := 0
		for k, t := range main {
			if t != "series" && t != "family" && t != "model" && t != "models" {
				continue
			}
			g := withoutGeneric(main[start:k])
			start = k + 1
			if len(g) == 2 && len(g[0]) >= 4 && !hasDigit(g[0]) && strings.TrimLeft(g[1], "0123456789") == "" {
				// "Relion 670 series": its devices are "RE" + letters + 670.
				n.seriesAbbr = append(n.seriesAbbr, [2]string{g[0][:2], g[1]})
			}
			// The codes the keyword is followed by are the series' members
			// the name is about: "GT27 GT25 GT23" of "GOT2000 models".
			var listed []string
			for _, t := range main[k+1:] {
				if !hasDigit(t) || !hasLetter(t) {
					break
				}
				listed = append(listed, t)
			}
			for j := range g {
				stem := compact(g[j:])
				if len(stem) >= 3 && hasLetter(g[j]) && (j == 0 || len(g[j]) >= 3) {
					n.series = append(n.series, stem)
					n.seriesMembers = append(n.seriesMembers, listed)
				}
			}
		}
	}
	return n
}

// cutLine takes the version line out of a name ("WinCC V7.4").
func cutLine(s string) (string, *Line) {
	locs := lineRE.FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return s, nil
	}
	m := locs[len(locs)-1]
	op := "="
	if m[2] >= 0 {
		op = "<"
	} else if m[6] >= 0 {
		op = "<="
	}
	return s[:m[0]] + " " + s[m[1]:], &Line{Version: s[m[4]:m[5]], Op: op}
}

// spanRE matches a span of versions in words at the end of a name, after
// a word of letters ("OpenEnterprise 3.1 through 3.3.3", "Tool V2.0 to
// V2.4").
var spanRE = regexp.MustCompile(`(?i)([A-Za-z]{2,})\s+v?(\d+(?:\.\d+)*)\s+(?:through|thru|to|-)\s+v?(\d+(?:\.\d+)*)\s*$`)

// cutSpan takes a span of versions in words off the end of a name.
func cutSpan(s string) (string, *Line) {
	m := spanRE.FindStringSubmatchIndex(s)
	if m == nil {
		return s, nil
	}
	return s[:m[3]], &Line{Version: s[m[4]:m[5]], To: s[m[6]:m[7]], Op: OpThrough}
}

// bareLineRE matches a version line written without "V" at the end of a
// name, after a word of letters ("Niagara 4.6", "Crimson 3.2",
// "EcoStruxure Operator Terminal Expert 3.1"), possibly with its update
// ("Niagara 4.4u2": the 4.4 line).
var bareLineRE = regexp.MustCompile(`([A-Za-z]{2,})\s+(\d{1,2}\.\d{1,2})(?:u\d{1,2})?\s*$`)

// cutBareLine takes a version line written without "V" off the end of a
// name.
func cutBareLine(s string) (string, *Line) {
	m := bareLineRE.FindStringSubmatchIndex(s)
	if m == nil {
		return s, nil
	}
	return s[:m[3]], &Line{Version: s[m[4]:m[5]], Op: "="}
}

// cutRunning drops a "running …" tail ("Airlink Router running ALEOS").
func cutRunning(s string) string {
	if i := text.IndexFold(s, " running "); i > 0 {
		return s[:i]
	}
	return s
}

var (
	listSplitRE = regexp.MustCompile(`\s*,\s*|\s+and\s+`)
	// leadOrderRE matches an order number leading a name, as vendors
	// write them: a seven-digit article number (Phoenix Contact), an
	// MLFB ("6ED1052-1CC01-0BA8", Siemens), an ABB order code
	// ("1SAP120600R0071"); the name after it is the submatch.
	leadOrderRE = regexp.MustCompile(`^\s*(?:\d{7}|\d[A-Z]{2}\d{4}-\d[A-Z0-9]{4}-[A-Z0-9]{4}|1[A-Z]{3}\d{6}R\d{4})\s+(\S.*)$`)
	// sizeRE matches display sizes ("7\" & 15\"", "4\" - 22\""): they say
	// which panels, not which model.
	sizeRE = regexp.MustCompile(`\b\d+(?:[.,]\d+)?\s*(?:"|''|”|″|-?inch(?:es)?\b)(?:\s*(?:-|&|and|to)\s*\d+(?:[.,]\d+)?\s*(?:"|''|”|″|-?inch(?:es)?\b))?`)
	// infixRE matches a short optional part written apart in parentheses
	// ("R08 (EN) CPU", "L26 CPU - (P) BT", "L02 CPU (-P)").
	infixRE = regexp.MustCompile(`\s*\((-?[A-Za-z0-9]{1,3})\)`)
	// unwrapRE matches a parenthesised part without nested parentheses.
	unwrapRE = regexp.MustCompile(`\s*\([^()]*\)`)
)

func hasDigitToken(ts []string) bool {
	for _, t := range ts {
		if hasDigit(t) {
			return true
		}
	}
	return false
}

func (n *Name) addAlt(ts []string) {
	if len(ts) == 0 {
		return
	}
	for _, a := range n.alts {
		if slices.Equal(a, ts) {
			return
		}
	}
	n.alts = append(n.alts, ts)
}

// replaceToken replaces the run old inside ts by repl (or appends repl).
func replaceToken(ts, old, repl []string) []string {
	for i := 0; i+len(old) <= len(ts); i++ {
		if slices.Equal(ts[i:i+len(old)], old) {
			out := append(slices.Clone(ts[:i]), repl...)
			return append(out, ts[i+len(old):]...)
		}
	}
	return append(ts, repl...)
}

var (
	inclRE      = regexp.MustCompile(`(?i)^incl(?:uding|udes|uded|\.|\b)\s*`)
	parenLineRE = regexp.MustCompile(`^[vV](\d+(?:\.\d+)+)$`)
)

// parens reads the parenthesised parts of a name and returns the name
// without them: "(incl. X408 and SIPLUS NET variants)" lists X408 and
// allows SIPLUS, "(6GK5874-2AA00-2AA2)" is an order number, "(ES450,
// GX450)" a list of models, "(PICiX)" an abbreviation; qualifiers such as
// "(2x 24V)" or "(with MID Approval)" are dropped. Optional parts glued to
// a word ("L02CPU(-P)") stay for optionalInfix.
func (n *Name) parens(s string) string {
	var b strings.Builder
	depth, start := 0, -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			if depth == 0 {
				if i > 0 && s[i-1] != ' ' && !strings.Contains(s[i:], " ") || i > 0 && s[i-1] != ' ' && closeBefore(s, i) {
					// glued: keep for optionalInfix
					b.WriteByte('(')
					depth = -1
					continue
				}
				start = i
			}
			if depth >= 0 {
				depth++
			}
			continue
		case ')':
			if depth == -1 {
				b.WriteByte(')')
				depth = 0
				continue
			}
			if depth > 0 {
				depth--
				if depth == 0 {
					n.paren(strings.TrimSpace(s[start+1 : i]))
				}
				continue
			}
		}
		if depth <= 0 {
			b.WriteByte(s[i])
		}
	}
	if depth > 0 && start >= 0 {
		n.paren(strings.TrimSpace(s[start+1:]))
	}
	return b.String()
}

// closeBefore reports whether the parenthesis opened at i closes before
// the next space: "R04(EN)CPU", "Q24DHCCPU-V(G)".
func closeBefore(s string, i int) bool {
	j := strings.IndexByte(s[i:], ')')
	k := strings.IndexByte(s[i:], ' ')
	return j > 0 && (k < 0 || j < k)
}

func (n *Name) paren(in string) {
	if in == "" {
		return
	}
	if m := parenLineRE.FindStringSubmatch(in); m != nil && n.Line == nil {
		n.Line = &Line{Version: m[1], Op: "="} // "Mendix 9 (V9.6)"
		return
	}
	if m := inclRE.FindStringIndex(in); m != nil {
		rest := in[m[1]:]
		for _, p := range listSplitRE.Split(rest, -1) {
			ts := tokens(p)
			if slices.Contains(ts, "siplus") {
				n.siplus = true
				continue
			}
			if hasDigitToken(ts) {
				n.addAlt(withoutGeneric(ts))
			}
		}
		return
	}
	if strings.ContainsAny(in, ",;") {
		for _, p := range strings.FieldsFunc(in, func(r rune) bool { return r == ',' || r == ';' }) {
			n.addAlt(tokens(p))
		}
		return
	}
	if !strings.Contains(in, " ") && len(in) <= 24 && !infixRE.MatchString("("+in+")") {
		n.addAlt(tokens(in))
		if p, ok := compilePattern(in); ok {
			n.pats = append(n.pats, p) // "(6ES7655-5PX31-1XX0)"
		}
	}
}

// revisions takes hardware series and revisions out of a name or model.
func revisions(s string) ([]string, string) {
	var revs []string
	if m := seriesRevRE.FindStringSubmatchIndex(s); m != nil {
		revs = append(revs, strings.ToLower(s[m[2]:m[3]]))
		for _, l := range letterListRE.FindAllString(strings.ToUpper(andRE.ReplaceAllString(s[m[4]:m[5]], ",")), -1) {
			revs = append(revs, strings.ToLower(l))
		}
		s = s[:m[0]] + " " + s[m[1]:]
	}
	if m := revRE.FindStringSubmatchIndex(s); m != nil {
		revs = append(revs, strings.ToLower(strings.TrimLeft(s[m[2]:m[3]], "0")))
		s = s[:m[0]] + " " + s[m[1]:]
	}
	return revs, s
}

// nameTokens returns the tokens of a name without leading vendor words.
func nameTokens(s string, vendor [][]string) []string {
	ts := slashTokens(s)
	for _, v := range vendor {
		// A model code glued to the vendor's short name ("SEL-3620") keeps
		// it: the number alone is no name.
		if len(v) > 0 && len(ts) > len(v) && slices.Equal(ts[:len(v)], v) && hasLetter(ts[len(v)]) {
			ts = ts[len(v):]
		}
	}
	// "Eurotherm by Schneider Electric GUIcon": the vendor a brand is by
	// is no word of the name.
	for i := 1; i+1 < len(ts); i++ {
		if ts[i] != "by" {
			continue
		}
		n := 0 // the longest vendor name after "by"
		for _, v := range vendor {
			if len(v) > n && i+1+len(v) < len(ts) && slices.Equal(ts[i+1:i+1+len(v)], v) {
				n = len(v)
			}
		}
		if n > 0 {
			ts = append(ts[:i:i], ts[i+1+n:]...)
		}
	}
	for i, t := range ts {
		ts[i] = singular(t)
	}
	return ts
}

// slashTokens tokenises like tokens but keeps letter-only slash compounds
// ("PN/DP", "TX/TX") as one token: they are designations, not lists.
func slashTokens(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		if strings.Contains(w, "/") {
			parts := strings.Split(w, "/")
			letters := true
			for _, p := range parts {
				if p == "" || hasDigit(p) || strings.ContainsAny(p, "-()") || len(p) > 4 {
					letters = false
				}
			}
			if letters {
				var ps []string
				for _, p := range parts {
					ps = append(ps, compact(tokens(p)))
				}
				out = append(out, strings.Join(ps, "/"))
				continue
			}
		}
		out = append(out, tokens(w)...)
	}
	return out
}

// singular drops the plural of generic words ("controllers" →
// "controller") so "ACE controller" is "ACE controllers".
func singular(t string) string {
	switch t {
	case "controllers", "modules", "devices", "panels", "switches", "routers", "gateways", "servers", "cameras", "units", "drives", "cpus", "hubs", "rtus":
		if t == "switches" {
			return "switch"
		}
		return strings.TrimSuffix(t, "s")
	}
	return t
}

// CompileModel prepares a device model. brands and vendor are as in
// NameOptions.
func CompileModel(text string, vendor [][]string) *Model {
	m := &Model{Text: text}
	s := bitnessRE.ReplaceAllString(text, " ")
	m.Revisions, s = revisions(s)
	if locs := lineRE.FindAllStringSubmatchIndex(s, -1); len(locs) > 0 {
		l := locs[len(locs)-1]
		m.Line = s[l[4]:l[5]]
		s = s[:l[0]] + " " + s[l[1]:]
	}
	if m.Line == "" {
		if s2, l := cutBareLine(s); l != nil {
			s, m.Line = s2, l.Version
		}
	}
	m.toks = nameTokens(s, vendor)
	return m
}

// Result is the outcome of comparing a name with a model.
type Result struct {
	OK   bool
	Conf float64
	Rule string // exact, listed, brand, generic, contained, major, member, pattern, range, family, series, variant, code
	Why  string
	// Line, when set, is the version line the match holds for (the
	// major version a name carries that the model omits); it replaces
	// Name.Line.
	Line *Line
}

func (r *Result) offer(conf float64, rule, why string) {
	if conf > r.Conf {
		*r = Result{OK: true, Conf: conf, Rule: rule, Why: why}
	}
}

// Match compares the name with a model. Revisions both name must agree;
// the version line is the caller's to check (Name.Line, Model.Line).
func (n *Name) Match(m *Model) Result {
	var r Result
	if len(m.toks) == 0 || len(n.main) == 0 && len(n.alts) == 0 {
		return Result{Why: "empty name"}
	}
	if len(n.Revisions) > 0 && len(m.Revisions) > 0 && !intersects(n.Revisions, m.Revisions) {
		return Result{Why: fmt.Sprintf("hardware revision %s is not %s", strings.ToUpper(strings.Join(m.Revisions, "/")), strings.ToUpper(strings.Join(n.Revisions, "/")))}
	}
	if k, d := n.romanConflict(m); k != "" {
		return Result{Why: fmt.Sprintf("model %q says %s where the advisory's %q says %s: another generation", m.Text, d, n.Text, strings.ToUpper(k))}
	}
	if rm, from, to := n.romanModel(m); rm != nil {
		// The model writes a roman numeral of the name as a digit
		// ("SICAM TOOLBOX 2" / "SICAM TOOLBOX II") or the other way round:
		// the name's own rules decide, below exact confidence.
		if rr := n.Match(rm); rr.OK {
			return Result{OK: true, Conf: min(rr.Conf, ConfRoman), Rule: "roman", Line: rr.Line,
				Why: fmt.Sprintf("model %q writes %s where the advisory's %q writes %s (rule %s: %s)", m.Text, from, n.Text, to, rr.Rule, rr.Why)}
		}
	}
	mvars := n.variants(m.toks)
	cm := compact(m.toks)
	for ai, alt := range n.alts {
		for _, av := range n.variants(alt) {
			for mi, mv := range mvars {
				ca, cmv := compact(av.toks), compact(mv.toks)
				if ca == "" || cmv == "" || n.otherBrand(av, mv) {
					continue
				}
				switch {
				case ca == cmv && ai == 0 && av.dropped == "" && mv.dropped == "" && n.cut != "":
					r.offer(ConfBrandOmitted, "clause", fmt.Sprintf("model %q is %q without %q", m.Text, n.Text, n.cut))
				case ca == cmv && ai == 0 && av.dropped == "" && mv.dropped == "":
					r.offer(ConfExact, "exact", fmt.Sprintf("model %q is %q", m.Text, n.Text))
				case ca == cmv && (av.dropped != "" || mv.dropped != ""):
					r.offer(ConfBrandOmitted, "brand", fmt.Sprintf("model %q is %q but for the brand word %q", m.Text, n.Text, av.dropped+mv.dropped))
				case ca == cmv:
					r.offer(ConfListed, "listed", fmt.Sprintf("model %q is one the advisory lists in %q", m.Text, n.Text))
				}
				ga, gm := withoutGeneric(av.toks), withoutGeneric(mv.toks)
				if g1, g2 := compact(ga), compact(gm); g1 != "" && g1 == g2 && (hasDigit(g1) || len(g1) >= 4) {
					r.offer(ConfGeneric, "generic", fmt.Sprintf("model %q is %q but for generic words", m.Text, n.Text))
				}
				if member(ga, gm) && !softwareOnly(av.toks, mv.toks) {
					r.offer(ConfMember, "member", fmt.Sprintf("model %q is a member of %q", m.Text, n.Text))
				}
				if lineMember(ga, gm) && !softwareOnly(av.toks, mv.toks) {
					r.offer(ConfFamily, "member", fmt.Sprintf("model %q is a model of the product line %q", m.Text, n.Text))
				}
				if ai == 0 && mi == 0 && variantOf(gm, ga) && !addsDesignation(av.toks, mv.toks) {
					r.offer(ConfVariant, "variant", fmt.Sprintf("model %q names the family; the advisory names the variant %q", m.Text, n.Text))
				}
			}
		}
	}
	// A major version in the name the model omits ("FactoryTalk View 13"
	// / "FactoryTalk View": the device's version must be in that line), or
	// the other way round. The product an application is built with
	// counts too ("Mendix Applications using Mendix 9 (V9.6)": the line
	// the name gives is the finer one).
	for bi, base := range append([][]string{n.main}, n.uses...) {
		if k := len(base); k >= 2 && (majorNumber(base[k-1]) || lineNumber(base[k-1])) && !hasDigitToken(base[:k-1]) && (n.Line == nil || bi > 0) {
			if compact(base[:k-1]) == cm && r.Conf < ConfGeneric {
				r.offer(ConfGeneric, "major", fmt.Sprintf("model %q is %q without its major version %s", m.Text, n.Text, base[k-1]))
				if n.Line == nil {
					r.Line = &Line{Version: base[k-1], Op: "="}
				}
			}
		}
	}
	// A release the name ends with that the model omits ("Solid Edge
	// SE2022", "SIMATIC Process Historian 2020"): the device's version
	// must start with it.
	// A release may carry the vendor's revision of it ("Wonderware
	// Historian Client 2014 R2"), and the model may omit a brand word too
	// ("Historian Client").
	for _, alt := range n.alts {
		k, rel := len(alt), ""
		switch {
		case k >= 2 && releaseToken(alt[k-1]):
			rel = alt[k-1]
		case k >= 3 && releaseToken(alt[k-2]) && releaseRevRE.MatchString(alt[k-1]):
			rel = alt[k-2] + " " + alt[k-1]
		default:
			continue
		}
		base := alt[:k-len(strings.Fields(rel))]
		conf, brand := ConfGeneric, ""
		if strings.Contains(rel, " ") && compact(alt[:k-1]) == cm {
			// The model writes the release's year, the owner its
			// revision as the version ("Siveillance VMS 2017" at "R2" of
			// "Siveillance VMS 2017 R2"): the device's version must be
			// the revision.
			if r.Conf < conf {
				r.offer(conf, "release", fmt.Sprintf("model %q is %q without its release's revision %s", m.Text, n.Text, strings.ToUpper(alt[k-1])))
				r.Line = &Line{Version: alt[k-1], Op: OpRelease}
			}
			continue
		}
		if compact(base) != cm {
			if len(base) < 2 || !slices.Contains(n.brands, base[0]) || compact(base[1:]) != cm {
				continue
			}
			conf, brand = ConfGeneric*ConfBrandOmitted, fmt.Sprintf(" and its brand word %q", base[0])
		}
		if r.Conf < conf {
			r.offer(conf, "release", fmt.Sprintf("model %q is %q without its release %s%s", m.Text, n.Text, strings.ToUpper(rel), brand))
			r.Line = &Line{Version: rel, Op: OpRelease}
		}
	}
	n.editionsPluralsAcronyms(m, mvars, &r)
	// An abbreviation the advisory's title writes out ("JTTK" / "JT Open
	// Toolkit").
	for _, e := range n.expanded {
		for _, mv := range mvars {
			cmv := compact(withoutGeneric(mv.toks))
			if ca := compact(withoutGeneric(e.toks)); ca != "" && (ca == cmv || compact(withoutGeneric(n.withoutLeadBrand(e.toks))) == cmv) {
				why := fmt.Sprintf("model %q is %q with %s written out as the advisory's title does (%q)", m.Text, n.Text, e.abbr, e.long)
				if e.short {
					why = fmt.Sprintf("model %q is %q with %q written %s as the advisory's title does", m.Text, n.Text, e.long, e.abbr)
				}
				r.offer(ConfAcronym, "abbreviation", why)
			}
		}
	}
	if k := len(m.toks); k >= 2 && majorNumber(m.toks[k-1]) && !hasDigitToken(m.toks[:k-1]) && compact(m.toks[:k-1]) == compact(n.main) {
		r.offer(ConfGeneric, "major", fmt.Sprintf("model %q is %q with its major version %s", m.Text, n.Text, m.toks[k-1]))
	}
	// The model gives the first words of the name, the advisory adds
	// words of letters ("ThinManager" of "ThinManager ThinServer", "Armor
	// GuardLogix" of "Armor GuardLogix Safety Controllers") — but not a
	// program of its own ("Simcenter STAR-CCM+" is no "Simcenter
	// STAR-CCM+ Viewer"), nor an edition of its own (rule "edition", a
	// refusal: "V-Server" is no "V-Server Lite", "FactoryTalk Linx" no
	// "FactoryTalk Linx Enterprise software", "Lumada APM" no "Lumada
	// APM Edge").
	for _, av := range n.variants(n.main) {
		for _, mv := range mvars {
			if k := len(mv.toks); k < len(av.toks) && slices.Equal(av.toks[:k], mv.toks) && !hasDigitToken(av.toks[k:]) && !addsDesignation(av.toks, mv.toks) &&
				(k >= 2 || len(mv.toks[0]) >= 5 && !slices.Contains(n.brands, mv.toks[0])) && n.brandAt(mv.toks) < k && len(withoutGeneric(av.toks[k:])) <= 1 &&
				!slices.ContainsFunc(av.toks[k:], func(t string) bool {
					return t == "and" || strings.Contains(t, "/") || companionWord(t) || otherEdition(t)
				}) {
				r.offer(ConfFamily, "prefix", fmt.Sprintf("model %q is %q without the words %q", m.Text, n.Text, strings.Join(av.toks[k:], " ")))
			}
		}
	}

	// The model is the name's first words, written together or apart
	// ("MXview", "MX view"), and the rest of the name says what the product
	// is: two words or more, each a class word or a word many product
	// names hold, the last a class word ("MXview Network Management
	// Software", "netCADOPS Web Application") — not a role ("Data
	// Server", "Viewer") nor a brand alone ("SCALANCE Industrial Ethernet
	// switches"): rule "descriptor".
	if r.Conf < ConfFamily && !hasDigitToken(m.toks) && len(cm) >= 4 {
		for _, av := range n.variants(n.main) {
			for k := 1; k+2 <= len(av.toks); k++ {
				head, tail := av.toks[:k], av.toks[k:]
				if compact(head) != cm || hasDigitToken(head) || k == 1 && slices.Contains(n.brands, head[0]) || !descriptive(tail) ||
					!slices.ContainsFunc(head, func(t string) bool { return len(t) >= 3 && !commonWord(t) }) {
					continue
				}
				r.offer(ConfFamily, "descriptor", fmt.Sprintf("model %q is %q without the words %q, which say what the product is", m.Text, n.Text, strings.Join(tail, " ")))
			}
		}
	}
	// A model the name holds at its end, after words of the product line
	// ("852-303" of "Industrial Managed Switch 852-303", "R08ENCPU" of
	// "MELSEC iQ-R R08 (EN) CPU firmware").
	for _, alt := range n.alts {
		ft := withoutFiller(alt)
		for i := 1; i < len(ft) && !hasDigit(ft[i-1]); i++ {
			if compact(ft[i:]) == cm && (hasDigit(cm) || len(cm) >= 3 && i >= 2) {
				r.offer(ConfGeneric, "contained", fmt.Sprintf("model %q is named in %q after the product line %q", m.Text, n.Text, strings.Join(ft[:i], " ")))
			}
		}
	}
	// A model code of words and a number inside the name, between words
	// of letters: brand and product line before, descriptors after
	// ("ELI 380" of "Welch Allyn ELI 380 Resting Electrocardiograph",
	// "Medfusion 4000" of "Medfusion 4000 Wireless Syringe Infusion Pump").
	if k := len(m.toks); k >= 2 && hasDigitToken(m.toks) && slices.ContainsFunc(m.toks, func(t string) bool { return !hasDigit(t) && len(t) >= 2 }) {
		for _, alt := range n.alts {
			for i := 0; i+k <= len(alt); i++ {
				if !slices.Equal(alt[i:i+k], m.toks) || hasDigitToken(alt[:i]) || i+k == len(alt) || len(alt) == i+k+1 && addsDesignation(alt[i:], m.toks) {
					continue
				}
				after := alt[i+k:]
				if !hasDigitToken(after) && !slices.ContainsFunc(after, func(t string) bool { return len(t) < 4 && !genericWord(t) || strings.Contains(t, "/") }) {
					r.offer(ConfFamily, "contained", fmt.Sprintf("model %q is named in %q before the descriptive words %q", m.Text, n.Text, strings.Join(after, " ")))
				}
			}
		}
	}
	for _, p := range n.pats {
		if ok, conf := p.fits(m, cm); ok {
			r.offer(conf, "pattern", fmt.Sprintf("model %q fits the pattern %q of %q", m.Text, p.text, n.Text))
		}
	}
	for _, mr := range n.ranges {
		if mr.covers(m.toks) {
			r.offer(ConfPattern, "range", fmt.Sprintf("model %q lies in the model range %q", m.Text, mr.text))
		}
	}
	for _, f := range n.families {
		if ok, _ := f.fits(m, cm); ok {
			r.offer(ConfFamily, "family", fmt.Sprintf("model %q belongs to the family %q of %q", m.Text, f.text, n.Text))
		}
	}
	for si, st := range n.series {
		for i := 0; i < len(m.toks) && i < 3; i++ {
			rest := compact(withoutGeneric(m.toks[i:]))
			// A round number of the series ends where the model's does:
			// "Micro8000" is no member of "Micro800 family" ("GT2710" still
			// is one of "GT27").
			if strings.HasPrefix(rest, st) && (len(rest) > len(st) || i > 0) && !otherMember(rest[len(st):], n.seriesMembers[si]) &&
				!(strings.HasSuffix(st, "00") && numberGoesOn(withoutGeneric(m.toks[i:]), len(st))) {
				r.offer(ConfFamily, "series", fmt.Sprintf("model %q belongs to the series %q", m.Text, n.Text))
			}
		}
	}
	for _, sa := range n.seriesAbbr {
		for _, t := range m.toks {
			l, d := splitHead(t, 'a')
			if len(l) > 2 && len(l) <= 4 && strings.HasPrefix(l, sa[0]) && d == sa[1] {
				r.offer(ConfSeries, "series", fmt.Sprintf("model %q reads as a device of the series %q (%s… %s)", m.Text, n.Text, strings.ToUpper(sa[0]), sa[1]))
			}
		}
	}
	if r.Conf < ConfFamily && !m.sub {
		// Family words of the title before the code the name gives
		// ("Multilin MX350" / "MX350 Relay firmware", "PACSystems RX3i
		// CPE400" / "RX3i CPE 400").
		for k := 1; k <= 3 && k < len(m.toks); k++ {
			head, rest := m.toks[:k], m.toks[k:]
			if !hasDigitToken(rest) || slices.ContainsFunc(head, func(t string) bool { return !slices.Contains(n.title, t) || slices.Contains(n.main, t) }) {
				break
			}
			sub := &Model{Text: strings.Join(rest, " "), toks: rest, Revisions: m.Revisions, Line: m.Line, sub: true}
			if sr := n.Match(sub); sr.OK && sr.Conf >= ConfFamily {
				r.offer(ConfFamily, "title-family", fmt.Sprintf("model %q is %q after the family %q the advisory's title names (%s)", m.Text, n.Text, strings.Join(head, " "), sr.Why))
				r.Line = sr.Line
			}
		}
	}
	if n.suite != "" && len(n.suite) >= 5 && compact(suiteCore(m.toks)) == n.suite && r.Conf < ConfAcronym {
		r.offer(ConfAcronym, "suite", fmt.Sprintf("model %q is the suite the advisory's title names; %q is a part of it", m.Text, n.Text))
	}
	// The model is a product the name says it is part of ("CODESYS
	// Control Win V3 (also part of the CODESYS Development System setup)",
	// "EN100 Ethernet module included in SIPROTEC Merging Unit 6MU80"):
	// it ships the named product.
	if r.Conf < ConfContainer {
		gm := compact(withoutGeneric(m.toks))
		for _, c := range n.containers {
			if g := compact(withoutGeneric(c)); g != "" && g == gm {
				r.offer(ConfContainer, "container", fmt.Sprintf("model %q is the product %q says it is part of", m.Text, n.Text))
			}
		}
	}
	if r.Conf < ConfCode {
		if w, u := n.conflict(m); w != "" && r.Rule != "abbreviation" && r.Rule != "title-family" && r.Rule != "suite" && r.Rule != "container" && r.Rule != "descriptor" {
			return Result{Why: fmt.Sprintf("model %q says %q where the advisory says %q", m.Text, w, u)}
		}
		// The name's own placeholder patterns, with the words after them,
		// decide; the older wildcard reading does not overrule them.
		code := func(ok bool, conf float64, why string) {
			switch {
			case ok && conf >= ConfExact:
				r.offer(conf, "exact", why) // the whole name, as the advisory writes it
			case ok && !(conf == ConfWildcard && len(n.pats) > 0):
				r.offer(conf, "code", why)
			}
		}
		for _, alt := range n.alts {
			code(MatchModel(strings.Join(alt, " "), strings.Join(m.toks, " ")))
		}
		code(MatchModel(n.Text, m.Text))
	}
	if !r.OK {
		r.Why = "no rule matched"
	}
	return r
}

// suiteCore drops the generic words of a suite's name and the words
// "suite" and "software".
func suiteCore(ts []string) []string {
	var out []string
	for _, t := range withoutGeneric(ts) {
		if t != "suite" && t != "software" {
			out = append(out, t)
		}
	}
	return out
}

// releaseRE matches a release named by its year ("2020") or by up to two
// letters and its year ("SE2022"; "GOT2000" is a series).
// releaseRevRE matches the revision of a release ("R2" of "2014 R2").
var releaseRevRE = regexp.MustCompile(`^r\d{1,2}$`)

var releaseRE = regexp.MustCompile(`^[a-z]{0,2}(?:199\d|20[0-3]\d)$`)

// editionRE matches the words after " - " that name an edition.
var editionRE = regexp.MustCompile(`(?i)\bedition\b`)

// releaseToken reports whether a token names a release by its year.
func releaseToken(t string) bool { return releaseRE.MatchString(t) }

// plural returns a word without its plural s ("components" →
// "component"); words of four letters or fewer, and those in -ss, -us,
// -is, stay.
func plural(t string) string {
	if len(t) > 4 && strings.HasSuffix(t, "s") && !strings.HasSuffix(t, "ss") && !strings.HasSuffix(t, "us") &&
		!strings.HasSuffix(t, "is") && !hasDigit(t) {
		return t[:len(t)-1]
	}
	return t
}

func plurals(ts []string) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = plural(t)
	}
	return out
}

// acronyms returns ts with each run of two to five words of letters that
// the model writes as their initials replaced by them ("pi software
// development kit" → "pi sdk" for a model "PI SDK").
func acronyms(ts []string, model []string) [][]string {
	var out [][]string
	for i := range ts {
		var ini strings.Builder
		for k := 1; k <= 5 && i+k <= len(ts); k++ {
			w := ts[i+k-1]
			if len(w) < 2 || hasDigit(w) || w == "and" || w == "of" {
				break
			}
			ini.WriteByte(w[0])
			if k >= 2 && slices.Contains(model, ini.String()) {
				alt := append(slices.Clone(ts[:i]), ini.String())
				out = append(out, append(alt, ts[i+k:]...))
			}
		}
	}
	return out
}

// editionsPluralsAcronyms offers the weaker readings: the product of an
// edition ("Connected Components Workbench - Developer Edition …"),
// plurals ("Connected Component Workbench"), and initials ("PI SDK",
// "CCW").
func (n *Name) editionsPluralsAcronyms(m *Model, mvars []variant, r *Result) {
	cm := compact(m.toks)
	for _, b := range n.bases {
		if g1, g2 := compact(withoutGeneric(b)), compact(withoutGeneric(m.toks)); compact(b) == cm || g1 != "" && g1 == g2 {
			r.offer(ConfFamily, "edition", fmt.Sprintf("model %q is the product of the edition %q", m.Text, n.Text))
		}
	}
	// An edition the model adds ("Connected Components Workbench
	// Developer Edition" of "Connected Components Workbench"): one to
	// three words of letters before "Edition" at the model's end.
	if e := len(m.toks) - 1; e >= 2 && m.toks[e] == "edition" {
		for k := 1; k <= 3 && e-k >= 1 && !hasDigit(m.toks[e-k]); k++ {
			base := m.toks[:e-k]
			for _, alt := range n.alts {
				if compact(alt) == compact(base) || len(withoutGeneric(alt)) > 0 && compact(withoutGeneric(alt)) == compact(withoutGeneric(base)) {
					r.offer(ConfFamily, "edition", fmt.Sprintf("model %q is an edition of %q", m.Text, n.Text))
				}
			}
		}
	}
	// A leading family word the model omits ("InTouch Access Anywhere"
	// of "Wonderware InTouch Access Anywhere", "CIMPLICITY" of "Proficy
	// CIMPLICITY"): a word of letters, and a model long enough to be a
	// name of its own.
	// The family may carry a number ("Studio 5000 Logix Designer"), and
	// the name a generic word the model omits ("EcoStruxure … software").
	for _, b := range append([][]string{n.main}, n.bases...) {
		if len(b) < 2 || len(b[0]) < 5 || hasDigit(b[0]) || genericWord(b[0]) || !hasLetter(cm) || slices.ContainsFunc(m.toks, genericWord) {
			continue
		}
		family, rest := b[:1], b[1:]
		if len(rest) >= 3 && rest[0] != "" && strings.TrimLeft(rest[0], "0123456789") == "" && len(m.toks) >= 2 {
			family, rest = b[:2], b[2:]
		}
		if c := compact(rest); c == cm && len(cm) >= 6 {
			r.offer(ConfFamily, "family-word", fmt.Sprintf("model %q is %q without the family word %q", m.Text, n.Text, strings.Join(family, " ")))
		} else if g := withoutGeneric(rest); len(g) >= 2 && len(g) < len(rest) && compact(g) == cm {
			r.offer(ConfFamily, "family-word", fmt.Sprintf("model %q is %q without the family word %q and the generic words", m.Text, n.Text, strings.Join(family, " ")))
		}
	}
	names := append(append([][]string{}, n.alts...), n.bases...)
	for _, alt := range names {
		for _, mv := range mvars {
			ga, gm := withoutGeneric(alt), withoutGeneric(mv.toks)
			if ca, cmv := compact(plurals(ga)), compact(plurals(gm)); ca != "" && ca == cmv && compact(ga) != compact(gm) {
				r.offer(ConfGeneric, "plural", fmt.Sprintf("model %q is %q but for a plural", m.Text, n.Text))
			}
		}
	}
	if r.Conf >= ConfAcronym {
		return
	}
	for _, alt := range names {
		for _, a := range acronyms(alt, m.toks) {
			for _, mv := range mvars {
				if ca, cmv := compact(withoutGeneric(a)), compact(withoutGeneric(mv.toks)); ca != "" && ca == cmv {
					r.offer(ConfAcronym, "acronym", fmt.Sprintf("model %q is %q with words written as their initials", m.Text, n.Text))
				}
			}
		}
	}
}

// lineNumber reports whether a token reads as a version line: a major and
// a minor version of one or two digits each ("3.2", "4.6").
func lineNumber(t string) bool {
	a, b, ok := strings.Cut(t, ".")
	return ok && majorNumber(a) && majorNumber(b)
}

// majorNumber reports whether a token reads as a major version: one or
// two digits ("13", "2").
func majorNumber(t string) bool {
	return len(t) <= 2 && t != "" && strings.TrimLeft(t, "0123456789") == ""
}

// conflict returns a word of the model and one of the name, neither in
// the other, that tell two products apart ("KTP700 Basic" is no panel of
// "KTP Mobile Panels KTP400F, KTP700 …"): words of letters only, not
// generic, not a brand. Weak rules (model codes) do not match across one.
func (n *Name) conflict(m *Model) (string, string) {
	word := func(t string) bool {
		return len(t) >= 4 && !hasDigit(t) && !genericWord(t) && !slices.Contains(n.brands, t)
	}
	// "DP" against "PN/DP": one part of a designation the other writes.
	for _, t := range m.toks {
		for _, x := range n.main {
			if t != x && (slices.Contains(strings.Split(x, "/"), t) || slices.Contains(strings.Split(t, "/"), x)) {
				return t, x
			}
		}
	}
	// A family prefix before the same code: "H2-ECOM100" is no
	// "H0-ECOM100" (the prefix names the module's platform), unless the
	// advisory's title writes the model's own ("Host Engineering
	// H2-ECOM100 Module" over a product "H4-ECOM100 Module").
	if w, u, c := headConflict(m.toks, n.main); w != "" && !adjacent(n.title, w, c) {
		return w + " " + c, u + " " + c
	}
	// Designations after the model code: "IM155-6 PN ST" is no "IM155-6
	// PN HF", "EN100 … IEC 61850 variant" no "EN100 … DNP3 IP variant".
	if w, u := tailWord(m.toks, n.main), tailWord(n.main, m.toks); w != "" && u != "" {
		return w, u
	}
	var w, u string
	for _, t := range m.toks {
		if word(t) && !slices.Contains(n.main, t) {
			w = t
			break
		}
	}
	for _, t := range n.main {
		if word(t) && !slices.Contains(m.toks, t) {
			u = t
			break
		}
	}
	if w == "" || u == "" {
		return "", ""
	}
	return w, u
}

// numberGoesOn reports whether the words ts, written together, go on with
// a digit at byte n inside the word that holds it ("micro8000" at 8: a
// longer number, not the series' "micro800"; "s7 1500 | 1516" ends a word
// there).
func numberGoesOn(ts []string, n int) bool {
	for _, t := range ts {
		if n < len(t) {
			return n > 0 && isDigit(t[n]) && isDigit(t[n-1])
		}
		n -= len(t)
	}
	return false
}

// headConflict finds a code (four characters or more, with a digit) that
// both token lists write after a short head of the same length with a
// digit, the heads differing ("h2 ecom100" / "h0 ecom100"): it returns the
// heads of ts and other and the code, or "" when none.
func headConflict(ts, other []string) (string, string, string) {
	head := func(t string) bool { return len(t) >= 2 && len(t) <= 4 && hasDigit(t) }
	for i := 1; i < len(ts); i++ {
		c := ts[i]
		if len(c) < 4 || !hasDigit(c) || !head(ts[i-1]) {
			continue
		}
		for j := 1; j < len(other); j++ {
			if other[j] == c && head(other[j-1]) && other[j-1] != ts[i-1] && len(other[j-1]) == len(ts[i-1]) {
				return ts[i-1], other[j-1], c
			}
		}
	}
	return "", "", ""
}

// adjacent reports whether ts holds a right before b.
func adjacent(ts []string, a, b string) bool {
	for i := 1; i < len(ts); i++ {
		if ts[i-1] == a && ts[i] == b {
			return true
		}
	}
	return false
}

// tailWord returns a designation of ts that other lacks: a word of two or
// more letters among those right after the last word with digits (up to a
// generic word), "" when none.
func tailWord(ts, other []string) string {
	last := -1
	for i, t := range ts {
		if hasDigit(t) {
			last = i
		}
	}
	if last < 0 {
		return ""
	}
	for _, t := range ts[last+1:] {
		if genericWord(t) || hasDigit(t) {
			break
		}
		if len(t) >= 2 && !slices.Contains(other, t) {
			return t
		}
	}
	return ""
}

// softwareOnly reports whether the name is about software and the model
// does not say so ("S7-1500 Software Controller" has no member "S7-1500
// CPU 1511-1 PN").
func softwareOnly(name, model []string) bool {
	return slices.Contains(name, "software") && !slices.Contains(model, "software")
}

// lineMember reports whether the model is a model of a product line the
// name gives without a number: the name's words, in order, then only words
// with digits ("eWON Flexy 205" of "eWON Flexy", "Modicon Quantum
// 140CPU65150" of "Modicon Quantum", "SIMATIC HMI TP700 Comfort" of
// "SIMATIC HMI Comfort Panels"); a short word of the name may carry the
// model number ("SIMATIC HMI KTP900F Mobile" of "SIMATIC HMI KTP Mobile
// Panels", codeAfter).
func lineMember(name, model []string) bool {
	if len(name) < 2 || len(model) < len(name) || hasDigitToken(name) {
		return false
	}
	i, extra := 0, 0
	for _, t := range model {
		if i < len(name) && t == name[i] {
			i++
			continue
		}
		if i < len(name) && codeAfter(name[i], t) {
			i++
			extra++
			continue
		}
		if !hasDigit(t) {
			return false
		}
		extra++
	}
	return i == len(name) && extra > 0
}

// codeAfter reports whether t is the short word w of a line name with a
// model number written after it ("ktp900f" of "ktp" in "SIMATIC HMI KTP
// Mobile Panels", "rmc8388" of "RUGGEDCOM ROS RMC"): w is two to four
// letters, the rest starts with two digits or more (a single digit is a
// generation: "Plus EFR2" is no model of "Plus EFR").
func codeAfter(w, t string) bool {
	if len(w) < 2 || len(w) > 4 || len(t) < len(w)+2 || !strings.HasPrefix(t, w) || !isDigit(t[len(w)]) || !isDigit(t[len(w)+1]) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}
func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// variant is a token list with a brand word possibly dropped.
type variant struct {
	toks    []string
	dropped string
}

// variants returns ts and ts without its leading brand words (and without
// "siplus" when the name includes SIPLUS variants).
func (n *Name) variants(ts []string) []variant {
	out := []variant{{toks: ts}}
	cur := ts
	dropped := ""
	for len(cur) > 1 {
		k := n.brandAt(cur)
		if k == 0 {
			break
		}
		dropped += compact(cur[:k])
		cur = cur[k:]
		out = append(out, variant{toks: cur, dropped: dropped})
	}
	return out
}

// otherBrand reports whether one side of a comparison names a brand of
// the vendor the other side's dropped brand is not ("GuardLogix 5570" is
// no "ControlLogix 5570"; "Compact GuardLogix 5370" no member of
// "CompactLogix 5370").
func (n *Name) otherBrand(av, mv variant) bool {
	if av.dropped == "" && mv.dropped == "" {
		return false
	}
	if av.dropped != "" && mv.dropped != "" {
		// A name that includes SIPLUS variants ("SIMATIC HMI Comfort
		// Panels (incl. SIPLUS variants)") names them under SIPLUS in its
		// brand's place ("SIPLUS HMI TP700 Comfort").
		if n.siplus && (av.dropped == "siplus") != (mv.dropped == "siplus") {
			return false
		}
		return av.dropped != mv.dropped
	}
	dropped, own, other := av.dropped, av.toks, mv.toks
	if dropped == "" {
		dropped, own, other = mv.dropped, mv.toks, av.toks
	}
	for _, t := range other {
		if t != dropped && slices.Contains(n.brands, t) && !slices.Contains(own, t) {
			return true
		}
	}
	return false
}

// brandAt returns how many leading tokens of ts spell a brand word
// ("allen bradley" is "allenbradley"), 0 when none.
func (n *Name) brandAt(ts []string) int {
	if n.siplus && ts[0] == "siplus" {
		return 1
	}
	for k := 1; k <= 3 && k < len(ts); k++ {
		if slices.Contains(n.brands, compact(ts[:k])) {
			return k
		}
	}
	return 0
}

// member reports whether the model is a member of the name: the model has
// every token of the name, in order, plus more specific ones carrying
// digits ("s7 1200 cpu" / "s7 1200 cpu 1214c").
func member(name, model []string) bool {
	if len(name) == 0 || len(model) <= len(name) || !hasDigitToken(name) {
		return false
	}
	i := 0
	extra := 0
	for _, t := range model {
		if i < len(name) && t == name[i] {
			i++
			continue
		}
		if i == len(name) && !hasDigit(t) && len(t) > 2 {
			return false // a trailing word: another product ("CP 443-1" / "CP 443-1 RNA")
		}
		extra++
	}
	if extra == 1 && len(model) == len(name)+1 && majorNumber(model[len(model)-1]) {
		return false // a numbered variant ("D2-250-1" of "D2-250"), not a member
	}
	return i == len(name) && extra > 0
}

// otherMember reports whether what a model writes after a series' stem
// names a member the name's list leaves out: a code of the listed codes'
// letters ("gt21…" of "GOT2000 models GT27 GT25 GT23") that starts with
// none of them. A model that names no such code ("GOT2000 HMI") or a
// listed one ("GT2510-VTBA" of GT25) is no other member.
func otherMember(after string, listed []string) bool {
	for _, l := range listed {
		if strings.HasPrefix(after, l) {
			return false
		}
	}
	for _, l := range listed {
		head, _ := splitHead(l, 'a')
		if rest, ok := strings.CutPrefix(after, head); ok && head != "" && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return true
		}
	}
	return false
}

// variantOf reports whether the model names a family whose variant the
// name is: the model's tokens begin the name's and carry a code
// ("en100 ethernet" of "en100 ethernet iec 61850 variant").
func variantOf(model, name []string) bool {
	if len(model) == 0 || len(name) <= len(model) || !slices.Equal(name[:len(model)], model) {
		return false
	}
	for _, t := range model {
		if hasDigit(t) && hasLetter(t) {
			return true
		}
	}
	return false
}

// pattern is a model code with placeholders: "FOX61x", "CP 44x-1",
// "6ES7655-5PX31-1XX0", "DH-IPC-HDW1XXX", "FX5U-**M*/**".
type pattern struct {
	text  string
	re    *regexp.Regexp // on the compact model
	short *regexp.Regexp // without a leading brand segment ("DH-")
	any   bool           // digits may follow the pattern (families)
	after []string       // words of the name after the pattern, all of which the model must have
}

var (
	placeholderRE = regexp.MustCompile(`[xX]{2,}|\*+|(?:[0-9])[xX](?:[0-9xX-]|$)|^[xX]$`)
	segmentRE     = regexp.MustCompile(`^([A-Za-z]{2,3})-`)
)

// compilePattern reads a word with placeholders into a pattern.
func compilePattern(w string) (pattern, bool) {
	w = strings.Trim(w, ",;:.")
	if !placeholderRE.MatchString(w) || len(w) < 3 {
		return pattern{}, false
	}
	c := patternCompact(w)
	if c == "" || !strings.ContainsAny(c, "0123456789") {
		return pattern{}, false
	}
	p := pattern{text: w, re: regexp.MustCompile("^" + c)}
	if m := segmentRE.FindStringSubmatch(w); m != nil {
		p.short = regexp.MustCompile("^" + patternCompact(w[len(m[0]):]))
	}
	return p, true
}

// patternCompact turns a placeholder word into a regular expression on
// compact models: letters and digits lower-cased, placeholders one
// character each, separators dropped.
func patternCompact(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == '*':
			b.WriteString("[a-z0-9]")
		case (c == 'x' || c == 'X') && isPlaceholderX(w, i):
			b.WriteString("[a-z0-9]")
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 32)
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isPlaceholderX reports whether the x at i stands for a character: in a
// run of x's, or next to a digit.
func isPlaceholderX(w string, i int) bool {
	isX := func(j int) bool { return j >= 0 && j < len(w) && (w[j] == 'x' || w[j] == 'X') }
	isD := func(j int) bool { return j >= 0 && j < len(w) && w[j] >= '0' && w[j] <= '9' }
	if isX(i-1) || isX(i+1) {
		return true
	}
	return isD(i-1) && (isD(i+1) || i+1 == len(w) || w[i+1] == '-')
}

// fits reports whether a model fits the pattern: the compact model starts
// with it and goes on, if at all, with a letter or after a separator
// ("DS-2CD2xx2FWD" fits "DS-2CD2142FWD-I", "FOX61x" does not fit
// "FOX6150").
func (p pattern) fits(m *Model, cm string) (bool, float64) {
	for _, a := range p.after {
		if !slices.Contains(m.toks, a) {
			return false, 0
		}
	}
	try := func(re *regexp.Regexp) bool {
		for start := 0; start < len(m.toks) && start < 3; start++ {
			c := compact(m.toks[start:])
			loc := re.FindStringIndex(c)
			if loc == nil {
				continue
			}
			rest := c[loc[1]:]
			if rest == "" || p.any || rest[0] < '0' || rest[0] > '9' || boundaryAt(m.toks[start:], loc[1]) {
				return true
			}
		}
		return false
	}
	if try(p.re) {
		return true, ConfPattern
	}
	if p.short != nil && try(p.short) {
		return true, ConfPattern - 0.1
	}
	return false, 0
}

// boundaryAt reports whether a token ends at offset n of the compact form.
func boundaryAt(ts []string, n int) bool {
	k := 0
	for _, t := range ts {
		k += len(t)
		if k == n {
			return true
		}
		if k > n {
			return false
		}
	}
	return false
}

// familyRE reads Siemens-style family codes: letters, an optional hyphen,
// a digit and two zeros, an optional suffix ("X-300", "XB-200", "SC-600",
// "XM400", "X-200IRT").
var familyRE = regexp.MustCompile(`^([A-Za-z]{1,3})(-?)([1-9])00([A-Za-z]*)$`)

// familyPattern reads a family code into a pattern of its members
// ("X-300" → X3nn, "X-200IRT" → X2nn[-p]IRT). Without a hyphen ("XM400") it is a family only when
// no other product code of the advisory is a member ("RS400" next to
// "RS401" is a model).
func familyPattern(w string, codes map[string]bool) (pattern, bool) {
	m := familyRE.FindStringSubmatch(w)
	if m == nil {
		return pattern{}, false
	}
	letters := strings.ToLower(m[1])
	// A suffix may follow the member's port count ("X202-2IRT" of
	// "X-200IRT").
	ports := ""
	if m[4] != "" {
		ports = "[0-9]{0,2}"
	}
	re := regexp.MustCompile("^" + letters + m[3] + "[0-9]{2}" + ports + strings.ToLower(m[4]))
	if m[2] == "" {
		own := letters + m[3] + "00" + strings.ToLower(m[4])
		for c := range codes {
			if c != own && re.MatchString(c) {
				return pattern{}, false
			}
		}
	}
	return pattern{text: w, re: re}, true
}

// modelRange is "MX400-MX850": the models with those letters and a number
// in the range.
type modelRange struct {
	text     string
	letters  string
	low, top int
}

var modelRangeRE = regexp.MustCompile(`^([A-Za-z]{1,4})(\d+)-([A-Za-z]{1,4})(\d+)$`)

func parseModelRange(w string) (modelRange, bool) {
	m := modelRangeRE.FindStringSubmatch(w)
	if m == nil || !strings.EqualFold(m[1], m[3]) {
		return modelRange{}, false
	}
	lo, err1 := strconv.Atoi(m[2])
	hi, err2 := strconv.Atoi(m[4])
	if err1 != nil || err2 != nil || lo >= hi {
		return modelRange{}, false
	}
	return modelRange{text: w, letters: strings.ToLower(m[1]), low: lo, top: hi}, true
}

var letterNumberRE = regexp.MustCompile(`^([a-z]{1,4})(\d+)$`)

func (r modelRange) covers(toks []string) bool {
	for _, t := range toks {
		if m := letterNumberRE.FindStringSubmatch(t); m != nil && m[1] == r.letters {
			if v, err := strconv.Atoi(m[2]); err == nil && v >= r.low && v <= r.top {
				return true
			}
		}
	}
	return false
}

// expandSlash expands a slash list inside a word into the words it lists:
// "R04/08/16/32/120(EN)CPU" → R04(EN)CPU, R08(EN)CPU, …; "XGK-CPUU/H/A" →
// XGK-CPUU, XGK-CPUH, XGK-CPUA; "cMT-G01/G02" → cMT-G01, cMT-G02;
// "RJ71C24(-R2/R4)" → RJ71C24(-R2), RJ71C24(-R4). A word without a slash,
// or whose parts are letter designations ("PN/DP"), is returned as is.
func expandSlash(w string) []string {
	if !strings.Contains(w, "/") {
		return []string{w}
	}
	// "X(-A/B)": options inside parentheses.
	if i := strings.IndexByte(w, '('); i > 0 {
		if j := strings.IndexByte(w[i:], ')'); j > 0 && strings.Contains(w[i:i+j], "/") {
			var out []string
			for _, o := range strings.Split(w[i+1:i+j], "/") {
				out = append(out, w[:i]+"("+o+")"+w[i+j+1:])
			}
			return out
		}
	}
	parts := strings.Split(w, "/")
	first := parts[0]
	if !hasDigit(first) && !strings.Contains(first, "-") {
		return []string{w}
	}
	last := parts[len(parts)-1]
	// The tail after the varying head of the last part applies to all.
	head, tail := splitHead(last, classOf(parts[1]))
	if len(parts) == 2 {
		head, tail = last, ""
		if h, t := splitHead(last, classOf(last)); t != "" && strings.HasPrefix(t, "(") {
			head, tail = h, t
		}
	}
	vary := append([]string{}, parts[1:len(parts)-1]...)
	vary = append(vary, head)
	out := []string{first + tail}
	for _, p := range vary {
		for _, c := range replacements(first, p) {
			out = append(out, c+tail)
		}
	}
	return out
}

// replacements returns the words first becomes when its end is replaced
// by p: by the same kind of characters ("R04" + "120" → "R120"), by as
// many characters ("cMT-G01" + "G02" → "cMT-G02"), or as a suffix of its
// stem ("XGI-CPUU" + "UD" → "XGI-CPUUD").
func replacements(first, p string) []string {
	var out []string
	add := func(s string) {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if cls := classOf(p); cls != 0 && allClass(p, cls) {
		i := len(first)
		for i > 0 && classOf(first[i-1:]) == cls {
			i--
		}
		if i < len(first) {
			add(first[:i] + p)
		}
	}
	if len(p) <= len(first) {
		add(first[:len(first)-len(p)] + p)
	}
	if len(first) > 1 && classOf(p) == 'a' {
		add(first[:len(first)-1] + p)
	}
	return out
}

func classOf(s string) byte {
	if s == "" {
		return 0
	}
	c := s[0]
	switch {
	case c >= '0' && c <= '9':
		return 'd'
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return 'a'
	}
	return 0
}

func allClass(s string, cls byte) bool {
	for i := 0; i < len(s); i++ {
		if classOf(s[i:]) != cls {
			return false
		}
	}
	return true
}

// splitHead splits p into its leading run of class cls and the rest.
func splitHead(p string, cls byte) (string, string) {
	i := 0
	for i < len(p) && classOf(p[i:]) == cls {
		i++
	}
	return p[:i], p[i:]
}

// optionalInfix returns a word with and without what it holds in short
// parentheses: "R04(EN)CPU" → R04CPU, R04ENCPU; "L02CPU(-P)" → L02CPU,
// L02CPU-P.
func optionalInfix(w string) []string {
	i := strings.IndexByte(w, '(')
	if i < 0 {
		return []string{w}
	}
	j := strings.IndexByte(w[i:], ')')
	if j < 0 || j > 8 {
		return []string{strings.ReplaceAll(strings.ReplaceAll(w, "(", ""), ")", "")}
	}
	without := w[:i] + w[i+j+1:]
	with := w[:i] + w[i+1:i+j] + w[i+j+1:]
	return []string{without, with}
}

// expansion is a name with an abbreviation written out.
type expansion struct {
	toks       []string
	abbr, long string
	// short: the title abbreviates words of the name ("victor VMS" for
	// "victor Video Management System"), not the other way round.
	short bool
}

// abbrRE matches a word that reads as an abbreviation: three to six
// letters, at least three of them capitals ("JTTK", "VBASE", "ESM").
var abbrRE = regexp.MustCompile(`^[A-Za-z]{3,6}$`)

// expand records the name with each abbreviation in it written out the way
// the title spells it: a run of two to five capitalised words of the title
// whose first letter is the abbreviation's, that hold its letters in order,
// and whose last word holds its last letter ("JT Open Toolkit" for
// "JTTK", "VISAM Automation Base" for "VBASE"; initials too).
func (n *Name) expand(main []string, title string, vendor [][]string) {
	if title == "" || len(main) == 0 {
		return
	}
	var words []string
	for _, w := range strings.Fields(n.Text) {
		w = strings.Trim(w, "(),;:")
		if !abbrRE.MatchString(w) || upperCount(w) < 3 {
			continue
		}
		a := strings.ToLower(w)
		if !slices.Contains(main, a) {
			continue
		}
		if words == nil {
			words = strings.FieldsFunc(title, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+')
			})
		}
		for i := range words {
			if words[i][0]|0x20 != a[0] {
				continue // the first letter must be the abbreviation's
			}
			for k := 2; k <= 5 && i+k <= len(words); k++ {
				ph := words[i : i+k]
				if long, ok := spellsOut(a, ph); ok {
					toks := replaceToken(main, []string{a}, nameTokens(long, vendor))
					n.expanded = append(n.expanded, expansion{toks: toks, abbr: w, long: long})
				}
			}
		}
	}
}

// contract records the name with a run of its words written as the
// abbreviation the advisory's title uses for them: an all-capital word of
// three to six letters of the title, not in the name, that the run's
// initials spell exactly, each word of the run capitalised ("VMS" of
// "American Dynamics victor VMS" for "… victor Video Management System",
// "SESU" for "Schneider Electric Software Update").
func (n *Name) contract(title string, vendor [][]string) {
	if title == "" {
		return
	}
	words := strings.Fields(n.Text)
	for _, tw := range strings.FieldsFunc(title, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
		if len(tw) < 3 || len(tw) > 6 || upperCount(tw) != len(tw) || slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(strings.Trim(w, "(),;:"), tw) }) {
			continue
		}
		for i := 0; i+len(tw) <= len(words); i++ {
			run := words[i : i+len(tw)]
			ok := true
			for j, w := range run {
				if w[0] != tw[j] || len(w) < 2 || strings.ToUpper(w) == w {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			short := strings.Join(append(append(slices.Clone(words[:i]), tw), words[i+len(tw):]...), " ")
			if toks := nameTokens(short, vendor); len(toks) > 0 {
				n.expanded = append(n.expanded, expansion{toks: toks, abbr: tw, long: strings.Join(run, " "), short: true})
			}
		}
	}
}

// withoutLeadBrand returns ts without the brand of the vendor its first
// words spell ("american dynamics victor vms" → "victor vms"), or ts.
func (n *Name) withoutLeadBrand(ts []string) []string {
	for k := min(3, len(ts)-1); k >= 1; k-- {
		if slices.Contains(n.brands, compact(ts[:k])) {
			return ts[k:]
		}
	}
	return ts
}

func upperCount(s string) int {
	c := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			c++
		}
	}
	return c
}

// spellsOut reports whether the words ph spell out the abbreviation a (lower
// case): each word capitalised and not the abbreviation itself, a's first
// letter the first word's, its letters in order, the last one in the last
// word; it returns the words joined.
func spellsOut(a string, ph []string) (string, bool) {
	var b strings.Builder
	lastStart := 0
	for j, p := range ph {
		if p[0] < 'A' || p[0] > 'Z' || strings.EqualFold(p, a) {
			return "", false
		}
		if j > 0 {
			b.WriteByte(' ')
		}
		lastStart = b.Len()
		b.WriteString(p)
	}
	long := b.String()
	l := strings.ToLower(long)
	if l[0] != a[0] {
		return "", false
	}
	// The letters but the last in order (earliest), then the last one in
	// the last word.
	j, end := 0, -1
	for i := 0; i < len(l) && j < len(a)-1; i++ {
		if l[i] == a[j] {
			j++
			end = i
		}
	}
	if j < len(a)-1 || !strings.Contains(l[max(end+1, lastStart):], a[len(a)-1:]) {
		return "", false
	}
	return long, true
}

// ConfRoman is the highest confidence of rule "roman": a model that writes
// a roman numeral of the name as a digit, or a digit as a roman numeral
// ("SICAM TOOLBOX 2" / "SICAM TOOLBOX II", "ROX 2" / "ROX II").
const ConfRoman = 0.9

// romanNumerals are the roman numerals read as numbers in names: II to IX
// but V, whose single letters ("I", "V", "X") are as often a letter of a
// designation ("Series V", "X-300").
var romanNumerals = map[string]string{"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9"}

// romanModel returns the model with a number written the name's way: a
// digit the name writes as a roman numeral ("2" for "ii"), or a roman
// numeral the name writes as a digit; nil when there is none.
func (n *Name) romanModel(m *Model) (rm *Model, from, to string) {
	for i, t := range m.toks {
		for r, d := range romanNumerals {
			switch {
			case t == d && slices.Contains(n.main, r) && !slices.Contains(n.main, d):
				from, to = d, strings.ToUpper(r)
			case t == r && slices.Contains(n.main, d) && !slices.Contains(n.main, r):
				from, to = strings.ToUpper(r), d
			default:
				continue
			}
			x := *m
			x.toks = slices.Clone(m.toks)
			x.toks[i] = map[bool]string{true: r, false: d}[t == d]
			return &x, from, to
		}
	}
	return nil, "", ""
}

// romanConflict returns a roman numeral of the name and a digit the model
// writes for another number in the same place ("Maximo 3 ICD" for
// "Maximo II CRT-D and ICD"): the words before both agree.
func (n *Name) romanConflict(m *Model) (string, string) {
	for i, t := range n.main {
		d, ok := romanNumerals[t]
		if !ok || i == 0 || slices.Contains(m.toks, t) || slices.Contains(m.toks, d) {
			continue
		}
		for j, u := range m.toks {
			if j > 0 && len(u) == 1 && isDigit(u[0]) && u != d && m.toks[j-1] == n.main[i-1] {
				return t, u
			}
		}
	}
	return "", ""
}

// editionWord reports words that name an edition of a product ("Winlog
// Pro", "FactoryTalk Linx Enterprise", "Lumada APM Edge"): another
// product, not a description.
func editionWord(t string) bool {
	switch t {
	case "pro", "professional", "lite", "light", "basic", "standard", "advanced", "enterprise", "express", "premium", "plus",
		"classic", "edition", "developer", "runtime", "mobile", "edge":
		return true
	}
	return false
}

// otherEdition reports an edition word that a model without it does not
// name (rule "edition", a refusal of the prefix and weighted-tokens
// readings): "V-Server" is no "V-Server Lite", "FactoryTalk Linx" no
// "FactoryTalk Linx Enterprise software", "Lumada APM" no "Lumada APM
// Edge". Not "Classic", the name a first edition takes when a newer one
// comes ("RSLinx" is "RSLinx Classic"), nor "Runtime", the part of a
// product its owners run ("CodeMeter" of "CodeMeter Runtime").
func otherEdition(t string) bool {
	return editionWord(t) && t != "classic" && t != "runtime"
}

// descriptive reports whether words only say what a product is: two or
// more, none with a digit, each a class word or a common word of product
// names (not a role such as "server" or "viewer", not an edition such as
// "Pro", not "and" or a slash),
// the last a class word ("network management software", "scada
// software").
func descriptive(ts []string) bool {
	if len(ts) < 2 || !genericWord(ts[len(ts)-1]) || fillerWord(ts[len(ts)-1]) && ts[len(ts)-1] != "software" && ts[len(ts)-1] != "system" && ts[len(ts)-1] != "systems" {
		return false
	}
	for _, t := range ts {
		if hasDigit(t) || t == "and" || strings.Contains(t, "/") || companionWord(t) || editionWord(t) || t == "server" || t == "servers" ||
			!genericWord(t) && !commonWord(t) {
			return false
		}
	}
	return true
}

// BrandLine compares a model that is a brand of the vendor alone with a
// name that is the one product line the brand leads in every product name
// of 2017–2020 ("SiPass" of "SiPass integrated V2.85": no other SiPass
// product is named): the brand and that word, no more (rule "brand-line",
// ConfBrandLine). Name.Match refuses a brand alone ("FactoryTalk" leads
// many products); the caller asks this only where no other rule matched.
func (n *Name) BrandLine(m *Model) Result {
	if len(m.toks) != 1 || !slices.Contains(n.brands, m.toks[0]) || len(n.main) != 2 || n.main[0] != m.toks[0] || LeadLine(m.toks[0]) != n.main[1] {
		return Result{Why: "not a brand of one product line"}
	}
	return Result{OK: true, Conf: ConfBrandLine, Rule: "brand-line",
		Why: fmt.Sprintf("model %q is the brand that leads only %q in the product names of 2017–2020 advisories", m.Text, strings.Join(n.main, " "))}
}
