// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package profiling writes the CPU and heap profiles of one command for the
// benchmarks (config's profile.cpu and profile.memory).
package profiling

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// Start starts a CPU profile into cpuFile and returns a function that ends
// it and writes a heap profile into memFile (empty names turn either off).
// Problems are reported on warn, never fatal: a benchmark still runs.
func Start(cpuFile, memFile string, warn io.Writer) func() {
	var cpu *os.File
	if cpuFile != "" {
		f, err := os.Create(cpuFile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(warn, "vigil: cpu profile:", err)
		} else {
			cpu = f
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memFile == "" {
			return
		}
		f, err := os.Create(memFile)
		if err == nil {
			err = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
		if err != nil {
			fmt.Fprintln(warn, "vigil: memory profile:", err)
		}
	}
}
