// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"fmt"
	"strings"

	"vigil/internal/text"
)

// Software is a product and version named in a banner.
type Software struct {
	Product string `json:"product"`
	Version string `json:"version"`
}

// String returns "product version".
func (s Software) String() string { return s.Product + " " + s.Version }

// ParseBanner finds the software versions a service banner discloses, such
// as "lighttpd/1.4.35", "BusyBox v1.19.4", "(vsFTPd 2.3.4)" or
// "OpenSSH_9.6p1". A version is a run of digits with at least one dot,
// optionally led by "v"; its product is the word just before it (joined by
// '/', '_', '-' or a space) and must contain a letter. Words such as
// "Version" are skipped to reach the product before them. Bare numbers,
// dates and addresses without a product are not versions.
func ParseBanner(banner string) []Software {
	var out []Software
	s := banner
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && (isDigit(s[i-1]) || s[i-1] == '.')) {
			continue
		}
		// s[i] starts a digit run; a version needs digits '.' digits.
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j+1 >= len(s) || s[j] != '.' || !isDigit(s[j+1]) {
			i = j
			continue
		}
		end := versionEnd(s, i)
		start := i
		if start > 0 && (s[start-1] == 'v' || s[start-1] == 'V') && (start == 1 || !isLetter(s[start-2])) {
			start--
		}
		version := s[i:end]
		product := productBefore(s, start)
		if product != "" && isDottedAddress(version) {
			product = "" // "Server at 192.0.2.1": an address, not a version
		}
		if product != "" {
			out = append(out, Software{Product: product, Version: version})
		}
		i = end - 1
	}
	return out
}

// versionEnd returns the end of the version starting at i: digits, dots and
// trailing alphanumerics ("9.6p1", "0.94.14rc21", "2.4.41").
func versionEnd(s string, i int) int {
	j := i
	for j < len(s) && (isDigit(s[j]) || isLetter(s[j]) || (s[j] == '.' && j+1 < len(s) && isAlnum(s[j+1]))) {
		j++
	}
	return j
}

// productBefore returns the word ending just before s[end] (after one
// separator), skipping "version"-like words.
func productBefore(s string, end int) string {
	for range 2 {
		if end == 0 {
			return ""
		}
		sep := s[end-1]
		if sep != '/' && sep != '_' && sep != '-' && sep != ' ' {
			return ""
		}
		k := end - 1
		for k > 0 && s[k-1] == ' ' && sep == ' ' {
			k--
		}
		w := k
		for w > 0 && (isAlnum(s[w-1]) || s[w-1] == '-' || s[w-1] == '_' || s[w-1] == '.') {
			w--
		}
		word := strings.Trim(s[w:k], "-_.")
		switch strings.ToLower(word) {
		case "version", "ver", "release", "rev", "v":
			end = w
			continue
		}
		if !hasLetter(word) {
			return ""
		}
		return word
	}
	return ""
}

func isDottedAddress(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.IndexFunc(p, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return false
		}
	}
	return true
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }
func isAlnum(b byte) bool  { return isDigit(b) || isLetter(b) }

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if isLetter(s[i]) {
			return true
		}
	}
	return false
}

// addBanner records the banner check for one port.
func (r *runner) addBanner(p Port, source, banner string) {
	res := Result{Check: CheckBanner, Port: p.Number, Service: p.Service, Severity: Low}
	sw := ParseBanner(banner)
	if len(sw) == 0 {
		res.Passed = true
		res.Evidence = source + " discloses no software version"
	} else {
		names := make([]string, len(sw))
		for i, s := range sw {
			names[i] = s.String()
		}
		res.Evidence = fmt.Sprintf("%s discloses %s: %q", source, strings.Join(names, ", "), text.Truncate(banner, 200))
	}
	r.add(res)
}
