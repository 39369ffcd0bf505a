// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"

	"vigil/internal/errs"
)

// MaxOrgName is the longest name of an organisation, in characters.
const MaxOrgName = 120

// linkRE finds what makes a name a link or an address: a URL scheme
// ("https:", "mailto:"), "://", "www." and "@". Names are read after NFKC,
// so full-width and other compatibility forms ("ｗｗｗ．") are caught too.
var linkRE = regexp.MustCompile(`(?i)://|\bwww\.|@|\b(?:https?|ftp|sftp|file|mailto|javascript|data|tel|sms|news|irc|ssh|git)\s*:`)

// domainRE finds tokens shaped like domain names: labels joined by dots,
// the last one of letters ("booking.com", "rabobank-login.nl"; not "B.V."
// or "N.V.", whose last part is one letter).
var domainRE = regexp.MustCompile(`(?i)\b[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,63}\b`)

// CleanOrgName checks that name is an organisation's name as plain text and
// returns it cleaned (NFKC, spaces trimmed and collapsed to one). A name
// goes out in messages from the CERT (warnings, invitations to any address
// a member types, rejections), so it must not carry a link, an address or
// text that reads differently than it shows. Refused, each with a keyed
// errs.Invalid on field:
//   - control, format (bidirectional overrides and isolates, zero-width
//     characters, soft hyphens), private-use, surrogate and unassigned
//     characters, and line or paragraph separators;
//   - "<" and ">" (markup), "@" (an e-mail address), "://", "www." and a
//     URL scheme ("http:", "mailto:", "javascript:", …);
//   - without domains, a token shaped like a domain whose last label is a
//     top-level domain on the public suffix list ("Booking.com",
//     "rabobank-verify.nl": mail clients make a link of it), while "B.V.",
//     "N.V." and "St.Jansdal" pass. Members registering or renaming their
//     organisation are held to it; an operator (the CLI, an import, an
//     analyst's API token) may give such a name;
//   - an empty name or one of more than MaxOrgName characters.
func CleanOrgName(field, name string, domains bool) (string, error) {
	name = norm.NFKC.String(name)
	for _, r := range name {
		if bad := badNameRune(r); bad {
			return "", errs.FieldKeyed(field, name, "org.name.char", "contains the invisible or control character U+%04X; type the name as plain text", r)
		}
	}
	name = strings.Join(strings.Fields(name), " ")
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", errs.FieldKeyed(field, "", "org.name", "an organisation needs a name")
	case n > MaxOrgName:
		return "", errs.FieldKeyed(field, string([]rune(name)[:40])+"…", "text.toolong", "longer than %d characters", MaxOrgName)
	}
	if i := strings.IndexAny(name, "<>"); i >= 0 {
		return "", errs.FieldKeyed(field, name, "org.name.markup", "contains %q; type the name as plain text", name[i:i+1])
	}
	if m := linkRE.FindString(name); m != "" {
		return "", errs.FieldKeyed(field, name, "org.name.link", "contains %q, part of a web or e-mail address; give the organisation's name without it", strings.TrimSpace(m))
	}
	if !domains {
		if d := domainIn(name); d != "" {
			return "", errs.FieldKeyed(field, name, "org.name.domain", "contains the domain name %q; give the organisation's name without it (an analyst can register a name that is a domain)", d)
		}
	}
	return name, nil
}

// badNameRune reports whether r may not appear in a name: controls,
// formatting characters (bidi, zero width, soft hyphen), private use,
// surrogates, unassigned code points and line or paragraph separators.
func badNameRune(r rune) bool {
	switch {
	case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r),
		unicode.Is(unicode.Cs, r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r):
		return true
	case r > unicode.MaxASCII && !unicode.IsGraphic(r):
		return true
	}
	return false
}

// domainIn returns the first token of name shaped like a domain under a
// top-level domain of the public suffix list (ICANN section), or "".
func domainIn(name string) string {
	for _, m := range domainRE.FindAllString(name, -1) {
		d := strings.ToLower(m)
		if _, icann := publicsuffix.PublicSuffix(d); icann {
			return m
		}
	}
	return ""
}
