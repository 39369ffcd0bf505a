// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"strings"
	"testing"

	"vigil/internal/advisory"
	"vigil/internal/match/vrange"
)

// TestTextBounds reads the bounds of vulnerability summaries of the
// corpus (rule cve-text).
func TestTextBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text, name string
		others     []string
		want       string // bounds joined by " ", "" for none
	}{
		{"MiR software versions prior to v2.8.3 contain system configurations with insecure defaults", "MiR100 MiR200 MiR250 MiR500 MiR1000 in MiR Robot Software",
			[]string{"MiR Fleet in MiR Fleet Software"}, "<2.8.3"},
		{"Smart Security Manager Versions 1.4 and prior to 1.31 are affected by these vulnerabilities.", "Smart Security Manager", nil, "<=1.4"},
		{"A vulnerability related to a legacy support account in TriStation 1131 versions 1.0 through 4.9.0 and 4.10.0 could allow inappropriate access", "TriStation 1131",
			[]string{"Tricon Communications Module (TCM) Models 4351 4352 4351A/B and 4352A/B installed in Tricon"}, ">=1.0|<=4.9.0 =4.10.0"},
		{"A vulnerability could cause TCMs installed in Tricon system Versions 10.0.0 through 10.4.x to reset", "Tricon Communications Module (TCM) Models 4351 4352 4351A/B and 4352A/B installed in Tricon",
			[]string{"TriStation 1131"}, ">=10.0.0|<10.5"},
		{"Proficy Machine Edition Version 9.00 and prior stores project data in a directory with improper access", "Proficy Machine Edition", nil, "<=9.00"},
		// A bound of a component, not of the product.
		{"ToolBoxST uses a vulnerable version of the Ionic .NET Zip library prior to 1.9.1.8", "ToolBoxST OS", nil, ""},
		// A word other products of the advisory share names none of them.
		{"eProsima Fast DDS versions prior to 2.4.0 are affected", "TwinOaks Computing CoreDX DDS", []string{"eProsima Fast DDS", "Eclipse CycloneDDS"}, ""},
		// A class word is no name ("Apache HTTP Server 2.4.48 and earlier").
		{"Apache HTTP Server 2.4.48 and earlier may crash", "SINEMA Remote Connect Server", nil, ""},
	} {
		var got []string
		for _, r := range textBounds(tc.text, cveTextWords(tc.name, append([]string{tc.name}, tc.others...))) {
			got = append(got, r.Bounds())
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q / %q: bounds %q, want %q", tc.text, tc.name, g, tc.want)
		}
	}
}

// TestUpTo: a version at the exclusive bound of a range the product's
// name writes "up to" (rule up-to), of the corpus's three such names.
func TestUpTo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		full, rng, ver string
		want           bool
	}{
		{"WebCtrl Server: All versions up to 7.0", "<7.0", "7.0", true},
		{"PeerVue Web Server: all versions up to 7.6.2", "<7.6.2", "7.6.2", true},
		{"PeerVue Web Server: all versions up to 7.6.2", "<7.6.2", "7.6.3", false},
		// The name's bound differs from the range's (a typo of the conversion).
		{"SREA-01 revisions A B C: application versions up to 3.31.5", "<3.31.15", "3.31.15", false},
		// No "up to" in the name.
		{"WebCtrl Server", "<7.0", "7.0", false},
	} {
		r := vrange.Parse(tc.rng)
		var st statement
		got := upTo(&st, tc.ver, []crange{{src: &advisory.VersionRange{Text: tc.rng}, r: r}}, tc.full, advisory.StatusKnownAffected)
		if got != tc.want || got && (st.check.Rule != "up-to" || st.factor >= 1) {
			t.Errorf("%q %s %s: %v %+v, want %v", tc.full, tc.rng, tc.ver, got, st.check, tc.want)
		}
	}
}

// TestReleaseBuild: a device version that is a build of a release the
// model leaves out (rule release-build), on the corpus's names.
func TestReleaseBuild(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version, rng, release, ver string
		want                       bool
	}{
		{"5.21.17", "", "2021 r2", "5.21.17", true},        // WIN-911 2021 R2
		{"", "< V11.2a", "2017 r2", "V11.1", true},         // Siveillance VMS 2017 R2
		{"", "<= 76.5648", "2015 r1", "76.5648", true},     // ClearSCADA 2015 R1
		{"", "<= 76.5648", "2015 r1", "2015 R2", false},    // another release
		{"", ">= 10.1 | <= 10.5", "ac2000", "10.4", false}, // CEM Systems AC2000: a model
		{"", "vers:all/*", "2020", "1.2", false},           // every version of the release
	} {
		cp := &cproduct{p: &advisory.Product{}, version: tc.version}
		if tc.rng != "" {
			cp.ranges = []crange{{src: &advisory.VersionRange{Text: tc.rng}, r: vrange.Parse(tc.rng)}}
		}
		if got := releaseBuild(cp, tc.ver, tc.release); got != tc.want {
			t.Errorf("%s %q release %s: %v, want %v", tc.version, tc.rng, tc.release, got, tc.want)
		}
	}
}

// TestFormerName: the former names the corpus's range conditions give
// (rule former-name), and conditions that are none.
func TestFormerName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ cond, want string }{
		{"(formerly known as InduSoft Web Studio)", "InduSoft Web Studio"},
		{"formerly Power Manager", "Power Manager"},
		{"(formerly PowerSCADA Expert)", "PowerSCADA Expert"},
		{"Only with Advanced Reports and Dashboards Module", ""},
	} {
		got := ""
		if m := formerlyRE.FindStringSubmatch(tc.cond); m != nil {
			got = m[1]
		}
		if got != tc.want {
			t.Errorf("%q: %q, want %q", tc.cond, got, tc.want)
		}
	}
}
