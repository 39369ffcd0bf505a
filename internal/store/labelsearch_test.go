// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestLabelSearch runs the public registry's searches: vendor and model as
// case-insensitive substrings (LIKE wildcards taken literally), grade, the
// newest first, and pages continued after a label id.
func TestLabelSearch(t *testing.T) {
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	storetest.EachOpts(t, storetest.Options{Now: c.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := assessFixture(t, s)
		a, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{DeviceID: o.Devices[0].ID, Actor: "maker"})
		if err != nil {
			t.Fatal(err)
		}
		aid, _ := assess.ParseID(a.ID)
		for i, l := range []struct {
			vendor, model string
			grade         assess.Grade
		}{
			{"Axis Communications", "M3106-L Mk II", assess.GradeB},
			{"AXIS", "P1455", assess.GradeA},
			{"Hikvision", "DS-2CD2143", assess.GradeE},
			{"Hik_vision 100%", "DS_2CD", assess.GradeE},
		} {
			doc, _ := json.Marshal(map[string]any{"device": assess.Device{Vendor: l.vendor, Model: l.model}})
			id := fmt.Sprintf("VL-0000-0000-000%d", i+1)
			r := label.Record{ID: id, AssessmentID: aid, OrgID: o.ID, Grade: l.grade, Rule: assess.RuleVersion, KeyID: "k1",
				Signed: doc, Issued: c.t.Add(time.Duration(i) * time.Hour), Expires: c.t.AddDate(1, 0, 0)}
			if err := s.LabelCreate(ctx, tenant.Operator(), &r); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name string
			f    label.Filter
			want []string
		}{
			{"all, oldest first", label.Filter{}, []string{"1", "2", "3", "4"}},
			{"all, newest first", label.Filter{Newest: true}, []string{"4", "3", "2", "1"}},
			{"vendor, any case", label.Filter{Vendor: "axis", Newest: true}, []string{"2", "1"}},
			{"model substring", label.Filter{Model: "2cd2"}, []string{"3"}},
			{"underscore is literal", label.Filter{Vendor: "k_v"}, []string{"4"}},
			{"percent is literal", label.Filter{Vendor: "100%"}, []string{"4"}},
			{"percent alone matches nothing else", label.Filter{Model: "%"}, nil},
			{"grade", label.Filter{Grade: assess.GradeE}, []string{"3", "4"}},
			{"vendor and grade", label.Filter{Vendor: "axis", Grade: assess.GradeA}, []string{"2"}},
			{"page after, newest first", label.Filter{Newest: true, After: "VL-0000-0000-0003", Limit: 1}, []string{"2"}},
			{"page after, oldest first", label.Filter{After: "VL-0000-0000-0002"}, []string{"3", "4"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ls, err := s.LabelList(ctx, tenant.Public(), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, l := range ls {
					got = append(got, l.ID[len(l.ID)-1:])
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("labels (-want +got):\n%s", diff)
				}
			})
		}
	})
}
