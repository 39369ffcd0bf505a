// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vendor

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Where an alias comes from.
const (
	SourceName        = "name"            // a vendor name of the data itself
	SourceCompound    = "compound"        // a part of a "Brand, Owner" vendor name
	SourceParenthesis = "parenthesis"     // an abbreviation or former name given in parentheses
	SourceDescriptor  = "descriptor"      // the name without trailing descriptor words ("Rockwell")
	SourceInitials    = "initials"        // the initials of a name of three or more words
	SourceTranslit    = "transliteration" // ü written ue and back
	SourceKEV         = "kev"             // a KEV vendorProject naming the same products
	SourceCPE         = "cpe"             // a CPE vendor of a CSAF identification helper
	SourceNVD         = "nvd"             // a CPE vendor of an NVD record about the same products
	SourceCVE5        = "cve5"            // a CVE 5 vendor (or its CPEs) about the same products
	SourceBrand       = "brand"           // a brand the vendor's product names start with
	// SourceSharedBrand is a brand whose products appear under several
	// vendors (a product line that changed hands, "Wonderware" under
	// Schneider Electric and AVEVA): it names each of them and joins none.
	SourceSharedBrand = "shared-brand"
	// SourceProductLine is a word the vendor's product names start with
	// that is no vendor alias ("Quantum", "Solid"): product names are
	// compared with and without it.
	SourceProductLine = "product-line"
	SourceOperator    = "operator" // added by an operator
	// SourceKnown is a name of the vendor from the curated table of
	// well-documented relations (known.tsv): a former, legal or trading
	// name, an abbreviation, a spelling the data uses, or a brand with no
	// company of its own. It joins the vendor's group.
	SourceKnown = "known"
	// SourceKnownOwner is a company the vendor owns or owned that sells
	// under its own name (known.tsv: ABB and B&R, AVEVA and OSIsoft). The groups stay apart; each is a
	// related vendor of the other (Table.Related): the product decides.
	SourceKnownOwner = "known-owner"
	// SourceKnownDistinct is a company whose name starts like the vendor's
	// but that is not related to it (known.tsv: Rockwell Collins is not
	// Rockwell Automation): a group of its own, never shortened to the
	// vendor.
	SourceKnownDistinct = "known-distinct"
	sourceDisplayFirst  = SourceName
)

// Alias is one name of a vendor and where it was learnt.
type Alias struct {
	Vendor string `json:"vendor"` // the display name of the vendor
	Alias  string `json:"alias"`  // the name as written
	Source string `json:"source"`
	Note   string `json:"note,omitempty"` // evidence: an advisory, a CVE, a count
}

// Table maps vendor names to vendor groups. The zero value knows no
// aliases: every name is its own group.
type Table struct {
	group   map[string]string   // key → group id
	display map[string]string   // group id → display name
	members map[string][]string // group id → keys
	brands  map[string][]string // group id → brand keys
	byKey   map[string]Alias    // alias key → the alias that added it
	aliases []Alias
	// lead maps an acronym that leads vendor names of the data ("OPW" of
	// "OPW Fuel Management Systems") to the keys of those vendors.
	lead map[string][]string
	// shared maps a brand key several vendors sell under to their groups.
	shared map[string][]string
	// owns holds the SourceKnownOwner aliases as key pairs (owner, owned);
	// related is derived from it once the groups are final.
	owns    []Alias
	related map[string][]Alias // group → the relations that name it
	// words holds the tokens of each group's names and aliases: words an
	// unknown name may add to the group's name and stay the group's.
	words map[string]map[string]bool
}

//go:embed aliases.tsv
var aliasesTSV string

//go:embed known.tsv
var knownTSV string

// Embedded returns the table generated from advisory data (aliases.tsv)
// with the curated relations of known.tsv on top.
func Embedded() *Table { return embedded() }

var embedded = sync.OnceValue(func() *Table {
	as, err := ParseTSV(aliasesTSV)
	if err != nil {
		panic(fmt.Sprintf("vendor: embedded aliases.tsv: %v", err)) // a build defect, caught by tests
	}
	known, err := ParseKnown(knownTSV)
	if err != nil {
		panic(fmt.Sprintf("vendor: embedded known.tsv: %v", err)) // a build defect, caught by tests
	}
	return New(append(as, known...))
})

