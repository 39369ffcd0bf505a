// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/store/storetest"
)

// TestJobTimesChecked: the part timeout and the rescue window are read
// from the configuration at the queue's start; a rescue window shorter
// than the part timeout or than any other job kind's timeout (a source
// run's 30 minutes), or a value that is no positive duration, is refused
// naming its setting, and short windows (the crash tests', below a minute,
// which cap the fixed timeouts) are accepted.
func TestJobTimesChecked(t *testing.T) {
	tests := []struct {
		name, part, rescue string
		field              string // "" when accepted
	}{
		{"defaults", "45m", "1h", ""},
		{"seconds_for_tests", "10s", "10s", ""},
		{"rescue_unset_is_rivers", "45m", "", ""},
		{"rescue_shorter_than_part", "45m", "30m", "jobs.rescue_after"},
		{"rescue_shorter_than_source_run", "10m", "20m", "jobs.rescue_after"},
		{"rescue_below_a_minute_caps_fixed_timeouts", "5s", "30s", ""},
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

// TestEveryJobKindHasTimeout lists every worker OpenJobs registers (read
// from River's registry, so a new job kind is seen wherever it is added)
// and fails for one without a timeout of its own (River would cut it at
// its default minute) or with a timeout longer than the rescue window,
// under the default settings and the crash tests' short ones.
func TestEveryJobKindHasTimeout(t *testing.T) {
	for _, tc := range []struct{ name, part, rescue string }{
		{"defaults", "", ""},
		{"crash_tests", "10s", "10s"},
		{"long_part", "2h", "3h"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.OpenSQLite(t, storetest.Options{})
			x := newApp(t, s, func(c *config.Config) {
				if tc.part != "" {
					c.Ingest.PartTimeout, c.Jobs.RescueAfter = tc.part, tc.rescue
				}
			})
			kinds, rescue, err := x.RegisteredJobTimeouts()
			if err != nil {
				t.Fatal(err)
			}
			if rescue == 0 {
				rescue = time.Hour // River's
			}
			for _, want := range []string{"source_run", "source_sweep", "retention_purge", "rdap_bootstrap_refresh", "ingest_part", "notify_sweep"} {
				if _, ok := kinds[want]; !ok {
					t.Errorf("job kind %s not registered (registered: %v)", want, kinds)
				}
			}
			for kind, d := range kinds {
				switch {
				case d <= 0:
					t.Errorf("job kind %s sets no timeout of its own; River would cut it at its default minute", kind)
				case d > rescue:
					t.Errorf("job kind %s: timeout %s longer than the rescue window %s", kind, d, rescue)
				}
			}
			if tc.rescue == "" && kinds["source_run"] != app.SourceLease {
				t.Errorf("source_run timeout = %s; want the source lease %s", kinds["source_run"], app.SourceLease)
			}
		})
	}
}
