// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command load drives real `vigil serve` processes with concurrent clients
// (issue 12) and reports throughput, latency and the CPU each process used.
//
//	load -vigil bench/out/load/vigil -gen bench/out/load/gen -nodes 1
//	load -vigil … -gen … -db postgres://…/vigil_load -nodes 1,3
//
// It sets up a new database (SQLite in -dir, or a schema "load" of the
// PostgreSQL database -db, dropped first), seeds it with the feed
// benchmark's generator (bench/feed/gen: a registry of -orgs organisations
// with -ranges ranges and a Shadowserver report of -rows rows, ingested with
// `vigil ingest feed`, then `vigil notify run` for notices), makes an
// organisation token and a member account for each of -accounts
// organisations and an operator token, and signs every account in once.
// Then, for each node count of -nodes (more than one needs PostgreSQL), it
// starts that many `vigil serve` processes on loopback ports and lets
// -clients clients send requests until -duration has passed or -requests
// requests were sent, whichever comes first. Client i talks to node
// i mod nodes as account i mod accounts and cycles through the request
// kinds of -mix:
//
//	health         GET /healthz: no database, the baseline of the HTTP path
//	api_findings   GET /api/v1/orgs/{id}/findings (organisation token)
//	api_org        GET /api/v1/orgs/{id}
//	api_notices    GET /api/v1/orgs/{id}/notices
//	token_valid    GET /api/v1/me with the organisation's token: 200
//	token_invalid  GET /api/v1/me with a well-formed unknown token: 401
//	portal_org     GET /orgs/{id}, the member's overview (session cookie)
//	portal_findings GET /orgs/{id}/findings (session cookie)
//	upload         POST /api/v1/ingest/runs of a small Shadowserver report
//	               (-upload-rows rows, partial, again; operator token)
//
// Per kind it prints the count, errors (any other status than the one
// expected, or a failed request), requests per second, p50 and p99 in
// milliseconds and the p99 as a multiple of health's; then the CPU seconds
// of every server process, of the PostgreSQL server processes of the
// database (when they are on this host) and of the load generator itself,
// against the core-seconds the machine had. Everything talks to loopback
// only; every loop is bounded in count and time.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	vigil, gen, db, schema string
	dir, jsonOut           string
	nodes                  []int
	clients, accounts      int
	duration               time.Duration
	requests               int
	orgs, ranges, rows     int
	uploadRows             int
	mix                    []kind
}

// defaultMix is the share of each kind in a client's cycle: mostly reads,
// a token check in four, one upload in 40.
const defaultMix = "health=2,api_findings=6,api_org=4,api_notices=4,token_valid=5,token_invalid=5,portal_org=4,portal_findings=6,upload=1"

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&o.vigil, "vigil", "", "the vigil binary (required)")
	fs.StringVar(&o.gen, "gen", "", "the bench/feed/gen binary (required)")
	fs.StringVar(&o.db, "db", "", "postgres://… : a schema \"load\" of that database (replaced); empty: SQLite in -dir")
	fs.StringVar(&o.schema, "schema", "load", "the PostgreSQL schema (dropped and made again)")
	fs.StringVar(&o.dir, "dir", "bench/out/load", "working directory (data, SQLite database, keys, logs)")
	fs.StringVar(&o.jsonOut, "json", "", "write the figures as JSON to this file too")
	nodes := fs.String("nodes", "1", "comma-separated node counts to run one after the other (more than 1 needs -db)")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients")
	fs.IntVar(&o.accounts, "accounts", 8, "organisations with a token and a signed-in member (at most 10: sign-ins are rate-limited)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long each node count is driven (at most)")
	fs.IntVar(&o.requests, "requests", 200_000, "requests per node count (at most)")
	fs.IntVar(&o.orgs, "orgs", 2000, "organisations in the registry")
	fs.IntVar(&o.ranges, "ranges", 10_000, "IP ranges over the organisations")
	fs.IntVar(&o.rows, "rows", 100_000, "rows of the report ingested before the run")
	fs.IntVar(&o.uploadRows, "upload-rows", 200, "rows of the report each upload sends")
	mix := fs.String("mix", defaultMix, "kind=weight,…: the request kinds and their shares")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.vigil == "" || o.gen == "" {
		return o, errors.New("-vigil and -gen are required")
	}
	for _, f := range strings.Split(*nodes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 16 {
			return o, fmt.Errorf("-nodes: %q is not a node count from 1 to 16", f)
		}
		if n > 1 && o.db == "" {
			return o, errors.New("-nodes: more than one node needs PostgreSQL (-db postgres://…)")
		}
		o.nodes = append(o.nodes, n)
	}
	if o.clients < 1 || o.accounts < 1 || o.requests < 1 || o.duration <= 0 || o.accounts > 10 || o.orgs < o.accounts || o.ranges < o.orgs || o.rows < 1 || o.uploadRows < 1 {
		return o, errors.New("need clients, requests, duration, rows, upload-rows > 0 and accounts <= orgs <= ranges")
	}
	var err error
	if o.mix, err = parseMix(*mix); err != nil {
		return o, err
	}
	return o, nil
}

// run sets up the database once and drives each node count of -nodes.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	if o.dir, err = filepath.Abs(o.dir); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	start := time.Now()
	fx, err := setup(ctx, o)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	fmt.Fprintf(stdout, "setup: %s, %d organisations, %d ranges, %d report rows (%d findings), %d notices, %d accounts, in %.1fs\n",
		fx.engine, o.orgs, o.ranges, o.rows, fx.findings, fx.notices, len(fx.accounts), time.Since(start).Seconds())
	var results []result
	for _, n := range o.nodes {
		r, err := drive(ctx, o, fx, n)
		if err != nil {
			return fmt.Errorf("%d node(s): %w", n, err)
		}
		results = append(results, r)
		printResult(stdout, r)
	}
	if len(results) > 1 {
		base := results[0]
		for _, r := range results[1:] {
			fmt.Fprintf(stdout, "%d nodes / %d node: %.2f× the requests per second\n", r.Nodes, base.Nodes, r.PerSecond/base.PerSecond)
		}
	}
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return fmt.Errorf("figures: %w", err)
		}
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o640); err != nil {
			return fmt.Errorf("figures: %w", err)
		}
	}
	return nil
}