// Relations of known.tsv: the names that join the vendor's group and the
// one that relates two groups.
var knownRelations = map[string]string{
	"former-name":  SourceKnown,
	"legal-name":   SourceKnown,
	"trading-name": SourceKnown,
	"abbreviation": SourceKnown,
	"spelling":     SourceKnown,
	"brand":        SourceKnown,
	"owner":        SourceKnownOwner,
	"shared-brand": SourceSharedBrand,
	"distinct":     SourceKnownDistinct,
}

// ParseKnown reads the curated relations table, lines
// "vendor<TAB>name<TAB>relation<TAB>source" ("#" lines are comments):
// relation is former-name, legal-name, trading-name, abbreviation,
// spelling or brand (the name is the vendor: SourceKnown), owner (the
// vendor owns or owned the named company: SourceKnownOwner) or
// shared-brand (a product line that changed hands, one line per vendor
// that sold it: SourceSharedBrand) or distinct (a company named like the
// vendor that is not related to it: SourceKnownDistinct); source is the public record of the relation, which
// the alias's note keeps after the relation.
func ParseKnown(s string) ([]Alias, error) {
	var out []Alias
	sc := bufio.NewScanner(strings.NewReader(s))
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 4 || f[0] == "" || f[1] == "" || strings.TrimSpace(f[3]) == "" {
			return nil, fmt.Errorf("line %d: want vendor, name, relation, source", n)
		}
		src, ok := knownRelations[f[2]]
		if !ok {
			return nil, fmt.Errorf("line %d: unknown relation %q", n, f[2])
		}
		if Key(f[0]) == "" || Key(f[1]) == "" || Key(f[0]) == Key(f[1]) {
			return nil, fmt.Errorf("line %d: %q and %q are no two names", n, f[0], f[1])
		}
		out = append(out, Alias{Vendor: f[0], Alias: f[1], Source: src, Note: strings.ReplaceAll(f[2], "-", " ") + ": " + f[3]})
	}
	return out, sc.Err()
}

// ParseTSV reads alias lines "vendor<TAB>alias<TAB>source<TAB>note"; "#"
// lines are comments.
func ParseTSV(s string) ([]Alias, error) {
	var out []Alias
	sc := bufio.NewScanner(strings.NewReader(s))
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) < 3 || f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("line %d: want vendor, alias, source[, note]", n)
		}
		a := Alias{Vendor: f[0], Alias: f[1], Source: f[2]}
		if len(f) > 3 {
			a.Note = f[3]
		}
		out = append(out, a)
	}
	return out, sc.Err()
}

// FormatTSV writes aliases in the format ParseTSV reads.
func FormatTSV(as []Alias) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", a.Vendor, a.Alias, a.Source, a.Note)
	}
	return b.String()
}

// New builds a table. Each alias joins the group of its vendor; an alias
// whose key already belongs to another group joins them (operators' later
// aliases win over generated ones).
func New(as []Alias) *Table {
	t := &Table{group: map[string]string{}, display: map[string]string{}, members: map[string][]string{}, brands: map[string][]string{},
		byKey: map[string]Alias{}, shared: map[string][]string{}}
	for _, a := range as {
		t.add(a)
	}
	t.related = map[string][]Alias{}
	for _, a := range t.owns {
		og, ng := t.group[Key(a.Vendor)], t.group[Key(a.Alias)]
		if og == "" || ng == "" || og == ng {
			continue
		}
		t.related[og] = append(t.related[og], a)
		t.related[ng] = append(t.related[ng], a)
	}
	t.words = map[string]map[string]bool{}
	for _, a := range t.aliases {
		switch a.Source {
		case SourceSharedBrand, SourceKnownOwner, SourceKnownDistinct:
			continue
		}
		for _, n := range []string{a.Vendor, a.Alias} {
			g := t.group[Key(n)]
			if g == "" {
				continue
			}
			if t.words[g] == nil {
				t.words[g] = map[string]bool{}
			}
			for _, w := range nameTokens(n) {
				t.words[g][w] = true
			}
		}
	}
	t.lead = map[string][]string{}
	for _, a := range t.aliases {
		if a.Source != SourceName {
			continue
		}
		if acr, ok := leadAcronym(a.Alias); ok && !slices.Contains(t.lead[acr], Key(a.Vendor)) {
			t.lead[acr] = append(t.lead[acr], Key(a.Vendor))
		}
	}
	return t
}

