// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/contact/securitytxt"
	"vigil/internal/netguard"
)

// The test suite of the DTC sectxt validator as a table
// (testdata/sectxt-suite/cases.json; its "source" names the repository,
// commit and licence).
type sectxtSuite struct {
	Source struct {
		Commit string   `json:"commit"`
		Tests  []string `json:"tests"`
	} `json:"source"`
	Cases []suiteCase `json:"cases"`
}

// suiteFile is a security.txt body: Content, or the Base file of the
// suite's directory with the suite's string replacements, then Prefix and
// Suffix added.
type suiteFile struct {
	Content string      `json:"content"`
	Base    string      `json:"base"`
	Replace [][2]string `json:"replace"`
	Prefix  string      `json:"prefix"`
	Suffix  string      `json:"suffix"`
}

// suiteRoute is the suite's mocked answer for one URL: a dropped
// connection (its ConnectTimeout) or a 200 response with the body and,
// when set, the Content-Type.
type suiteRoute struct {
	Fail        bool       `json:"fail"`
	ContentType string     `json:"content_type"`
	File        *suiteFile `json:"file"`
}

type suiteCase struct {
	Name    string `json:"name"`
	Test    string `json:"test"`
	Asserts string `json:"asserts"`
	// File is validated as it is (Validate) or, with LocalFile, read from
	// a file (ValidateReader, sectxt's is_local).
	File      *suiteFile `json:"file"`
	LocalFile bool       `json:"local_file"`
	// HTTP maps "scheme /path" to the mocked answer; the case then runs
	// Check against a loopback server that serves both schemes.
	HTTP                map[string]suiteRoute `json:"http"`
	IgnoreUnknownFields bool                  `json:"ignore_unknown_fields"`
	// Sectxt is the set of codes sectxt reports. Differs, when set, is the
	// set of sectxt codes vigil reports instead, for a case sectxt gets
	// wrong, and Note says why. No case of the suite needs it.
	Sectxt  []string `json:"sectxt"`
	Differs []string `json:"differs"`
	// VigilExtra is the set of vigil's own codes the case gives; Note
	// explains them where they are not obvious.
	VigilExtra []string `json:"vigil_extra"`
	Note       string   `json:"note"`
	// Line gives the line a code must be reported on, where the suite
	// asserts one.
	Line map[string]int `json:"line"`
}

func loadSectxtSuite(t testing.TB) sectxtSuite {
	t.Helper()
	var s sectxtSuite
	if err := json.Unmarshal(readTestdata(t, "sectxt-suite/cases.json"), &s); err != nil {
		t.Fatalf("testdata/sectxt-suite/cases.json: %v", err)
	}
	return s
}

// body builds the file; the suite's dates are relative to the day it runs,
// ours to the test clock. host, when set, replaces the suite's mocked
// example.com in URLs.
func (f suiteFile) body(t testing.TB, host string) []byte {
	t.Helper()
	s := f.Content
	if f.Base != "" {
		s = string(readTestdata(t, filepath.Join("sectxt-suite", f.Base)))
	}
	for _, r := range f.Replace {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	s = f.Prefix + s + f.Suffix
	now := testNow()
	s = strings.NewReplacer(
		"{{today+10d}}", now.AddDate(0, 0, 10).Format("2006-01-02"),
		"{{year+3}}", fmt.Sprint(now.Year()+3),
	).Replace(s)
	if host != "" {
		s = strings.ReplaceAll(s, "://example.com/", "://"+host+"/")
	}
	return []byte(s)
}

// TestSectxtSuite runs every case of sectxt's own test suite and requires
// the same set of sectxt codes, and exactly the listed vigil codes.
func TestSectxtSuite(t *testing.T) {
	t.Parallel()
	suite := loadSectxtSuite(t)
	covered := map[string]bool{}
	for _, tc := range suite.Cases {
		covered[tc.Test] = true
	}
	for _, name := range suite.Source.Tests {
		if !covered[name] {
			t.Errorf("sectxt test %s (commit %s) has no case", name, suite.Source.Commit)
		}
	}
	for _, tc := range suite.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			opts := securitytxt.Options{Now: testNow, IgnoreUnknownFields: tc.IgnoreUnknownFields}
			var r securitytxt.Report
			switch {
			case tc.HTTP != nil:
				r = checkSuiteCase(t, tc, opts)
			case tc.LocalFile:
				path := filepath.Join(t.TempDir(), "security.txt")
				if err := os.WriteFile(path, tc.File.body(t, ""), 0o600); err != nil {
					t.Fatal(err)
				}
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if r, err = securitytxt.ValidateReader(f, opts); err != nil {
					t.Fatal(err)
				}
			default:
				r = securitytxt.Validate(tc.File.body(t, ""), opts)
			}
			t.Logf("%s: %v", tc.Test, issues(r))
			want := tc.Sectxt
			if tc.Differs != nil {
				if tc.Note == "" {
					t.Fatal("a case where vigil differs from sectxt needs a note saying why")
				}
				want = tc.Differs
			}
			var gotSectxt, gotVigil []string
			for _, c := range r.Codes() {
				if c.FromSectxt() {
					gotSectxt = append(gotSectxt, string(c))
				} else {
					gotVigil = append(gotVigil, string(c))
				}
			}
			if diff := cmp.Diff(codeSet(want), codeSet(gotSectxt)); diff != "" {
				t.Errorf("sectxt codes (-sectxt +vigil) for %s (%s):\n%s\nreport: %v", tc.Test, tc.Asserts, diff, issues(r))
			}
			if diff := cmp.Diff(codeSet(tc.VigilExtra), codeSet(gotVigil)); diff != "" {
				t.Errorf("vigil's own codes (-want +got):\n%s\nreport: %v", diff, issues(r))
			}
			for code, line := range tc.Line {
				if !slices.Contains(issues(r), fmt.Sprintf("%s@%d", code, line)) {
					t.Errorf("%s not on line %d: %v", code, line, issues(r))
				}
			}
			if wantValid := !slices.ContainsFunc(append(want, tc.VigilExtra...), isError); r.Valid != wantValid {
				t.Errorf("Valid = %v; want %v", r.Valid, wantValid)
			}
		})
	}
}

