// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"errors"
	"strings"
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
// which cap the fixed timeouts) are accepted. notify.run_grace must be
// longer than the rescue window (River's hour when it is unset), or a part
// rescued after the grace could resume a run whose content was ingested
// again meanwhile.
func TestJobTimesChecked(t *testing.T) {
	tests := []struct {
		name, part, rescue, grace string
		field                     string // "" when accepted
	}{
		{"defaults", "45m", "1h", "2h", ""},
		{"seconds_for_tests", "10s", "10s", "2h", ""},
		{"rescue_unset_is_rivers", "45m", "", "2h", ""},
		{"rescue_shorter_than_part", "45m", "30m", "2h", "jobs.rescue_after"},
		{"rescue_shorter_than_source_run", "10m", "20m", "2h", "jobs.rescue_after"},
		{"rescue_below_a_minute_caps_fixed_timeouts", "5s", "30s", "2h", ""},
		{"part_not_a_duration", "soon", "1h", "2h", "ingest.part_timeout"},
		{"part_zero", "0s", "1h", "2h", "ingest.part_timeout"},
		{"rescue_negative", "10s", "-1h", "2h", "jobs.rescue_after"},
		{"grace_just_over_rescue", "45m", "1h", "61m", ""},
		{"grace_equal_to_rescue", "45m", "1h", "1h", "notify.run_grace"},
		{"grace_shorter_than_rescue", "2h", "3h", "2h", "notify.run_grace"},
		{"grace_not_over_rivers_rescue", "45m", "", "30m", "notify.run_grace"},
		{"grace_over_short_rescue", "10s", "10s", "11s", ""},
		{"grace_not_a_duration", "45m", "1h", "later", "notify.run_grace"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.OpenSQLite(t, storetest.Options{})
			x := newApp(t, s, func(c *config.Config) {
				c.Ingest.PartTimeout, c.Jobs.RescueAfter, c.Notify.RunGrace = tc.part, tc.rescue, tc.grace
			})
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
			case tc.field == "notify.run_grace" && tc.grace != "later" && (e.Key != "notify.grace.rescue" || !strings.Contains(e.Message, "jobs.rescue_after")):
				t.Fatalf("OpenJobs = %v (key %q); want the grace refused naming jobs.rescue_after", err, e.Key)
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
	for _, tc := range []struct{ name, part, rescue, grace string }{
		{"defaults", "", "", ""},
		{"crash_tests", "10s", "10s", "2h"},
		{"long_part", "2h", "3h", "4h"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.OpenSQLite(t, storetest.Options{})
			x := newApp(t, s, func(c *config.Config) {
				if tc.part != "" {
					c.Ingest.PartTimeout, c.Jobs.RescueAfter, c.Notify.RunGrace = tc.part, tc.rescue, tc.grace
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