// leadAcronym returns the acronym a vendor name of several words starts
// with ("OPW" of "OPW Fuel Management Systems", "GE" of "GE Grid
// Solutions"), lower-cased: two to five capital letters.
func leadAcronym(name string) (string, bool) {
	f := strings.Fields(name)
	if len(f) < 2 || len(f[0]) < 2 || len(f[0]) > 5 {
		return "", false
	}
	for _, c := range f[0] {
		if c < 'A' || c > 'Z' {
			return "", false
		}
	}
	return strings.ToLower(f[0]), true
}

func (t *Table) add(a Alias) {
	vk, ak := Key(a.Vendor), Key(a.Alias)
	if vk == "" || ak == "" {
		return
	}
	g, ok := t.group[vk]
	if !ok {
		g = vk
		t.group[vk] = g
		t.members[g] = append(t.members[g], vk)
		t.display[g] = a.Vendor
	}
	if a.Source == SourceSharedBrand {
		if !slices.Contains(t.shared[ak], g) {
			t.shared[ak] = append(t.shared[ak], g)
		}
		t.aliases = append(t.aliases, a)
		return
	}
	if a.Source == SourceKnownDistinct {
		if _, ok := t.group[ak]; !ok {
			t.group[ak] = ak
			t.members[ak] = append(t.members[ak], ak)
			t.display[ak] = a.Alias
		}
		t.aliases = append(t.aliases, a)
		return
	}
	if a.Source == SourceKnownOwner {
		// The owned company is a vendor of its own: a group of its own
		// unless a name of the table already is.
		if _, ok := t.group[ak]; !ok {
			t.group[ak] = ak
			t.members[ak] = append(t.members[ak], ak)
			t.display[ak] = a.Alias
		}
		t.owns = append(t.owns, a)
		t.aliases = append(t.aliases, a)
		return
	}
	if a.Source == SourceProductLine {
		if !slices.Contains(t.brands[g], ak) {
			t.brands[g] = append(t.brands[g], ak)
		}
		t.aliases = append(t.aliases, a)
		return
	}
	if old, ok := t.group[ak]; ok && old != g {
		// The alias names a known group: merge it into g.
		for _, k := range t.members[old] {
			t.group[k] = g
			t.members[g] = append(t.members[g], k)
		}
		t.brands[g] = append(t.brands[g], t.brands[old]...)
		delete(t.members, old)
		delete(t.brands, old)
		delete(t.display, old)
	} else if !ok {
		t.group[ak] = g
		t.members[g] = append(t.members[g], ak)
	}
	if a.Source == SourceBrand && !slices.Contains(t.brands[g], ak) {
		t.brands[g] = append(t.brands[g], ak)
	}
	if _, ok := t.byKey[ak]; !ok || a.Source == SourceOperator {
		t.byKey[ak] = a
	}
	t.aliases = append(t.aliases, a)
}

// With returns a copy of t with more aliases (an operator's).
func (t *Table) With(extra []Alias) *Table {
	if len(extra) == 0 {
		return t
	}
	return New(append(slices.Clone(t.aliases), extra...))
}