func isError(code string) bool { return securitytxt.Code(code).Level() == securitytxt.LevelError }

// codeSet sorts codes and drops repeats; it never returns nil.
func codeSet(codes []string) []string {
	out := append([]string{}, codes...)
	slices.Sort(out)
	return slices.Compact(out)
}

// checkSuiteCase serves the case's mocked URLs from one loopback
// host:port and checks that host.
func checkSuiteCase(t *testing.T, tc suiteCase, opts securitytxt.Options) securitytxt.Report {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := ln.Addr().String()
	bodies := map[string][]byte{}
	for k, rt := range tc.HTTP {
		if rt.File != nil {
			bodies[k] = rt.File.body(t, host)
		}
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		key := scheme + " " + r.URL.Path
		rt, ok := tc.HTTP[key]
		switch {
		case !ok:
			http.NotFound(w, r)
		case rt.Fail:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		default:
			w.Header()["Content-Type"] = nil // no sniffing: the mock sends none
			if rt.ContentType != "" {
				w.Header().Set("Content-Type", rt.ContentType)
			}
			w.Write(bodies[key])
		}
	})
	tlsLn, plainLn := splitBySchemes(ln)
	secure := httptest.NewUnstartedServer(handler)
	secure.Listener = tlsLn
	secure.StartTLS()
	plain := httptest.NewUnstartedServer(handler)
	plain.Listener = plainLn
	plain.Start()
	t.Cleanup(func() {
		secure.Close()
		plain.Close()
		ln.Close()
	})
	client := netguard.New(netguard.Options{AllowPrivate: true, Transport: secure.Client().Transport.(*http.Transport)})
	r, err := securitytxt.Check(context.Background(), client, host, opts)
	if err != nil {
		t.Fatalf("Check(%s): %v", host, err)
	}
	return r
}

// splitBySchemes hands each connection accepted on ln to one of two
// listeners by its first byte (22 starts a TLS handshake), so that one
// host:port serves https:// and http:// URLs, as the suite's mocks do.
func splitBySchemes(ln net.Listener) (tlsLn, plainLn net.Listener) {
	tq := &connQueue{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}
	pq := &connQueue{addr: ln.Addr(), conns: make(chan net.Conn), done: make(chan struct{})}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				br := bufio.NewReader(c)
				first, err := br.Peek(1)
				if err != nil {
					c.Close()
					return
				}
				q := pq
				if first[0] == 22 {
					q = tq
				}
				select {
				case q.conns <- peekedConn{Conn: c, r: br}:
				case <-q.done:
					c.Close()
				}
			}()
		}
	}()
	return tq, pq
}

type connQueue struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.conns:
		return c, nil
	case <-q.done:
		return nil, net.ErrClosed
	}
}

func (q *connQueue) Close() error {
	q.once.Do(func() { close(q.done) })
	return nil
}

func (q *connQueue) Addr() net.Addr { return q.addr }

// peekedConn reads through the buffer that peeked at its first byte.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }
