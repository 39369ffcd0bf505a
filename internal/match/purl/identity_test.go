// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"os"
	"regexp"
	"testing"
)

func TestSamePackage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		advisory, component string
		want                bool
	}{
		{"pkg:maven/org.apache.logging.log4j/log4j-core", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", true},
		{"pkg:maven/org.apache.logging.log4j/log4j-core", "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", false},
		{"pkg:pypi/Django_REST", "pkg:pypi/django-rest@1.0", true},
		{"pkg:nuget/Newtonsoft.Json", "pkg:nuget/newtonsoft.json@13.0.1", true},
		{"pkg:maven/Org.Example/Lib", "pkg:maven/org.example/lib@1", false}, // maven is case-sensitive
		{"pkg:npm/%40angular/core", "pkg:npm/@angular/core@12.0.0", true},
		{"pkg:deb/debian/curl?distro=bookworm", "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=bookworm", true},
		{"pkg:deb/debian/curl?distro=bookworm", "pkg:deb/debian/curl@7.74.0-1.3?distro=bullseye", false},
		{"pkg:deb/debian/curl", "pkg:deb/debian/curl@7.74.0-1.3?distro=bullseye", true},
		{"pkg:deb/debian/curl", "pkg:deb/ubuntu/curl@7.81.0", false},
		{"pkg:pypi/requests?repository_url=https://pypi.example.org/", "pkg:pypi/requests@2.0?repository_url=https://pypi.example.org", true},
		{"pkg:pypi/requests?repository_url=https://pypi.example.org", "pkg:pypi/requests@2.0?repository_url=https://mirror.example.net", false},
		{"pkg:golang/github.com/Foo/Bar", "pkg:golang/github.com/foo/bar@v1.0.0", true},
	}
	for _, tt := range tests {
		a, err := Parse(tt.advisory)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.advisory, err)
		}
		c, err := Parse(tt.component)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.component, err)
		}
		if got, why := SamePackage(a, c); got != tt.want {
			t.Errorf("SamePackage(%q, %q) = %v (%s); want %v", tt.advisory, tt.component, got, why, tt.want)
		}
	}
}

// TestSBOMPurls parses every purl of the real CycloneDX and SPDX SBOMs in
// testdata/sbom and checks the identity key is stable under re-parsing.
func TestSBOMPurls(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`pkg:[^"\s]+`)
	n := 0
	for _, f := range []string{"testdata/sbom/sbom-cern-lhc-vdm-editor.cdx.json", "testdata/sbom/example11-sbom.spdx.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAll(b, -1) {
			p, err := Parse(string(m))
			if err != nil {
				t.Errorf("%s: Parse(%q): %v", f, m, err)
				continue
			}
			p2, err := Parse(String(p))
			if err != nil || IdentityKey(p2) != IdentityKey(p) {
				t.Errorf("%s: %q: identity not stable: %v", f, m, err)
			}
			if ok, why := SamePackage(p, p2); !ok {
				t.Errorf("%s: %q not the same package as itself: %s", f, m, why)
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d purls in the SBOM testdata", n)
	}
}
