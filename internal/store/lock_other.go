// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

//go:build !unix

package store

import "os"

// lockShared does nothing where flock is missing: Restore cannot tell a
// database in use there, so stop vigil before restoring.
func lockShared(string) (*os.File, error) { return nil, nil }

// lockExclusive does nothing where flock is missing.
func lockExclusive(string) (func(), error) { return func() {}, nil }
