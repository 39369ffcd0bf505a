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
	// Parts is the number of parts of a split run (0: read unsplit).
	Parts int `json:"parts,omitempty"`
	// CheckpointAt is when the last batch was committed (nil: none yet);
	// FinishedAt when the run ended (nil: still going, or stopped).
	CheckpointAt *time.Time `json:"checkpoint_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	// State is where the run is: StateFinished, StateRunning or
	// StateStopped, derived when the run is read.
	State string `json:"state"`
}

// The states of a run (RunStatus.State).
const (
	// StateFinished: the run ended.
	StateFinished = "finished"
	// StateRunning: the run has not ended and made progress (its start, a
	// batch, a part's batch or a part done) within notify.run_grace.
	StateRunning = "running"
	// StateStopped: the run has not ended and made no progress for
	// longer (its process killed, a part given up by the job queue or
	// never enqueued). An unsplit run is resumed after its last committed
	// line when the same content is handed in again; the content of a
	// split run is ingested as a run of its own then. Composition no
	// longer waits for it.
	StateStopped = "stopped"
)

// QuarantinedRow is a stored refused input row.
type QuarantinedRow struct {
	ID    int64 `json:"id"`
	RunID int64 `json:"run_id,omitempty"`
	errs.RowError
	CreatedAt time.Time `json:"created_at"`
}
