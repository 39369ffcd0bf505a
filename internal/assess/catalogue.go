// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package assess rates connected devices against ETSI EN 303 645.
//
// It holds the embedded provision catalogue with its mappings to other
// frameworks (UK Code of Practice, UK PSTI, ENISA baseline, NISTIR 8259A/B,
// EU CRA Annex I), the answers a maker gives per provision (loaded from a
// YAML or JSON file filled in offline), the assessment record and its state
// machine, the evaluation of answers, conditions and probe findings into
// per-provision results, and the versioned A–G scoring rule.
//
// Everything here is pure: no storage, no network, no clock. Callers pass the
// time in. Values are safe for concurrent reads; a *Catalogue is never
// modified after Load.
package assess

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"vigil/internal/errs"
)

//go:embed en303645.yaml
var catalogueYAML []byte

//go:embed frameworks.yaml
var frameworksYAML []byte

// catalogueDate is the date the embedded catalogue was last read against its
// sources; it is the first part of Catalogue.Version.
const catalogueDate = "2026-11-23"

// Edition names an edition of EN 303 645.
type Edition string

// The editions the catalogue covers.
const (
	EditionV2 Edition = "v2" // V2.1.1 (2020-06)
	EditionV3 Edition = "v3" // V3.1.3 (2024-09)

	// DefaultEdition is the edition new assessments use.
	DefaultEdition = EditionV3
)

// Valid reports whether e is a known edition.
func (e Edition) Valid() bool { return e == EditionV2 || e == EditionV3 }

// Kind says whether a provision is a "shall" or a "should".
type Kind string

// Provision kinds.
const (
	Mandatory   Kind = "mandatory"
	Recommended Kind = "recommended"
)

// Requirement is a provision's status in one edition: mandatory or
// recommended, and the conditions (all of which must hold) under which it
// applies.
type Requirement struct {
	Kind Kind `json:"kind"`
	// Conditions are condition keys ("C12", "Fa"); the provision applies
	// only when every one holds. Empty for unconditional provisions.
	Conditions []string `json:"conditions,omitempty"`
	// Raw is the Table B.1 notation, e.g. "M C (14) F (e)".
	Raw string `json:"raw"`
}

// Conditional reports whether the requirement depends on a condition.
func (r Requirement) Conditional() bool { return len(r.Conditions) > 0 }

// Framework names a framework the catalogue maps provisions to.
type Framework string

// The frameworks of the catalogue's "map" field.
const (
	UKCoP     Framework = "uk_cop"     // UK Code of Practice for Consumer IoT Security (2018)
	UKPSTI    Framework = "uk_psti"    // UK PSTI Regulations 2023, Schedule 1
	ENISA     Framework = "enisa"      // ENISA Baseline Security Recommendations for IoT (2017)
	NIST8259A Framework = "nist_8259a" // NISTIR 8259A technical capabilities
	NIST8259B Framework = "nist_8259b" // NISTIR 8259B non-technical capabilities
	CRA       Framework = "cra"        // EU Cyber Resilience Act, Regulation (EU) 2024/2847
)

// Provision is one EN 303 645 provision.
type Provision struct {
	ID      string    `json:"id"`
	Section string    `json:"section"`
	Edition []Edition `json:"editions"`
	// Kind is the provision's kind in the newest edition containing it.
	Kind Kind `json:"kind"`
	// V2 and V3 are the provision's status per edition; nil when the
	// edition does not contain it.
	V2 *Requirement `json:"v2,omitempty"`
	V3 *Requirement `json:"v3,omitempty"`
	// Summary is a one-line paraphrase (not the standard's text).
	Summary string `json:"summary"`
	// Test says how the provision can be evidenced: probe, probe-partial,
	// web, firmware, lab, doc or manual.
	Test string `json:"test"`
	// Checks are concrete checks that can decide or support it.
	Checks []string `json:"checks,omitempty"`
	// FILabel marks provisions in the Finnish Traficom label subset.
	FILabel bool   `json:"fi_label,omitempty"`
	Note    string `json:"note,omitempty"`
	// Map lists, per framework, the references the provision maps to.
	Map map[Framework][]string `json:"map"`
}

// In returns the provision's requirement in edition e.
func (p Provision) In(e Edition) (Requirement, bool) {
	var r *Requirement
	switch e {
	case EditionV2:
		r = p.V2
	case EditionV3:
		r = p.V3
	}
	if r == nil {
		return Requirement{}, false
	}
	return *r, true
}

