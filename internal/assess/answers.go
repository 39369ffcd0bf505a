// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"vigil/internal/errs"
	"vigil/internal/text"
)

// AnswersFormat is the value of the "format" key of an answers file.
const AnswersFormat = "vigil-answers/1"

// Status is the outcome of one provision.
type Status string

// Provision outcomes. A maker answers with the first three; Unanswered only
// appears in evaluations.
const (
	Met           Status = "met"
	NotMet        Status = "not_met"
	NotApplicable Status = "not_applicable"
	Unanswered    Status = "unanswered"
)

// Evidence references a file that supports an answer. The file itself is
// stored elsewhere (the store keeps it under its SHA-256); the answer only
// names it and pins its content.
type Evidence struct {
	File   string `json:"file" yaml:"file"`
	SHA256 string `json:"sha256" yaml:"sha256"` // lowercase hex, 64 digits
	Note   string `json:"note,omitempty" yaml:"note,omitempty"`
}

// Answer is the maker's answer for one provision.
type Answer struct {
	Status Status `json:"status"`
	// Justification is required for not_applicable, and for not_met on a
	// recommended provision (EN 303 645 5.0-1).
	Justification string     `json:"justification,omitempty"`
	Evidence      []Evidence `json:"evidence,omitempty"`
	// Line is where the answer starts in its file (0 if not from a file).
	Line int `json:"-"`
}

// Device identifies a product type (or one device) by vendor, model and
// firmware version.
type Device struct {
	Vendor   string `json:"vendor"`
	Model    string `json:"model"`
	Firmware string `json:"firmware,omitempty"`
}

// String returns "vendor model firmware".
func (d Device) String() string {
	return strings.TrimSpace(strings.Join([]string{d.Vendor, d.Model, d.Firmware}, " "))
}

// Support is the maker's declared security-update support period
// (EN 303 645 5.3-13).
type Support struct {
	// End is the last day of security-update support, "YYYY-MM-DD";
	// empty when none is declared.
	End string `json:"end,omitempty"`
	// URL is where the maker publishes it.
	URL string `json:"url,omitempty"`
}

// EndTime returns the instant support ends: the start (00:00 UTC) of the day
// after End. ok is false when no end is declared or it does not parse.
func (s Support) EndTime() (t time.Time, ok bool) {
	d, err := time.Parse(time.DateOnly, s.End)
	if err != nil {
		return time.Time{}, false
	}
	return d.AddDate(0, 0, 1), true
}

// Answers is what a maker declares for one device: conditions that hold,
// answers per provision and the support period. Its JSON encoding is the
// answers file format, so stored answers reload with LoadAnswers.
type Answers struct {
	Format  string  `json:"format"`
	Edition Edition `json:"edition"`
	Device  Device  `json:"device"`
	Support Support `json:"support,omitzero"`
	// Conditions maps condition keys ("C12", "Fa", see
	// Catalogue.Condition) to whether they hold for the device. A
	// condition not listed is taken to hold (the provision applies).
	Conditions map[string]bool `json:"conditions,omitempty"`
	// Items maps provision ids to answers.
	Items map[string]Answer `json:"answers"`
}

var sha256RE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// LoadAnswers parses an answers file (YAML or JSON) against the embedded
// catalogue. See Catalogue.LoadAnswers.
func LoadAnswers(r io.Reader, name string) (Answers, []errs.RowError) {
	c, err := Load()
	if err != nil {
		return Answers{}, []errs.RowError{{File: name, Reason: err.Error()}}
	}
	return c.LoadAnswers(r, name)
}

