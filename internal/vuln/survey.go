// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"cmp"
	"slices"

	"vigil/internal/advisory"
	"vigil/internal/match/vrange"
)

// RangeSurvey counts the version ranges CSAF advisories state in words or
// as vers URIs (product_version_range branches) and how package vrange
// interprets each distinct one. Add advisories, then call Done.
type RangeSurvey struct {
	Documents   int `json:"documents"`
	Branches    int `json:"branches"`    // range statements, every occurrence
	Interpreted int `json:"interpreted"` // of them, understood
	// Ranges lists the distinct range strings, most frequent first.
	Ranges []RangeCount `json:"ranges"`
	// Problems names documents that could not be read, with the reason.
	Problems []string `json:"problems,omitempty"`

	index map[string]int
}

// RangeCount is one distinct range string: how often it occurs and how it
// is read.
type RangeCount struct {
	Range string `json:"range"`
	Count int    `json:"count"`
	// Bounds is "*" for every version, "unparsed", or the constraints
	// joined by "|" (vrange.Range.Bounds).
	Bounds         string       `json:"bounds"`
	Interpretation vrange.Range `json:"interpretation"`
}

// Add counts the range statements of one advisory's products (not those
// of relationship products, which repeat their component's).
func (s *RangeSurvey) Add(a *advisory.Advisory) {
	s.Documents++
	if s.index == nil {
		s.index = map[string]int{}
	}
	for i := range a.Products {
		p := &a.Products[i]
		if p.Relationship != "" {
			continue
		}
		for _, r := range p.Ranges {
			if r.Type != "text" && r.Type != "vers" {
				continue
			}
			s.Branches++
			i, ok := s.index[r.Text]
			if !ok {
				in := vrange.Parse(r.Text)
				i = len(s.Ranges)
				s.index[r.Text] = i
				s.Ranges = append(s.Ranges, RangeCount{Range: r.Text, Bounds: in.Bounds(), Interpretation: in})
			}
			s.Ranges[i].Count++
			if s.Ranges[i].Interpretation.Understood() {
				s.Interpreted++
			}
		}
	}
}

// Done sorts the distinct ranges, most frequent first, then by text.
func (s *RangeSurvey) Done() {
	slices.SortStableFunc(s.Ranges, func(a, b RangeCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Range, b.Range)
	})
	s.index = nil
}

// Share is the part of the range statements that was interpreted (1 when
// there are none).
func (s *RangeSurvey) Share() float64 { return ratioOf(s.Interpreted, s.Branches) }

func ratioOf(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