// Section is a section (5.0 … 5.13, 6) of the standard.
type Section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// FrameworkInfo describes a framework and the titles of its references.
type FrameworkInfo struct {
	Name  Framework `json:"name"`
	Title string    `json:"title"`
	// Refs are the framework's reference ids in display order.
	Refs []FrameworkRef `json:"refs"`
}

// FrameworkRef is one reference of a framework (a CRA Annex I item, a CoP
// guideline, a PSTI requirement …) and the provisions mapped to it.
type FrameworkRef struct {
	Ref   string `json:"ref"`
	Title string `json:"title,omitempty"`
	// Provisions are the ids of the provisions mapped to Ref, in catalogue
	// order.
	Provisions []string `json:"provisions"`
}

// Catalogue is the versioned EN 303 645 provision catalogue. It is
// read-only after Load and safe for concurrent use.
type Catalogue struct {
	// Version identifies the catalogue content: the date it was read
	// against its sources and a short SHA-256 of the embedded file, so any
	// edit changes it. Labels record it.
	Version  string
	Standard string
	Title    string

	sections   []Section
	conditions map[string]string
	provisions []Provision
	byID       map[string]int
	frameworks []FrameworkInfo
}

// Load parses the embedded catalogue and framework titles.
func Load() (*Catalogue, error) {
	return parseCatalogue(catalogueYAML, frameworksYAML)
}

type rawCatalogue struct {
	Meta struct {
		Standard     string            `yaml:"standard"`
		Title        string            `yaml:"title"`
		Editions     map[string]string `yaml:"editions"`
		ConditionsV2 map[string]string `yaml:"conditions_v2"`
		ConditionsV3 map[string]string `yaml:"conditions_v3"`
		FeaturesV3   map[string]string `yaml:"features_v3"`
	} `yaml:"meta"`
	Sections []struct {
		ID    string `yaml:"id"`
		Title string `yaml:"title"`
		UKCoP *int   `yaml:"uk_cop"`
	} `yaml:"sections"`
	Provisions []struct {
		ID       string      `yaml:"id"`
		Section  string      `yaml:"section"`
		Versions []string    `yaml:"versions"`
		Kind     string      `yaml:"kind"`
		StatusV2 *string     `yaml:"status_v2"`
		StatusV3 *string     `yaml:"status_v3"`
		Summary  string      `yaml:"summary"`
		Test     string      `yaml:"test"`
		Checks   []yaml.Node `yaml:"checks"`
		FILabel  bool        `yaml:"fi_label"`
		Note     string      `yaml:"note"`
		Map      struct {
			UKCoP     *int     `yaml:"uk_cop"`
			UKPSTI    *string  `yaml:"uk_psti"`
			ENISA     []string `yaml:"enisa"`
			NIST8259A []string `yaml:"nist_8259a"`
			NIST8259B []string `yaml:"nist_8259b"`
			CRA       []string `yaml:"cra"`
		} `yaml:"map"`
	} `yaml:"provisions"`
}

type rawFrameworks struct {
	Frameworks []struct {
		Name  Framework `yaml:"name"`
		Title string    `yaml:"title"`
		Refs  []struct {
			Ref   string `yaml:"ref"`
			Title string `yaml:"title"`
		} `yaml:"refs"`
	} `yaml:"frameworks"`
}

var statusRE = regexp.MustCompile(`^(M|R)((?:\s*[CF]\s*\([^)]*\))*)$`)
var statusPartRE = regexp.MustCompile(`([CF])\s*\(([^)]*)\)`)

// parseStatus turns Table B.1 notation ("M C (14) F (e)") into a Requirement.
func parseStatus(s string) (Requirement, error) {
	m := statusRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Requirement{}, fmt.Errorf("status %q: not Table B.1 notation", s)
	}
	r := Requirement{Kind: Mandatory, Raw: s}
	if m[1] == "R" {
		r.Kind = Recommended
	}
	for _, part := range statusPartRE.FindAllStringSubmatch(m[2], -1) {
		for _, c := range strings.Split(part[2], ",") {
			c = strings.TrimSpace(c)
			if c == "" {
				return Requirement{}, fmt.Errorf("status %q: empty condition", s)
			}
			r.Conditions = append(r.Conditions, part[1]+c)
		}
	}
	return r, nil
}

