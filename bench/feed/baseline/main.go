// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command baseline is the bare floor of the feed benchmark: it reads a
// Shadowserver CSV with encoding/csv, parses the ip column and looks it up in
// a bart table of the registered ranges — nothing else (no validation, no
// storage). It prints one JSON line with rows/s.
//
//	baseline -ranges bench/out/feed/ranges.csv bench/out/feed/report.csv
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gaissmai/bart"
)

func main() {
	ranges := flag.String("ranges", "bench/out/feed/ranges.csv", "org_id,cidr file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: baseline -ranges ranges.csv report.csv")
		os.Exit(2)
	}
	if err := run(*ranges, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(rangesPath, reportPath string) error {
	var t bart.Table[int32]
	rf, err := os.Open(rangesPath)
	if err != nil {
		return err
	}
	defer rf.Close()
	sc := bufio.NewScanner(rf)
	sc.Scan() // header
	for sc.Scan() {
		id, cidr, _ := strings.Cut(sc.Text(), ",")
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return err
		}
		n, _ := strconv.Atoi(id)
		t.Insert(p, int32(n))
	}
	if err := sc.Err(); err != nil {
		return err
	}

	f, err := os.Open(reportPath)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<16))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	hdr, err := cr.Read()
	if err != nil {
		return err
	}
	ipCol := -1
	for i, h := range hdr {
		if h == "ip" {
			ipCol = i
		}
	}
	if ipCol < 0 {
		return errors.New("no ip column")
	}
	rows, matched, bad := 0, 0, 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		rows++
		if err != nil || len(rec) <= ipCol {
			bad++
			continue
		}
		a, err := netip.ParseAddr(rec[ipCol])
		if err != nil {
			bad++
			continue
		}
		if _, ok := t.Lookup(a.Unmap()); ok {
			matched++
		}
	}
	secs := time.Since(start).Seconds()
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"program": "baseline", "rows": rows, "matched": matched, "bad": bad, "prefixes": t.Size(),
		"seconds": secs, "rows_per_second": float64(rows) / secs,
	})
}
