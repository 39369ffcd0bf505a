// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"vigil/internal/errs"
)

// Formats of the risk assessment input and of the register.
const (
	RisksFormat    = "vigil-risks/1"
	RegisterFormat = "vigil-register/1"
)

// Level is the level of a risk score.
type Level string

// Risk levels: high ≥ 15, medium 8–14, low below.
const (
	Low    Level = "low"
	Medium Level = "medium"
	High   Level = "high"
)

// Thresholds of the risk levels and of the layered-defence rule.
const (
	HighFrom      = 15
	MediumFrom    = 8
	HighNeedsMits = 2 // independent mitigations a high risk needs
)

// LevelOf returns the level of a risk score (likelihood × impact).
func LevelOf(score int) Level {
	switch {
	case score >= HighFrom:
		return High
	case score >= MediumFrom:
		return Medium
	}
	return Low
}

// Layers returns the defence layers a mitigation may belong to. Two
// mitigations are independent when their layers differ: two controls of
// one layer fail together.
func Layers() []string {
	return []string{"design", "authentication", "cryptography", "network", "update", "monitoring", "physical", "process"}
}

// Mitigation is a control in place against a risk. It is linked to the
// EN 303 645 provision that backs it, to evidence (a test report item,
// a probe, a document), or both.
type Mitigation struct {
	Control   string `json:"control" yaml:"control"`
	Layer     string `json:"layer" yaml:"layer"`
	Provision string `json:"provision,omitempty" yaml:"provision,omitempty"`
	Evidence  string `json:"evidence,omitempty" yaml:"evidence,omitempty"`
}

// Score is a likelihood and an impact on 1–5 scales.
type Score struct {
	Likelihood int `json:"likelihood" yaml:"likelihood"`
	Impact     int `json:"impact" yaml:"impact"`
}

// Value is likelihood × impact.
func (s Score) Value() int { return s.Likelihood * s.Impact }

// Level is the level of Value.
func (s Score) Level() Level { return LevelOf(s.Value()) }

// RiskEntry is the assessor's judgement of one threat to one component.
type RiskEntry struct {
	Component   string       `json:"component" yaml:"component"`
	Threat      string       `json:"threat" yaml:"threat"`
	Likelihood  int          `json:"likelihood" yaml:"likelihood"`
	Impact      int          `json:"impact" yaml:"impact"`
	Mitigations []Mitigation `json:"mitigations,omitempty" yaml:"mitigations,omitempty"`
	// Residual is the risk the assessor sees left with the mitigations
	// (default: the inherent risk).
	Residual *Score `json:"residual,omitempty" yaml:"residual,omitempty"`
	Note     string `json:"note,omitempty" yaml:"note,omitempty"`
}

// RiskInput is a risk assessment file.
type RiskInput struct {
	Format  string      `json:"format" yaml:"format"`
	Product Product     `json:"product" yaml:"product"`
	Risks   []RiskEntry `json:"risks" yaml:"risks"`
}

// Risk is one row of the register: a catalogue threat to a component of
// the model, assessed or at its catalogue defaults.
type Risk struct {
	ID        string   `json:"id"` // component/threat
	Component string   `json:"component"`
	Kind      Kind     `json:"kind"`
	Threat    string   `json:"threat"`
	Category  Category `json:"category"`
	Title     string   `json:"title"`
	// Assessed is false for a threat nobody assessed: it keeps the
	// catalogue's likelihood and impact and has no mitigation.
	Assessed    bool         `json:"assessed"`
	Inherent    Score        `json:"inherent"`
	Mitigations []Mitigation `json:"mitigations,omitempty"`
	// Independent counts the mitigations' distinct layers.
	Independent int `json:"independent"`
	// LayeredDefence is false for a high inherent risk with fewer than
	// HighNeedsMits independent mitigations; its residual risk is then
	// the inherent one, whatever the assessor claimed.
	LayeredDefence bool  `json:"layered_defence"`
	Residual       Score `json:"residual"`
	// Claimed is the residual risk the assessor declared.
	Claimed *Score `json:"claimed,omitempty"`
	Note    string `json:"note,omitempty"`
}

