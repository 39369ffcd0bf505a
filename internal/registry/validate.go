// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"fmt"
	"net/mail"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"
	"github.com/weppos/publicsuffix-go/publicsuffix"
	"golang.org/x/net/idna"
	"golang.org/x/text/language"

	"vigil/internal/errs"
	"vigil/internal/netguard"
	"vigil/internal/text"
)

// NormalizeCIDR returns the canonical form of an IP range or single IP: a
// masked prefix, IPv4-mapped IPv6 unmapped. A prefix with host bits set is
// refused rather than silently widened.
func NormalizeCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, errs.FieldKeyed("cidr", s, "cidr.notip", "not an IP address or CIDR range")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errs.FieldKeyed("cidr", s, "cidr.invalid", "not a CIDR range")
	}
	if p.Addr().Is4In6() {
		bits := p.Bits() - 96
		if bits < 0 {
			return netip.Prefix{}, errs.FieldKeyed("cidr", s, "cidr.mapped", "IPv4-mapped prefix shorter than ::ffff:0:0/96")
		}
		p = netip.PrefixFrom(p.Addr().Unmap(), bits)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, errs.FieldKeyed("cidr", s, "cidr.hostbits", "host bits set; did you mean %s?", m.String())
	}
	if p.Bits() == 0 {
		return netip.Prefix{}, errs.FieldKeyed("cidr", s, "cidr.all", "refusing a range covering the whole address space")
	}
	return p, nil
}

// ParseASN parses "AS64500", "as64500" or "64500". ASN 0 and AS_TRANS (23456)
// are refused: no organisation announces them.
func ParseASN(s string) (uint32, error) {
	t := strings.TrimSpace(s)
	if len(t) > 2 && strings.EqualFold(t[:2], "as") {
		t = t[2:]
	}
	n, err := strconv.ParseUint(t, 10, 32)
	if err != nil {
		return 0, errs.FieldKeyed("asn", s, "asn.invalid", "not an AS number (1–4294967295)")
	}
	if n == 0 || n == 23456 {
		return 0, errs.FieldKeyed("asn", s, "asn.reserved", "reserved AS number")
	}
	return uint32(n), nil
}

// NormalizeDomain returns the lower-case ASCII (punycode) form of a domain
// name and checks that it is a registrable domain or a name below one, not a
// public suffix such as "co.uk" or a bare TLD.
func NormalizeDomain(s string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if d == "" {
		return "", errs.FieldKeyed("domain", s, "domain.empty", "empty domain")
	}
	ascii, err := idna.Lookup.ToASCII(d)
	if err != nil {
		return "", errs.FieldKeyed("domain", s, "domain.invalid", "not a valid domain name")
	}
	if len(ascii) > 253 || !strings.Contains(ascii, ".") {
		return "", errs.FieldKeyed("domain", s, "domain.fqdn", "not a fully qualified domain name")
	}
	for _, label := range strings.Split(ascii, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "", errs.FieldKeyed("domain", s, "domain.label", "bad label %q", label)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return "", errs.FieldKeyed("domain", s, "domain.char", "character %q not allowed", r)
			}
		}
	}
	if tld := ascii[strings.LastIndexByte(ascii, '.')+1:]; strings.Trim(tld, "0123456789") == "" {
		return "", errs.FieldKeyed("domain", s, "domain.numeric", "an all-numeric top-level domain (an IP address?) is not a domain")
	}
	if _, err := publicsuffix.Domain(ascii); err != nil {
		return "", errs.FieldKeyed("domain", s, "domain.suffix", "a public suffix, not a registrable domain")
	}
	return ascii, nil
}

// NormalizeEmail checks a bare e-mail address (no display name) and returns it
// with the domain part lower-cased.
func NormalizeEmail(s string) (string, error) {
	t := strings.TrimSpace(s)
	a, err := mail.ParseAddress(t)
	if err != nil || a.Name != "" || a.Address != t {
		return "", errs.FieldKeyed("email", s, "email.invalid", "not an e-mail address")
	}
	at := strings.LastIndexByte(t, '@')
	dom, err := NormalizeDomain(t[at+1:])
	if err != nil {
		return "", errs.FieldKeyed("email", s, "email.domain", "the domain part is not a valid domain")
	}
	return t[:at+1] + dom, nil
}

