// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"vigil/internal/app"
	"vigil/internal/vuln"
)

func TestCLIVulns(t *testing.T) {
	t.Parallel()
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "1", "org", "add", "Energie Noord BV")
			run(0, "1", "device", "add", "1", "--vendor", "Axis Communications", "--model", "AXIS A1001", "--firmware", "1.65.2")
			run(0, "2", "device", "add", "1", "--vendor", "Siemens", "--model", "RUGGEDCOM APE1808", "--firmware", "V2.0")
			run(0, "3", "device", "add", "1", "--vendor", "Delta Electronics", "--model", "InfraSuite Device Master", "--firmware", "1.0.12")

			run(0, "findings 1 new", "ingest", "csaf", "testdata/vuln/icsa-23-206-01.json")
			run(0, "1 unchanged", "ingest", "csaf", "testdata/vuln/icsa-23-206-01.json")
			run(0, "findings 1 new, 0 updated, 0 resolved", "ingest", "csaf", "testdata/vuln/icsa-24-116-03.json")
			// KEV moves CVE-2024-3400 to its KEV trigger.
			run(0, "16 new, 0 changed, 0 unchanged; 0 targets checked; findings 1 new, 0 updated, 1 resolved", "ingest", "kev", "testdata/vuln/kev-crossref.json")
			// A KEV file with bad entries: reported with file and line; the good ones load.
			out, errOut, code := cli(t, db, "", "ingest", "kev", "testdata/vuln/kev-bad.json")
			if code != 0 || !strings.Contains(out, "6 records, 3 rejected") || !strings.Contains(errOut, "testdata/vuln/kev-bad.json:") || !strings.Contains(errOut, "cveID") {
				t.Fatalf("bad kev: %d\n%s\n%s", code, out, errOut)
			}
			run(0, "kev-bad.json", "quarantine", "list")
			run(0, "findings 0 new, 1 updated", "ingest", "cve5", "testdata/vuln/CVE-2023-21406.json")
			run(0, "1 new, 0 changed", "ingest", "nvd", "testdata/vuln/CVE-2023-46604.json")
			run(0, "1 new", "ingest", "osv", "testdata/vuln/GHSA-jfh8-c2jp-5v3q.json")
			run(0, "8 scores (model v2025.03.14), 0 rejected, 8 changed; 1 findings updated", "ingest", "epss", "testdata/vuln/epss_scores-sample.csv")
			// SBOM: ActiveMQ by CPE and log4j by purl; the malformed purl/CPE are reported.
			out = run(0, "device 3: 4 components (cyclonedx-json, 2 problems); 2 matches; findings 2 new", "device", "sbom", "3", "testdata/vuln/infrasuite.cdx.json")
			_ = out
			run(3, "device 99 not found", "device", "sbom", "99", "testdata/vuln/infrasuite.cdx.json")
			run(2, "not a CycloneDX", "device", "sbom", "3", "testdata/vuln/epss_scores-sample.csv")
			run(2, "give the provider-metadata.json URL", "ingest", "csaf", "testdata/vuln/icsa-23-206-01.json", "--require-signature")

			out = run(0, "CVE-2024-3400", "vulns")
			for _, want := range []string{"kev:CVE-2024-3400", "2024-04-19 (ransomware)", "CVE-2023-21406", "csaf:ICSA-23-206-01", "0.943", "log4j-core", "5.15.16"} {
				if !strings.Contains(out, want) {
					t.Errorf("vulns lacks %q:\n%s", want, out)
				}
			}
			var page struct{ Items []app.VulnRow }
			if err := json.Unmarshal([]byte(run(0, "", "--json", "vulns", "--kev")), &page); err != nil {
				t.Fatal(err)
			}
			rows := page.Items
			kev := map[string]bool{}
			for _, r := range rows {
				kev[r.CVE] = r.Evidence.KEV != nil
			}
			// (kev-bad.json lists CVE-2021-44228: the log4j component is KEV too.)
			if len(rows) != 3 || !kev["CVE-2024-3400"] || !kev["CVE-2023-46604"] || !kev["CVE-2021-44228"] {
				t.Fatalf("--kev rows = %+v", kev)
			}
			err := json.Unmarshal([]byte(run(0, "", "--json", "vulns", "--device", "1")), &page)
			if rows = page.Items; err != nil || len(rows) != 1 || rows[0].Evidence.Fixed != "" ||
				len(rows[0].Evidence.Matches) != 2 || rows[0].Evidence.Matches[0].Reason == "" {
				t.Fatalf("--device 1 = %+v, %v", rows, err)
			}
			run(0, "CVE-2023-21406", "vulns", "--org", "Energie Noord BV")
			run(3, "not found", "vulns", "--org", "Nobody")
			// A full re-match finds the same.
			before := run(0, "", "vulns")
			if after := run(0, "", "vulns", "--rematch"); after != before {
				t.Errorf("rematch changed the list:\n%s\nvs\n%s", before, after)
			}
			// A patched SBOM resolves the component findings.
			run(0, "findings 0 new, 0 updated, 2 resolved", "device", "sbom", "3", "testdata/vuln/infrasuite-patched.cdx.json")
		})
	}
}