// LoadAnswers parses an answers file, YAML or JSON (JSON is read as YAML),
// of this shape:
//
//	format: vigil-answers/1
//	edition: v3                  # optional, default v3
//	device: {vendor: Acme, model: Cam 2, firmware: 1.4.2}
//	support: {end: 2031-12-31, url: https://acme.example/support}
//	conditions: {Fa: true, C3: false}
//	answers:
//	  "5.1-1": {status: met, evidence: [{file: manual.pdf, sha256: …}]}
//	  "5.6-4B": {status: not_applicable, justification: no physical debug port}
//
// An answer whose status is left empty ("", as a template has it) and
// that has no justification or evidence is unanswered, not a problem;
// empty support fields are left unset.
//
// Every problem is returned as a row error with the line and the field path
// (e.g. "answers.5.1-1.status"); a bad answer is left out of Items, the good
// ones are kept. Unknown provision ids, provisions not in the edition, bad
// statuses, missing justifications, bad evidence hashes, unknown conditions
// and unknown keys are reported.
func (c *Catalogue) LoadAnswers(r io.Reader, name string) (Answers, []errs.RowError) {
	a := Answers{Format: AnswersFormat, Edition: DefaultEdition, Conditions: map[string]bool{}, Items: map[string]Answer{}}
	var problems []errs.RowError
	bad := func(n *yaml.Node, field, format string, args ...any) {
		re := errs.RowError{File: name, Field: field, Reason: fmt.Sprintf(format, args...)}
		if n != nil {
			re.Line = n.Line
			if n.Kind == yaml.ScalarNode {
				re.Raw = text.Truncate(n.Value, 120)
			}
		}
		problems = append(problems, re)
	}

	data, err := io.ReadAll(r)
	if err != nil {
		return a, []errs.RowError{{File: name, Reason: fmt.Sprintf("read: %v", err)}}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return a, []errs.RowError{{File: name, Line: yamlErrorLine(err), Reason: err.Error()}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		bad(nil, "", "empty file")
		return a, problems
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		bad(root, "", "top level must be a mapping")
		return a, problems
	}

	var answersNode *yaml.Node
	deviceNode := root
	formatSeen := false
	forEachPair(root, "", bad, func(k, v *yaml.Node) {
		switch k.Value {
		case "format":
			formatSeen = true
			if v.Value != AnswersFormat {
				bad(v, "format", "unsupported format, want %q", AnswersFormat)
			}
		case "edition":
			if e := Edition(v.Value); e.Valid() {
				a.Edition = e
			} else {
				bad(v, "edition", "unknown edition, want v2 or v3")
			}
		case "device":
			forEachPair(v, "device", bad, func(k, v *yaml.Node) {
				s, ok := scalar(v, "device."+k.Value, bad)
				if !ok {
					return
				}
				switch k.Value {
				case "vendor":
					a.Device.Vendor = s
				case "model":
					a.Device.Model = s
				case "firmware":
					a.Device.Firmware = s
				default:
					bad(k, "device."+k.Value, "unknown key")
				}
			})
			deviceNode = v
		case "support":
			forEachPair(v, "support", bad, func(k, v *yaml.Node) {
				s, ok := scalar(v, "support."+k.Value, bad)
				if !ok {
					return
				}
				switch k.Value {
				case "end":
					if s == "" {
						return // left empty in a template
					}
					if _, err := time.Parse(time.DateOnly, s); err != nil {
						bad(v, "support.end", "not a date (YYYY-MM-DD)")
						return
					}
					a.Support.End = s
				case "url":
					if s == "" {
						return
					}
					if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
						bad(v, "support.url", "not an http(s) URL")
						return
					}
					a.Support.URL = s
				default:
					bad(k, "support."+k.Value, "unknown key")
				}
			})
		case "conditions":
			forEachPair(v, "conditions", bad, func(k, v *yaml.Node) {
				field := "conditions." + k.Value
				if _, ok := c.Condition(k.Value); !ok {
					bad(k, field, "unknown condition (want C1…C16 or Fa…Faa, see `vigil catalogue`)")
					return
				}
				if _, dup := a.Conditions[k.Value]; dup {
					bad(k, field, "duplicate condition")
					return
				}
				b, err := strconv.ParseBool(v.Value)
				if v.Kind != yaml.ScalarNode || err != nil {
					bad(v, field, "not a boolean (true or false)")
					return
				}
				a.Conditions[k.Value] = b
			})
		case "answers":
			answersNode = v
		default:
			bad(k, k.Value, "unknown key")
		}
	})
	if a.Device.Vendor == "" {
		bad(deviceNode, "device.vendor", "required")
	}
	if a.Device.Model == "" {
		bad(deviceNode, "device.model", "required")
	}
	if !formatSeen {
		bad(root, "format", "missing, want %q", AnswersFormat)
	}
	// Condition keys that are not used by the declared edition are
	// reported: the maker probably filled in the wrong template.
	used := c.Conditions(a.Edition)
	for k := range a.Conditions {
		if !slices.Contains(used, k) {
			line := findKeyLine(root, "conditions", k)
			problems = append(problems, errs.RowError{File: name, Line: line, Field: "conditions." + k,
				Reason: fmt.Sprintf("condition not used by edition %s", a.Edition)})
			delete(a.Conditions, k)
		}
	}
	if c4, ok4 := a.Conditions["C4"]; ok4 {
		if c5, ok5 := a.Conditions["C5"]; ok5 && c4 == c5 {
			problems = append(problems, errs.RowError{File: name, Line: findKeyLine(root, "conditions", "C5"), Field: "conditions.C5",
				Reason: "C4 (constrained) and C5 (not constrained) contradict each other"})
			delete(a.Conditions, "C4")
			delete(a.Conditions, "C5")
		}
	}

	if answersNode == nil {
		bad(root, "answers", "missing")
		slices.SortStableFunc(problems, func(x, y errs.RowError) int { return x.Line - y.Line })
		return a, problems
	}
	forEachPair(answersNode, "answers", bad, func(k, v *yaml.Node) {
		id := k.Value
		field := "answers." + id
		p, ok := c.Provision(id)
		if !ok {
			bad(k, field, "unknown provision id")
			return
		}
		req, ok := p.In(a.Edition)
		if !ok {
			reason := fmt.Sprintf("provision not in edition %s", a.Edition)
			if p.Note != "" {
				reason += " (" + p.Note + ")"
			}
			bad(k, field, "%s", reason)
			return
		}
		if _, dup := a.Items[id]; dup {
			bad(k, field, "duplicate answer")
			return
		}
		ans := Answer{Line: k.Line}
		okAns := true
		var statusNode *yaml.Node
		forEachPair(v, field, bad, func(k, v *yaml.Node) {
			f := field + "." + k.Value
			switch k.Value {
			case "status":
				statusNode = v
				s, ok := scalar(v, f, bad)
				if !ok {
					okAns = false
					return
				}
				switch st := Status(s); st {
				case "", Met, NotMet, NotApplicable:
					ans.Status = st
				default:
					bad(v, f, "bad status, want met, not_met or not_applicable")
					okAns = false
				}
			case "justification":
				s, ok := scalar(v, f, bad)
				if !ok {
					okAns = false
					return
				}
				ans.Justification = strings.TrimSpace(s)
			case "evidence":
				if v.Kind != yaml.SequenceNode {
					bad(v, f, "must be a list")
					okAns = false
					return
				}
				for i, e := range v.Content {
					ef := fmt.Sprintf("%s[%d]", f, i)
					var ev Evidence
					forEachPair(e, ef, bad, func(k, v *yaml.Node) {
						s, ok := scalar(v, ef+"."+k.Value, bad)
						if !ok {
							okAns = false
							return
						}
						switch k.Value {
						case "file":
							ev.File = s
						case "sha256":
							ev.SHA256 = strings.ToLower(s)
						case "note":
							ev.Note = s
						default:
							bad(k, ef+"."+k.Value, "unknown key")
							okAns = false
						}
					})
					if ev.File == "" {
						bad(e, ef+".file", "required")
						okAns = false
					}
					if !sha256RE.MatchString(ev.SHA256) {
						bad(e, ef+".sha256", "must be the file's SHA-256, 64 hex digits")
						okAns = false
					}
					ans.Evidence = append(ans.Evidence, ev)
				}
			default:
				bad(k, f, "unknown key")
				okAns = false
			}
		})
		if v.Kind != yaml.MappingNode {
			return // forEachPair reported it
		}
		if statusNode == nil {
			bad(v, field+".status", "required")
			return
		}
		if !okAns {
			return
		}
		if ans.Status == "" {
			if ans.Justification != "" || len(ans.Evidence) > 0 {
				bad(statusNode, field+".status", "required with a justification or evidence (met, not_met or not_applicable)")
			}
			return // left empty (a template): unanswered
		}
		switch {
		case ans.Status == NotApplicable && ans.Justification == "":
			bad(statusNode, field+".justification", "required for not_applicable (EN 303 645 5.0-1)")
			return
		case ans.Status == NotMet && req.Kind == Recommended && ans.Justification == "":
			bad(statusNode, field+".justification", "required for a recommended provision that is not met (EN 303 645 5.0-1)")
			return
		case ans.Status == NotApplicable && req.Kind == Mandatory && !req.Conditional():
			bad(statusNode, field+".status", "a mandatory provision without condition cannot be not_applicable in edition %s", a.Edition)
			return
		}
		a.Items[id] = ans
	})
	slices.SortStableFunc(problems, func(x, y errs.RowError) int { return x.Line - y.Line })
	return a, problems
}

// forEachPair calls fn for each key/value of a mapping node, reporting a
// non-mapping node and duplicate keys.
func forEachPair(n *yaml.Node, field string, bad func(*yaml.Node, string, string, ...any), fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return // an empty section
		}
		bad(n, field, "must be a mapping")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			f := k.Value
			if field != "" {
				f = field + "." + k.Value
			}
			bad(k, f, "duplicate key")
			continue
		}
		seen[k.Value] = true
		fn(k, v)
	}
}

func scalar(v *yaml.Node, field string, bad func(*yaml.Node, string, string, ...any)) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		bad(v, field, "must be a single value")
		return "", false
	}
	return v.Value, true
}

func findKeyLine(root *yaml.Node, section, key string) int {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != section {
			continue
		}
		m := root.Content[i+1]
		for j := 0; j+1 < len(m.Content); j += 2 {
			if m.Content[j].Value == key {
				return m.Content[j].Line
			}
		}
		return root.Content[i].Line
	}
	return 0
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
