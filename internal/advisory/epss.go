// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"vigil/internal/errs"
)

// EPSSIndex maps a CVE id to its EPSS score.
type EPSSIndex map[string]EPSS

// ParseEPSS streams a FIRST EPSS score file (CSV, or CSV.gz: gzip is
// recognised by content): an optional first comment line
// "#model_version:v2025.03.14,score_date:2025-03-14T00:00:00+0000", then the
// header "cve,epss,percentile" (column order is taken from the header;
// percentile may be absent), then one row per CVE. yield gets each CVE with
// its score, dated by score_date. A row with a bad CVE id or a score outside
// [0, 1] is a row error. Stats.Version and Released are the model version
// and score date.
func ParseEPSS(ctx context.Context, r io.Reader, name string, yield func(cve string, e EPSS) error) (Stats, []errs.RowError, error) {
	var st Stats
	var rows []errs.RowError
	in, err := newInput(r)
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	lineOffset := 0
	if b, _ := in.br.Peek(1); len(b) == 1 && b[0] == '#' {
		comment, err := in.br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return st, nil, fmt.Errorf("parse %s: %w", name, err)
		}
		lineOffset = 1
		for _, kv := range strings.Split(strings.TrimSpace(strings.TrimPrefix(comment, "#")), ",") {
			k, v, _ := strings.Cut(kv, ":")
			switch strings.TrimSpace(k) {
			case "model_version":
				st.Version = strings.TrimSpace(v)
			case "score_date":
				t, err := parseTime(strings.TrimSpace(v))
				if err != nil {
					st.Warnings = append(st.Warnings, rowErr(name, 1, "score_date", err.Error(), []byte(comment)))
				}
				st.Released = t
			}
		}
	}
	cr := csv.NewReader(in.br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return st, rows, fmt.Errorf("parse %s: %w: empty input, no header", name, ErrMalformed)
		}
		return st, rows, fmt.Errorf("parse %s: %w: header: %v", name, ErrMalformed, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	ci, ok1 := col["cve"]
	ei, ok2 := col["epss"]
	pi, hasPct := col["percentile"]
	if !ok1 || !ok2 {
		return st, rows, fmt.Errorf("parse %s: %w: header %q lacks cve and epss columns", name, ErrMalformed, strings.Join(header, ","))
	}
	date := st.Released
	if !date.IsZero() {
		date = time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	}
	for {
		if err := ctx.Err(); err != nil {
			return st, rows, err
		}
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				st.Records++
				st.Rejected++
				rows = append(rows, rowErr(name, pe.Line+lineOffset, "", pe.Err.Error(), nil))
				continue
			}
			return st, rows, fmt.Errorf("parse %s: %w", name, err)
		}
		st.Records++
		line, _ := cr.FieldPos(0)
		line += lineOffset
		raw := []byte(strings.Join(rec, ","))
		reject := func(field, reason string) {
			st.Rejected++
			rows = append(rows, rowErr(name, line, field, reason, raw))
		}
		if len(rec) <= max(ci, ei) || hasPct && len(rec) <= pi {
			reject("", fmt.Sprintf("%d fields; want %d", len(rec), len(header)))
			continue
		}
		cve := strings.TrimSpace(rec[ci])
		if !IsCVE(cve) {
			reject("cve", fmt.Sprintf("%q is not a CVE id", rec[ci]))
			continue
		}
		e := EPSS{Date: date, Model: st.Version}
		if e.Score, err = unitFloat(rec[ei]); err != nil {
			reject("epss", err.Error())
			continue
		}
		if hasPct {
			if e.Percentile, err = unitFloat(rec[pi]); err != nil {
				reject("percentile", err.Error())
				continue
			}
		}
		if err := yield(cve, e); err != nil {
			return st, rows, fmt.Errorf("parse %s: %w", name, err)
		}
		st.Yielded++
	}
	return st, rows, nil
}

// unitFloat parses a probability in [0, 1].
func unitFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if f < 0 || f > 1 || f != f {
		return 0, fmt.Errorf("%v is outside [0, 1]", f)
	}
	return f, nil
}

// ParseEPSSIndex reads an EPSS score file into an EPSSIndex.
func ParseEPSSIndex(ctx context.Context, r io.Reader, name string) (EPSSIndex, Stats, []errs.RowError, error) {
	idx := EPSSIndex{}
	st, rows, err := ParseEPSS(ctx, r, name, func(cve string, e EPSS) error {
		idx[cve] = e
		return nil
	})
	return idx, st, rows, err
}
