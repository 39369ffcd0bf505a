// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command parse times vigil's own read path without storage: feed.Reader
// (full Shadowserver mapping and validation) plus an ipindex lookup with
// ASN fallback per row. Between the baseline and `vigil ingest feed`, it
// shows how much of the cost is parsing and matching and how much is the
// store. It prints one JSON line.
//
//	parse -ranges bench/out/feed/ranges.csv bench/out/feed/report.csv
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"vigil/internal/feed"
	"vigil/internal/match/ipindex"
)

func main() {
	ranges := flag.String("ranges", "bench/out/feed/ranges.csv", "org_id,cidr file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: parse -ranges ranges.csv report.csv")
		os.Exit(2)
	}
	if err := run(*ranges, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "parse:", err)
		os.Exit(1)
	}
}

func run(rangesPath, reportPath string) error {
	rf, err := os.Open(rangesPath)
	if err != nil {
		return err
	}
	defer rf.Close()
	var entries []ipindex.Entry
	sc := bufio.NewScanner(rf)
	sc.Scan() // header
	for sc.Scan() {
		id, cidr, _ := strings.Cut(sc.Text(), ",")
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return err
		}
		n, _ := strconv.ParseInt(id, 10, 64)
		entries = append(entries, ipindex.Entry{Prefix: p, OrgID: n})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	ix, err := ipindex.Build(entries)
	if err != nil {
		return err
	}

	f, err := os.Open(reportPath)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	rd, err := feed.NewReader(context.Background(), f, feed.Options{Name: filepath.Base(reportPath)})
	if err != nil {
		return err
	}
	matched, ties := 0, 0
	for o, err := range rd.All() {
		if err != nil {
			continue // counted in Stats
		}
		if m, ok := ix.LookupASN(o.IP, o.ASN); ok {
			matched++
			if m.Tie() {
				ties++
			}
		}
	}
	secs := time.Since(start).Seconds()
	st := rd.Stats()
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"program": "parse", "report_type": rd.ReportType(), "rows": st.Rows, "bad": st.Bad, "matched": matched,
		"ties": ties, "seconds": secs, "rows_per_second": float64(st.Rows) / secs,
	})
}