// TestCLIKEVURL fetches the KEV catalog from a (loopback) URL.
func TestCLIKEVURL(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/vuln/kev-crossref.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(data) }))
	t.Cleanup(srv.Close)
	db := "sqlite:" + t.TempDir() + "/k.db"
	if out, errOut, code := cli(t, db, "", "ingest", "kev", srv.URL+"/kev.json", "--allow-private"); code != 0 || !strings.Contains(out, srv.URL+"/kev.json: 16 records") {
		t.Fatalf("kev URL: %d %s %s", code, out, errOut)
	}
	if _, _, code := cli(t, db, "", "ingest", "kev", srv.URL+"/kev.json"); code == 0 {
		t.Fatal("loopback KEV URL fetched without --allow-private")
	}
}

func TestCLICSAFValidate(t *testing.T) {
	t.Parallel()
	db := "sqlite:" + t.TempDir() + "/v.db"
	bad := "testdata/vuln/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json"
	good := "testdata/vuln/oasis_csaf_tc-csaf_2_0-2021-6-1-01-11.json"
	out, _, code := cli(t, db, "", "csaf", "validate", good, "testdata/vuln/icsa-23-206-01.json")
	if code != 0 || !strings.Contains(out, good+": valid") {
		t.Fatalf("valid docs: %d\n%s", code, out)
	}
	out, _, code = cli(t, db, "", "csaf", "validate", good, bad, "testdata/vuln/epss_scores-sample.csv", "testdata/vuln/missing.json")
	if code != 1 || !strings.Contains(out, bad+": invalid") || !strings.Contains(out, "  6.1.1 $.") ||
		!strings.Contains(out, "epss_scores-sample.csv: invalid: ") || !strings.Contains(out, "missing.json: invalid: ") {
		t.Fatalf("invalid docs: %d\n%s", code, out)
	}
	out, _, code = cli(t, db, "", "--json", "csaf", "validate", bad)
	var rs []app.CSAFResult
	if code != 1 || json.Unmarshal([]byte(out), &rs) != nil || len(rs) != 1 || rs[0].Valid || rs[0].Failures[0].Test != "6.1.1" ||
		!strings.HasPrefix(rs[0].Failures[0].Path, "$.") {
		t.Fatalf("--json: %d %s", code, out)
	}
	if _, _, code := cli(t, db, "", "csaf", "validate"); code != 2 {
		t.Errorf("no files: exit %d", code)
	}
}

