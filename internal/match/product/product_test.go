// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

func TestMatchModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		product, model string
		want           bool
		conf           float64
	}{
		{"InRouter 302", "InRouter302", true, ConfExact},
		{"InRouter 302", "inrouter-302", true, ConfExact},
		{"InRouter 302", "IR302", true, ConfAbbreviated},
		{"InRouter 302", "IR305", false, 0},
		// "Drives" after the model is a class word (icsa-20-014-04); inside
		// a name it names the product (icsa-21-152-01).
		{"SINAMICS PERFECT HARMONY GH180 Drives", "SINAMICS PERFECT HARMONY GH180", true, ConfGeneric},
		{"SIMATIC Drive Controller family", "SIMATIC Controller", false, 0},
		{"myPRO", "myPRO HMI", true, ConfGeneric},
		{"D60 devices running firmware", "D60 relay", true, ConfGeneric},
		// Series letters in the number's word, one extending the other's,
		// are two series, no abbreviation (icsa-20-105-07, icsa-21-194-12;
		// "SINAMICS GH150" of icsa-18-128-01, "G150" of icsa-17-129-02).
		{"SCALANCE X208 (6GK5208-0BA10-2AA3)", "SCALANCE XC208", false, 0},
		{"SCALANCE X208 (6GK5208-0BA10-2AA3)", "SCALANCE XB208", false, 0},
		{"SCALANCE XC208", "SCALANCE X208", false, 0},
		{"SINAMICS G150", "SINAMICS GH150", false, 0},
		// Letters in a word of their own still abbreviate (icsa-20-135-02,
		// icsa-21-278-02).
		{"WirelessHART 1410 Gateway", "Wireless 1410 Gateway", true, ConfAbbreviated},
		{"InRouter 302", "InRouter 615", false, 0},
		{"InRouter 6XX", "InRouter 615", true, ConfWildcard},
		{"InRouter 6XX", "InRouter 302", false, 0},
		// A lone X is the family's letter, not a placeholder
		// (icsa-19-283-01, icsa-21-012-05).
		{"SCALANCE X-200IRT switch family (incl. SIPLUS NET variants)", "SCALANCE X204-2", false, 0},
		{"SCALANCE X-200 switch family (incl. SIPLUS NET variants)", "SCALANCE X307-3", false, 0},
		// An x before the number is the series letter too (icsa-20-042-04,
		// icsa-22-167-14): "X200" is no pattern an S7-1200 fits.
		{"SCALANCE X200-4P IRT (6GK5200-4AH00-2BA3)", "SIMATIC S7-1200 CPU 1214C", false, 0},
		{"SCALANCE X200-4P IRT (6GK5200-4AH00-2BA3)", "S7-1200", false, 0},
		{"SCALANCE X200-4P IRT (6GK5200-4AH00-2BA3)", "SCALANCE X200-4P IRT", true, ConfListed},
		// A variant designation after the model the device lacks
		// (icsa-19-099-06, icsa-22-104-05).
		{"SIMATIC CP 343-1 Advanced (6GK7343-1GX31-0XE0)", "SIMATIC CP 343-1", false, 0},
		{"SIMATIC S7-1500 CPU 1518-4 PN/DP MFP (6ES7518-4AX00-1AC0)", "SIMATIC S7-1500 CPU 1518-4 PN/DP", false, 0},
		{"AXIS A1001", "A1001", true, ConfCode},
		{"AXIS A1001", "A1001X", false, 0},
		{"Airlink Router (ES450, GX450) running ALEOS software", "GX450", true, ConfListed},
		{"Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60) running ALEOS software", "LX40", true, ConfListed},
		{"Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60) running ALEOS software", "RV50X", true, ConfListed},
		{"Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60) running ALEOS software", "RV5", false, 0},
		{"Airlink Router (ES450, GX450) running ALEOS software", "Airlink Router", true, ConfSeries},
		{"SCALANCE M874-2 (6GK5874-2AA00-2AA2)", "6GK5874-2AA00-2AA2", true, ConfListed},
		{"SCALANCE M874-2 (6GK5874-2AA00-2AA2)", "SCALANCE M874-2", true, ConfListed},
		{"SCALANCE M874-2 (6GK5874-2AA00-2AA2)", "M874-2", true, ConfCode},
		{"SCALANCE M874-2 (6GK5874-2AA00-2AA2)", "SCALANCE M874-3", false, 0},
		{"SCALANCE M874-2 (6GK5874-2AA00-2AA2)", "6GK5874-3AA00-2AA2", false, 0},
		{"Trane Technologies XL824 Thermostat", "XL824", true, ConfCode},
		{"Trane Technologies XL824 Thermostat", "XL850", false, 0},
		{"Trane Technologies XL824 Thermostat", "Pivot Thermostat", false, 0},
		{"E11", "Akuvox E11", true, ConfCode},
		{"E11", "E12", false, 0},
		{"AE1021 firmware", "AE1021", true, ConfGeneric},
		{"AE1021 firmware", "AE1021PE", false, 0},
		{"Console Server (DSM Series)", "DSM-150", true, ConfSeries},
		{"Network Power Switch (NPS Series)", "DSM-150", false, 0},
		{"RUT model routers", "RUT955", true, ConfSeries},
		{"NVR301-04S2-P4", "NVR301-04S2-P4", true, ConfExact},
		{"NVR301-04S2-P4", "NVR301", false, 0},
		{"Vision1210", "Vision 1210", true, ConfExact},
		{"Vision1210", "Vision120", false, 0},
		{"Envoy", "Envoy-S Metered", false, 0},
		{"", "X1", false, 0},
	}
	for _, tt := range tests {
		ok, conf, why := MatchModel(tt.product, tt.model)
		if ok != tt.want || conf != tt.conf {
			t.Errorf("MatchModel(%q, %q) = %v, %v (%s); want %v, %v", tt.product, tt.model, ok, conf, why, tt.want, tt.conf)
		}
		if why == "" {
			t.Errorf("MatchModel(%q, %q): empty reason", tt.product, tt.model)
		}
	}
}