// SameEmail reports whether two e-mail addresses as NormalizeEmail
// leaves them name the same mailbox for the registry: equal but for
// letter case. The domain part is case-insensitive by DNS; the local
// part is, in theory, the receiving server's to interpret, but no one
// keeps two contacts of one organisation apart by the case of its
// letters (and mail servers fold it).
func SameEmail(a, b string) bool { return strings.EqualFold(a, b) }

var phoneRE = regexp.MustCompile(`^\+[1-9][0-9 ()-]{6,20}$`)

// NormalizePhone accepts international numbers ("+31 70 123 4567") and returns
// them with spaces, dashes and brackets removed.
func NormalizePhone(s string) (string, error) {
	t := strings.TrimSpace(s)
	if !phoneRE.MatchString(t) {
		return "", errs.FieldKeyed("phone", s, "phone.invalid", "not an international phone number (+<country code> <number>)")
	}
	return strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(t), nil
}

// NormalizeLang checks a BCP 47 language tag and returns its canonical form.
func NormalizeLang(s string) (string, error) {
	t, err := language.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", errs.FieldKeyed("lang", s, "lang.invalid", "not a language tag (e.g. nl, en)")
	}
	return t.String(), nil
}

// cpe23RE is the CPE 2.3 formatted-string grammar of NISTIR 7695 §6.2,
// simplified to its component structure: 13 colon-separated components, with
// "\:" escapes allowed inside values.
var cpe23RE = regexp.MustCompile(`^cpe:2\.3:[aho\*\-](:(?:[^:\\]|\\.)+){10}$`)

// CheckCPE checks that s is a CPE 2.3 formatted string.
func CheckCPE(s string) error {
	if !cpe23RE.MatchString(s) {
		return errs.FieldKeyed("cpe", s, "cpe.invalid", "not a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:version:…, 13 components)")
	}
	return nil
}

// CheckPURL checks that s is a valid package URL.
func CheckPURL(s string) error {
	if _, err := packageurl.FromString(s); err != nil {
		return errs.FieldKeyed("purl", s, "purl.invalid", "not a package URL (pkg:type/namespace/name@version): %s", err.Error())
	}
	return nil
}

// CheckCountry checks an ISO 3166-1 alpha-2 code.
func CheckCountry(s string) error {
	if s == "" {
		return nil
	}
	if _, err := language.ParseRegion(s); err != nil || len(s) != 2 {
		return errs.FieldKeyed("country", s, "country.invalid", "not an ISO 3166-1 alpha-2 country code")
	}
	return nil
}

// Validate checks the policy's fields.
func (p Policy) Validate() error {
	switch p.Mode {
	case "", "immediate", "daily", "weekly":
	default:
		return errs.FieldKeyed("policy.mode", p.Mode, "policy.mode", "must be immediate, daily or weekly")
	}
	switch p.MinSeverity {
	case "", "info", "low", "medium", "high", "critical":
	default:
		return errs.FieldKeyed("policy.min_severity", p.MinSeverity, "policy.severity", "must be info, low, medium, high or critical")
	}
	for _, c := range p.Channels {
		if c != "email" && c != "webhook" {
			return errs.FieldKeyed("policy.channels", c, "policy.channel", "must be email or webhook")
		}
	}
	if p.WebhookURL != "" {
		if !strings.HasPrefix(p.WebhookURL, "https://") {
			return errs.FieldKeyed("policy.webhook_url", p.WebhookURL, "policy.https", "must be an https:// URL")
		}
		if err := netguard.CheckTarget("policy.webhook_url", p.WebhookURL); err != nil {
			return err
		}
	}
	if p.RenotifyAfter != "" {
		if d, err := time.ParseDuration(p.RenotifyAfter); err != nil || d < 0 {
			return errs.FieldKeyed("policy.renotify_after", p.RenotifyAfter, "policy.renotify", "must be a duration such as 168h")
		}
	}
	if p.ImmediateCap != nil && *p.ImmediateCap < 0 {
		return errs.FieldKeyed("policy.immediate_cap", fmt.Sprint(*p.ImmediateCap), "policy.cap", "must be 0 (no cap) or more")
	}
	return nil
}