// TestCLICSAFRanges lists the ranges of the labelled advisories of package
// vuln: counts, interpretations with conditions, unparsed ones with the
// reason.
func TestCLICSAFRanges(t *testing.T) {
	t.Parallel()
	dir := "../../internal/vuln/testdata/accuracy/csaf"
	out, errOut, code := cli(t, "sqlite:"+t.TempDir()+"/r.db", "", "--json", "csaf", "ranges", dir)
	var s vuln.RangeSurvey
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	// The labelled sets add advisories to the directory; the 15 branches
	// left unread are the 13 of before and ABB's two "<=A_B" (set 15; set
	// 16 and set 15c add none).
	if s.Documents != 558 || s.Branches != 4130 || s.Interpreted != 4115 || len(s.Problems) != 0 {
		t.Errorf("documents %d branches %d interpreted %d problems %v; want 558, 4130, 4115, none", s.Documents, s.Branches, s.Interpreted, s.Problems)
	}
	found := map[string]vuln.RangeCount{}
	for _, r := range s.Ranges {
		found[r.Range] = r
	}
	if r := found["No version"]; r.Count != 11 || r.Bounds != "unparsed" || r.Interpretation.Unparsed == "" {
		t.Errorf("No version: %+v", r)
	}
	if r := found["All versions with Ethernet interface"]; r.Bounds != "*" || len(r.Interpretation.Conditions) != 1 ||
		r.Interpretation.Conditions[0].Text != "with Ethernet interface" {
		t.Errorf("All versions with Ethernet interface: %+v", r)
	}
	out, _, code = cli(t, "sqlite:"+t.TempDir()+"/r.db", "", "csaf", "ranges", "testdata/vuln/icsa-23-206-01.json")
	if code != 0 || !strings.Contains(out, "1\t\"<= 1.65.4\"\t<=1.65.4\n") || !strings.Contains(out, "1 interpreted (100.00 %)") {
		t.Errorf("text output: %d\n%s", code, out)
	}
	if _, _, code := cli(t, "sqlite:"+t.TempDir()+"/r.db", "", "csaf", "ranges", "testdata/vuln/missing"); code != 2 {
		t.Errorf("missing dir: exit %d; want 2", code)
	}
}