// Unmitigated reports whether the residual risk is high.
func (r Risk) Unmitigated() bool { return r.Residual.Level() == High }

// Register is a product's risk register, built from its system model, the
// threat catalogue and the assessor's risk assessment.
type Register struct {
	Format       string  `json:"format"`
	Product      Product `json:"product"`
	ModelVersion int     `json:"model_version"`
	Catalogue    string  `json:"catalogue"`
	Risks        []Risk  `json:"risks"`
}

// Unmitigated returns the risks whose residual risk is high.
func (g Register) Unmitigated() []Risk {
	var out []Risk
	for _, r := range g.Risks {
		if r.Unmitigated() {
			out = append(out, r)
		}
	}
	return out
}

// HeatMap counts the risks per cell of residual likelihood (first index,
// 0 for 1) and impact (second index).
func (g Register) HeatMap() [5][5]int {
	var m [5][5]int
	for _, r := range g.Risks {
		m[r.Residual.Likelihood-1][r.Residual.Impact-1]++
	}
	return m
}

// Tally counts risks per level.
type Tally struct {
	High   int `json:"high"`
	Medium int `json:"medium"`
	Low    int `json:"low"`
}

func (t *Tally) add(l Level) {
	switch l {
	case High:
		t.High++
	case Medium:
		t.Medium++
	default:
		t.Low++
	}
}

// Totals counts the inherent and the residual risks per level.
func (g Register) Totals() (inherent, residual Tally) {
	for _, r := range g.Risks {
		inherent.add(r.Inherent.Level())
		residual.add(r.Residual.Level())
	}
	return inherent, residual
}

// Evaluate applies the scoring and the layered-defence rule to one risk:
// it counts the independent mitigations and sets the residual risk.
func (r *Risk) Evaluate(claimed *Score) {
	r.Claimed = claimed
	layers := map[string]bool{}
	for _, m := range r.Mitigations {
		layers[m.Layer] = true
	}
	r.Independent = len(layers)
	r.LayeredDefence = r.Inherent.Level() != High || r.Independent >= HighNeedsMits
	r.Residual = r.Inherent
	if claimed != nil && r.LayeredDefence && len(r.Mitigations) > 0 {
		r.Residual = *claimed
	}
}