// Normalize validates o's own fields (not its children) and canonicalises
// them in place.
func (o *Org) Normalize() error {
	if err := checkText(o); err != nil {
		return err
	}
	name, err := CleanOrgName("name", o.Name, true)
	if err != nil {
		return err
	}
	o.Name = name
	o.Country = strings.ToUpper(strings.TrimSpace(o.Country))
	if err := CheckCountry(o.Country); err != nil {
		return err
	}
	for i, l := range o.Languages {
		n, err := NormalizeLang(l)
		if err != nil {
			return fmt.Errorf("languages[%d]: %w", i, err)
		}
		o.Languages[i] = n
	}
	return o.Policy.Validate()
}

// Normalize validates and canonicalises a contact. It needs an e-mail address
// or a phone number.
func (c *Contact) Normalize() error {
	if err := checkText(c); err != nil {
		return err
	}
	if c.Email == "" && c.Phone == "" {
		return errs.FieldKeyed("email", "", "contact.reach", "a contact needs an e-mail address or a phone number")
	}
	var err error
	if c.Email != "" {
		if c.Email, err = NormalizeEmail(c.Email); err != nil {
			return err
		}
	}
	if c.Phone != "" {
		if c.Phone, err = NormalizePhone(c.Phone); err != nil {
			return err
		}
	}
	if c.Lang != "" {
		if c.Lang, err = NormalizeLang(c.Lang); err != nil {
			return err
		}
	}
	switch c.Role {
	case "", "security", "technical", "management", "abuse", "other":
	default:
		return errs.FieldKeyed("role", c.Role, "contact.role", "must be security, technical, management, abuse or other")
	}
	return nil
}

// ParseAsset parses a value of the given kind (or guesses the kind when
// empty: CIDR/IP, then ASN, then domain) into a canonical Asset.
func ParseAsset(kind AssetKind, value string) (Asset, error) {
	if err := checkText(struct {
		Kind  AssetKind `json:"kind"`
		Value string    `json:"value"`
	}{kind, value}); err != nil {
		return Asset{Kind: kind}, err
	}
	v := strings.TrimSpace(value)
	if kind == "" {
		switch {
		case strings.ContainsAny(v, ":/") || strings.Contains(v, ".") && strings.Trim(v, "0123456789.") == "":
			kind = KindCIDR
		case strings.HasPrefix(strings.ToLower(v), "as") || isDigits(v):
			kind = KindASN
		default:
			kind = KindDomain
		}
	}
	a := Asset{Kind: kind}
	switch kind {
	case KindCIDR:
		p, err := NormalizeCIDR(v)
		if err != nil {
			return a, err
		}
		a.Value = p.String()
	case KindASN:
		n, err := ParseASN(v)
		if err != nil {
			return a, err
		}
		a.Value = strconv.FormatUint(uint64(n), 10)
	case KindDomain:
		d, err := NormalizeDomain(v)
		if err != nil {
			return a, err
		}
		a.Value = d
	default:
		return a, errs.FieldKeyed("kind", kind, "asset.kind", "must be cidr, asn or domain")
	}
	return a, nil
}

// Normalize validates and canonicalises a device.
func (d *Device) Normalize() error {
	if err := checkText(d); err != nil {
		return err
	}
	d.Vendor = strings.TrimSpace(d.Vendor)
	d.Model = strings.TrimSpace(d.Model)
	d.Firmware = strings.TrimSpace(d.Firmware)
	if d.Vendor == "" {
		return errs.FieldKeyed("vendor", d.Vendor, "device.vendor", "a device needs a vendor")
	}
	if d.Model == "" {
		return errs.FieldKeyed("model", d.Model, "device.model", "a device needs a model")
	}
	if d.CPE != "" {
		if err := CheckCPE(d.CPE); err != nil {
			return err
		}
	}
	if d.PURL != "" {
		if err := CheckPURL(d.PURL); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses a NUL byte or invalid UTF-8 in any string of v,
// naming the member (text.Find): the store would refuse it too, without
// the name.
func checkText(v any) error {
	if field, reason := text.Find(v); reason != "" {
		return text.Refusal(field, reason)
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