// TestCLICSAFProvider serves a fake trusted provider: one signed, one
// unsigned and one tampered document.
func TestCLICSAFProvider(t *testing.T) {
	t.Parallel()
	key, err := openpgp.NewEntity("vigil test provider", "", "psirt@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	var pub bytes.Buffer
	aw, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err := key.Serialize(aw); err != nil {
		t.Fatal(err)
	}
	aw.Close()
	files["/key.asc"] = pub.Bytes()
	const dir = "/.well-known/csaf/white/"
	var changes strings.Builder
	for i, name := range []string{"icsa-23-206-01.json", "icsa-24-214-07.json", "icsa-24-116-03.json"} {
		data, err := os.ReadFile("testdata/vuln/" + name)
		if err != nil {
			t.Fatal(err)
		}
		var sig bytes.Buffer
		if err := openpgp.ArmoredDetachSign(&sig, key, bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			files[dir+"2024/"+name+".asc"] = sig.Bytes()
		case 1: // unsigned
		case 2: // signed, then altered (hash file matches the altered copy)
			files[dir+"2024/"+name+".asc"] = sig.Bytes()
			data = bytes.Replace(data, []byte("RUGGEDCOM"), []byte("RUGGEDCAM"), 1)
		}
		sum := sha512.Sum512(data)
		files[dir+"2024/"+name] = data
		files[dir+"2024/"+name+".sha512"] = []byte(hex.EncodeToString(sum[:]) + "  " + name + "\n")
		fmt.Fprintf(&changes, "\"2024/%s\",\"2024-0%d-01T00:00:00Z\"\n", name, 3-i)
	}
	files[dir+"changes.csv"] = []byte(changes.String())
	pmd, _ := json.Marshal(map[string]any{
		"canonical_url": srv.URL + "/.well-known/csaf/provider-metadata.json", "distributions": []any{map[string]any{"directory_url": srv.URL + dir}},
		"last_updated": "2024-08-01T00:00:00Z", "list_on_CSAF_aggregators": true, "metadata_version": "2.0", "mirror_on_CSAF_aggregators": true,
		"public_openpgp_keys": []any{map[string]any{"fingerprint": strings.ToUpper(hex.EncodeToString(key.PrimaryKey.Fingerprint)), "url": srv.URL + "/key.asc"}},
		"publisher":           map[string]any{"category": "coordinator", "name": "test CERT", "namespace": "https://example.org"},
		"role":                "csaf_trusted_provider",
	})
	files["/.well-known/csaf/provider-metadata.json"] = pmd
	url := srv.URL + "/.well-known/csaf/provider-metadata.json"

	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			cli(t, db, "", "org", "add", "Logistiek Centrum Oost")
			cli(t, db, "", "device", "add", "1", "--vendor", "AVTECH SECURITY Corporation", "--model", "AVM1203", "--firmware", "FullImg-1017-1010-1011-1001")
			// Loopback is refused unless allowed.
			if _, errOut, code := cli(t, db, "", "ingest", "csaf", url); code == 0 || !strings.Contains(errOut, "vigil:") {
				t.Fatalf("loopback provider fetched without --allow-private: %d %s", code, errOut)
			}
			out, errOut, code := cli(t, db, "", "--json", "ingest", "csaf", url, "--allow-private", "--require-signature")
			var sum app.AdvisorySummary
			if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
				t.Fatalf("require-signature: %d %s %s", code, out, errOut)
			}
			if sum.New != 1 || len(sum.Refused) != 2 || !strings.Contains(strings.Join(sum.Refused, "\n"), "icsa-24-214-07.json") || sum.FindingsNew != 0 {
				t.Fatalf("require-signature summary = %+v", sum)
			}
			// Without --require-signature the unsigned one loads (and matches
			// the AVTECH camera); the tampered one never does. The run resumes
			// just before the earliest refused document (2024-01-01), so all
			// three are listed again.
			out, errOut, code = cli(t, db, "", "--json", "ingest", "csaf", url, "--allow-private")
			sum = app.AdvisorySummary{}
			if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
				t.Fatalf("fetch: %d %s %s", code, out, errOut)
			}
			if sum.New != 1 || sum.Unchanged != 1 || len(sum.Refused) != 1 || !strings.Contains(sum.Refused[0], "icsa-24-116-03.json") || sum.FindingsNew != 1 ||
				sum.Since == nil || sum.Listed != 3 || sum.Skipped != 0 {
				t.Fatalf("summary = %+v", sum)
			}
			// A new document: the next run fetches it. The tampered one holds
			// the resume point before itself, so nothing is skipped.
			data, err := os.ReadFile("testdata/vuln/icsa-23-206-01.json")
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.Replace(data, []byte("ICSA-23-206-01"), []byte("ICSA-24-300-01"), -1)
			sum512 := sha512.Sum512(data)
			changes := files[dir+"changes.csv"]
			t.Cleanup(func() { // the next database's run sees the provider as it was
				delete(files, dir+"2024/icsa-24-300-01.json")
				files[dir+"changes.csv"] = changes
			})
			files[dir+"2024/icsa-24-300-01.json"] = data
			files[dir+"2024/icsa-24-300-01.json.sha512"] = []byte(hex.EncodeToString(sum512[:]) + "  icsa-24-300-01.json\n")
			files[dir+"changes.csv"] = append([]byte("\"2024/icsa-24-300-01.json\",\"2024-10-01T00:00:00Z\"\n"), files[dir+"changes.csv"]...)
			out, errOut, code = cli(t, db, "", "--json", "ingest", "csaf", url, "--allow-private")
			sum = app.AdvisorySummary{}
			if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
				t.Fatalf("incremental: %d %s %s", code, out, errOut)
			}
			if sum.Listed != 4 || sum.Skipped != 0 || sum.New != 1 || sum.Unchanged != 2 || len(sum.Refused) != 1 {
				t.Fatalf("incremental summary = %+v", sum)
			}
			// --full lists everything again; nothing changed.
			out, _, code = cli(t, db, "", "--json", "ingest", "csaf", url, "--allow-private", "--full")
			sum = app.AdvisorySummary{}
			if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Since != nil || sum.Skipped != 0 || sum.New != 0 || sum.Unchanged != 3 || len(sum.Refused) != 1 {
				t.Fatalf("--full summary = %+v", sum)
			}
		})
	}
}
