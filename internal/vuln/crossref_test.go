// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"fmt"
	"strings"
	"testing"

	"vigil/internal/registry"
)

// deviceSpec is how a test registers the product a CROSSREF row names: by
// strings, with one firmware the advisory says is affected and one it says
// is fixed (or outside the affected range). fixed is empty when the
// advisories name no unaffected version; skipFixed says why.
type deviceSpec struct {
	vendor, model   string
	affected, fixed string
	skipFixed       string
}

// stringDevices maps (CSAF file, CROSSREF product column) to the device a
// user would register for that advisory product. The product column is
// matched as a prefix; "" matches every row of the file.
var stringDevices = map[string]map[string]deviceSpec{
	"icsa-23-012-03.json": {"": {vendor: "InHand Networks", model: "InRouter302", affected: "V3.5.45", fixed: "IR302 V3.5.56"}},
	"icsa-23-026-04.json": {"": {vendor: "Sierra Wireless", model: "RV50", affected: "4.15.2", fixed: "4.16.0"}},
	"icsa-23-068-01.json": {"": {vendor: "Akuvox", model: "E11", affected: "E11.2.3.4", skipFixed: "ICSA-23-068-01 says all versions are affected"}},
	"icsa-23-075-01.json": {"": {vendor: "Siemens", model: "SCALANCE M874-3", affected: "7.1", fixed: "V7.2"}},
	"icsa-23-131-08.json": {
		"Remote Management System": {vendor: "Teltonika", model: "RMS", affected: "4.9.1", fixed: "4.14.0"},
		"RUT model routers":        {vendor: "Teltonika", model: "RUT241", affected: "RUT2M_R_00.07.02.7", fixed: "RUT2M_R_00.07.04.4"},
	},
	"icsa-23-171-01.json":  {"": {vendor: "Enphase", model: "Envoy", affected: "D7.0.88", fixed: "D8.2.4"}},
	"icsa-23-206-01.json":  {"": {vendor: "Axis Communications", model: "AXIS A1001", affected: "1.65.4", fixed: "1.65.5"}},
	"icsa-23-234-02.json":  {"": {vendor: "Trane Technologies", model: "XL824 Thermostat", affected: "5.9.8", fixed: "6.0.1"}},
	"icsa-23-264-05.json":  {"": {vendor: "Rockwell Automation", model: "Connected Components Workbench", affected: "R20", fixed: "R21"}},
	"icsa-23-297-01.json":  {"": {vendor: "Rockwell Automation", model: "Stratix 5800", affected: "17.9.1", skipFixed: "ICSA-23-297-01 lists all versions (vers:all/*)"}},
	"icsa-23-348-15.json":  {"": {vendor: "Unitronics", model: "VisiLogic", affected: "9.8.65", fixed: "9.9.00"}},
	"icsa-23-355-01.json":  {"": {vendor: "FXC Inc.", model: "AE1021PE", affected: "2.0.9", fixed: "2.0.10"}},
	"icsma-23-047-01.json": {"": {vendor: "BD", model: "Alaris Infusion Central", affected: "1.3.2", fixed: "1.4"}},
	"icsa-24-065-01.json":  {"": {vendor: "Nice", model: "Linear eMerge E3-Series", affected: "1.00-06", fixed: "1.00-07"}},
	"icsa-24-067-01.json":  {"": {vendor: "Chirp Systems", model: "Chirp Access", affected: "1.25.0", skipFixed: "ICSA-24-067-01 lists all versions (vers:all/*)"}},
	"icsa-24-074-01.json":  {"": {vendor: "Siemens", model: "7KM3120-0BA01-1DA0", affected: "V3.2.3", fixed: "V3.3.0"}},
	"icsa-24-074-05.json":  {"": {vendor: "Siemens", model: "RUGGEDCOM APE1808", affected: "V2.0", skipFixed: "ICSA-24-074-05 says all versions with Fortinet NGFW"}},
	"icsa-24-116-03.json":  {"": {vendor: "Siemens", model: "RUGGEDCOM APE1808", affected: "V2.0", skipFixed: "ICSA-24-116-03 lists all versions (vers:all/*)"}},
	"icsa-24-130-02.json":  {"": {vendor: "alpitronic", model: "Hypercharger EV charger", affected: "1.7.2", skipFixed: "ICSA-24-130-02 lists all versions (vers:all/*)"}},
	"icsa-24-130-03.json":  {"": {vendor: "Delta Electronics", model: "InfraSuite Device Master", affected: "1.0.10", fixed: "1.0.12"}},
	"icsa-24-156-01.json":  {"": {vendor: "Uniview", model: "NVR301-04S2-P4", affected: "NVR-B3801.20.17.200109", fixed: "NVR-B3801.20.17.240507"}},
	"icsa-24-214-07.json":  {"": {vendor: "AVTECH SECURITY Corporation", model: "AVM1203", affected: "FullImg-1017-1010-1011-1001", fixed: "FullImg-1024-1007-1011-1009"}},
	// The Mobotix advisory states its products as "firmware installed on
	// camera" relationships: per firmware version, per camera model.
	"icsa-24-235-03.json": {"": {vendor: "MOBOTIX AG", model: "D24M", affected: "MX-V4.1.4.11", fixed: "MX-V4.7.2.18"}},
	"icsa-25-035-01.json": {"": {vendor: "Western Telematic Inc", model: "DSM-40", affected: "6.62", fixed: "6.63"}},
}

