// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/text"
)

// ErrMalformed is returned (wrapped) when input cannot be read as the
// expected format at all, e.g. broken JSON syntax in the middle of a feed.
// Records before the damage have already been yielded.
var ErrMalformed = errors.New("malformed input")

// maxDocument bounds the size of a single JSON document read whole (a CSAF
// document, a single NVD or CVE 5 record).
const maxDocument = 64 << 20

// maxRaw bounds RowError.Raw.
const maxRaw = 512

// input wraps r: gzip is undone when the data starts with the gzip magic,
// and lines are counted so that decoder offsets can be turned into line
// numbers.
type input struct {
	lc      *lineCounter
	br      *bufio.Reader
	skipped int64 // bytes consumed by firstByte, which the decoder never sees
}

func newInput(r io.Reader) (*input, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var src io.Reader = br
	if len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		src = zr
	}
	lc := &lineCounter{r: src}
	return &input{lc: lc, br: bufio.NewReaderSize(lc, 64<<10)}, nil
}

// firstByte returns the first non-space byte without consuming it (0 at EOF).
func (in *input) firstByte() (byte, error) {
	for {
		b, err := in.br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, nil
			}
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf: // skip blanks and a UTF-8 BOM
			in.skipped++
			continue
		}
		return b, in.br.UnreadByte()
	}
}

// readAll reads the rest of the input, bounded by maxDocument.
func (in *input) readAll() ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(in.br, maxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDocument {
		return nil, fmt.Errorf("document larger than %d bytes", maxDocument)
	}
	return b, nil
}

// lineCounter remembers the offsets of newlines read so far that lie beyond
// the last offset asked about, so lineAt can map decoder offsets to lines
// with memory bounded by the decoder's look-ahead.
type lineCounter struct {
	r    io.Reader
	off  int64
	nl   []int64
	line int // newlines before the last asked offset
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		l.nl = append(l.nl, l.off+int64(i+j))
		i += j + 1
	}
	l.off += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off of the decompressed
// input. Offsets must be asked in non-decreasing order. The bufio layer
// between lineCounter and the decoder does not shift offsets: the decoder's
// InputOffset counts bytes it consumed from the bufio.Reader, which are the
// same bytes in the same order.
func (l *lineCounter) lineAt(off int64) int {
	i := 0
	for i < len(l.nl) && l.nl[i] < off {
		i++
	}
	l.line += i
	l.nl = l.nl[i:]
	return l.line + 1
}

// lineAt returns the line of decoder offset off.
func (in *input) lineAt(off int64) int { return in.lc.lineAt(in.skipped + off) }

// arrayWalker streams the elements of one array member of a top-level JSON
// object, keeping the other members in header.
type arrayWalker struct {
	dec    *json.Decoder
	in     *input
	header map[string]json.RawMessage
}

func newArrayWalker(in *input) *arrayWalker {
	dec := json.NewDecoder(in.br)
	dec.UseNumber()
	return &arrayWalker{dec: dec, in: in, header: map[string]json.RawMessage{}}
}

// walk reads the top-level object. For each member named one of keys whose
// value is an array, each is called per element with its index, start line
// and raw bytes. It returns the key walked (empty if none was present).
// A syntax error ends the walk with an error wrapping ErrMalformed.
func (w *arrayWalker) walk(ctx context.Context, keys []string, each func(key string, i, line int, raw json.RawMessage) error) (string, error) {
	if err := w.expectDelim('{'); err != nil {
		return "", err
	}
	walked := ""
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return walked, w.malformed(err)
		}
		key, _ := tok.(string)
		if !slices.Contains(keys, key) || walked != "" {
			var raw json.RawMessage
			if err := w.dec.Decode(&raw); err != nil {
				return walked, w.malformed(err)
			}
			w.header[key] = raw
			continue
		}
		// Peek: the member may be null or not an array.
		tok, err = w.dec.Token()
		if err != nil {
			return walked, w.malformed(err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			if tok == nil {
				continue // "vulnerabilities": null
			}
			return walked, fmt.Errorf("%w: %q is not an array", ErrMalformed, key)
		}
		walked = key
		for i := 0; w.dec.More(); i++ {
			if err := ctx.Err(); err != nil {
				return walked, err
			}
			var raw json.RawMessage
			if err := w.dec.Decode(&raw); err != nil {
				return walked, w.malformed(err)
			}
			line := w.in.lineAt(w.dec.InputOffset() - int64(len(raw)))
			if err := each(key, i, line, raw); err != nil {
				return walked, err
			}
		}
		if _, err := w.dec.Token(); err != nil { // ']'
			return walked, w.malformed(err)
		}
	}
	if _, err := w.dec.Token(); err != nil { // '}'
		return walked, w.malformed(err)
	}
	return walked, nil
}

func (w *arrayWalker) expectDelim(want json.Delim) error {
	tok, err := w.dec.Token()
	if err != nil {
		return w.malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%w: want %q at the start, got %v", ErrMalformed, string(want), tok)
	}
	return nil
}

func (w *arrayWalker) malformed(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
		line := w.in.lineAt(w.dec.InputOffset())
		return fmt.Errorf("%w: line %d: %v", ErrMalformed, line, err)
	}
	return err
}

// walkTopArray streams the elements of a top-level JSON array.
func walkTopArray(ctx context.Context, in *input, each func(i, line int, raw json.RawMessage) error) error {
	w := newArrayWalker(in)
	if err := w.expectDelim('['); err != nil {
		return err
	}
	for i := 0; w.dec.More(); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var raw json.RawMessage
		if err := w.dec.Decode(&raw); err != nil {
			return w.malformed(err)
		}
		line := in.lineAt(w.dec.InputOffset() - int64(len(raw)))
		if err := each(i, line, raw); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil {
		return w.malformed(err)
	}
	return nil
}

// rowErr builds a RowError, truncating raw.
func rowErr(file string, line int, field, reason string, raw []byte) errs.RowError {
	return errs.RowError{File: file, Line: line, Field: field, Reason: reason, Raw: text.Truncate(string(bytes.TrimSpace(raw)), maxRaw)}
}

// jsonReason turns a json.Unmarshal error into a short reason and field.
func jsonReason(err error) (field, reason string) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field, fmt.Sprintf("has JSON type %s; want %s", te.Value, te.Type)
	}
	return "", err.Error()
}

// timeLayouts are the timestamp forms the sources use: RFC 3339 with or
// without fractional seconds and zone (NVD omits the zone and means UTC),
// and plain dates.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseTime parses a timestamp in any of timeLayouts and returns it in UTC.
// The empty string gives the zero time and no error.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", s)
}

// parseDate parses a YYYY-MM-DD date (UTC midnight).
func parseDate(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	return t, nil
}

// appendUnique appends the non-empty values of vs to dst that dst does not
// hold yet, keeping order.
func appendUnique(dst []string, vs ...string) []string {
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(dst, v) {
			dst = append(dst, v)
		}
	}
	return dst
}

// sortedUnique sorts and deduplicates ss in place.
func sortedUnique(ss []string) []string {
	slices.Sort(ss)
	return slices.Compact(ss)
}

// tally counts one record in st: a rejected one (row set) keeps its row
// error in rows, a good one goes to yield; warnings are kept either way.
func tally(st *Stats, rows *[]errs.RowError, yield func(Advisory) error, a Advisory, warns []errs.RowError, row *errs.RowError) error {
	st.Records++
	st.Warnings = append(st.Warnings, warns...)
	if row != nil {
		st.Rejected++
		*rows = append(*rows, *row)
		return nil
	}
	if err := yield(a); err != nil {
		return err
	}
	st.Yielded++
	return nil
}
