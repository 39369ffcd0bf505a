// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command gen derives the vendor alias table (aliases.tsv) from advisory
// data: CSAF documents (directories, searched recursively for *.json), the
// CISA KEV catalog, NVD CVE API records and CVE 5 records. See the package
// comment of internal/match/vendor; the go:generate line there names the
// inputs under $VIGIL_CORPUS.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"vigil/internal/advisory"
	"vigil/internal/match/vendor"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("gen", flag.ContinueOnError)
	var csafDirs, nvdDirs, cve5Dirs multi
	out := fl.String("o", "aliases.tsv", "output file")
	kev := fl.String("kev", "", "KEV catalog JSON")
	fl.Var(&csafDirs, "csaf", "directory of CSAF documents (repeatable)")
	fl.Var(&nvdDirs, "nvd", "directory of NVD CVE API records (repeatable)")
	fl.Var(&cve5Dirs, "cve5", "directory of CVE 5 records (repeatable)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	var in vendor.Input
	ctx := context.Background()
	for _, dir := range csafDirs {
		err := walkJSON(dir, func(path string, data []byte) error {
			_, _, err := advisory.ParseCSAF(ctx, bytes.NewReader(data), path, func(a advisory.Advisory) error {
				for _, p := range a.Products {
					if p.Vendor == "" || p.Relationship != "" {
						continue
					}
					vp := vendor.Product{Doc: strings.ToLower(a.ID), Vendor: p.Vendor, Name: p.Name}
					for cve := range p.Status {
						vp.CVEs = append(vp.CVEs, cve)
					}
					slices.Sort(vp.CVEs)
					for _, c := range p.CPEs {
						if v, _, ok := advisory.CPEVendorProduct(c); ok {
							vp.CPEVendors = append(vp.CPEVendors, v)
						}
					}
					in.CSAF = append(in.CSAF, vp)
				}
				return nil
			})
			return err
		})
		if err != nil {
			return err
		}
	}
	if *kev != "" {
		data, err := os.ReadFile(*kev)
		if err != nil {
			return err
		}
		var cat struct {
			Vulnerabilities []struct {
				CVE     string `json:"cveID"`
				Vendor  string `json:"vendorProject"`
				Product string `json:"product"`
			} `json:"vulnerabilities"`
		}
		if err := json.Unmarshal(data, &cat); err != nil {
			return fmt.Errorf("%s: %w", *kev, err)
		}
		for _, v := range cat.Vulnerabilities {
			in.KEV = append(in.KEV, vendor.Named{CVE: v.CVE, Vendor: v.Vendor, Product: v.Product})
		}
	}
	cpeRE := regexp.MustCompile(`cpe:2\.3:[aho]:([^:]+):([^:]+)`)
	for _, dir := range nvdDirs {
		err := walkJSON(dir, func(path string, data []byte) error {
			cve := strings.TrimSuffix(filepath.Base(path), ".json")
			for _, m := range cpeRE.FindAllStringSubmatch(string(data), -1) {
				in.CPEs = append(in.CPEs, vendor.CPEVendor{CVE: cve, Vendor: m[1], Product: m[2], Source: vendor.SourceNVD})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, dir := range cve5Dirs {
		err := walkJSON(dir, func(path string, data []byte) error {
			var rec struct {
				Meta struct {
					ID string `json:"cveId"`
				} `json:"cveMetadata"`
				Containers struct {
					CNA affectedList   `json:"cna"`
					ADP []affectedList `json:"adp"`
				} `json:"containers"`
			}
			if err := json.Unmarshal(data, &rec); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			for _, c := range append([]affectedList{rec.Containers.CNA}, rec.Containers.ADP...) {
				for _, a := range c.Affected {
					n := vendor.Named{CVE: rec.Meta.ID, Vendor: a.Vendor, Product: a.Product}
					for _, cpe := range a.CPEs {
						if m := cpeRE.FindStringSubmatch(cpe); m != nil {
							n.CPEVendors = append(n.CPEVendors, m[1])
							in.CPEs = append(in.CPEs, vendor.CPEVendor{CVE: rec.Meta.ID, Vendor: m[1], Product: m[2], Source: vendor.SourceCVE5})
						}
					}
					in.CVE5 = append(in.CVE5, n)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	as := vendor.Derive(in)
	header := "# Vendor aliases derived from advisory data by internal/match/vendor/gen (go generate); do not edit.\n" +
		"# vendor<TAB>alias<TAB>source<TAB>note\n"
	return os.WriteFile(*out, []byte(header+vendor.FormatTSV(as)), 0o644)
}

type affectedList struct {
	Affected []struct {
		Vendor  string   `json:"vendor"`
		Product string   `json:"product"`
		CPEs    []string `json:"cpes"`
	} `json:"affected"`
}

// walkJSON calls fn for every .json file under dir.
func walkJSON(dir string, fn func(path string, data []byte) error) error {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return fn(path, data)
	})
}
