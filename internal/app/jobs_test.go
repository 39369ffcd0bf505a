// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"errors"
	"testing"

	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/store/storetest"
)

// TestJobTimesChecked: the part timeout and the rescue window are read
// from the configuration at the queue's start; a rescue window shorter
// than the part timeout, or a value that is no positive duration, is
// refused naming its setting, and short windows (the crash tests') are
// accepted.
func TestJobTimesChecked(t *testing.T) {
	tests := []struct {
		name, part, rescue string
		field              string // "" when accepted
	}{
		{"defaults", "45m", "1h", ""},
		{"seconds_for_tests", "10s", "10s", ""},
		{"rescue_unset_is_rivers", "45m", "", ""},
		{"rescue_shorter_than_part", "45m", "30m", "jobs.rescue_after"},
		{"part_not_a_duration", "soon", "1h", "ingest.part_timeout"},
		{"part_zero", "0s", "1h", "ingest.part_timeout"},
		{"rescue_negative", "10s", "-1h", "jobs.rescue_after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.OpenSQLite(t, storetest.Options{})
			x := newApp(t, s, func(c *config.Config) { c.Ingest.PartTimeout, c.Jobs.RescueAfter = tc.part, tc.rescue })
			j, err := x.OpenJobs(context.Background())
			if err == nil {
				if err := j.Stop(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			var e *errs.Error
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("OpenJobs = %v; want it accepted", err)
			case tc.field != "" && (!errors.As(err, &e) || e.Field != tc.field || e.Code != errs.Invalid):
				t.Fatalf("OpenJobs = %v; want invalid %s", err, tc.field)
			}
		})
	}
}