// TestCrossref checks every (vendor, product) the CSAF advisories of the
// corpus name matches itself exactly, and that no
// product of one advisory matches another vendor's product at high
// confidence.
func TestCrossref(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/CROSSREF.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type vp struct{ vendor, product string }
	set := map[vp]bool{}
	for _, r := range rows[1:] {
		if r[5] == "" {
			continue
		}
		for _, p := range strings.Split(r[6], "; ") {
			set[vp{r[5], p}] = true
		}
	}
	if len(set) < 50 {
		t.Fatalf("only %d products", len(set))
	}
	for x := range set {
		if ok, conf, _ := MatchModel(x.product, x.product); !ok || conf != ConfExact {
			t.Errorf("MatchModel(%q, itself) = %v, %v", x.product, ok, conf)
		}
	}
	for x := range set {
		for y := range set {
			if x == y || strings.EqualFold(x.vendor, y.vendor) {
				continue
			}
			if ok, conf, why := MatchModel(x.product, y.product); ok && conf >= ConfCode {
				t.Errorf("%s %q matches %s %q at %v: %s", x.vendor, x.product, y.vendor, y.product, conf, why)
			}
		}
	}
}

func BenchmarkMatchModel(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		MatchModel("Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60) running ALEOS software", "LX60")
	}
}

func FuzzMatchModel(f *testing.F) {
	f.Add("Airlink Router (MP70, RV50, RV50x, RV55, LX 40, LX60) running ALEOS software", "LX60")
	f.Add("InRouter 6XX", "IR615")
	f.Add("\xff\xff\xff\xff\xff\xff\xff\xff (a) running x", "a")
	f.Add("Hangzhou Hikvision Digital Technology Co., Ltd.", "Console Server (DSM Series)")
	f.Fuzz(func(t *testing.T, a, b string) {
		ok, conf, why := MatchModel(a, b)
		if ok != (conf > 0) || why == "" {
			t.Fatalf("MatchModel(%q, %q) = %v, %v, %q", a, b, ok, conf, why)
		}
		if ok2, _, _ := MatchModel(a, a); strings.TrimSpace(a) != "" && len(tokens(a)) > 0 && !ok2 {
			t.Fatalf("MatchModel(%q, itself) = false", a)
		}
	})
}
