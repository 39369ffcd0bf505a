// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"

	"vigil/internal/contact/securitytxt"
)

// testNow is the clock of every test: files in testdata expire at the end
// of 2026.
func testNow() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newKey makes an Ed25519 OpenPGP key whose creation time is the test clock.
func newKey(t testing.TB, email string) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: testNow}
	e, err := openpgp.NewEntity("Security Team", "", email, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// sign clear-signs body with e, as gpg --clearsign does, and ends the result
// with one line feed.
func sign(t testing.TB, e *openpgp.Entity, body []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := clearsign.Encode(&buf, e.PrivateKey, &packet.Config{Time: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

func armoredPublicKey(t testing.TB, e *openpgp.Entity) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// issues renders a report as "code@line" strings: errors, then
// recommendations, then notifications.
func issues(r securitytxt.Report) []string {
	out := []string{}
	for _, list := range [][]securitytxt.Issue{r.Errors, r.Recommendations, r.Notifications} {
		for _, is := range list {
			out = append(out, fmt.Sprintf("%s@%d", is.Code, is.Line))
		}
	}
	return out
}

const minimal = "Contact: mailto:security@example.com\nEncryption: https://example.com/pgp-key.txt\nExpires: 2026-12-31T23:00:00Z\n"

type validateCase struct {
	name  string
	body  []byte
	opts  func(*securitytxt.Options)
	want  []string // "code@line" in report order
	valid bool
}

func validateCases(t testing.TB) []validateCase {
	key := newKey(t, "security@example.com")
	other := newKey(t, "someone-else@example.org")
	signedBody := readTestdata(t, "signed-body.txt")
	signed := sign(t, key, signedBody)
	withKey := func(o *securitytxt.Options) { o.Keyring = openpgp.EntityList{key} }

	tampered := bytes.Replace(signed, []byte("mailto:security@example.com"), []byte("mailto:attacker@example.net"), 1)
	crlfSigned := sign(t, key, bytes.ReplaceAll(signedBody, []byte("\n"), []byte("\r\n")))
	crlfSigned = bytes.ReplaceAll(bytes.ReplaceAll(crlfSigned, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	noSigBlock := []byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + minimal)
	// A signature block whose base64 does not decode.
	lines := strings.Split(string(signed), "\n")
	for i, l := range lines {
		if l == "-----BEGIN PGP SIGNATURE-----" {
			lines[i+2] = "!!!!" + lines[i+2][4:]
			break
		}
	}
	badBase64 := []byte(strings.Join(lines, "\n"))
	// A well-formed armor block around bytes that are no OpenPGP packet.
	var garbage bytes.Buffer
	aw, _ := armor.Encode(&garbage, "PGP SIGNATURE", nil)
	aw.Write([]byte{0x00, 0x01, 0x02, 0x03})
	aw.Close()
	head := signed[:bytes.Index(signed, []byte("-----BEGIN PGP SIGNATURE-----"))]
	badPacket := append(append(append([]byte{}, head...), garbage.Bytes()...), '\n')
	noCanonical := sign(t, key, []byte(minimal))
	bigFile := []byte(minimal + strings.Repeat("# padding padding padding padding\n", 2000))

	return []validateCase{
		// Files shaped like published ones (testdata/SOURCES.md).
		{name: "large_tech_shape", body: readTestdata(t, "large-tech.txt"), want: []string{"not_signed@0"}, valid: true},
		{name: "government_nl_shape_crlf", body: readTestdata(t, "government-nl-crlf.txt"),
			opts: func(o *securitytxt.Options) { o.URLs = []string{"https://www.example.nl/.well-known/security.txt"} },
			want: []string{"not_signed@0"}, valid: true},
		{name: "draft_era_shape", body: readTestdata(t, "draft-era.txt"), want: []string{
			"no_uri@2", "no_https@3", "no_https@4", "no_expire@0",
			"not_signed@0",
			"unknown_field@5", "unknown_field@6", "unknown_field@7",
		}},
		{name: "soft_404_html", body: readTestdata(t, "soft-404.html"), want: []string{
			"invalid_line@1", "invalid_line@2", "invalid_line@3", "invalid_line@4", "invalid_line@5", "invalid_line@6",
			"invalid_line@7", "no_space@8", "invalid_field_name@8", "invalid_line@9", "invalid_line@10", "no_expire@0", "no_contact@0",
			"not_signed@0", "unknown_field@8",
		}},

		// Line endings (RFC 9116 §2.2: CRLF and LF are both fine).
		{name: "minimal_lf", body: []byte(minimal), want: []string{"not_signed@0"}, valid: true},
		{name: "crlf", body: []byte(strings.ReplaceAll(minimal, "\n", "\r\n")), want: []string{"not_signed@0"}, valid: true},
		{name: "mixed_line_endings", body: []byte(strings.Replace(minimal, "\n", "\r\n", 1)), want: []string{"not_signed@0"}, valid: true},
		{name: "no_final_newline", body: []byte(strings.TrimSuffix(minimal, "\n")), want: []string{"no_line_separators@3", "not_signed@0"}},

		// Encoding and size.
		{name: "bom", body: append([]byte("\xef\xbb\xbf"), minimal...), want: []string{"bom_in_file@1", "not_signed@0"}},
		{name: "invalid_utf8", body: []byte("# caf\xe9\n" + minimal), want: []string{"utf8@1", "not_signed@0"}},
		{name: "control_character", body: []byte(minimal + "# \x1b[31mred\x1b[0m\n"), want: []string{"non_text_content@4", "not_signed@0"}},
		{name: "binary", body: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\n"), want: []string{"utf8@1", "non_text_content@2", "no_expire@0", "no_contact@0", "not_signed@0"}},
		{name: "empty", body: []byte{}, want: []string{"empty_file@0", "no_expire@0", "no_contact@0", "not_signed@0"}},
		{name: "too_large", body: bigFile, want: []string{"too_large@0"}},
		{name: "size_limit_option", body: []byte(minimal), opts: func(o *securitytxt.Options) { o.MaxSize = 32 }, want: []string{"too_large@0"}},

		// Expires (RFC 9116 §2.5.5).
		{name: "expired", body: []byte("Contact: https://example.com/report\nExpires: 2025-12-31T23:00:00Z\n"), want: []string{"expired@2", "not_signed@0"}},
		{name: "long_expiry", body: []byte("Contact: https://example.com/report\nExpires: 2027-03-02T00:00:00Z\n"), want: []string{"long_expiry@2", "not_signed@0"}, valid: true},
		{name: "expiry_just_under_a_year", body: []byte("Contact: https://example.com/report\nExpires: 2027-02-28T23:59:59+00:00\n"), want: []string{"not_signed@0"}, valid: true},
		{name: "expires_lenient_forms", body: []byte("Contact: https://example.com/report\nExpires: 2026-12-31 23:00:00.5z\n"), want: []string{"not_signed@0"}, valid: true},
		{name: "no_expires", body: []byte("Contact: https://example.com/report\n"), want: []string{"no_expire@0", "not_signed@0"}},
		{name: "multiple_expires", body: []byte("Contact: https://example.com/report\nExpires: 2026-12-31T23:00:00Z\nExpires: 2026-11-30T23:00:00Z\n"), want: []string{"multi_expire@3", "not_signed@0"}},
		{name: "expires_date_only", body: []byte("Contact: https://example.com/report\nExpires: 2026-12-31\n"), want: []string{"invalid_expiry@2", "not_signed@0"}},
		{name: "expires_without_zone", body: []byte("Contact: https://example.com/report\nExpires: 2026-12-31T23:00:00\n"), want: []string{"invalid_expiry@2", "not_signed@0"}},
		{name: "expires_bad_month", body: []byte("Contact: https://example.com/report\nExpires: 2026-13-01T00:00:00Z\n"), want: []string{"invalid_expiry@2", "not_signed@0"}},
		{name: "expires_http_date", body: []byte("Contact: https://example.com/report\nExpires: Thu, 31 Dec 2026 23:00:00 GMT\n"), want: []string{"invalid_expiry@2", "not_signed@0"}},

		// Contact and Encryption (§2.5.3, §2.5.4).
		{name: "no_contact", body: []byte("Expires: 2026-12-31T23:00:00Z\n"), want: []string{"no_contact@0", "not_signed@0"}},
		{name: "mailto_without_encryption", body: []byte("Contact: mailto:security@example.com\nExpires: 2026-12-31T23:00:00Z\n"), want: []string{"no_encryption@0", "not_signed@0"}, valid: true},
		{name: "contact_forms", body: []byte("Contact: tel:+1-201-555-0123\nContact: https://example.com/report\nContact: mailto:a@example.com,b@example.com?subject=vuln\nEncryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f\nExpires: 2026-12-31T23:00:00Z\n"), want: []string{"not_signed@0"}, valid: true},
		{name: "contact_bare_email", body: []byte("Contact: security@example.com\nExpires: 2026-12-31T23:00:00Z\n"), want: []string{"no_uri@1", "not_signed@0"}},
		{name: "contact_bad_mailto", body: []byte("Contact: mailto:security-at-example.com\nEncryption: https://example.com/k\nExpires: 2026-12-31T23:00:00Z\n"), want: []string{"invalid_uri@1", "not_signed@0"}},
		{name: "contact_bad_tel", body: []byte("Contact: tel:call-us-now\nExpires: 2026-12-31T23:00:00Z\n"), want: []string{"invalid_uri@1", "not_signed@0"}},
		{name: "uri_fields", body: []byte("Contact: https://example.com/report\nPolicy: example.com/policy\nHiring: http://example.com/jobs\nAcknowledgments: https:///thanks\nEncryption: -----BEGIN PGP PUBLIC KEY BLOCK-----\nExpires: 2026-12-31T23:00:00Z\n"),
			want: []string{"no_uri@2", "no_https@3", "invalid_uri@4", "no_uri@5", "not_signed@0"}},

		// Canonical (§2.5.2).
		{name: "canonical_mismatch", body: readTestdata(t, "large-tech.txt"),
			opts: func(o *securitytxt.Options) { o.URLs = []string{"https://www.example.com/.well-known/security.txt"} },
			want: []string{"no_canonical_match@0", "not_signed@0"}},
		{name: "canonical_matches_last_url", body: readTestdata(t, "large-tech.txt"),
			opts: func(o *securitytxt.Options) {
				o.URLs = []string{"https://example.org/.well-known/security.txt", "https://example.com/.well-known/security.txt"}
			},
			want: []string{"not_signed@0"}, valid: true},

		// Preferred-Languages (§2.5.8).
		{name: "languages", body: []byte(minimal + "Preferred-Languages: en, nl,de-CH-1996\n"), want: []string{"not_signed@0"}, valid: true},
		{name: "invalid_language", body: []byte(minimal + "Preferred-Languages: english, nl,, x\n"), want: []string{"invalid_lang@4", "invalid_lang@4", "invalid_lang@4", "not_signed@0"}},
		{name: "multiple_languages", body: []byte(minimal + "Preferred-Languages: en\nPreferred-Languages: nl\n"), want: []string{"multi_lang@5", "not_signed@0"}},

		// Field syntax (§4).
		{name: "syntax", body: []byte("Contact : mailto:a@example.com\nContact:mailto:b@example.com\n: orphan value\nHiring:\nthis line is just text\nCont act: x\nEncryption: https://example.com/k\nExpires: 2026-12-31T23:00:00Z\n"),
			want: []string{"prec_ws@1", "no_space@2", "empty_key@3", "empty_value@4", "invalid_line@5", "invalid_field_name@6", "not_signed@0", "unknown_field@6"}},
		{name: "separator_before_name", body: []byte(minimal + " :orphan value\n"), want: []string{"prec_ws@4", "no_space@4", "empty_key@4", "not_signed@0"}},
		{name: "fields_on_one_line", body: []byte("Contact: mailto:security@example.com  Expires: 2026-12-31T23:00:00Z\nEncryption: https://example.com/k Policy: https://example.com/p\n"),
			want: []string{"fields_on_one_line@1", "fields_on_one_line@2", "no_expire@0", "not_signed@0"}},
		{name: "field_name_inside_value", body: []byte(minimal + "Policy: https://example.com/policy Contact us\n"), want: []string{"invalid_uri@4", "not_signed@0"}},
		{name: "unknown_field", body: []byte(minimal + "X-Bug-Bounty: https://example.com/bounty\n"), want: []string{"not_signed@0", "unknown_field@4"}, valid: true},
		{name: "unknown_field_ignored", body: []byte(minimal + "X-Bug-Bounty: https://example.com/bounty\n"),
			opts: func(o *securitytxt.Options) { o.IgnoreUnknownFields = true }, want: []string{"not_signed@0"}, valid: true},
		{name: "field_names_ignore_case", body: []byte("CONTACT: mailto:security@example.com\nexpires: 2026-12-31T23:00:00Z\nencryption: https://example.com/k\n"), want: []string{"not_signed@0"}, valid: true},

		// CSAF (CSAF 2.0 §7.1.8).
		{name: "csaf", body: []byte(minimal + "CSAF: https://example.com/.well-known/csaf/provider-metadata.json\nCSAF: https://example.com/csaf/index.html\n"),
			want: []string{"no_csaf_file@5", "multiple_csaf_fields@0", "not_signed@0"}},

		// Signatures (§2.3).
		{name: "unsigned_key_unknown", body: signed, want: []string{"signature_unverified@0"}, valid: true},
		{name: "good_signature", body: signed, opts: withKey, want: []string{"signature_verified@0"}, valid: true},
		{name: "good_signature_crlf", body: crlfSigned, opts: withKey, want: []string{"signature_verified@0"}, valid: true},
		{name: "bad_signature_tampered", body: tampered, opts: withKey, want: []string{"invalid_signature@0"}},
		{name: "signed_by_other_key", body: signed, opts: func(o *securitytxt.Options) { o.Keyring = openpgp.EntityList{other} },
			want: []string{"signature_unverified@0"}, valid: true},
		{name: "signed_without_canonical", body: noCanonical, opts: withKey, want: []string{"no_canonical@0", "signature_verified@0"}, valid: true},
		{name: "signed_header_not_first", body: append([]byte("# signed below\n"), signed...), opts: withKey,
			want: []string{"signed_format_issue@2", "signature_verified@0"}},
		{name: "data_after_signature", body: append(append([]byte{}, signed...), "Contact: mailto:late@example.com\n"...), opts: withKey,
			want: []string{"data_after_sig@20", "signature_verified@0"}},
		{name: "too_many_line_separators", body: append(append([]byte{}, signed...), "\n\n"...), opts: withKey,
			want: []string{"too_many_line_separators@21", "signature_verified@0"}},
		{name: "signed_without_signature_block", body: noSigBlock, want: []string{"pgp_data_error@0", "no_canonical@0"}},
		{name: "signature_bad_base64", body: badBase64, want: []string{"pgp_error@0"}},
		{name: "signature_not_a_packet", body: badPacket, want: []string{"pgp_signature_error@0"}},
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range validateCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := securitytxt.Options{Now: testNow}
			if tc.opts != nil {
				tc.opts(&opts)
			}
			r := securitytxt.Validate(tc.body, opts)
			if diff := cmp.Diff(tc.want, issues(r)); diff != "" {
				t.Errorf("issues (-want +got):\n%s\nreport: %+v", diff, r)
			}
			if r.Valid != tc.valid {
				t.Errorf("Valid = %v; want %v", r.Valid, tc.valid)
			}
			for _, list := range [][]securitytxt.Issue{r.Errors, r.Recommendations, r.Notifications} {
				for _, is := range list {
					if is.Message == "" {
						t.Errorf("%s has no message", is.Code)
					}
				}
			}
		})
	}
}

func TestValidateFields(t *testing.T) {
	t.Parallel()
	r := securitytxt.Validate(readTestdata(t, "government-nl-crlf.txt"), securitytxt.Options{Now: testNow})
	want := securitytxt.Fields{
		"contact":             {"mailto:cert@example.nl", "tel:+31-70-000-0000", "https://www.example.nl/kwetsbaarheid-melden"},
		"encryption":          {"https://www.example.nl/.well-known/cert-pgp.asc"},
		"preferred-languages": {"nl, en"},
		"policy":              {"https://www.example.nl/responsible-disclosure"},
		"acknowledgments":     {"https://www.example.nl/hall-of-fame"},
		"csaf":                {"https://www.example.nl/.well-known/csaf/provider-metadata.json"},
		"canonical":           {"https://www.example.nl/.well-known/security.txt", "https://example.nl/.well-known/security.txt"},
		"expires":             {"2026-09-30T22:00:00+02:00"},
	}
	if diff := cmp.Diff(want, r.Fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cert@example.nl"}, r.Emails()); diff != "" {
		t.Errorf("Emails (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"nl", "en"}, r.Languages()); diff != "" {
		t.Errorf("Languages (-want +got):\n%s", diff)
	}
	exp, ok := r.Expires()
	if !ok || !exp.Equal(time.Date(2026, 9, 30, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("Expires() = %v, %v; want 2026-09-30T20:00:00Z", exp, ok)
	}
}

func TestSignedFileFieldsAndSigner(t *testing.T) {
	t.Parallel()
	key := newKey(t, "security@example.com")
	r := securitytxt.Validate(sign(t, key, readTestdata(t, "signed-body.txt")),
		securitytxt.Options{Now: testNow, Keyring: openpgp.EntityList{key}})
	if !r.Signed || r.Signer != fmt.Sprintf("%X", key.PrimaryKey.Fingerprint) {
		t.Errorf("Signed, Signer = %v, %q; want true, %X", r.Signed, r.Signer, key.PrimaryKey.Fingerprint)
	}
	if _, ok := r.Fields["hash"]; ok {
		t.Error("the armor header Hash: was taken for a field")
	}
	if got := len(r.Fields["contact"]); got != 2 {
		t.Errorf("%d contacts; want 2", got)
	}
}

func TestReportJSON(t *testing.T) {
	t.Parallel()
	r := securitytxt.Validate([]byte("Contact: mailto:security@example.com\nExpires: 2020-01-01T00:00:00Z\n"), securitytxt.Options{Now: testNow})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"valid":false,"errors":[{"code":"expired","line":2,"message":"The file expired on 2020-01-01T00:00:00Z."}],` +
		`"recommendations":[{"code":"no_encryption","line":null,"message":"A Contact is an e-mail address but there is no Encryption field; a key for encrypted reports is recommended (RFC 9116 §2.5.4)."},` +
		`{"code":"not_signed","line":null,"message":"The file is not signed; an OpenPGP cleartext signature is recommended (RFC 9116 §2.3)."}],` +
		`"notifications":[],"fields":{"contact":["mailto:security@example.com"],"expires":["2020-01-01T00:00:00Z"]}}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("JSON (-want +got):\n%s", diff)
	}
	var back securitytxt.Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Errors, back.Errors); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}

func TestFormatRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"large-tech.txt", "government-nl-crlf.txt", "draft-era.txt", "signed-body.txt"} {
		r := securitytxt.Validate(readTestdata(t, name), securitytxt.Options{Now: testNow})
		back := securitytxt.Validate(r.Fields.Format(), securitytxt.Options{Now: testNow})
		if diff := cmp.Diff(r.Fields, back.Fields); diff != "" {
			t.Errorf("%s: fields after Format (-want +got):\n%s", name, diff)
		}
	}
}

func TestCodeLevels(t *testing.T) {
	t.Parallel()
	counts := map[securitytxt.Level]int{}
	sectxt := 0
	for _, c := range securitytxt.AllCodes() {
		counts[c.Level()]++
		if c.FromSectxt() {
			sectxt++
		}
	}
	// CODES.md lists 32 error codes (its heading says 31), 5 recommendations
	// and 1 notification; vigil adds 7 errors, 2 recommendations and 3
	// notifications.
	want := map[securitytxt.Level]int{securitytxt.LevelError: 39, securitytxt.LevelRecommendation: 7, securitytxt.LevelNotification: 4}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("codes per level (-want +got):\n%s", diff)
	}
	if sectxt != 38 {
		t.Errorf("%d sectxt codes; want 38", sectxt)
	}
}
