// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"errors"
	"strings"
	"testing"

	"vigil/internal/errs"
)

// TestCleanOrgName: real firm names pass (cleaned), names that carry a
// link, an address, markup or invisible characters are refused with a
// keyed error on the field; a domain name passes only where domains are
// allowed (the operator's paths).
func TestCleanOrgName(t *testing.T) {
	cases := []struct {
		in, want string
		key      string // the refusal's key; "" for none
		domain   string // the key without domains, when it differs
	}{
		{in: "Coöperatieve Rabobank U.A.", want: "Coöperatieve Rabobank U.A."},
		{in: "  ASML Holding   N.V. ", want: "ASML Holding N.V."},
		{in: "Koninklijke Philips N.V.", want: "Koninklijke Philips N.V."},
		{in: "Stichting Drinkwater Oost", want: "Stichting Drinkwater Oost"},
		{in: "Van Oord Dredging and Marine Contractors B.V.", want: "Van Oord Dredging and Marine Contractors B.V."},
		{in: "Bakkerij 't Stoepje V.O.F.", want: "Bakkerij 't Stoepje V.O.F."},
		{in: "St.Jansdal Ziekenhuis", want: "St.Jansdal Ziekenhuis"},
		{in: "AT&T Inc.", want: "AT&T Inc."},
		{in: "Siemens AG", want: "Siemens AG"},
		{in: "Ｒａｂｏｂａｎｋ", want: "Rabobank"}, // full-width, NFKC
		{in: "Gemeente\u00a0Utrecht", want: "Gemeente Utrecht"},
		{in: "Booking.com B.V.", want: "Booking.com B.V.", domain: "org.name.domain"},
		{in: "rabobank-verificatie.nl", want: "rabobank-verificatie.nl", domain: "org.name.domain"},
		{in: "Rabobank https://rabo-login.example/", key: "org.name.link"},
		{in: "Rabobank (www.rabo-login.example)", key: "org.name.link"},
		{in: "Rabobank ｗｗｗ．rabo", key: "org.name.link"},
		{in: "helpdesk@rabobank.example", key: "org.name.link"},
		{in: "Klik hier javascript:alert(1)", key: "org.name.link"},
		{in: "mailto: security", key: "org.name.link"},
		{in: "<a href=x>ING</a>", key: "org.name.markup"},
		{in: "ING\u202egnp.exe", key: "org.name.char"}, // right-to-left override
		{in: "IN\u200bG Bank", key: "org.name.char"},   // zero-width space
		{in: "ING\nBank", key: "org.name.char"},        // a header's end
		{in: "ING\u2028Bank", key: "org.name.char"},    // line separator
		{in: "ING\u00adBank", key: "org.name.char"},    // soft hyphen
		{in: "   ", key: "org.name"},
		{in: strings.Repeat("Waterschap ", 12), key: "text.toolong"},
	}
	for _, c := range cases {
		for _, domains := range []bool{true, false} {
			want := c.key
			if !domains && c.domain != "" {
				want = c.domain
			}
			got, err := CleanOrgName("name", c.in, domains)
			var e *errs.Error
			switch {
			case want == "" && err != nil:
				t.Errorf("CleanOrgName(%q, %v): %v", c.in, domains, err)
			case want == "" && got != c.want:
				t.Errorf("CleanOrgName(%q, %v) = %q; want %q", c.in, domains, got, c.want)
			case want != "" && (!errors.As(err, &e) || e.Key != want || e.Field != "name" || e.Code != errs.Invalid):
				t.Errorf("CleanOrgName(%q, %v) = %q, %v; want the refusal %s on field name", c.in, domains, got, err, want)
			}
		}
	}
}
