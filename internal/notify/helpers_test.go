// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/notify"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }

// corpusItems reads a Shadowserver report from testdata and makes one
// notice item per row, with the row as evidence, as the ingest pipeline
// and notice composition would.
func corpusItems(t testing.TB, file, trigger, title, typ string) []notify.Item {
	t.Helper()
	f, err := os.Open("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	var out []notify.Item
	for i, rec := range recs[1:] {
		m := map[string]string{}
		for j, h := range head {
			if j < len(rec) && rec[j] != "" {
				m[h] = rec[j]
			}
		}
		ev, _ := json.Marshal(m)
		for _, k := range []string{"ip", "port", "asn", "hostname"} {
			if m[k] == "" {
				m[k] = m["src_"+k] // event reports name the source columns src_*
			}
		}
		ip, err := netip.ParseAddr(m["ip"])
		if err != nil {
			continue
		}
		port, _ := strconv.Atoi(m["port"])
		asn, _ := strconv.ParseInt(m["asn"], 10, 64)
		sev, _ := finding.ParseSeverity(m["severity"])
		at, _ := time.Parse(time.DateTime, m["timestamp"])
		fd := finding.Finding{ID: int64(i + 1), Trigger: trigger, Type: typ, ReportType: trigger, Key: finding.KeyFor(ip, uint16(port)),
			IP: ip.String(), Port: port, ASN: asn, Hostname: m["hostname"], Severity: sev, FirstSeen: at, LastSeen: at.Add(time.Hour), Count: 2, Evidence: ev}
		out = append(out, notify.ItemFromFinding(finding.EventNew, fd, finding.Trigger{Name: trigger, Title: title, Kind: "feed"}))
	}
	return out
}
