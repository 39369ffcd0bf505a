// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command vigil warns organisations about threats to their networks and
// devices, and rates IoT devices against ETSI EN 303 645.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"vigil/internal/clikit"
	"vigil/internal/config"
	"vigil/internal/profiling"
)

func main() {
	cfg, err := config.Load(os.Args[1:])
	if err != nil {
		if slices.Contains(os.Args[1:], "--json") {
			err = clikit.AsJSON(err)
		}
		os.Exit(exitCode(err, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	endProfile := profiling.Start(cfg.Profile.CPU, cfg.Profile.Memory, os.Stderr)
	err = run(ctx, cfg, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	endProfile()
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err (if any) and returns the process exit status; see
// internal/clikit for the table.
func exitCode(err error, stderr io.Writer) int { return clikit.Report(err, stderr) }

// silentError exits with a code after the command already reported why.
type silentError = clikit.Silent