// BuildRegister reads a risk assessment (YAML or JSON) for model m (stored
// as modelVersion) and builds the register: every catalogue threat to every
// component, assessed where the input assesses it. known reports whether a
// provision id exists (nil: any). Problems come back as row errors with
// file, line, field and reason; a register is returned only without any.
func BuildRegister(m Model, modelVersion int, r io.Reader, name string, known func(provision string) bool) (Register, []errs.RowError) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Register{}, []errs.RowError{{File: name, Reason: fmt.Sprintf("read: %v", err)}}
	}
	var in RiskInput
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&in); err != nil {
		if errors.Is(err, io.EOF) {
			return Register{}, []errs.RowError{{File: name, Reason: "empty file"}}
		}
		return Register{}, yamlErrors(name, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	var probs []errs.RowError
	bad := func(path, format string, args ...any) {
		probs = append(probs, errs.RowError{File: name, Line: lineOf(&root, path), Field: path, Reason: fmt.Sprintf(format, args...)})
	}
	g := assemble(m, modelVersion, in, known, bad)
	if len(probs) > 0 {
		return Register{}, probs
	}
	return g, nil
}

func assemble(m Model, modelVersion int, in RiskInput, known func(string) bool, bad func(path, format string, args ...any)) Register {
	if in.Format != RisksFormat {
		bad("format", "want %q", RisksFormat)
	}
	if in.Product.Key() != m.Product.Key() {
		bad("product", "%q is not the model's product %q", in.Product, m.Product)
	}
	g := Register{Format: RegisterFormat, Product: m.Product, ModelVersion: modelVersion, Catalogue: CatalogueVersion}
	index := map[string]int{}
	for _, c := range m.Components {
		for _, t := range ThreatsFor(c.Kind) {
			id := c.ID + "/" + t.ID
			index[id] = len(g.Risks)
			g.Risks = append(g.Risks, Risk{ID: id, Component: c.ID, Kind: c.Kind, Threat: t.ID, Category: t.Category, Title: t.Title,
				Inherent: Score{t.Likelihood, t.Impact}, Residual: Score{t.Likelihood, t.Impact}, LayeredDefence: LevelOf(t.Likelihood*t.Impact) != High})
		}
	}
	seen := map[string]bool{}
	for i, e := range in.Risks {
		p := fmt.Sprintf("risks[%d]", i)
		c, ok := m.Component(e.Component)
		if !ok {
			bad(p+".component", "no component %q in the system model", e.Component)
			continue
		}
		t, ok := ThreatByID(e.Threat)
		if !ok {
			bad(p+".threat", "unknown threat %q (see the threat catalogue %s)", e.Threat, CatalogueVersion)
			continue
		}
		if !slices.Contains(t.Kinds, c.Kind) {
			bad(p+".threat", "threat %q does not apply to a %s component", e.Threat, c.Kind)
			continue
		}
		id := c.ID + "/" + t.ID
		if seen[id] {
			bad(p, "%s is assessed twice", id)
			continue
		}
		seen[id] = true
		in := Score{e.Likelihood, e.Impact}
		ok = scale(p+".likelihood", e.Likelihood, bad) && scale(p+".impact", e.Impact, bad)
		if e.Residual != nil {
			ok = scale(p+".residual.likelihood", e.Residual.Likelihood, bad) && scale(p+".residual.impact", e.Residual.Impact, bad) && ok
			if ok && (e.Residual.Likelihood > e.Likelihood || e.Residual.Impact > e.Impact) {
				bad(p+".residual", "residual %d×%d exceeds the inherent %d×%d", e.Residual.Likelihood, e.Residual.Impact, e.Likelihood, e.Impact)
				ok = false
			}
			if len(e.Mitigations) == 0 && ok && *e.Residual != in {
				bad(p+".residual", "a residual below the inherent risk needs mitigations")
				ok = false
			}
		}
		for j, mit := range e.Mitigations {
			mp := fmt.Sprintf("%s.mitigations[%d]", p, j)
			if strings.TrimSpace(mit.Control) == "" {
				bad(mp+".control", "required (what is in place)")
				ok = false
			}
			if !slices.Contains(Layers(), mit.Layer) {
				bad(mp+".layer", "unknown layer %q (want one of %s)", mit.Layer, strings.Join(Layers(), ", "))
				ok = false
			}
			switch {
			case mit.Provision == "" && strings.TrimSpace(mit.Evidence) == "":
				bad(mp, "a mitigation is linked to an EN 303 645 provision or to evidence")
				ok = false
			case mit.Provision != "" && known != nil && !known(mit.Provision):
				bad(mp+".provision", "unknown EN 303 645 provision %q", mit.Provision)
				ok = false
			}
		}
		if !ok {
			continue
		}
		r := &g.Risks[index[id]]
		r.Assessed, r.Inherent, r.Mitigations, r.Note = true, in, e.Mitigations, e.Note
		r.Evaluate(e.Residual)
	}
	return g
}

func scale(path string, v int, bad func(path, format string, args ...any)) bool {
	if v < 1 || v > 5 {
		bad(path, "%d is not on the 1–5 scale", v)
		return false
	}
	return true
}

// ProductOf returns the product a YAML or JSON document names under
// "product" (zero when it names none), to find the model it belongs to.
func ProductOf(data []byte) Product {
	var h struct {
		Product Product `yaml:"product"`
	}
	_ = yaml.Unmarshal(data, &h)
	return h.Product
}