func parseCatalogue(catYAML, fwYAML []byte) (*Catalogue, error) {
	var raw rawCatalogue
	dec := yaml.NewDecoder(bytes.NewReader(catYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parse catalogue: %w", err)
	}
	sum := sha256.Sum256(catYAML)
	c := &Catalogue{
		Version:    catalogueDate + "+" + hex.EncodeToString(sum[:4]),
		Standard:   raw.Meta.Standard,
		Title:      raw.Meta.Title,
		conditions: map[string]string{},
		byID:       map[string]int{},
	}
	for k, v := range raw.Meta.ConditionsV2 {
		c.conditions["C"+k] = v
	}
	for k, v := range raw.Meta.ConditionsV3 {
		if old, ok := c.conditions["C"+k]; ok && old != v {
			return nil, fmt.Errorf("parse catalogue: condition %s differs between editions: %q, %q", k, old, v)
		}
		c.conditions["C"+k] = v
	}
	for k, v := range raw.Meta.FeaturesV3 {
		c.conditions["F"+k] = v
	}
	sections := map[string]bool{}
	for _, s := range raw.Sections {
		c.sections = append(c.sections, Section{ID: s.ID, Title: s.Title})
		sections[s.ID] = true
	}
	for _, rp := range raw.Provisions {
		if _, dup := c.byID[rp.ID]; dup {
			return nil, fmt.Errorf("parse catalogue: provision %s: duplicate id", rp.ID)
		}
		if !sections[rp.Section] {
			return nil, fmt.Errorf("parse catalogue: provision %s: unknown section %q", rp.ID, rp.Section)
		}
		p := Provision{
			ID: rp.ID, Section: rp.Section, Summary: rp.Summary, Test: rp.Test,
			FILabel: rp.FILabel, Note: rp.Note,
			Map: map[Framework][]string{},
		}
		for _, n := range rp.Checks {
			chk, err := checkText(n)
			if err != nil {
				return nil, fmt.Errorf("parse catalogue: provision %s: %w", rp.ID, err)
			}
			p.Checks = append(p.Checks, chk)
		}
		for _, v := range rp.Versions {
			p.Edition = append(p.Edition, Edition(v))
		}
		for _, st := range []struct {
			raw *string
			dst **Requirement
			ed  Edition
		}{{rp.StatusV2, &p.V2, EditionV2}, {rp.StatusV3, &p.V3, EditionV3}} {
			if (st.raw != nil) != slices.Contains(p.Edition, st.ed) {
				return nil, fmt.Errorf("parse catalogue: provision %s: status_%s does not match versions %v", rp.ID, st.ed, rp.Versions)
			}
			if st.raw == nil {
				continue
			}
			r, err := parseStatus(*st.raw)
			if err != nil {
				return nil, fmt.Errorf("parse catalogue: provision %s: %w", rp.ID, err)
			}
			for _, k := range r.Conditions {
				if _, ok := c.conditions[k]; !ok {
					return nil, fmt.Errorf("parse catalogue: provision %s: unknown condition %s", rp.ID, k)
				}
			}
			*st.dst = &r
		}
		switch {
		case p.V3 != nil:
			p.Kind = p.V3.Kind
		case p.V2 != nil:
			p.Kind = p.V2.Kind
		default:
			return nil, fmt.Errorf("parse catalogue: provision %s: in no edition", rp.ID)
		}
		if want := map[string]Kind{"M": Mandatory, "R": Recommended}[rp.Kind]; want != p.Kind {
			return nil, fmt.Errorf("parse catalogue: provision %s: kind %q does not match status", rp.ID, rp.Kind)
		}
		m := rp.Map
		if m.UKCoP != nil {
			p.Map[UKCoP] = []string{strconv.Itoa(*m.UKCoP)}
		}
		if m.UKPSTI != nil {
			p.Map[UKPSTI] = []string{*m.UKPSTI}
		}
		for fw, refs := range map[Framework][]string{ENISA: m.ENISA, NIST8259A: m.NIST8259A, NIST8259B: m.NIST8259B, CRA: m.CRA} {
			if len(refs) > 0 {
				p.Map[fw] = refs
			}
		}
		c.byID[p.ID] = len(c.provisions)
		c.provisions = append(c.provisions, p)
	}

	var fw rawFrameworks
	dec = yaml.NewDecoder(bytes.NewReader(fwYAML))
	dec.KnownFields(true)
	if err := dec.Decode(&fw); err != nil {
		return nil, fmt.Errorf("parse frameworks: %w", err)
	}
	for _, f := range fw.Frameworks {
		info := FrameworkInfo{Name: f.Name, Title: f.Title}
		known := map[string]int{}
		for _, r := range f.Refs {
			known[r.Ref] = len(info.Refs)
			info.Refs = append(info.Refs, FrameworkRef{Ref: r.Ref, Title: r.Title})
		}
		for _, p := range c.provisions {
			for _, ref := range p.Map[f.Name] {
				i, ok := known[ref]
				if !ok {
					// References without a title (e.g. ENISA GP ids) are
					// listed in the order first met.
					i = len(info.Refs)
					known[ref] = i
					info.Refs = append(info.Refs, FrameworkRef{Ref: ref})
				}
				info.Refs[i].Provisions = append(info.Refs[i].Provisions, p.ID)
			}
		}
		c.frameworks = append(c.frameworks, info)
	}
	for _, p := range c.provisions {
		for name := range p.Map {
			if _, ok := c.framework(name); !ok {
				return nil, fmt.Errorf("parse catalogue: provision %s: framework %s has no description", p.ID, name)
			}
		}
	}
	return c, nil
}

// checkText returns a check's text. A plain "outbound: MITM …" item parses
// as a one-pair mapping in YAML; it is turned back into "key: value" so the
// embedded file can stay a byte-exact copy of its source.
func checkText(n yaml.Node) (string, error) {
	switch {
	case n.Kind == yaml.ScalarNode:
		return n.Value, nil
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Kind == yaml.ScalarNode && n.Content[1].Kind == yaml.ScalarNode:
		return n.Content[0].Value + ": " + n.Content[1].Value, nil
	}
	return "", fmt.Errorf("line %d: check is neither text nor \"key: text\"", n.Line)
}

// Provisions returns the provisions contained in edition e, in catalogue
// order; all provisions when e is empty. The slice is a copy.
func (c *Catalogue) Provisions(e Edition) []Provision {
	out := make([]Provision, 0, len(c.provisions))
	for _, p := range c.provisions {
		if _, ok := p.In(e); ok || e == "" {
			out = append(out, p)
		}
	}
	return out
}

// Provision returns the provision with the given id.
func (c *Catalogue) Provision(id string) (Provision, bool) {
	i, ok := c.byID[id]
	if !ok {
		return Provision{}, false
	}
	return c.provisions[i], true
}

// Sections returns the standard's sections in order.
func (c *Catalogue) Sections() []Section { return slices.Clone(c.sections) }

// Section returns the section with the given id.
func (c *Catalogue) Section(id string) (Section, bool) {
	for _, s := range c.sections {
		if s.ID == id {
			return s, true
		}
	}
	return Section{}, false
}

// Condition returns the text of a condition key: "C1" … "C16" for Table
// B.1's numbered conditions, "Fa" … "Faa" for V3.1.3's features.
func (c *Catalogue) Condition(key string) (string, bool) {
	t, ok := c.conditions[key]
	return t, ok
}

// Conditions returns the condition keys used by edition e's provisions,
// sorted (numbered conditions first, by number; then features).
func (c *Catalogue) Conditions(e Edition) []string {
	seen := map[string]bool{}
	var keys []string
	for _, p := range c.provisions {
		r, ok := p.In(e)
		if !ok {
			continue
		}
		for _, k := range r.Conditions {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, compareConditionKeys)
	return keys
}

func compareConditionKeys(a, b string) int {
	if a[0] != b[0] {
		return strings.Compare(a[:1], b[:1])
	}
	if a[0] == 'C' {
		x, _ := strconv.Atoi(a[1:])
		y, _ := strconv.Atoi(b[1:])
		return x - y
	}
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// Frameworks returns the frameworks provisions are mapped to, each with its
// references and the provisions mapped to each.
func (c *Catalogue) Frameworks() []FrameworkInfo {
	out := make([]FrameworkInfo, len(c.frameworks))
	for i, f := range c.frameworks {
		out[i] = f
		out[i].Refs = slices.Clone(f.Refs)
	}
	return out
}

func (c *Catalogue) framework(name Framework) (FrameworkInfo, bool) {
	for _, f := range c.frameworks {
		if f.Name == name {
			return f, true
		}
	}
	return FrameworkInfo{}, false
}

// ByFramework returns a framework's references, each with the provisions
// mapped to it, omitting references no provision maps to. Unknown names give
// an errs.NotFound error that lists the known ones.
func (c *Catalogue) ByFramework(name string) (FrameworkInfo, error) {
	f, ok := c.framework(Framework(name))
	if !ok {
		names := make([]string, len(c.frameworks))
		for i, f := range c.frameworks {
			names[i] = string(f.Name)
		}
		return FrameworkInfo{}, errs.Errorf(errs.NotFound, "framework %q not known (known: %s)", name, strings.Join(names, ", "))
	}
	out := f
	out.Refs = nil
	for _, r := range f.Refs {
		if len(r.Provisions) > 0 {
			out.Refs = append(out.Refs, r)
		}
	}
	return out, nil
}

// WriteYAML writes the embedded catalogue file unchanged (for
// `vigil catalogue --raw` and for auditors).
func WriteYAML(w io.Writer) error {
	_, err := w.Write(catalogueYAML)
	return err
}
