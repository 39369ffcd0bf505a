// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"vigil/internal/errs"
)

// lockShared marks the SQLite database at path as open by this process
// for as long as the returned file stays open: a shared advisory lock
// (flock, which does not touch SQLite's own POSIX locks) that Restore's
// exclusive one cannot take. The file is kept open until the store
// closes (closing another descriptor of the database would drop SQLite's
// locks, so it is never closed earlier).
func lockShared(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errs.Errorf(errs.Conflict, "database %s is being restored: try again when the restore ends", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}

// lockExclusive takes the exclusive advisory lock of the database at path,
// which fails while any vigil process has it open (lockShared).
func lockExclusive(path string) (func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errs.Errorf(errs.Conflict, "database %s is open in a running vigil (serve or another command): stop it before restoring", path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
