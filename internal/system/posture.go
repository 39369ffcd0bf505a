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
	"time"

	"gopkg.in/yaml.v3"

	"vigil/internal/errs"
)

// Formats of the update posture and of test reports.
const (
	PostureFormat = "vigil-posture/1"
	TestsFormat   = "vigil-tests/1"
)

// TestValidity is how long a test report counts as evidence, per kind:
// a penetration test for 12 months, a monitoring report for 3.
func TestValidity(kind string) (years, months int) {
	if kind == "monitoring" {
		return 0, 3
	}
	return 1, 0
}

// Fix is one advisory and the firmware that fixed it.
type Fix struct {
	Advisory  string `json:"advisory" yaml:"advisory"`
	Published string `json:"published" yaml:"published"` // YYYY-MM-DD
	FixedIn   string `json:"fixed_in" yaml:"fixed_in"`
	Fixed     string `json:"fixed" yaml:"fixed"` // release date of the fix
}

// Posture is a product's declared update posture.
type Posture struct {
	Format         string  `json:"format" yaml:"format"`
	Product        Product `json:"product" yaml:"product"`
	SupportEnd     string  `json:"support_end" yaml:"support_end"`
	LatestFirmware string  `json:"latest_firmware" yaml:"latest_firmware"`
	Released       string  `json:"released,omitempty" yaml:"released,omitempty"`
	Fixes          []Fix   `json:"fixes,omitempty" yaml:"fixes,omitempty"`
}

// TestItem is one item of an external test report.
type TestItem struct {
	ID        string `json:"id" yaml:"id"`
	Title     string `json:"title" yaml:"title"`
	Provision string `json:"provision,omitempty" yaml:"provision,omitempty"`
	// Result is pass or fail.
	Result string `json:"result" yaml:"result"`
}

// TestReport is a penetration test or monitoring report, its items mapped
// to EN 303 645 provisions.
type TestReport struct {
	Format  string     `json:"format" yaml:"format"`
	Product Product    `json:"product" yaml:"product"`
	Kind    string     `json:"kind" yaml:"kind"` // pentest or monitoring
	Lab     string     `json:"lab" yaml:"lab"`
	Date    string     `json:"date" yaml:"date"` // YYYY-MM-DD
	Items   []TestItem `json:"items" yaml:"items"`
}

// Expires returns when the report stops counting.
func (t TestReport) Expires() time.Time {
	d, _ := time.Parse(time.DateOnly, t.Date)
	y, m := TestValidity(t.Kind)
	return d.AddDate(y, m, 0)
}

