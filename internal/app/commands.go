// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"io"
	"os"
	"strconv"

	"vigil/internal/errs"
)

// Command describes a CLI command whose whole body is one service call, so
// that cmd/vigil builds it from this row (parse, call, print) and stays
// thin. The command tree test lists these commands like the others.
type Command struct {
	// Use is the cobra use line, e.g. "import FILE".
	Use   string
	Short string
	Long  string
	// Args is the exact number of arguments.
	Args  int
	Flags []Flag
	// NoStore marks a command that needs no database: Run gets a nil App.
	NoStore bool
	Run     func(ctx context.Context, x *App, in Input) (Output, error)
}

// Flag is a string flag of a Command.
type Flag struct {
	Name, Default, Usage string
}

// Input is what a Command's Run gets: the arguments, every flag's value by
// name and standard input (for a file argument "-").
type Input struct {
	Args  []string
	Flags map[string]string
	Stdin io.Reader
	// DB is the --db the command was given (for a NoStore command that
	// works on the database's file).
	DB string
}

// Int returns the flag name as an integer (0 when empty); a value that is
// not a number is invalid input.
func (in Input) Int(name string) (int, error) {
	v := in.Flags[name]
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errs.FieldKeyed(name, v, "number.invalid", "not a number")
	}
	return n, nil
}

// Open opens argument or flag value name as a file, "-" being standard
// input; a file that cannot be opened is invalid input.
func (in Input) Open(name string) (io.Reader, func(), error) {
	if name == "-" {
		return in.Stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, errs.Field("file", name, err.Error())
	}
	return f, func() { f.Close() }, nil
}

// Output is a Command's result: --json prints the value as JSON, else its
// Text.
type Output interface {
	Text() string
}

// Progress draws the progress of long work (on a terminal): it is told
// that work of total units (rows, organisations, messages; 0 when not
// known) starts, and returns step, told how many are done, and finish.
type Progress func(what string, total int64) (step func(done int64), finish func())

// start starts p (nothing when p is nil) and returns step taking an int.
func (p Progress) start(what string, total int64) (step func(done int), finish func()) {
	if p == nil {
		return func(int) {}, func() {}
	}
	s, f := p(what, total)
	return func(n int) { s(int64(n)) }, f
}
