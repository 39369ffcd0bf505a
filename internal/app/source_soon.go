// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"

	"vigil/internal/errs"
	"vigil/internal/source"
)

// SourceRunSoon asks for a run of the source named name at the next sweep
// (within SourceSweepEvery) on whichever node runs the queue, instead of
// in the caller's process as SourceRun does: the portal's "run now". A
// paused source is refused (errs.Conflict): resume it first.
func (a *App) SourceRunSoon(ctx context.Context, name string) (source.Source, error) {
	src, _, err := a.st.SourceGet(ctx, name)
	if err != nil {
		return src, err
	}
	if src.Paused {
		return src, errs.Keyed(errs.Conflict, "", "source.paused", "source %s is paused: resume it to run it", name)
	}
	if err := a.st.SourceRunSoon(ctx, name); err != nil {
		return src, err
	}
	src, _, err = a.st.SourceGet(ctx, name)
	return src, err
}

// SourceByID returns the source with id (its credentials stay sealed in
// the store).
func (a *App) SourceByID(ctx context.Context, id int64) (source.Source, error) {
	src, _, err := a.st.SourceGetByID(ctx, id)
	return src, err
}

// SourceLastRun returns the newest run of source id with the files it
// ingested; ok is false when it never ran.
func (a *App) SourceLastRun(ctx context.Context, id int64) (run source.Run, ok bool, err error) {
	runs, err := a.st.SourceRuns(ctx, id, 1)
	if err != nil || len(runs) == 0 {
		return source.Run{}, false, err
	}
	return runs[0], true, nil
}