// decodeStrict reads a YAML or JSON document into v, refusing unknown keys,
// and returns the parsed tree for the lines of later problems.
func decodeStrict(r io.Reader, name string, v any) (*yaml.Node, []errs.RowError) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, []errs.RowError{{File: name, Reason: fmt.Sprintf("read: %v", err)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, []errs.RowError{{File: name, Reason: "empty file"}}
		}
		return nil, yamlErrors(name, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	return &root, nil
}

func date(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// ParsePosture reads an update posture (YAML or JSON, vigil-posture/1).
func ParsePosture(r io.Reader, name string) (Posture, []errs.RowError) {
	var p Posture
	root, bad := decodeStrict(r, name, &p)
	if bad != nil {
		return p, bad
	}
	add := func(path, format string, args ...any) {
		bad = append(bad, errs.RowError{File: name, Line: lineOf(root, path), Field: path, Reason: fmt.Sprintf(format, args...)})
	}
	if p.Format != PostureFormat {
		add("format", "want %q", PostureFormat)
	}
	if p.Product.Vendor == "" || p.Product.Model == "" {
		add("product", "vendor and model are required")
	}
	if !date(p.SupportEnd) {
		add("support_end", "not a date (YYYY-MM-DD)")
	}
	if strings.TrimSpace(p.LatestFirmware) == "" {
		add("latest_firmware", "required")
	}
	if p.Released != "" && !date(p.Released) {
		add("released", "not a date (YYYY-MM-DD)")
	}
	for i, f := range p.Fixes {
		fp := fmt.Sprintf("fixes[%d]", i)
		if f.Advisory == "" {
			add(fp+".advisory", "required")
		}
		if !date(f.Published) {
			add(fp+".published", "not a date (YYYY-MM-DD)")
		}
		if !date(f.Fixed) {
			add(fp+".fixed", "not a date (YYYY-MM-DD)")
		} else if date(f.Published) && f.Fixed < f.Published {
			add(fp+".fixed", "before the advisory was published")
		}
	}
	return p, bad
}

// ParseTestReport reads a test report (YAML or JSON, vigil-tests/1); known
// reports whether a provision id exists (nil: any).
func ParseTestReport(r io.Reader, name string, known func(string) bool) (TestReport, []errs.RowError) {
	var t TestReport
	root, bad := decodeStrict(r, name, &t)
	if bad != nil {
		return t, bad
	}
	add := func(path, format string, args ...any) {
		bad = append(bad, errs.RowError{File: name, Line: lineOf(root, path), Field: path, Reason: fmt.Sprintf(format, args...)})
	}
	if t.Format != TestsFormat {
		add("format", "want %q", TestsFormat)
	}
	if t.Product.Vendor == "" || t.Product.Model == "" {
		add("product", "vendor and model are required")
	}
	if t.Kind != "pentest" && t.Kind != "monitoring" {
		add("kind", "want pentest or monitoring")
	}
	if strings.TrimSpace(t.Lab) == "" {
		add("lab", "required (who tested)")
	}
	if !date(t.Date) {
		add("date", "not a date (YYYY-MM-DD)")
	}
	ids := map[string]bool{}
	for i, it := range t.Items {
		ip := fmt.Sprintf("items[%d]", i)
		if it.ID == "" || ids[it.ID] {
			add(ip+".id", "required and unique")
		}
		ids[it.ID] = true
		if it.Result != "pass" && it.Result != "fail" {
			add(ip+".result", "want pass or fail")
		}
		if it.Provision != "" && known != nil && !known(it.Provision) {
			add(ip+".provision", "unknown EN 303 645 provision %q", it.Provision)
		}
	}
	return t, bad
}

// PostureFacts is the update posture as of now.
type PostureFacts struct {
	SupportEnd     string `json:"support_end"`
	LatestFirmware string `json:"latest_firmware"`
	// LatestShare is the share (0–1) of field sightings with a firmware
	// version that run the latest; -1 without sightings.
	LatestShare float64 `json:"latest_share"`
	// FixDays is the median of days from advisory to fixed firmware; -1
	// without fixes.
	FixDays int `json:"fix_days"`
}

// postureFacts combines the declared posture with the fleet's firmware.
func postureFacts(p Posture, fw []FleetCount) PostureFacts {
	pf := PostureFacts{SupportEnd: p.SupportEnd, LatestFirmware: p.LatestFirmware, LatestShare: -1, FixDays: -1}
	var all, latest int64
	for _, c := range fw {
		all += c.Count
		if c.Value == p.LatestFirmware {
			latest += c.Count
		}
	}
	if all > 0 {
		pf.LatestShare = float64(latest) / float64(all)
	}
	var days []int
	for _, f := range p.Fixes {
		a, err1 := time.Parse(time.DateOnly, f.Published)
		b, err2 := time.Parse(time.DateOnly, f.Fixed)
		if err1 == nil && err2 == nil {
			days = append(days, int(b.Sub(a).Hours()/24))
		}
	}
	if len(days) > 0 {
		slices.Sort(days)
		pf.FixDays = days[len(days)/2]
	}
	return pf
}

// TestFacts is a test report as of now.
type TestFacts struct {
	Kind    string    `json:"kind"`
	Lab     string    `json:"lab"`
	Date    string    `json:"date"`
	Expires time.Time `json:"expires"`
	// Expired says the report no longer counts: a re-test is due.
	Expired bool     `json:"expired"`
	Passed  int      `json:"passed"`
	Failed  []string `json:"failed,omitempty"` // item ids
}
