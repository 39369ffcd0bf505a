// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command gen derives the word frequencies of product names (words.tsv)
// from CSAF documents: for each word of the normalised product names
// (product.Tokens), the number of distinct product names of the documents
// that hold it. Only documents whose id names a year in -years are read
// (2017–2020 by default: the matcher is tuned on those advisories alone),
// and only words of three names or more are written. With -leads it also
// writes, for each word of letters that leads product names of two words
// or more, the one word all of them go on with when there is one
// ("sipass integrated"): a brand of one product line. See the go:generate
// line in internal/match/product.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"vigil/internal/match/product"
)

type branch struct {
	Category string   `json:"category"`
	Name     string   `json:"name"`
	Branches []branch `json:"branches"`
}

type doc struct {
	Document struct {
		Tracking struct {
			ID string `json:"id"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree struct {
		Branches []branch `json:"branches"`
	} `json:"product_tree"`
}

var yearRE = regexp.MustCompile(`(?i)^icsm?a-(\d\d)-`)

func main() {
	out := flag.String("o", "words.tsv", "output file")
	dir := flag.String("csaf", "", "directory of CSAF documents (searched recursively)")
	years := flag.String("years", "17-20", "two-digit years of the advisory ids to read, FROM-TO")
	minNames := flag.Int("min", 3, "least number of names a word must be in to be written")
	leads := flag.String("leads", "", "output file of the words that lead one product line (none: not written)")
	flag.Parse()
	if err := run(*out, *leads, *dir, *years, *minNames); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, leadsOut, dir, years string, minNames int) error {
	from, to, ok := strings.Cut(years, "-")
	lo, err1 := strconv.Atoi(from)
	hi, err2 := strconv.Atoi(to)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("-years %q: want FROM-TO", years)
	}
	names := map[string]bool{}
	docs := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		m := yearRE.FindStringSubmatch(filepath.Base(path))
		if m == nil {
			return nil
		}
		if y, _ := strconv.Atoi(m[1]); y < lo || y > hi {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read %s: %w", path, err)
		}
		var c doc
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		docs++
		var walk func([]branch)
		walk = func(bs []branch) {
			for _, x := range bs {
				if x.Category == "product_name" {
					if k := strings.Join(product.Tokens(x.Name), " "); k != "" {
						names[k] = true
					}
				}
				walk(x.Branches)
			}
		}
		walk(c.ProductTree.Branches)
		return nil
	})
	if err != nil {
		return fmt.Errorf("walk %s: %w", dir, err)
	}
	df := map[string]int{}
	for n := range names {
		seen := map[string]bool{}
		for _, t := range strings.Fields(n) {
			if !seen[t] {
				seen[t] = true
				df[t]++
			}
		}
	}
	var words []string
	for t, n := range df {
		if n >= minNames {
			words = append(words, t)
		}
	}
	slices.SortFunc(words, func(a, b string) int {
		if df[a] != df[b] {
			return df[b] - df[a]
		}
		return strings.Compare(a, b)
	})
	var sb strings.Builder
	fmt.Fprintf(&sb, "# words of product names: distinct names holding each word, from %d CSAF documents of 20%02d–20%02d\n", docs, lo, hi)
	fmt.Fprintf(&sb, "names\t%d\n", len(names))
	for _, t := range words {
		fmt.Fprintf(&sb, "%s\t%d\n", t, df[t])
	}
	if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if leadsOut == "" {
		return nil
	}
	return writeLeads(leadsOut, names, docs, lo, hi)
}

var lettersRE = regexp.MustCompile(`^[a-z]+$`)

// writeLeads writes, for each word of letters (four or more) that leads
// product names of two words or more, the one word every one of them goes
// on with, and how many names it leads.
func writeLeads(out string, names map[string]bool, docs, lo, hi int) error {
	next := map[string]map[string]bool{}
	count := map[string]int{}
	for n := range names {
		f := strings.Fields(n)
		if len(f) < 2 || len(f[0]) < 4 || !lettersRE.MatchString(f[0]) {
			continue
		}
		if next[f[0]] == nil {
			next[f[0]] = map[string]bool{}
		}
		next[f[0]][f[1]] = true
		count[f[0]]++
	}
	var leads []string
	for w, ns := range next {
		if len(ns) == 1 {
			for x := range ns {
				if lettersRE.MatchString(x) {
					leads = append(leads, fmt.Sprintf("%s\t%s\t%d", w, x, count[w]))
				}
			}
		}
	}
	slices.Sort(leads)
	var sb strings.Builder
	fmt.Fprintf(&sb, "# words that lead product names of two words or more, each with the one word all those names go on with and how many they are, from %d CSAF documents of 20%02d–20%02d\n", docs, lo, hi)
	for _, l := range leads {
		sb.WriteString(l + "\n")
	}
	if err := os.WriteFile(out, []byte(sb.String()), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
