// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// kind is one kind of request of the mix.
type kind struct {
	name   string
	weight int
}

// kinds returns the request kinds in the order of the report.
func kinds() []string {
	return []string{"health", "api_findings", "api_org", "api_notices", "token_valid", "token_invalid", "portal_org", "portal_findings", "upload"}
}

// parseMix reads "kind=weight,…".
func parseMix(s string) ([]kind, error) {
	var mix []kind
	for _, f := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(f), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 || n > 100 || !slices.Contains(kinds(), name) {
			return nil, fmt.Errorf("-mix: %q is not kind=weight (0–100) with a kind of %s", f, strings.Join(kinds(), ", "))
		}
		if n > 0 {
			mix = append(mix, kind{name, n})
		}
	}
	if len(mix) == 0 {
		return nil, fmt.Errorf("-mix: no kind with a weight")
	}
	return mix, nil
}

// cycle spreads the kinds over one cycle by their weights (smooth weighted
// round robin), so that a client's requests interleave.
func cycle(mix []kind) []string {
	total := 0
	for _, k := range mix {
		total += k.weight
	}
	cur := make([]int, len(mix))
	out := make([]string, 0, total)
	for range total {
		best := 0
		for i, k := range mix {
			cur[i] += k.weight
			if cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= total
		out = append(out, mix[best].name)
	}
	return out
}

// kindResult is the figures of one kind of request.
type kindResult struct {
	Kind      string  `json:"kind"`
	Count     int     `json:"count"`
	Errors    int     `json:"errors"`
	FirstErr  string  `json:"first_error,omitempty"`
	PerSecond float64 `json:"per_second"`
	P50ms     float64 `json:"p50_ms"`
	P99ms     float64 `json:"p99_ms"`
	P99Health float64 `json:"p99_over_health,omitempty"`
}

// result is the figures of one node count.
type result struct {
	Engine    string       `json:"engine"`
	Nodes     int          `json:"nodes"`
	Clients   int          `json:"clients"`
	Seconds   float64      `json:"seconds"`
	Requests  int          `json:"requests"`
	Errors    int          `json:"errors"`
	PerSecond float64      `json:"per_second"`
	Kinds     []kindResult `json:"kinds"`
	// CPU seconds (user + system) during the drive.
	NodeCPU     []float64 `json:"node_cpu_seconds"`
	PostgresCPU float64   `json:"postgres_cpu_seconds"`
	LoadCPU     float64   `json:"load_generator_cpu_seconds"`
	MachineBusy float64   `json:"machine_busy_cpu_seconds"`
	Cores       int       `json:"cores"`
	LoadBefore  string    `json:"load_average_before"`
	LoadAfter   string    `json:"load_average_after"`
}

// tally is what one client saw, per kind (no locks: merged at the end).
type tally struct {
	lat   map[string][]time.Duration
	errs  map[string]int
	first map[string]string
}

// drive starts n nodes, signs the accounts in, drives them and stops them.
func drive(ctx context.Context, o options, fx *fixture, n int) (result, error) {
	res := result{Engine: fx.engine, Nodes: n, Clients: o.clients, Cores: runtime.NumCPU()}
	var nodes []*node
	defer func() {
		for _, nd := range nodes {
			nd.stop()
		}
	}()
	for i := range n {
		nd, err := startNode(ctx, o, fx, i)
		if err != nil {
			return res, err
		}
		nodes = append(nodes, nd)
	}
	hc := &http.Client{
		Timeout:       60 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: o.clients, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer hc.CloseIdleConnections()
	for i := range fx.accounts {
		if err := signIn(ctx, hc, nodes[0].url, &fx.accounts[i]); err != nil {
			return res, err
		}
	}
	// Warm up: every kind but the upload once on every node, not counted.
	var warm tally
	for i, nd := range nodes {
		for _, k := range kinds() {
			if k != "upload" {
				request(ctx, hc, nd.url, fx, &fx.accounts[i%len(fx.accounts)], k, &warm)
			}
		}
	}
	if len(warm.errs) > 0 {
		return res, fmt.Errorf("warm-up failed: %v", warm.first)
	}

	pids := make([]string, n)
	before := make([]int64, n)
	for i, nd := range nodes {
		pids[i] = strconv.Itoa(nd.cmd.Process.Pid)
		t, err := cpuTicks(pids[i])
		if err != nil {
			return res, err
		}
		before[i] = t
	}
	pgBefore := pgTicks(fx.dbName)
	selfBefore, _ := cpuTicks("self")
	busyBefore, _ := machineTicks()
	res.LoadBefore = loadAverage()

	order := cycle(o.mix)
	var sent atomic.Int64
	tallies := make([]tally, o.clients)
	start := time.Now()
	deadline := start.Add(o.duration)
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			base := nodes[c%n].url
			acct := &fx.accounts[c%len(fx.accounts)]
			for j := c * 7; ctx.Err() == nil && time.Now().Before(deadline) && sent.Add(1) <= int64(o.requests); j++ {
				request(ctx, hc, base, fx, acct, order[j%len(order)], &tallies[c])
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start).Seconds()

	for i := range nodes {
		t, err := cpuTicks(pids[i])
		if err != nil {
			return res, err
		}
		res.NodeCPU = append(res.NodeCPU, float64(t-before[i])/clockTicks)
	}
	for pid, t := range pgTicks(fx.dbName) {
		res.PostgresCPU += float64(t-pgBefore[pid]) / clockTicks
	}
	selfAfter, _ := cpuTicks("self")
	res.LoadCPU = float64(selfAfter-selfBefore) / clockTicks
	busyAfter, _ := machineTicks()
	res.MachineBusy = float64(busyAfter-busyBefore) / clockTicks
	res.LoadAfter = loadAverage()
	res.Seconds = wall

	all := tally{lat: map[string][]time.Duration{}, errs: map[string]int{}, first: map[string]string{}}
	for _, t := range tallies {
		for k, l := range t.lat {
			all.lat[k] = append(all.lat[k], l...)
		}
		for k, e := range t.errs {
			all.errs[k] += e
			if all.first[k] == "" {
				all.first[k] = t.first[k]
			}
		}
	}
	var healthP99 float64
	for _, k := range kinds() {
		l := all.lat[k]
		if len(l) == 0 {
			continue
		}
		slices.Sort(l)
		kr := kindResult{Kind: k, Count: len(l), Errors: all.errs[k], FirstErr: all.first[k],
			PerSecond: float64(len(l)) / wall, P50ms: ms(quantile(l, 0.50)), P99ms: ms(quantile(l, 0.99))}
		if k == "health" {
			healthP99 = kr.P99ms
		}
		if healthP99 > 0 {
			kr.P99Health = kr.P99ms / healthP99
		}
		res.Kinds = append(res.Kinds, kr)
		res.Requests += kr.Count
		res.Errors += kr.Errors
	}
	res.PerSecond = float64(res.Requests) / wall
	return res, nil
}

// signIn signs the member in on the portal and keeps its session cookie.
func signIn(ctx context.Context, hc *http.Client, base string, m *member) error {
	form := url.Values{"email": {m.email}, "password": {m.password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("sign-in: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("sign-in: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == "vigil_session" && c.Value != "" {
			m.cookie = c.Name + "=" + c.Value
			return nil
		}
	}
	return fmt.Errorf("sign-in of %s: status %d, no session cookie", m.email, resp.StatusCode)
}

// request sends one request of kind k and records its latency, or an error
// when the status is not the one expected.
func request(ctx context.Context, hc *http.Client, base string, fx *fixture, m *member, k string, t *tally) {
	if t.lat == nil {
		t.lat, t.errs, t.first = map[string][]time.Duration{}, map[string]int{}, map[string]string{}
	}
	org := strconv.FormatInt(m.orgID, 10)
	method, path, want := http.MethodGet, "", http.StatusOK
	var body io.Reader
	header := http.Header{}
	switch k {
	case "health":
		path = "/healthz"
	case "api_findings":
		path = "/api/v1/orgs/" + org + "/findings?limit=50"
	case "api_org":
		path = "/api/v1/orgs/" + org
	case "api_notices":
		path = "/api/v1/orgs/" + org + "/notices"
	case "token_valid":
		path = "/api/v1/me"
	case "token_invalid":
		path, want = "/api/v1/me", http.StatusUnauthorized
	case "portal_org":
		path = "/orgs/" + org
	case "portal_findings":
		path = "/orgs/" + org + "/findings"
	case "upload":
		method, path, body = http.MethodPost, "/api/v1/ingest/runs?name="+reportName+"&partial=true&again=true", bytes.NewReader(fx.upload)
		header.Set("Content-Type", "text/csv")
		header.Set("Authorization", "Bearer "+fx.admin)
	}
	switch {
	case strings.HasPrefix(k, "api_") || k == "token_valid":
		header.Set("Authorization", "Bearer "+m.token)
	case k == "token_invalid":
		header.Set("Authorization", "Bearer "+fakeToken())
	case strings.HasPrefix(k, "portal_"):
		header.Set("Cookie", m.cookie)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		t.fail(k, err.Error())
		return
	}
	req.Header = header
	start := time.Now()
	resp, err := hc.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	t.lat[k] = append(t.lat[k], time.Since(start))
	switch {
	case err != nil:
		t.fail(k, err.Error())
	case resp.StatusCode != want:
		t.fail(k, fmt.Sprintf("%s %s: status %d, want %d", method, path, resp.StatusCode, want))
	}
}

func (t *tally) fail(k, msg string) {
	t.errs[k]++
	if t.first[k] == "" {
		t.first[k] = msg
	}
}

// fakeToken is a well-formed token that no one was given.
func fakeToken() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 32)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return "vigil_" + string(b)
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printResult prints the table of one node count and what bounded it.
func printResult(w io.Writer, r result) {
	fmt.Fprintf(w, "\n== %s, %d node(s), %d clients: %d requests in %.1fs, %.1f req/s, %d errors\n",
		r.Engine, r.Nodes, r.Clients, r.Requests, r.Seconds, r.PerSecond, r.Errors)
	fmt.Fprintf(w, "%-16s %8s %7s %9s %9s %9s %11s\n", "kind", "count", "errors", "req/s", "p50 ms", "p99 ms", "p99/health")
	for _, k := range r.Kinds {
		fmt.Fprintf(w, "%-16s %8d %7d %9.1f %9.2f %9.2f %11.1f\n", k.Kind, k.Count, k.Errors, k.PerSecond, k.P50ms, k.P99ms, k.P99Health)
		if k.FirstErr != "" {
			fmt.Fprintf(w, "  first error: %s\n", k.FirstErr)
		}
	}
	avail := r.Seconds * float64(r.Cores)
	var nodes float64
	parts := make([]string, len(r.NodeCPU))
	for i, c := range r.NodeCPU {
		nodes += c
		parts[i] = fmt.Sprintf("%.1f", c)
	}
	ours := nodes + r.PostgresCPU + r.LoadCPU
	fmt.Fprintf(w, "CPU seconds: nodes %s (sum %.1f), postgres %.1f, load generator %.1f; ours %.1f, machine busy %.1f of %.1f core-seconds (%d cores)\n",
		strings.Join(parts, " + "), nodes, r.PostgresCPU, r.LoadCPU, ours, r.MachineBusy, avail, r.Cores)
	if r.Requests > 0 {
		// CPU per request moves much less with the machine's load than
		// req/s: capacity ≈ cores / (vigil + postgres ms per request).
		fmt.Fprintf(w, "CPU per request: vigil %.2f ms, postgres %.2f ms\n", 1000*nodes/float64(r.Requests), 1000*r.PostgresCPU/float64(r.Requests))
	}
	fmt.Fprintf(w, "load average %s → %s; %s\n", r.LoadBefore, r.LoadAfter, bound(r, ours, avail))
}

// bound says what limited the throughput: the machine's cores (busy, and
// by whom) or something else (waits: locks, I/O, the clients' round trips).
func bound(r result, ours, avail float64) string {
	if avail <= 0 {
		return "no CPU figures"
	}
	busy := r.MachineBusy / avail
	if busy < 0.85 {
		return fmt.Sprintf("CPU-bound: no (machine %.0f %% busy): the clients wait on the servers (locks, I/O, round trips)", 100*busy)
	}
	return fmt.Sprintf("CPU-bound: yes, the machine was %.0f %% busy; this bench's processes had %.0f %% of its cores, other processes %.0f %%",
		100*busy, 100*ours/avail, 100*max(0, r.MachineBusy-ours)/avail)
}
