// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/text"
)

// Format is the kind of feed file.
type Format string

// The formats. FormatAuto detects the others from the file name and the
// first line.
const (
	FormatAuto         Format = "auto"
	FormatShadowserver Format = "shadowserver"
	FormatCSV          Format = "csv"
	FormatBlocklist    Format = "blocklist"
	FormatCredentials  Format = "credentials"
)

// ParseFormat parses a format name ("" is FormatAuto).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "":
		return FormatAuto, nil
	case FormatAuto, FormatShadowserver, FormatCSV, FormatBlocklist, FormatCredentials:
		return f, nil
	}
	return "", errs.Field("type", s, "must be auto, shadowserver, csv, blocklist or credentials")
}

// Options configure a Reader. The zero value reads any format, detected
// automatically, with default limits.
type Options struct {
	// Name is the file name: it shows in row errors, and a Shadowserver
	// name ("2025-06-01-scan_exchange-org-asn.csv") gives the report type.
	Name string
	// Format forces a format; empty or FormatAuto detects it.
	Format Format
	// ReportType forces the Shadowserver report type, or names the feed for
	// the other formats.
	ReportType string
	// Mapping maps the columns of a generic CSV file. Nil guesses the
	// mapping from well-known header names.
	Mapping *Mapping
	// Classification and Severity override the defaults of blocklists and
	// credential lists, and of generic CSV rows without these columns.
	Classification *Classification
	Severity       finding.Severity
	// CredentialSalt keys the HMAC-SHA256 of leaked passwords. Required to
	// read credential lists.
	CredentialSalt []byte
	// Now gives the time of rows that carry none (blocklists, credential
	// lists). Nil leaves their Time zero.
	Now func() time.Time
	// MaxRecordBytes bounds one record (a CSV record may span lines).
	// Default 1 MiB; longer records are row errors.
	MaxRecordBytes int
	// MaxRawBytes bounds the raw text kept in a RowError. Default 1024.
	MaxRawBytes int
}

// Stats counts what a Reader has read so far.
type Stats struct {
	Rows         int `json:"rows"`         // data rows, good and bad
	Observations int `json:"observations"` // observations yielded
	Bad          int `json:"bad"`          // row errors yielded
}

// Reader streams the observations of one feed file. Memory stays bounded by
// the record limit whatever the size of the input. A Reader is not safe for
// concurrent use.
type Reader struct {
	ctx        context.Context
	opts       Options
	br         *bufio.Reader
	gz         *gzip.Reader
	format     Format
	reportType string
	header     []string
	warnings   []string
	comma      byte
	csv        *csvReader
	mapper     *rowMapper
	class      Classification
	severity   finding.Severity
	stats      Stats
	used       bool
	obs        Observation
	cred       Credential
	intern     *interner
}

const bufSize = 64 << 10

// NewReader starts reading r: it unpacks gzip (detected by its magic
// bytes), detects the format and, for CSV formats, reads the header and
// resolves the report type and column mapping. Errors are *errs.Error with
// code Invalid for input that is not a feed, or I/O errors.
func NewReader(ctx context.Context, r io.Reader, opts Options) (*Reader, error) {
	if opts.MaxRecordBytes <= 0 {
		opts.MaxRecordBytes = 1 << 20
	}
	if opts.MaxRawBytes <= 0 {
		opts.MaxRawBytes = 1024
	}
	if opts.Format == "" {
		opts.Format = FormatAuto
	}
	if _, err := ParseFormat(string(opts.Format)); err != nil {
		return nil, err
	}
	rd := &Reader{ctx: ctx, opts: opts, br: bufio.NewReaderSize(r, bufSize), intern: newInterner(1 << 14)}
	magic, _ := rd.br.Peek(2)
	gzipped := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if err := checkContent(rd.br, opts.Name, gzipped, false); err != nil {
		return nil, err
	}
	if gzipped {
		gz, err := gzip.NewReader(rd.br)
		if err != nil {
			return nil, errs.BadInput(fmt.Errorf("feed %s: gzip: %w", opts.Name, err))
		}
		rd.gz = gz
		rd.br = bufio.NewReaderSize(gz, bufSize)
		if err := checkContent(rd.br, opts.Name, false, true); err != nil {
			return nil, err
		}
	}
	// A UTF-8 byte order mark is not part of the first column's name (nor
	// of a list's first line): without this, a quoted Shadowserver header
	// behind one reads as a generic CSV.
	if b, _ := rd.br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		_, _ = rd.br.Discard(3)
	}
	if err := rd.detect(); err != nil {
		return nil, errs.BadInput(fmt.Errorf("feed %s: %w", opts.Name, err))
	}
	return rd, nil
}

