// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/errs"
)

// parser is the common shape of the advisory loaders.
type parser func(ctx context.Context, r io.Reader, name string, yield func(advisory.Advisory) error) (advisory.Stats, []errs.RowError, error)

// load runs p on a testdata file and returns what it yielded.
func load(t testing.TB, p parser, path string) ([]advisory.Advisory, advisory.Stats, []errs.RowError) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return loadBytes(t, p, path, data)
}

func loadBytes(t testing.TB, p parser, name string, data []byte) ([]advisory.Advisory, advisory.Stats, []errs.RowError) {
	t.Helper()
	var out []advisory.Advisory
	st, rows, err := p(context.Background(), bytes.NewReader(data), name, func(a advisory.Advisory) error {
		out = append(out, a)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out, st, rows
}

// loadOne loads a file that must hold exactly one good record.
func loadOne(t testing.TB, p parser, path string) advisory.Advisory {
	t.Helper()
	as, st, rows := load(t, p, path)
	if len(as) != 1 || len(rows) != 0 {
		t.Fatalf("%s: %d advisories, rows %v; want 1 and none", path, len(as), rows)
	}
	if st.Records != 1 || st.Yielded != 1 {
		t.Fatalf("%s: stats %+v", path, st)
	}
	return as[0]
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02", s)
		if err != nil {
			panic(err)
		}
	}
	return t.UTC()
}

func product(t *testing.T, a advisory.Advisory, id string) advisory.Product {
	t.Helper()
	p, ok := a.Product(id)
	if !ok {
		t.Fatalf("%s: no product %q", a.ID, id)
	}
	return *p
}

func vuln(t *testing.T, a advisory.Advisory, key string) advisory.Vuln {
	t.Helper()
	v, ok := a.Vuln(key)
	if !ok {
		t.Fatalf("%s: no vulnerability %q", a.ID, key)
	}
	return *v
}

// bases returns "version:base" of each score.
func bases(v advisory.Vuln) []string {
	var out []string
	for _, s := range v.CVSS {
		out = append(out, s.Version+":"+ftoa(s.Base))
	}
	return out
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
