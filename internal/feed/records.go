// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// errRecordTooLong is returned (inside a recordError) for a record longer
// than the reader's limit.
var errRecordTooLong = errors.New("record too long")

// recordError is a problem with one record; reading goes on with the next
// line. col is the 0-based column where it happened, or -1.
type recordError struct {
	reason string
	col    int
}

func (e *recordError) Error() string { return e.reason }

// lineReader reads physical lines with a bound on their length, counting
// them. The returned slice is valid until the next call.
type lineReader struct {
	br      *bufio.Reader
	line    int    // physical lines read so far
	buf     []byte // reused accumulation buffer
	max     int
	skipped bool // the last line was cut at max bytes
}

// readLine returns the next line including its terminator, or io.EOF.
func (l *lineReader) readLine() ([]byte, error) {
	l.skipped = false
	b, err := l.br.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(b) > 0) {
		l.line++
		if len(b) > l.max {
			l.skipped = true
			b = b[:l.max]
		}
		return b, nil
	}
	if err != bufio.ErrBufferFull {
		return nil, err
	}
	l.buf = append(l.buf[:0], b...)
	for {
		b, err = l.br.ReadSlice('\n')
		if len(l.buf)+len(b) > l.max {
			// Drop the rest of the line, keeping the start as evidence.
			l.skipped = true
			for err == bufio.ErrBufferFull {
				_, err = l.br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			l.line++
			return l.buf, nil
		}
		l.buf = append(l.buf, b...)
		if err == nil || err == io.EOF {
			l.line++
			return l.buf, nil
		}
		if err != bufio.ErrBufferFull {
			return nil, err
		}
	}
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// csvReader splits RFC 4180 records (quoted fields with doubled quotes and
// line breaks inside quotes) into fields. Each record costs one string
// allocation: the fields are substrings of the raw record, except fields
// with escaped quotes, which are unescaped copies.
//
// Unlike encoding/csv it keeps the raw record (for evidence and
// quarantine) and is lenient about a bare quote inside an unquoted field.
// A quote inside a quoted field that is not doubled and not followed by the
// delimiter or the end of the line is an error for that record; reading
// resumes on the next line, as encoding/csv does.
type csvReader struct {
	lr     lineReader
	comma  byte
	rec    []byte   // the current record's bytes, reused
	fields []string // reused
	bounds []int    // start, end pairs, reused
	esc    []bool   // per field: contains doubled quotes
	start  int      // line the current record started on
	arena  arena
}

// arena hands out immutable strings copied into large blocks, so that rows
// cost one allocation per block instead of one per row. A block is never
// written again once a string points into it; the garbage collector frees
// it when no string refers to it any more. A string kept from a row keeps
// its whole block (64 KiB) alive: clone strings kept for long.
type arena struct {
	block []byte
}

const arenaBlock = 64 << 10

// str returns a string with the contents of b.
func (a *arena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(a.block)-len(a.block) {
		if len(b) > arenaBlock/4 {
			return string(b)
		}
		a.block = make([]byte, 0, arenaBlock)
	}
	off := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[off], len(b))
}

func newCSVReader(br *bufio.Reader, comma byte, maxRecord int) *csvReader {
	return &csvReader{lr: lineReader{br: br, max: maxRecord}, comma: comma}
}

// read returns the next record: its raw text without the final line break,
// its fields, and the line it starts on. A *recordError reports a bad
// record (raw and line are set); io.EOF ends the input. Empty lines are
// skipped.
func (c *csvReader) read() (raw string, fields []string, err error) {
	for {
		b, err := c.lr.readLine()
		if err != nil {
			return "", nil, err
		}
		c.start = c.lr.line
		if c.lr.skipped {
			return string(trimEOL(b)), nil, &recordError{reason: errRecordTooLong.Error(), col: -1}
		}
		if len(trimEOL(b)) == 0 {
			continue
		}
		c.rec = append(c.rec[:0], b...)
		break
	}
	for {
		body := trimEOL(c.rec)
		ok, col, perr := c.split(body)
		if perr != "" {
			return string(body), nil, &recordError{reason: perr, col: col}
		}
		if ok {
			raw = c.arena.str(body)
			return raw, c.materialize(raw), nil
		}
		// An open quote: the record continues on the next line.
		b, err := c.lr.readLine()
		if err == io.EOF {
			return string(body), nil, &recordError{reason: "quoted field not closed before the end of the file", col: col}
		}
		if err != nil {
			return "", nil, err
		}
		if c.lr.skipped || len(c.rec)+len(b) > c.lr.max {
			return string(body), nil, &recordError{reason: "quoted field not closed within " + fmt.Sprint(c.lr.max) + " bytes", col: col}
		}
		c.rec = append(c.rec, b...)
	}
}

// split finds the field bounds of body. ok is false when a quoted field is
// still open at the end (the record continues on the next line); perr
// describes a malformed record and col is the column concerned.
func (c *csvReader) split(body []byte) (ok bool, col int, perr string) {
	c.bounds = c.bounds[:0]
	c.esc = c.esc[:0]
	comma := c.comma
	n := len(body)
	i := 0
	for {
		col = len(c.esc)
		if i < n && body[i] == '"' {
			j := i + 1
			esc := false
			for {
				k := bytes.IndexByte(body[j:], '"')
				if k < 0 {
					return false, col, ""
				}
				j += k
				if j+1 < n && body[j+1] == '"' {
					esc = true
					j += 2
					continue
				}
				break
			}
			c.bounds = append(c.bounds, i+1, j)
			c.esc = append(c.esc, esc)
			i = j + 1
			if i == n {
				return true, col, ""
			}
			if body[i] != comma {
				return false, col, fmt.Sprintf("bad quote: %q after the closing quote of column %d", body[i], col+1)
			}
			i++
			continue
		}
		k := i
		for k < n && body[k] != comma {
			k++
		}
		c.bounds = append(c.bounds, i, k)
		c.esc = append(c.esc, false)
		if k == n {
			return true, col, ""
		}
		i = k + 1
	}
}

// materialize turns the bounds into strings sharing raw.
func (c *csvReader) materialize(raw string) []string {
	c.fields = c.fields[:0]
	for f := 0; f < len(c.esc); f++ {
		s := raw[c.bounds[2*f]:c.bounds[2*f+1]]
		if c.esc[f] {
			s = strings.ReplaceAll(s, `""`, `"`)
		}
		c.fields = append(c.fields, s)
	}
	return c.fields
}
