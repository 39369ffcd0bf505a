// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// vigilBinary builds the vigil command once for the tests that run it as
// a process.
var vigilBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "vigil-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "vigil")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &exec.ExitError{Stderr: out}
	}
	return bin, nil
})

// serveProcess is a running `vigil serve` with its JSON log lines.
type serveProcess struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs []string
	url  chan string
	done chan error
}

// startServe runs vigil serve on a free loopback port with --log-format
// json and env added to its environment.
func startServe(t *testing.T, db string, env []string, args ...string) *serveProcess {
	t.Helper()
	bin, err := vigilBinary()
	if err != nil {
		t.Fatalf("build vigil: %v", err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), append([]string{"VIGIL_KEYS=" + t.TempDir()}, env...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, url: make(chan string, 1), done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs = append(p.logs, line)
			p.mu.Unlock()
			var rec struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "serving" {
				p.url <- rec.URL
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// base waits for the listening address (bounded).
func (p *serveProcess) base(t *testing.T) string {
	t.Helper()
	select {
	case u := <-p.url:
		return u
	case err := <-p.done:
		t.Fatalf("vigil serve ended before listening: %v\n%s", err, p.text())
	case <-time.After(60 * time.Second):
		t.Fatalf("vigil serve did not listen\n%s", p.text())
	}
	return ""
}

func (p *serveProcess) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs, "\n")
}

// get returns the status and body of GET url (0 when it cannot connect).
func get(url string, header map[string]string) (int, string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls url until want(status, body) holds, at most n times.
func waitFor(url string, n int, want func(int, string) bool) (int, string, bool) {
	var code int
	var body string
	for range n {
		if code, body = get(url, nil); want(code, body) {
			return code, body, true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return code, body, false
}

// TestServeReadyz runs vigil serve as a process: while its database is
// migrating (the test holds the SQLite file locked) /healthz answers ok
// and /readyz 503 "migrating"; once migrated /readyz answers ok; after
// SIGTERM it answers 503 "draining" while requests are still served, then
// the process exits 0. Every log line is one JSON object with time, level
// and msg, request lines carry the request id, and no secret (the SMTP
// password, a bearer token, a token in a query) is logged.
func TestServeReadyz(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vigil.db")
	// A lock on the database file holds the migration back.
	lock, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	conn, err := lock.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE; CREATE TABLE held (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	const (
		smtpPassword = "smtp-pw-7d1e2f"
		bearer       = "vgl_bearer-secret-55aa"
		inQuery      = "query-secret-9b3c"
	)
	p := startServe(t, "sqlite:"+path, []string{"VIGIL_SMTP_URL=smtp://relay:" + smtpPassword + "@127.0.0.1:2525"}, "--drain", "3s")
	base := p.base(t)

	if code, body := get(base+"/healthz", nil); code != http.StatusOK {
		t.Errorf("/healthz while migrating = %d %q; want 200", code, body)
	}
	if code, body := get(base+"/readyz", nil); code != http.StatusServiceUnavailable || !strings.Contains(body, "migrating") {
		t.Errorf("/readyz while migrating = %d %q; want 503 migrating", code, body)
	}
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	lock.Close()
	if code, body, ok := waitFor(base+"/readyz", 600, func(c int, _ string) bool { return c == http.StatusOK }); !ok {
		t.Fatalf("/readyz after the migration = %d %q; want 200\n%s", code, body, p.text())
	}
	if code, _ := get(base+"/api/v1/outbox?token="+inQuery, map[string]string{"Authorization": "Bearer " + bearer, "X-Request-Id": "req-test-1"}); code != http.StatusUnauthorized {
		t.Errorf("request with a bad token = %d; want 401", code)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, body, ok := waitFor(base+"/readyz", 200, func(c int, b string) bool {
		return c == http.StatusServiceUnavailable && strings.Contains(b, "draining")
	})
	if !ok {
		t.Errorf("/readyz after SIGTERM = %d %q; want 503 draining", code, body)
	}
	if code, _ := get(base+"/healthz", nil); ok && code != http.StatusOK {
		t.Errorf("/healthz while draining = %d; want 200 (still serving)", code)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("vigil serve after SIGTERM: %v\n%s", err, p.text())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("vigil serve did not stop after SIGTERM\n%s", p.text())
	}

	var sawRequest, sawDraining bool
	for _, line := range strings.Split(p.text(), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line without %s: %s", k, line)
			}
		}
		if rec["msg"] == "request" && rec["request_id"] == "req-test-1" {
			sawRequest = rec["path"] == "/api/v1/outbox" && rec["status"] == float64(401)
		}
		sawDraining = sawDraining || rec["msg"] == "draining"
		for _, secret := range []string{smtpPassword, bearer, inQuery} {
			if strings.Contains(line, secret) {
				t.Errorf("a secret is logged: %s", line)
			}
		}
	}
	if !sawRequest || !sawDraining {
		t.Errorf("logs lack the request line with its id and path (%v) or the draining line (%v):\n%s", sawRequest, sawDraining, p.text())
	}
}