// cpeDevices maps the CVEs whose NVD record has CPE configurations to a
// device registered only by its CPE (no vendor/model strings that could
// match otherwise), affected and fixed.
var cpeDevices = map[string]struct {
	affected, fixed, skipFixed string
	// component: the CPE is an SBOM component's (ActiveMQ inside Delta's
	// InfraSuite), not the device's.
	component bool
}{
	"CVE-2023-21406": {affected: "cpe:2.3:o:axis:a1001_firmware:1.65.4:*:*:*:*:*:*:*", fixed: "cpe:2.3:o:axis:a1001_firmware:1.65.5:*:*:*:*:*:*:*"},
	"CVE-2023-6448":  {affected: "cpe:2.3:h:unitronics:vision1210:-:*:*:*:*:*:*:*", skipFixed: "NVD states every Vision firmware version (criteria version \"-\")"},
	"CVE-2023-49897": {affected: "cpe:2.3:o:fxc:ae1021pe_firmware:2.0.9:*:*:*:*:*:*:*", fixed: "cpe:2.3:o:fxc:ae1021pe_firmware:2.0.10:*:*:*:*:*:*:*"},
	"CVE-2022-47376": {affected: "cpe:2.3:a:bd:alaris_infusion_central:1.3.2:*:*:*:*:*:*:*", fixed: "cpe:2.3:a:bd:alaris_infusion_central:1.4:*:*:*:*:*:*:*"},
	"CVE-2019-7256":  {affected: "cpe:2.3:o:nortekcontrol:linear_emerge_essential_firmware:1.00-06:*:*:*:*:*:*:*", fixed: "cpe:2.3:o:nortekcontrol:linear_emerge_essential_firmware:1.00-07:*:*:*:*:*:*:*"},
	"CVE-2024-21762": {affected: "cpe:2.3:o:fortinet:fortios:7.0.13:*:*:*:*:*:*:*", fixed: "cpe:2.3:o:fortinet:fortios:7.0.14:*:*:*:*:*:*:*"},
	"CVE-2023-46604": {affected: "cpe:2.3:a:apache:activemq:5.15.10:*:*:*:*:*:*:*", fixed: "cpe:2.3:a:apache:activemq:5.15.16:*:*:*:*:*:*:*", component: true},
}

func specFor(r crossRow) (deviceSpec, bool) {
	file := r.CSAF[strings.LastIndexByte(r.CSAF, '/')+1:]
	m, ok := stringDevices[file]
	if !ok {
		return deviceSpec{}, false
	}
	if s, ok := m[""]; ok {
		return s, true
	}
	for prefix, s := range m {
		if strings.HasPrefix(r.Product, prefix) {
			return s, true
		}
	}
	return deviceSpec{}, false
}

// rowAdvisories returns the compiled advisories a CROSSREF row names.
func rowAdvisories(t *testing.T, r crossRow) []*Compiled {
	var cs []*Compiled
	for _, p := range []string{r.CSAF, r.NVD, r.CVE5} {
		if p != "" {
			cs = append(cs, compiledFile(t, corpusFile(p))...)
		}
	}
	return cs
}