// Group returns the group of a vendor name: the key of its group's
// canonical name when the table knows it, else its key without trailing
// descriptor words when that is a known group, else the group of its
// longest leading words that are a known name, else its own shortest
// form. "" for a name without letters or digits.
func (t *Table) Group(name string) string {
	k := Key(name)
	if k == "" {
		return ""
	}
	if g, ok := t.group[k]; ok {
		return g
	}
	forms := shortForms(name)
	for _, f := range forms {
		if g, ok := t.group[f]; ok {
			return g
		}
	}
	// A known abbreviation with descriptor words: "GE Digital" is
	// General Electric (GE)'s business (short forms keep three letters
	// or more, so "ge" is looked up here, where it must be known).
	ts := nameTokens(name)
	for d := ts; len(d) > 1 && descriptor(d[len(d)-1]); {
		d = d[:len(d)-1]
		if g, ok := t.group[strings.Join(d, "")]; ok {
			return g
		}
	}
	// An unknown name that starts with a known vendor's name and goes on
	// with words that name no other company ("Panasonic Electric Works",
	// "KUKA Deutschland GmbH", "Horner APG"): that vendor's business. A
	// distinctive word after it makes another company ("Rockwell
	// Collins" is not Rockwell Automation's).
	for k := len(ts) - 1; k >= 1; k-- {
		if p := strings.Join(ts[:k], ""); len(p) >= 4 {
			if g, ok := t.group[p]; ok && t.businessOf(g, name, ts[k:]) {
				return g
			}
		}
	}
	// An unknown name whose last words are a known vendor's name of five
	// letters or more ("Koninklijke Philips N.V."): that vendor, the words
	// before it a title or a seat. Words before it that start with another
	// known vendor's name make a company of its own ("Schneider National"
	// is neither Schneider Electric nor National Instruments) unless that
	// vendor owns or owned it ("Carrier LenelS2").
	for k := 1; k < len(ts); k++ {
		if p := strings.Join(ts[k:], ""); len(p) >= 5 {
			if g, ok := t.group[p]; ok {
				if lg := t.leadGroup(ts[:k]); lg != "" && lg != g && !slices.Contains(t.Related(lg), g) {
					break
				}
				return g
			}
		}
	}
	// An acronym and the words of a business ("GE Grid Solutions"): the
	// vendor the acronym is known as. An acronym alone ("OPW"): the one
	// vendor of the data whose name it leads.
	if acr, ok := leadAcronym(name); ok {
		if g, ok := t.group[acr]; ok {
			return g
		}
	}
	if len(ts) == 1 && strings.ToUpper(name) == strings.TrimSpace(name) {
		if ks := t.lead[ts[0]]; len(ks) == 1 {
			if g, ok := t.group[ks[0]]; ok {
				return g
			}
		}
	}
	if len(forms) > 0 {
		return forms[len(forms)-1]
	}
	return k
}

// businessOf reports whether the words that follow a known vendor's name
// in an unknown name (rest, normalised tokens of name) name a business of
// that vendor rather than another company: each is a legal form, a word
// of what a company does (descriptor, businessWord), a country, a word of
// the group's own names ("Rockwell Software" of Rockwell Automation) or a
// business unit's code written in two to four capitals ("Smiths Medical
// ASD", "Fuji Electric FA …"); all of them together may be a legal form
// split by punctuation ("A/S").
func (t *Table) businessOf(group, name string, rest []string) bool {
	if legalForm(strings.Join(rest, "")) {
		return true
	}
	for _, w := range rest {
		if legalForm(w) || descriptor(w) || businessWord(w) || country(w) || w == "and" || w == "of" ||
			t.words[group][w] || unitCode(name, w) {
			continue
		}
		return false
	}
	return true
}

// leadGroup returns the group of the known vendor name of four
// characters or more the words ts start with, "" when they start with
// none.
func (t *Table) leadGroup(ts []string) string {
	for j := 1; j <= len(ts); j++ {
		if p := strings.Join(ts[:j], ""); len(p) >= 4 {
			if g, ok := t.group[p]; ok {
				return g
			}
		}
	}
	return ""
}

// unitCode reports whether w is written in name as a code of two to four
// capital letters ("APG" of "Horner APG").
func unitCode(name, w string) bool {
	if len(w) < 2 || len(w) > 4 {
		return false
	}
	for _, f := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == ',' || r == '-' }) {
		if strings.ToLower(f) == w && strings.ToUpper(f) == f {
			return true
		}
	}
	return false
}

