// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"io"
	"log/slog"

	"vigil/internal/errs"
)

// Log formats (the log_format setting).
const (
	LogText = "text"
	LogJSON = "json"
)

// NewLogger is the process's logger writing to w at level: key=value
// lines (LogText, also for "") or one JSON object a line (LogJSON) with
// time, level and msg. Secrets never reach it: credentials and secret
// settings log as "(secret)" (their LogValue), and request lines carry
// the path without its query.
func NewLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case LogText, "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case LogJSON:
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, errs.FieldKeyed("log-format", format, "format.log", "text or json")
}
