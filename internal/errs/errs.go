// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package errs defines vigil's coded error values.
//
// Every layer wraps causes with fmt.Errorf("…: %w", err); the outermost
// layer (HTTP, CLI) asks Code(err) for the class of failure and shows the
// user Message(err), never the internal cause.
package errs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Code classifies an error for callers: HTTP maps it to a status, the CLI to an
// exit code.
type Code string

// The codes an *Error may carry.
const (
	Invalid      Code = "invalid"           // bad input: a field failed validation
	NotFound     Code = "not_found"         // the object does not exist or is not visible to the caller
	Conflict     Code = "conflict"          // the object exists already or the state forbids the change
	Forbidden    Code = "forbidden"         // the caller may not do this
	Unauthorized Code = "unauthorized"      // no or bad credentials
	TooMany      Code = "too_many_requests" // a limit of how often the caller may do this is reached; later it may again
	Internal     Code = "internal"          // anything else; details are logged, not shown
)

// Error is an error with a code, a user-facing message and an optional field
// (a JSON path or column name) that the message is about.
type Error struct {
	Code    Code
	Field   string
	Message string
	Err     error // optional cause, never shown to end users
	// Key names Message in the portal's message tables, so that a page
	// shows it in the reader's language; Args are its parameters, in the
	// order of the English format. Empty: the message has no translation
	// and pages show Message. The API and the CLI always show Message.
	Key  string
	Args []any
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same code and no message,
// so that errors.Is(err, errs.ErrNotFound) works for any not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Field == "" && t.Code == e.Code
}

// Sentinels usable with errors.Is.
var (
	ErrNotFound  = &Error{Code: NotFound}
	ErrConflict  = &Error{Code: Conflict}
	ErrInvalid   = &Error{Code: Invalid}
	ErrForbidden = &Error{Code: Forbidden}
)

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Keyed returns an *Error with the given code, field and message, the
// English format filled with args, that names its text by key for
// translation: the portal's message tables hold key's English (the same
// format) and Dutch texts.
func Keyed(code Code, field, key, format string, args ...any) error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...), Key: key, Args: args}
}

// FieldKeyed is Field with a translatable reason: the message is the
// value quoted, ": " and the reason (format filled with args), as Field
// makes it; key names the reason's format and Args are args, so a page
// shows the reason in its language beside the field, which shows the
// value.
func FieldKeyed(field string, value any, key, format string, args ...any) error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf("%q: %s", fmt.Sprint(value), fmt.Sprintf(format, args...)),
		Key: key, Args: args}
}

// Field returns an invalid-input error about one field and its value.
func Field(field string, value any, reason string) error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf("%q: %s", fmt.Sprint(value), reason)}
}

// BadInput marks err, a failure to read an input (a truncated or corrupt
// gzip stream, malformed JSON or CSV, a file cut short), as invalid input:
// the input is at fault, not vigil, so the CLI exits 2 and the API answers
// 422. An err that already has a code, and a cancellation, pass unchanged.
func BadInput(err error) error {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: Invalid, Message: err.Error()}
}

// Later returns err, a refusal of code TooMany, with how long the caller
// waits before another try may pass: HTTP's Retry-After. Code, message and
// key stay err's.
func Later(err error, wait time.Duration) error { return &later{err: err, wait: wait} }

type later struct {
	err  error
	wait time.Duration
}

func (l *later) Error() string { return l.err.Error() }
func (l *later) Unwrap() error { return l.err }

// WaitOf returns the wait Later put on err (0: none was said).
func WaitOf(err error) time.Duration {
	var l *later
	if errors.As(err, &l) {
		return l.wait
	}
	return 0
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
// A nil error has the empty code.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Message returns the user-facing message of err: the *Error's field and
// message when there is one, or a generic text for internal errors.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		if e.Field != "" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return "internal error"
}

// RowError describes one bad record of an input file: where it is and why it
// was refused. Parsers return these alongside the good records.
type RowError struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
	Raw    string `json:"raw,omitempty"` // the offending record, truncated, for quarantine
}

// Error implements error as "file:line: field: reason".
func (r *RowError) Error() string {
	var b strings.Builder
	if r.File != "" {
		b.WriteString(r.File)
		b.WriteString(":")
	}
	if r.Line > 0 {
		b.WriteString(strconv.Itoa(r.Line))
		b.WriteString(":")
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if r.Field != "" {
		b.WriteString(r.Field)
		b.WriteString(": ")
	}
	b.WriteString(r.Reason)
	return b.String()
}