// Known reports whether name is a vendor name, alias or short form of the
// table itself (not only a key Group derives for an unknown name).
func (t *Table) Known(name string) bool {
	_, ok := t.group[Key(name)]
	return ok
}

// Groups returns the groups of a possibly compound vendor name ("ABB,
// Phoenix Contact, and WAGO"), sorted, unique.
func (t *Table) Groups(name string) []string {
	parts, _ := Parts(name)
	var out []string
	for _, p := range parts {
		if g := t.Group(p); g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	if g := t.Group(name); g != "" && len(parts) == 1 && !slices.Contains(out, g) {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// SharedOwners returns the groups that sell under the brand name when
// several do (SourceSharedBrand), in the order the table lists them; nil
// for any other name.
func (t *Table) SharedOwners(name string) []string {
	ks := t.shared[Key(name)]
	out := make([]string, 0, len(ks))
	for _, k := range ks {
		// A group may have merged into another since the alias was added.
		if g := t.group[k]; g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Related returns the groups related to group by ownership
// (SourceKnownOwner: an owner, a company it owns, a company whose product
// lines it took over), sorted, unique; nil when there are none.
func (t *Table) Related(group string) []string {
	var out []string
	for _, a := range t.related[group] {
		for _, k := range []string{Key(a.Vendor), Key(a.Alias)} {
			if g := t.group[k]; g != group && g != "" && !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Names returns the spellings of a group's names and aliases as the
// tables write them (brands that are no vendor, shared brands and product
// lines aside).
func (t *Table) Names(group string) []string {
	var out []string
	for _, a := range t.aliases {
		switch a.Source {
		case SourceSharedBrand, SourceProductLine, SourceKnownOwner, SourceKnownDistinct:
			continue
		}
		for _, n := range []string{a.Vendor, a.Alias} {
			if t.group[Key(n)] == group && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// Relation says how two groups are related by ownership ("ABB owns or
// owned B&R Industrial Automation or its product lines (…)"); "" when
// they are not.
func (t *Table) Relation(a, b string) string {
	for _, r := range t.related[a] {
		ga, gb := t.group[Key(r.Vendor)], t.group[Key(r.Alias)]
		if ga == a && gb == b || ga == b && gb == a {
			return fmt.Sprintf("%s owns or owned %s or its product lines (%s)", r.Vendor, r.Alias, strings.TrimPrefix(r.Note, "owner: "))
		}
	}
	return ""
}

// SharedBrands returns the brand keys group sells under with other groups
// (SourceSharedBrand), sorted.
func (t *Table) SharedBrands(group string) []string {
	var out []string
	for b := range t.shared {
		if slices.Contains(t.SharedOwners(b), group) {
			out = append(out, b)
		}
	}
	slices.Sort(out)
	return out
}

// Display returns the display name of a group.
func (t *Table) Display(group string) string {
	if d, ok := t.display[group]; ok {
		return d
	}
	return group
}

// Members returns the keys of a group (its own key first when known).
func (t *Table) Members(group string) []string {
	if m, ok := t.members[group]; ok {
		return m
	}
	return []string{group}
}

// Brands returns the brand keys of a group: words its product names start
// with that also name it ("allenbradley", "simatic").
func (t *Table) Brands(group string) []string { return t.brands[group] }

// How returns how a vendor name relates to a group: "" when its key is the
// group's own (the same name up to case, punctuation, legal form and
// accents), else the alias and its source ("Allen-Bradley (brand)").
func (t *Table) How(name, group string) string {
	k := Key(name)
	if k == group {
		return ""
	}
	if a, ok := t.byKey[k]; ok && t.group[k] == group {
		return fmt.Sprintf("%q is an alias of %s (%s", name, t.Display(group), a.Source) + noteSuffix(a.Note) + ")"
	}
	if t.group[k] == group {
		return fmt.Sprintf("%q is %s", name, t.Display(group))
	}
	return fmt.Sprintf("%q shortens to %s", name, t.Display(group))
}

func noteSuffix(n string) string {
	if n == "" {
		return ""
	}
	return ", " + n
}

// List returns the aliases in the order they were added.
func (t *Table) List() []Alias { return slices.Clone(t.aliases) }
