// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"vigil/internal/registry"
)

func FuzzAlignVersion(f *testing.F) {
	for _, s := range []string{"IR302 3.5.56", "InRouter6XX-S-V2.3.0.r5542", "RUT2M_R_00.07.04.4", "Firmware_6.62", "MX-V4.1.4.11",
		"V5.4.5 build 170124", "firmware_FullImg-1023-1007-1011-1009", "AXIS OS 1.65.4", "-v1", "_ _9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := AlignVersion(s)
		if !strings.HasSuffix(strings.TrimSpace(s), a) {
			t.Fatalf("AlignVersion(%q) = %q is not a suffix", s, a)
		}
		if b := AlignVersion(a); b != a {
			t.Fatalf("not idempotent: %q → %q → %q", s, a, b)
		}
		_ = inRange(s, a, "", "", s)
	})
}

// FuzzMatch matches fuzzed devices and components against the whole
// testdata corpus: no panics, every match has a known rule, a reason and a
// confidence in (0, 1].
func FuzzMatch(f *testing.F) {
	var all []*Compiled
	for _, d := range []string{"csaf", "nvd", "cve5", "osv"} {
		files, _ := filepath.Glob(filepath.Join("testdata", d, "*.json"))
		for _, fn := range files {
			all = append(all, compiledFile(f, d+"/"+filepath.Base(fn))...)
		}
	}
	ix := indexCompiled(all)
	f.Add("Siemens", "SCALANCE M874-3", "7.1", "", "", false)
	f.Add("Axis", "A1001", "1.65.2", "cpe:2.3:o:axis:a1001_firmware:1.65.2:*:*:*:*:*:*:*", "", false)
	f.Add("Mobotix", "Mx6 M16", "MX-V5.1.0.99-r3", "", "", false)
	f.Add("", "log4j-core", "2.14.1", "", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", true)
	f.Add("Apache", "activemq", "5.15.10", "cpe:2.3:a:apache:activemq:5.15.10:*:*:*:*:*:*:*", "", true)
	f.Add("Palo Alto Networks", "PAN-OS", "10.2.9-h1", "", "", false)
	f.Fuzz(func(t *testing.T, vendor, model, version, c, purl string, component bool) {
		tg := DeviceTarget(registry.Device{ID: 1, OrgID: 1, Vendor: vendor, Model: model, Firmware: version, CPE: c, PURL: purl})
		if component {
			tg = Target{Device: registry.Device{ID: 1, OrgID: 1}, Component: &Component{ID: 2, DeviceID: 1, Name: model, Version: version, CPE: c, PURL: purl, Supplier: vendor}}
		}
		p := prepare(tg, nil)
		for _, cd := range ix.candidates(p) {
			for _, m := range matchPrepared(cd, p, 0) {
				if !slices.Contains([]string{RuleCPE, RuleCPEName, RulePURL, RuleProduct}, m.Rule) || m.Evidence.Reason == "" ||
					m.Confidence <= 0 || m.Confidence > 1 || m.Target != tg.Ref() {
					t.Fatalf("bad match %+v", m)
				}
			}
		}
	})
}
