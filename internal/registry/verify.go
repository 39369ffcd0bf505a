// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"vigil/internal/errs"
	"vigil/internal/netguard"
)

// Resolver looks up DNS TXT records; *net.Resolver satisfies it.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Verifier checks that an organisation controls a domain or IP range before
// it may see findings about it or run probes against it.
//
// The organisation publishes its token in one of two ways:
//   - a DNS TXT record "vigil-verify=TOKEN" at _vigil-verify.<domain>, or for
//     an IP range at _vigil-verify.<reverse zone> (in-addr.arpa / ip6.arpa of
//     the range, rounded out to an octet or nibble boundary);
//   - a file at https://<domain>/.well-known/vigil-verify.txt whose lines
//     include the token (domains only).
//
// ASNs cannot be proven this way; an analyst verifies them by hand after
// contacting the holder listed in the RIR's records.
type Verifier struct {
	Resolver Resolver
	// HTTP fetches the well-known file; nil disables the HTTP method.
	HTTP *netguard.Client
	// URLFor returns the well-known URL for a domain; nil means
	// https://DOMAIN/.well-known/vigil-verify.txt. Tests point it at loopback.
	URLFor func(domain string) string
}

// TXTName returns the DNS name at which the token must be published for a.
func TXTName(a Asset) (string, error) {
	switch a.Kind {
	case KindDomain:
		return "_vigil-verify." + a.Value, nil
	case KindCIDR:
		p, err := netip.ParsePrefix(a.Value)
		if err != nil {
			return "", errs.Field("cidr", a.Value, "not a CIDR range")
		}
		return "_vigil-verify." + reverseZone(p), nil
	}
	return "", errs.Errorf(errs.Invalid, "%s assets are verified by an analyst, not by DNS", a.Kind)
}

// reverseZone returns the reverse DNS zone covering p, rounded to the
// enclosing octet (IPv4) or nibble (IPv6) boundary.
func reverseZone(p netip.Prefix) string {
	a := p.Addr()
	var labels []string
	if a.Is4() {
		b := a.As4()
		for i := 0; i < p.Bits()/8; i++ {
			labels = append([]string{strconv.Itoa(int(b[i]))}, labels...)
		}
		return strings.Join(append(labels, "in-addr.arpa"), ".")
	}
	b := a.As16()
	for i := 0; i < p.Bits()/4; i++ {
		nib := b[i/2] >> 4
		if i%2 == 1 {
			nib = b[i/2] & 0xf
		}
		labels = append([]string{strconv.FormatUint(uint64(nib), 16)}, labels...)
	}
	return strings.Join(append(labels, "ip6.arpa"), ".")
}

// WellKnownURL returns the address of the well-known file that proves a
// domain (https://DOMAIN/.well-known/vigil-verify.txt), "" for assets the
// file cannot prove (ranges, AS numbers).
func WellKnownURL(a Asset) string {
	if a.Kind != KindDomain {
		return ""
	}
	return "https://" + a.Value + "/.well-known/vigil-verify.txt"
}

// Verify checks that token is published for asset a and returns the method
// that proved it ("dns" or "http"). A failed check is an errs.Forbidden error
// explaining where the token was looked for.
func (v Verifier) Verify(ctx context.Context, token string, a Asset) (string, error) {
	name, err := TXTName(a)
	if err != nil {
		return "", err
	}
	want := "vigil-verify=" + token
	var tried []string
	if v.Resolver != nil {
		txts, err := v.Resolver.LookupTXT(ctx, name)
		if err == nil {
			for _, t := range txts {
				if strings.TrimSpace(t) == want {
					return "dns", nil
				}
			}
			tried = append(tried, fmt.Sprintf("TXT %s has no %q", name, want))
		} else {
			tried = append(tried, fmt.Sprintf("TXT %s: %v", name, err))
		}
	}
	if a.Kind == KindDomain && v.HTTP != nil {
		u := WellKnownURL(a)
		if v.URLFor != nil {
			u = v.URLFor(a.Value)
		}
		body, _, err := v.HTTP.Fetch(ctx, u)
		if err == nil {
			sc := bufio.NewScanner(bytes.NewReader(body))
			for sc.Scan() {
				if l := strings.TrimSpace(sc.Text()); l == token || l == want {
					return "http", nil
				}
			}
			tried = append(tried, u+" does not contain the token")
		} else {
			tried = append(tried, err.Error())
		}
	}
	if len(tried) == 0 {
		return "", errs.Errorf(errs.Internal, "verifier has no resolver or HTTP client")
	}
	return "", errs.Keyed(errs.Forbidden, "", "asset.unproven", "ownership of %s not proven: %s", a.Value, strings.Join(tried, "; "))
}