// Warnings are what the reader noticed about the file as a whole (a file
// name and a header that name different report types).
func (r *Reader) Warnings() []string { return r.warnings }

// Format returns the (detected) format.
func (r *Reader) Format() Format { return r.format }

// ReportType returns the Shadowserver report type, or the feed name for
// other formats ("csv", "blocklist", "credentials" unless Options named it).
func (r *Reader) ReportType() string { return r.reportType }

// Header returns the CSV header (nil for line formats). Do not modify it.
func (r *Reader) Header() []string { return r.header }

// Stats returns the counts so far; after All has finished, the totals.
func (r *Reader) Stats() Stats { return r.stats }

// All yields each row of the feed in file order: (observation, nil) for a
// good row and (nil, *errs.RowError) for a bad one, after which reading
// goes on. Any other error (I/O, gzip, a cancelled context) is yielded last.
// The observation is reused by the next iteration; see Observation. All
// can be ranged over once.
func (r *Reader) All() iter.Seq2[*Observation, error] {
	return func(yield func(*Observation, error) bool) {
		if r.used {
			yield(nil, errors.New("feed: All called twice"))
			return
		}
		r.used = true
		switch r.format {
		case FormatShadowserver, FormatCSV:
			r.allCSV(yield)
		case FormatBlocklist:
			r.allLines(yield, r.blocklistLine)
		case FormatCredentials:
			r.allLines(yield, r.credentialLine(hmac.New(sha256.New, r.opts.CredentialSalt)))
		}
	}
}

// detect sets the format, report type and, for CSV, the header and mapper.
func (r *Reader) detect() error {
	first, data, err := r.firstLine()
	if err != nil {
		return err
	}
	if first == nil {
		// A file without a line (a download that failed) is not an
		// empty report: it would resolve every finding of its trigger.
		return errs.Errorf(errs.Invalid, "empty input: not a line to read")
	}
	f := r.opts.Format
	if f == FormatAuto {
		f = guessFormat(r.opts.Name, r.opts.ReportType, first, data)
		if f == "" {
			return errs.Errorf(errs.Invalid, "cannot tell the feed format from the first line %q", text.Truncate(string(first), 120))
		}
	}
	r.format = f
	r.class, r.severity = Classification{}, r.opts.Severity
	if c := r.opts.Classification; c != nil {
		r.class = *c
	}
	switch f {
	case FormatBlocklist:
		r.reportType = firstNonEmpty(r.opts.ReportType, "blocklist")
		if r.opts.Classification == nil {
			r.class = Classification{Taxonomy: "other", Type: "blocklist", Identifier: "blocklist"}
		}
		if r.severity == finding.Unknown {
			r.severity = finding.Low
		}
		return nil
	case FormatCredentials:
		if len(r.opts.CredentialSalt) == 0 {
			return errs.Errorf(errs.Invalid, "a credential list needs a salt to hash passwords with")
		}
		r.reportType = firstNonEmpty(r.opts.ReportType, "credentials")
		if r.opts.Classification == nil {
			r.class = Classification{Taxonomy: "information-content-security", Type: "data-leak", Identifier: "leaked-credentials"}
		}
		if r.severity == finding.Unknown {
			r.severity = finding.High
		}
		return nil
	}
	if first == nil {
		return errs.Errorf(errs.Invalid, "empty input: no CSV header")
	}
	r.comma = ','
	if f == FormatCSV {
		r.comma = sniffDelimiter(first)
		if m := r.opts.Mapping; m != nil && m.Delimiter != "" {
			r.comma = m.Delimiter[0]
		}
	}
	r.csv = newCSVReader(r.br, r.comma, r.opts.MaxRecordBytes)
	_, hdr, err := r.csv.read()
	if err != nil {
		var re *recordError
		if errors.As(err, &re) {
			return errs.Errorf(errs.Invalid, "bad CSV header: %s", re.reason)
		}
		return err
	}
	r.header = make([]string, len(hdr))
	for i, h := range hdr {
		r.header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	if f == FormatShadowserver {
		if r.shadowserverMapper() {
			return nil
		}
		if r.opts.Format == FormatShadowserver {
			return errs.Errorf(errs.Invalid, "header matches no Shadowserver report type")
		}
	}
	return r.csvMapper()
}

// shadowserverMapper sets up a Shadowserver report; false when neither
// the options, the file name nor the header give a usable report type.
func (r *Reader) shadowserverMapper() bool {
	s := loadSchema()
	var sp *reportSpec
	fromName, fromHeader := ReportTypeFromName(r.opts.Name), ReportTypeFromHeader(r.header)
	if r.opts.ReportType == "" && fromName != "" && fromHeader != "" && fromName != fromHeader {
		r.warnings = append(r.warnings, fmt.Sprintf("the file name says report type %s, its header reads as %s; %s is used when its columns are present", fromName, fromHeader, fromName))
	}
	for _, name := range []string{r.opts.ReportType, fromName} {
		if cand, ok := s.spec(name); ok && hasColumns(r.header, cand.cols.ip, cand.cols.time) {
			sp = cand
			break
		}
	}
	if sp == nil {
		if cand, ok := s.spec(fromHeader); ok {
			sp = cand
		}
	}
	if sp == nil {
		return false
	}
	cm, _ := resolve(sp.cols, r.header, false)
	sev := defaultSeverity(sp.name)
	if r.opts.Severity != finding.Unknown {
		sev = r.opts.Severity
	}
	r.reportType = sp.name
	r.mapper = &rowMapper{cm: cm, header: r.header, class: sp.class, app: sp.app, severity: sev,
		reportType: sp.name, exchange: sp.exchangeTag, cveFromTag: true,
		needIP: sp.cols.ip != "", intern: r.intern}
	return true
}

// csvMapper sets up a generic CSV file.
func (r *Reader) csvMapper() error {
	m := r.opts.Mapping
	if m == nil {
		g, ok := GuessMapping(r.header)
		if !ok {
			return errs.Errorf(errs.Invalid, "no column to match on (ip, network, hostname, fqdn, url or email) in header %q", text.Truncate(strings.Join(r.header, ","), 200))
		}
		m = g
	} else if err := m.Validate(); err != nil {
		return err
	}
	cm, err := resolve(m.Columns.toSpec(), r.header, true)
	if err != nil {
		return errs.Errorf(errs.Invalid, "mapping: %v", err)
	}
	r.format = FormatCSV
	r.reportType = firstNonEmpty(r.opts.ReportType, m.ReportType, "csv")
	class := m.Classification
	if r.opts.Classification != nil {
		class = *r.opts.Classification
	}
	sev := r.opts.Severity
	if sev == finding.Unknown {
		sev, _ = parseSeverity(strings.ToLower(m.Severity))
	}
	r.mapper = &rowMapper{cm: cm, header: r.header, class: class, severity: sev,
		reportType: r.reportType, cveFromTag: true, needIP: m.Columns.IP != "", intern: r.intern}
	return nil
}

// firstLine peeks (without consuming) at the first line that is not
// empty and the first that is not a list comment either, with a UTF-8 byte
// order mark removed. nil means there is none in the first 64 KiB.
func (r *Reader) firstLine() (first, data []byte, err error) {
	b, err := r.br.Peek(bufSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, nil, err
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		l := bytes.TrimSpace(line)
		if len(l) == 0 {
			continue
		}
		if first == nil {
			first = l
		}
		if !isComment(string(l)) {
			return first, l, nil
		}
	}
	return first, nil, nil
}

// guessFormat decides the format of a file from its name and first line:
// a known Shadowserver name or header, a CSV header with an address
// column, or a line-based list.
func guessFormat(name, reportType string, first, data []byte) Format {
	if first == nil {
		return FormatBlocklist
	}
	if data != nil && (looksLikeListEntry(string(data)) || looksLikeCredential(string(data))) {
		if looksLikeCredential(string(data)) {
			return FormatCredentials
		}
		return FormatBlocklist
	}
	if data == nil {
		return FormatBlocklist // comments only
	}
	line := string(first)
	if _, ok := loadSchema().byName[reportType]; ok || ReportTypeFromName(name) != "" {
		return FormatShadowserver
	}
	cr := newCSVReader(bufio.NewReader(strings.NewReader(line+"\n")), sniffDelimiter(first), len(line)+2)
	_, hdr, err := cr.read()
	if err != nil {
		return ""
	}
	if ReportTypeFromHeader(hdr) != "" {
		return FormatShadowserver
	}
	if _, ok := GuessMapping(hdr); ok {
		return FormatCSV
	}
	return ""
}

// sniffDelimiter picks the most frequent of ",", ";", tab and "|" outside
// quotes in a header line; "," when there is none.
func sniffDelimiter(line []byte) byte {
	counts := map[byte]int{}
	inQuote := false
	for _, c := range line {
		switch {
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (c == ',' || c == ';' || c == '\t' || c == '|'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t', '|'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// allCSV yields the rows of a CSV format.
func (r *Reader) allCSV(yield func(*Observation, error) bool) {
	o := &r.obs
	for {
		raw, fields, err := r.csv.read()
		if err == io.EOF {
			r.finish(yield)
			return
		}
		if r.stats.Rows&0xfff == 0 {
			if cerr := r.ctx.Err(); cerr != nil {
				yield(nil, cerr)
				return
			}
		}
		line := r.csv.start
		if err != nil {
			var re *recordError
			if !errors.As(err, &re) {
				yield(nil, errs.BadInput(fmt.Errorf("read %s: %w", r.opts.Name, err)))
				return
			}
			r.stats.Rows++
			field := ""
			if re.col >= 0 && re.col < len(r.header) {
				field = r.header[re.col]
			}
			if !r.bad(yield, line, field, re.reason, raw) {
				return
			}
			continue
		}
		r.stats.Rows++
		if len(fields) != len(r.header) {
			if !r.bad(yield, line, "", fmt.Sprintf("wrong number of fields: %d, the header has %d", len(fields), len(r.header)), raw) {
				return
			}
			continue
		}
		if c, reason := badTextColumn(raw, fields); c >= 0 {
			if !r.bad(yield, line, r.header[c], reason, raw) {
				return
			}
			continue
		}
		*o = Observation{CVEs: o.CVEs[:0], Line: line, Raw: raw, Fields: fields}
		if probs := r.mapper.fill(o, fields); len(probs) > 0 {
			field, reason := r.mapper.describe(probs)
			if !r.bad(yield, line, field, reason, raw) {
				return
			}
			continue
		}
		if o.Time.IsZero() && r.opts.Now != nil {
			o.Time = r.opts.Now()
		}
		r.stats.Observations++
		if !yield(o, nil) {
			return
		}
	}
}

// finish yields the error of closing the gzip stream, if any.
func (r *Reader) finish(yield func(*Observation, error) bool) {
	if r.gz != nil {
		if err := r.gz.Close(); err != nil {
			yield(nil, errs.BadInput(fmt.Errorf("read %s: gzip: %w", r.opts.Name, err)))
		}
	}
}

// bad yields a row error. Its Raw keeps the row's bytes (cut to
// MaxRawBytes), whatever they are: the store escapes what is not text.
func (r *Reader) bad(yield func(*Observation, error) bool, line int, field, reason, raw string) bool {
	r.stats.Bad++
	return yield(nil, &errs.RowError{File: r.opts.Name, Line: line, Field: field, Reason: reason,
		Raw: text.Truncate(raw, r.opts.MaxRawBytes)})
}

func hasColumns(header []string, cols ...string) bool {
	for _, c := range cols {
		if c == "" {
			continue
		}
		found := false
		for _, h := range header {
			if normColumn(h) == c {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// checkContent refuses, before anything is read, a file that cannot be a
// feed, with a short reason naming it: an empty file, a file named .gz
// that is not gzip-compressed, and binary content (see binary; the first 4
// KiB). inGzip says br is the
// decompressed content.
func checkContent(br *bufio.Reader, name string, gzipped, inGzip bool) error {
	head, _ := br.Peek(4096)
	what := "file"
	if inGzip {
		what = "gzip content"
	}
	switch {
	case len(head) == 0:
		return errs.BadInput(fmt.Errorf("feed %s: refused: empty %s, nothing to ingest", name, what))
	case !inGzip && !gzipped && strings.HasSuffix(strings.ToLower(name), ".gz"):
		return errs.BadInput(fmt.Errorf("feed %s: refused: named .gz but not gzip-compressed", name))
	case gzipped:
		return nil
	case binary(head):
		return errs.BadInput(fmt.Errorf("feed %s: refused: binary %s, not a text feed (CSV, blocklist or credential list)", name, what))
	}
	return nil
}

// binary reports whether head looks like binary content: more than one
// byte in ten a NUL or another control character than white space. (A
// stray NUL in a row is the row's problem, quarantined with it; text in
// another encoding than UTF-8, such as Latin-1, is still text.)
func binary(head []byte) bool {
	ctl := 0
	for _, c := range head {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f {
			ctl++
		}
	}
	return ctl*10 > len(head)
}
