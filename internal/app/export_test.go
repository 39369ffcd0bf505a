// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"reflect"
	"time"
	"unsafe"

	"github.com/riverqueue/river/rivertype"
)

// OpenJobsDefaultTimeout is OpenJobs with jobs that set no timeout of
// their own bounded by dflt instead of River's minute.
func (a *App) OpenJobsDefaultTimeout(ctx context.Context, dflt time.Duration) (*Jobs, error) {
	return a.openJobs(ctx, dflt)
}

// RegisteredJobTimeouts registers the workers as OpenJobs does and returns
// the timeout of every registered job kind as River would apply it (0: the
// worker sets none), with the configured rescue window (0: River's). It
// reads the kinds out of River's worker registry, which has no way to list
// them, so that a worker added anywhere is seen.
func (a *App) RegisteredJobTimeouts() (map[string]time.Duration, time.Duration, error) {
	lim, err := a.jobTimes()
	if err != nil {
		return nil, 0, err
	}
	w := a.jobWorkers(lim, nil)
	reg := reflect.ValueOf(w.workers).Elem().FieldByName("workersMap")
	if !reg.IsValid() || reg.Kind() != reflect.Map {
		return nil, 0, fmt.Errorf("river.Workers has no workersMap: update RegisteredJobTimeouts for this River version")
	}
	reg = reflect.NewAt(reg.Type(), unsafe.Pointer(reg.UnsafeAddr())).Elem()
	out := map[string]time.Duration{}
	for it := reg.MapRange(); it.Next(); {
		info := reflect.New(it.Value().Type()).Elem()
		info.Set(it.Value())
		f := info.FieldByName("workUnitFactory")
		if !f.IsValid() {
			return nil, 0, fmt.Errorf("river's workerInfo has no workUnitFactory: update RegisteredJobTimeouts for this River version")
		}
		f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
		unit := f.MethodByName("MakeUnit").Call([]reflect.Value{reflect.ValueOf(&rivertype.JobRow{})})[0]
		out[it.Key().String()] = unit.MethodByName("Timeout").Call(nil)[0].Interface().(time.Duration)
	}
	return out, lim.rescue, nil
}
