// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// buildTools builds vigil and the feed generator for the load program.
func buildTools(t *testing.T) (vigil, gen string) {
	t.Helper()
	dir := t.TempDir()
	vigil, gen = filepath.Join(dir, "vigil"), filepath.Join(dir, "gen")
	for _, b := range [][2]string{{vigil, "../../cmd/vigil"}, {gen, "../feed/gen"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	return vigil, gen
}

// TestLoadTiny runs the load program in a tiny configuration (a few
// seconds at most, a small registry) against one SQLite node and, with
// VIGIL_TEST_PG, against one and three PostgreSQL nodes, so that it keeps
// working: every kind of request is sent and answered as expected (no
// errors), the servers' CPU is measured. It asserts no timings.
func TestLoadTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("starts vigil serve processes")
	}
	vigil, gen := buildTools(t)
	type engine struct {
		name, db, nodes string
	}
	engines := []engine{{"sqlite", "", "1"}}
	pg := os.Getenv("VIGIL_TEST_PG")
	schema := fmt.Sprintf("load_test_%d", os.Getpid())
	if pg != "" {
		engines = append(engines, engine{"postgres", pg, "1,3"})
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			conn, err := pgx.Connect(ctx, pg)
			if err != nil {
				t.Errorf("drop schema: %v", err)
				return
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
				t.Errorf("drop schema: %v", err)
			}
		})
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dir := t.TempDir()
			figures := filepath.Join(dir, "figures.json")
			args := []string{"-vigil", vigil, "-gen", gen, "-dir", dir, "-json", figures, "-nodes", e.nodes,
				"-clients", "4", "-accounts", "3", "-orgs", "30", "-ranges", "120", "-rows", "1000", "-upload-rows", "50",
				"-duration", "30s", "-requests", "300"}
			if e.db != "" {
				args = append(args, "-db", e.db, "-schema", schema)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			var out bytes.Buffer
			if err := run(ctx, args, &out); err != nil {
				t.Fatalf("load: %v\n%s", err, out.String())
			}
			t.Log(out.String())
			b, err := os.ReadFile(figures)
			if err != nil {
				t.Fatal(err)
			}
			var rs []result
			if err := json.Unmarshal(b, &rs); err != nil {
				t.Fatal(err)
			}
			if len(rs) != len(strings.Split(e.nodes, ",")) {
				t.Fatalf("got %d results; want one per node count %s", len(rs), e.nodes)
			}
			for _, r := range rs {
				if r.Engine != e.name || len(r.NodeCPU) != r.Nodes {
					t.Errorf("%d nodes: engine %s with %d CPU figures; want %s and one per node", r.Nodes, r.Engine, len(r.NodeCPU), e.name)
				}
				if r.Requests == 0 || r.Requests > 300 {
					t.Errorf("%d nodes: %d requests; want 1–300 (-requests bounds them)", r.Nodes, r.Requests)
				}
				var got []string
				for _, k := range r.Kinds {
					got = append(got, k.Kind)
					if k.Errors > 0 {
						t.Errorf("%d nodes, %s: %d errors, first: %s", r.Nodes, k.Kind, k.Errors, k.FirstErr)
					}
				}
				// 300 requests over 4 clients cover every kind of the mix's cycle (37 long)
				// unless the 30 s run out first.
				if !slices.Equal(got, kinds()) {
					t.Errorf("%d nodes: kinds %v; want %v", r.Nodes, got, kinds())
				}
				if sum := slices.Max(r.NodeCPU); sum <= 0 {
					t.Errorf("%d nodes: no server CPU measured (%v)", r.Nodes, r.NodeCPU)
				}
			}
		})
	}
}

// TestCycle checks that the mix's cycle holds every kind as often as its
// weight and never the same kind twice in a row when another could come.
func TestCycle(t *testing.T) {
	for _, tc := range []struct {
		mix  string
		want map[string]int
	}{
		{defaultMix, map[string]int{"health": 2, "api_findings": 6, "api_org": 4, "api_notices": 4, "token_valid": 5,
			"token_invalid": 5, "portal_org": 4, "portal_findings": 6, "upload": 1}},
		{"health=1,upload=1", map[string]int{"health": 1, "upload": 1}},
		{"api_org=3,upload=0", map[string]int{"api_org": 3}},
	} {
		mix, err := parseMix(tc.mix)
		if err != nil {
			t.Fatal(err)
		}
		c := cycle(mix)
		got := map[string]int{}
		for i, k := range c {
			got[k]++
			if i > 0 && c[i-1] == k && len(tc.want) > 1 {
				t.Errorf("%s: %s twice in a row at %d: %v", tc.mix, k, i, c)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v; want %v", tc.mix, got, tc.want)
		}
	}
	for _, bad := range []string{"", "health", "nope=1", "health=-1", "health=0"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("parseMix(%q): no error", bad)
		}
	}
}
