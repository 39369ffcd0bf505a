// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest

import (
	"time"

	"vigil/internal/errs"
)

// RunStatus is a stored run as the operator follows it: its counters, the
// name of its trigger and how far it got.
type RunStatus struct {
	Run
	// Trigger is the name of the run's trigger ("" before the file's
	// report type is known).
	Trigger string `json:"trigger"`
	// CheckpointAt is when the last batch was committed (nil: none yet);
	// FinishedAt when the run ended (nil: still going, or stopped and
	// resumable by ingesting the same file again).
	CheckpointAt *time.Time `json:"checkpoint_at"`
	FinishedAt   *time.Time `json:"finished_at"`
}

// State names where the run is: "finished", or "running" (committed
// batches but no end yet).
func (r RunStatus) State() string {
	if r.FinishedAt != nil {
		return "finished"
	}
	return "running"
}

// QuarantinedRow is a stored refused input row.
type QuarantinedRow struct {
	ID    int64 `json:"id"`
	RunID int64 `json:"run_id,omitempty"`
	errs.RowError
	CreatedAt time.Time `json:"created_at"`
}
