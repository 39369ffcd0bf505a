// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command vigil warns organisations about threats to their networks and
// devices, and rates IoT devices against ETSI EN 303 645.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/profiling"
)

func main() {
	cfg, err := config.Load(os.Args[1:])
	if err != nil {
		os.Exit(exitCode(err, os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	endProfile := profiling.Start(cfg.Profile.CPU, cfg.Profile.Memory, os.Stderr)
	err = run(ctx, cfg, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	endProfile()
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err (if any) and maps its code to a process exit status:
// 0 success, 1 internal failure, 2 bad input or usage, 3 not found,
// 4 conflict, 5 forbidden/unauthorised.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if se, ok := err.(silentError); ok {
		return se.code
	}
	fmt.Fprintln(stderr, "vigil:", err)
	switch errs.CodeOf(err) {
	case errs.Invalid:
		return 2
	case errs.NotFound:
		return 3
	case errs.Conflict:
		return 4
	case errs.Forbidden, errs.Unauthorized:
		return 5
	}
	return 1
}

// silentError exits with a code after the command already reported why.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
