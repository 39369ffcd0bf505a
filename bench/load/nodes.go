// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/*/stat's CPU times (100 on
// every Linux architecture Go supports).
const clockTicks = 100

// node is one running `vigil serve`.
type node struct {
	cmd  *exec.Cmd
	url  string
	log  string
	done chan error
}

// startNode runs vigil serve on a free loopback port, its log in the
// working directory, and waits (at most two minutes) until it serves.
func startNode(ctx context.Context, o options, fx *fixture, i int) (*node, error) {
	logPath := filepath.Join(o.dir, fmt.Sprintf("node-%d.log", i))
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("node log: %w", err)
	}
	defer lf.Close()
	cmd := exec.Command(o.vigil, "serve", "--db", fx.dsn, "--addr", "127.0.0.1:0", "--log-format", "json", "--drain", "0s")
	cmd.Env = append(os.Environ(), fx.env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start vigil serve: %w", err)
	}
	n := &node{cmd: cmd, log: logPath, done: make(chan error, 1)}
	go func() { n.done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if u := servingURL(logPath); u != "" && ready(ctx, u) {
			n.url = u
			return n, nil
		}
		select {
		case err := <-n.done:
			n.done <- err
			return nil, fmt.Errorf("vigil serve ended before serving (%v); see %s", err, logPath)
		case <-ctx.Done():
			n.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	n.stop()
	return nil, fmt.Errorf("vigil serve did not serve within 2 minutes; see %s", logPath)
}

// servingURL finds the "serving" line of a JSON log and returns its URL.
func servingURL(logPath string) string {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct{ Msg, URL string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "serving" && rec.URL != "" {
			return strings.TrimRight(rec.URL, "/")
		}
	}
	return ""
}

// ready reports whether the node at u answers /readyz with 200 (it
// serves before it has migrated).
func ready(ctx context.Context, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/readyz", nil)
	if err != nil {
		return false
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop ends the node with SIGTERM and, after 30 seconds, SIGKILL.
func (n *node) stop() {
	if n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-n.done:
		n.done <- err
	case <-time.After(30 * time.Second):
		_ = n.cmd.Process.Kill()
		n.done <- <-n.done
	}
}

// cpuTicks returns the user and system CPU time of a process so far, in
// clock ticks.
func cpuTicks(pid string) (int64, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, fmt.Errorf("cpu of %s: %w", pid, err)
	}
	// The command name (field 2) may hold spaces: count fields after ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("cpu: malformed /proc stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("cpu: short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)  // utime, field 14
	st, err2 := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	if err1 != nil || err2 != nil {
		return 0, errors.New("cpu: malformed times in /proc stat")
	}
	return u + st, nil
}

// pgTicks returns the CPU ticks so far of every PostgreSQL server process
// serving database db on this host, by process id (none when the server
// runs elsewhere or /proc does not show it).
func pgTicks(db string) map[string]int64 {
	m := map[string]int64{}
	if db == "" {
		return m
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return m
	}
	for _, e := range ents {
		pid := e.Name()
		if pid[0] < '0' || pid[0] > '9' {
			continue
		}
		cl, err := os.ReadFile("/proc/" + pid + "/cmdline")
		if err != nil {
			continue
		}
		// A backend's title: "postgres: [CLUSTER:] USER DB HOST(PORT) STATE".
		f := strings.Fields(strings.ReplaceAll(string(cl), "\x00", " "))
		if len(f) < 4 || f[0] != "postgres:" {
			continue
		}
		if strings.HasSuffix(f[1], ":") {
			f = f[1:]
		}
		if len(f) < 4 || f[2] != db || !(strings.Contains(f[3], "(") || f[3] == "[local]") {
			continue
		}
		if t, err := cpuTicks(pid); err == nil {
			m[pid] = t
		}
	}
	return m
}

// machineTicks returns the busy and total CPU ticks of the whole machine
// so far (/proc/stat; busy is everything but idle and iowait).
func machineTicks() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i >= 8 { // guest times are already in user and nice
			break
		}
		total += n
		if i != 3 && i != 4 {
			busy += n
		}
	}
	return busy, total
}

// loadAverage returns the one-minute load average.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
