// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package clikit

import (
	"context"
	"io"
	"os"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Progress returns a function that draws long work on w when w is a
// terminal: what is done of the total (bytes, or units such as rows), the
// rate and the time left. It is nil, no bar, when w is not a terminal or
// quiet is set (--json). Told that work of total units starts, the
// function returns step (how many are done) and finish.
func Progress(ctx context.Context, w io.Writer, bytes, quiet bool) func(what string, total int64) (step func(int64), finish func()) {
	if quiet || !IsTerminal(w) {
		return nil
	}
	return func(what string, total int64) (func(int64), func()) {
		if total <= 0 {
			return func(int64) {}, func() {}
		}
		p := mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(40))
		count, rate := decor.CountersNoUnit("%d / %d"), decor.AverageSpeed(0, "%.0f/s")
		if bytes {
			count, rate = decor.CountersKibiByte("% .1f / % .1f"), decor.AverageSpeed(decor.SizeB1024(0), "% .1f")
		}
		bar := p.AddBar(total, mpb.PrependDecorators(decor.Name(what+" ")),
			mpb.AppendDecorators(count, decor.Name(" "), rate, decor.Name(" ETA "), decor.AverageETA(decor.ET_STYLE_GO)))
		return func(n int64) { bar.SetCurrent(n) }, func() { bar.SetCurrent(total); p.Wait() }
	}
}

// IsTerminal reports whether w is a character device (a terminal).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
