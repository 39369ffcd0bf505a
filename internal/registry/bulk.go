// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"vigil/internal/errs"
	"vigil/internal/text"
)

// maxRaw bounds the raw row kept with a refused row (RowError.Raw).
const maxRaw = 512

// CSVColumns are the columns of the registry's CSV form, in export order.
// Multi-valued cells separate values with ";" or whitespace. Only "name" is
// required in an import; the others may be left out or in any order.
var CSVColumns = []string{"name", "sector", "country", "languages", "domains", "cidrs", "asns", "emails", "phones"}

// ParseCSV reads organisations in the registry's CSV form. It returns every
// valid organisation and one RowError (with the file's line number) per
// refused row; a refused row does not stop the others. A bad header is
// returned as the error.
func ParseCSV(r io.Reader, file string) ([]Org, []errs.RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading header: %w", file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !containsString(CSVColumns, h) {
			return nil, nil, fmt.Errorf("%s:1: unknown column %q (known: %s)", file, h, strings.Join(CSVColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, nil, fmt.Errorf("%s:1: column %q appears twice", file, h)
		}
		col[h] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, nil, fmt.Errorf("%s:1: no \"name\" column", file)
	}
	var orgs []Org
	var bad []errs.RowError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, errs.RowError{File: file, Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return orgs, bad, fmt.Errorf("%s: %w", file, err)
		}
		if len(rec) != len(header) {
			bad = append(bad, errs.RowError{File: file, Line: line, Reason: fmt.Sprintf("%d fields; the header has %d", len(rec), len(header)), Raw: rawRow(rec)})
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		}
		o, err := orgFromCells(get)
		if err != nil {
			bad = append(bad, rowError(file, line, err, rawRow(rec)))
			continue
		}
		o.Line = line
		orgs = append(orgs, o)
	}
	return orgs, bad, nil
}

func orgFromCells(get func(string) string) (Org, error) {
	for _, c := range CSVColumns {
		if !utf8.ValidString(get(c)) {
			return Org{}, errs.FieldKeyed(c, "", "csv.utf8", "not valid UTF-8")
		}
	}
	o := Org{Name: get("name"), Sector: strings.TrimSpace(get("sector")), Country: get("country"), Languages: splitMulti(get("languages"))}
	for _, d := range splitMulti(get("domains")) {
		o.Assets = append(o.Assets, Asset{Kind: KindDomain, Value: d})
	}
	for _, c := range splitMulti(get("cidrs")) {
		o.Assets = append(o.Assets, Asset{Kind: KindCIDR, Value: c})
	}
	for _, n := range splitMulti(get("asns")) {
		o.Assets = append(o.Assets, Asset{Kind: KindASN, Value: n})
	}
	for _, e := range splitMulti(get("emails")) {
		o.Contacts = append(o.Contacts, Contact{Email: e, Role: "security"})
	}
	for _, p := range strings.Split(get("phones"), ";") {
		if p = strings.TrimSpace(p); p != "" {
			o.Contacts = append(o.Contacts, Contact{Phone: p, Role: "security"})
		}
	}
	return o, o.NormalizeAll()
}

// NormalizeAll validates and canonicalises o and all its children, naming the
// failing child in the error ("assets[2]: cidr: …").
func (o *Org) NormalizeAll() error {
	if err := o.Normalize(); err != nil {
		return err
	}
	for i := range o.Contacts {
		if err := o.Contacts[i].Normalize(); err != nil {
			return fmt.Errorf("contacts[%d]: %w", i, err)
		}
	}
	for i, a := range o.Assets {
		n, err := ParseAsset(a.Kind, a.Value)
		if err != nil {
			return fmt.Errorf("assets[%d]: %w", i, err)
		}
		o.Assets[i].Kind, o.Assets[i].Value = n.Kind, n.Value
	}
	for i := range o.Devices {
		if err := o.Devices[i].Normalize(); err != nil {
			return fmt.Errorf("devices[%d]: %w", i, err)
		}
	}
	return nil
}

// ParseJSON reads a JSON array of organisations (the export form, with nested
// contacts, assets and devices), streaming: one organisation in memory at a
// time besides the result. Line numbers in RowErrors are the line where the
// refused object starts.
func ParseJSON(r io.Reader, file string) ([]Org, []errs.RowError, error) {
	lr := &lineReader{r: r}
	dec := json.NewDecoder(lr)
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, nil, fmt.Errorf("%s: expected a JSON array of organisations", file)
	}
	var orgs []Org
	var bad []errs.RowError
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return orgs, bad, fmt.Errorf("%s:%d: %w", file, lr.lineAt(dec.InputOffset()), err)
		}
		line := lr.lineAt(dec.InputOffset() - int64(len(raw)))
		var o Org
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.DisallowUnknownFields()
		if err := d.Decode(&o); err != nil {
			bad = append(bad, errs.RowError{File: file, Line: line, Field: "[" + strconv.Itoa(i) + "]", Reason: err.Error(), Raw: text.Truncate(string(raw), maxRaw)})
			continue
		}
		o.ID = 0
		if err := o.NormalizeAll(); err != nil {
			bad = append(bad, rowError(file, line, err, text.Truncate(string(raw), maxRaw)))
			continue
		}
		o.Line = line
		orgs = append(orgs, o)
	}
	return orgs, bad, nil
}

// WriteCSV writes orgs in the registry's CSV form.
func WriteCSV(w io.Writer, orgs []Org) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	for _, o := range orgs {
		var doms, cidrs, asns, emails, phones []string
		for _, a := range o.Assets {
			switch a.Kind {
			case KindDomain:
				doms = append(doms, a.Value)
			case KindCIDR:
				cidrs = append(cidrs, a.Value)
			case KindASN:
				asns = append(asns, a.Value)
			}
		}
		for _, c := range o.Contacts {
			if c.Email != "" {
				emails = append(emails, c.Email)
			}
			if c.Phone != "" {
				phones = append(phones, c.Phone)
			}
		}
		rec := []string{o.Name, o.Sector, o.Country, strings.Join(o.Languages, ";"),
			strings.Join(doms, ";"), strings.Join(cidrs, ";"), strings.Join(asns, ";"),
			strings.Join(emails, ";"), strings.Join(phones, ";")}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func rowError(file string, line int, err error, raw string) errs.RowError {
	re := errs.RowError{File: file, Line: line, Reason: err.Error(), Raw: raw}
	var e *errs.Error
	if errors.As(err, &e) {
		re.Field = e.Field
		re.Reason = strings.TrimPrefix(err.Error(), e.Field+": ")
		if i := strings.Index(err.Error(), e.Field+":"); i > 0 {
			re.Field = strings.TrimSuffix(err.Error()[:i], ": ") + "." + e.Field
			re.Reason = e.Message
		}
	}
	return re
}

func splitMulti(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func rawRow(rec []string) string { return text.Truncate(strings.Join(rec, ","), maxRaw) }

// lineReader counts newlines so that byte offsets map to line numbers.
type lineReader struct {
	r     io.Reader
	nl    []int64 // offsets of '\n'
	total int64
}

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.nl = append(l.nl, l.total+int64(i))
		}
	}
	l.total += int64(n)
	return n, err
}

// lineAt returns the 1-based line of byte offset off.
func (l *lineReader) lineAt(off int64) int {
	lo, hi := 0, len(l.nl)
	for lo < hi {
		m := (lo + hi) / 2
		if l.nl[m] < off {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo + 1
}