func describe(ms []Match) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  %s %s %.2f %s", m.Evidence.Advisory, m.Rule, m.Confidence, m.Evidence.Reason)
	}
	return b.String()
}

// TestCrossrefStrings: every CVE of CROSSREF.csv is found for a device
// registered by vendor/model/firmware strings with an affected firmware,
// and not for a fixed one.
func TestCrossrefStrings(t *testing.T) {
	t.Parallel()
	rows := crossRows(t)
	var found, notFixed, skipped int
	for i, r := range rows {
		t.Run(fmt.Sprintf("%03d_%s", i, r.CVE), func(t *testing.T) {
			spec, ok := specFor(r)
			if !ok {
				t.Fatalf("no device spec for %s (%s %q)", r.CSAF, r.Vendor, r.Product)
			}
			cs := rowAdvisories(t, r)
			dev := registry.Device{ID: 1, OrgID: 1, Vendor: spec.vendor, Model: spec.model, Firmware: spec.affected}
			got := matchedCVEs(cs, DeviceTarget(dev))
			if len(got[r.CVE]) == 0 {
				t.Fatalf("%s %s %s: %s not matched (matched %d others)", dev.Vendor, dev.Model, dev.Firmware, r.CVE, len(got))
			}
			for _, m := range got[r.CVE] {
				if m.Evidence.Reason == "" || m.Rule == "" || m.Confidence <= 0 || m.Confidence > 1 {
					t.Errorf("match without rule, reason or confidence: %+v", m)
				}
			}
			found++
			if spec.fixed == "" {
				skipped++
				t.Logf("fixed version not checked: %s", spec.skipFixed)
				return
			}
			dev.Firmware = spec.fixed
			if got := matchedCVEs(cs, DeviceTarget(dev)); len(got[r.CVE]) > 0 {
				t.Fatalf("%s matched for fixed firmware %q:%s", r.CVE, spec.fixed, describe(got[r.CVE]))
			}
			notFixed++
		})
	}
	t.Logf("CROSSREF by strings: %d rows, %d found, %d not matched when fixed, %d without a fixed version", len(rows), found, notFixed, skipped)
}

// TestCrossrefCPE: the CVEs whose NVD record has CPE configurations are
// found for a device (or component) registered only by CPE, and not for a
// fixed version; rows without NVD configurations are skipped with a reason.
func TestCrossrefCPE(t *testing.T) {
	t.Parallel()
	var found, notFixed int
	for i, r := range crossRows(t) {
		t.Run(fmt.Sprintf("%03d_%s", i, r.CVE), func(t *testing.T) {
			spec, ok := cpeDevices[r.CVE]
			switch {
			case r.NVD == "":
				t.Skip("no NVD record staged for this CVE")
			case r.HasCPE != "true":
				t.Skip("the staged NVD record has no CPE configurations (not yet analysed)")
			case !ok:
				t.Fatalf("no CPE device for %s", r.CVE)
			}
			cs := compiledFile(t, corpusFile(r.NVD))
			target := func(c string) Target {
				dev := registry.Device{ID: 2, OrgID: 1, Vendor: "x", Model: "y", CPE: c}
				if spec.component {
					return Target{Device: registry.Device{ID: 2, OrgID: 1}, Component: &Component{ID: 7, DeviceID: 2, Name: "z", CPE: c}}
				}
				return DeviceTarget(dev)
			}
			got := matchedCVEs(cs, target(spec.affected))
			ms := got[r.CVE]
			if len(ms) == 0 || ms[0].Rule != RuleCPE {
				t.Fatalf("%s not matched by CPE for %s:%s", r.CVE, spec.affected, describe(ms))
			}
			found++
			if spec.fixed == "" {
				t.Logf("fixed version not checked: %s", spec.skipFixed)
				return
			}
			if got := matchedCVEs(cs, target(spec.fixed)); len(got[r.CVE]) > 0 {
				t.Fatalf("%s matched for fixed %s:%s", r.CVE, spec.fixed, describe(got[r.CVE]))
			}
			notFixed++
		})
	}
	t.Logf("CROSSREF by CPE: %d found, %d not matched when fixed", found, notFixed)
}
