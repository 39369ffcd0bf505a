// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package securitytxt fetches and validates security.txt files (RFC 9116).
//
// Validate checks the bytes of a file; Check finds the file of a domain or
// URL over the guarded HTTP client and adds the HTTP-level checks (HTTPS,
// redirects, location, content type). Both return a Report whose results
// carry the stable snake_case codes of the Digital Trust Center's sectxt
// validator, so that reports can be compared with it. Codes that sectxt
// lacks are vigil's own and are marked so in CODES.md next to this file.
//
// A Report lists errors (a MUST of the RFC is broken: the file is not
// valid), recommendations (a SHOULD is not met) and notifications
// (information only).
package securitytxt

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Level is the severity of a Code.
type Level int

// The levels of a result, as sectxt uses them.
const (
	LevelError          Level = iota // the file breaks a MUST of RFC 9116
	LevelRecommendation              // a SHOULD or RECOMMENDED is not met
	LevelNotification                // information only
)

// String returns "error", "recommendation" or "notification".
func (l Level) String() string {
	switch l {
	case LevelError:
		return "error"
	case LevelRecommendation:
		return "recommendation"
	default:
		return "notification"
	}
}

// Code is a stable snake_case result code.
type Code string

// Codes shared with DTC sectxt (same name, same meaning; see CODES.md).
const (
	CodeNoSecurityTxt         Code = "no_security_txt"
	CodeLocation              Code = "location"
	CodeInvalidURIScheme      Code = "invalid_uri_scheme"
	CodeInvalidCert           Code = "invalid_cert"
	CodeNoContentType         Code = "no_content_type"
	CodeInvalidMedia          Code = "invalid_media"
	CodeInvalidCharset        Code = "invalid_charset"
	CodeUTF8                  Code = "utf8"
	CodeBOMInFile             Code = "bom_in_file"
	CodeNoExpire              Code = "no_expire"
	CodeMultiExpire           Code = "multi_expire"
	CodeInvalidExpiry         Code = "invalid_expiry"
	CodeExpired               Code = "expired"
	CodeNoContact             Code = "no_contact"
	CodeNoCanonicalMatch      Code = "no_canonical_match"
	CodeMultiLang             Code = "multi_lang"
	CodeInvalidLang           Code = "invalid_lang"
	CodeNoURI                 Code = "no_uri"
	CodeNoHTTPS               Code = "no_https"
	CodePrecWS                Code = "prec_ws"
	CodeNoSpace               Code = "no_space"
	CodeEmptyKey              Code = "empty_key"
	CodeEmptyValue            Code = "empty_value"
	CodeInvalidLine           Code = "invalid_line"
	CodeNoLineSeparators      Code = "no_line_separators"
	CodeSignedFormatIssue     Code = "signed_format_issue"
	CodeDataAfterSig          Code = "data_after_sig"
	CodeTooManyLineSeparators Code = "too_many_line_separators"
	CodeNoCSAFFile            Code = "no_csaf_file"
	CodePGPDataError          Code = "pgp_data_error"
	CodePGPError              Code = "pgp_error"
	CodePGPSignatureError     Code = "pgp_signature_error"

	CodeLongExpiry         Code = "long_expiry"
	CodeNoEncryption       Code = "no_encryption"
	CodeNotSigned          Code = "not_signed"
	CodeNoCanonical        Code = "no_canonical"
	CodeMultipleCSAFFields Code = "multiple_csaf_fields"

	CodeUnknownField Code = "unknown_field"
)

// Codes of vigil's own, for what sectxt does not check (see CODES.md).
const (
	CodeTooLarge            Code = "too_large"             // error: body larger than Options.MaxSize
	CodeEmptyFile           Code = "empty_file"            // error: body is empty
	CodeNonTextContent      Code = "non_text_content"      // error: control characters / binary data
	CodeInvalidFieldName    Code = "invalid_field_name"    // error: field name is not RFC 5322 ftext
	CodeInvalidURI          Code = "invalid_uri"           // error: value is not a usable URI of its scheme
	CodeFieldsOnOneLine     Code = "fields_on_one_line"    // error: a value holds the next field (missing line ending)
	CodeInvalidSignature    Code = "invalid_signature"     // error: OpenPGP signature does not verify
	CodeMissingCharset      Code = "missing_charset"       // recommendation: Content-Type lacks charset=utf-8
	CodeRedirectOtherDomain Code = "redirect_other_domain" // recommendation: redirected to another host
	CodeRedirect            Code = "redirect"              // notification: the file was reached through redirects
	CodeSignatureVerified   Code = "signature_verified"    // notification: signature verified with a known key
	CodeSignatureUnverified Code = "signature_unverified"  // notification: signed, but no key to verify with
)

// Level returns the level of c: every code that is not a recommendation or
// a notification is an error.
func (c Code) Level() Level {
	switch c {
	case CodeLongExpiry, CodeNoEncryption, CodeNotSigned, CodeNoCanonical, CodeMultipleCSAFFields,
		CodeMissingCharset, CodeRedirectOtherDomain:
		return LevelRecommendation
	case CodeUnknownField, CodeRedirect, CodeSignatureVerified, CodeSignatureUnverified:
		return LevelNotification
	}
	return LevelError
}

// FromSectxt reports whether c is one of the DTC sectxt codes (as opposed to
// one of vigil's own).
func (c Code) FromSectxt() bool {
	_, ok := sectxtCodes()[c]
	return ok
}

func sectxtCodes() map[Code]struct{} {
	m := map[Code]struct{}{}
	for _, c := range AllCodes() {
		if c == CodeTooLarge {
			break // vigil's own codes follow
		}
		m[c] = struct{}{}
	}
	return m
}

// Line is a 1-based line number of the file. Zero means the whole file and
// is written as JSON null, as sectxt does.
type Line int

// MarshalJSON writes null for the whole file, else the number.
func (l Line) MarshalJSON() ([]byte, error) {
	if l <= 0 {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, int64(l), 10), nil
}

// UnmarshalJSON reads null or a number.
func (l *Line) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*l = 0
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*l = Line(n)
	return nil
}

// Issue is one result of a check.
type Issue struct {
	Code    Code   `json:"code"`
	Line    Line   `json:"line"`
	Message string `json:"message"`
}

// Fields holds the values of a file's fields in file order, keyed by the
// lower-cased field name ("contact", "expires", "preferred-languages", ...).
type Fields map[string][]string

// Report is the result of Validate or Check. Its JSON form is
// {"valid","errors","recommendations","notifications","fields"}; the
// other fields are for Go callers only.
type Report struct {
	Valid           bool    `json:"valid"`
	Errors          []Issue `json:"errors"`
	Recommendations []Issue `json:"recommendations"`
	Notifications   []Issue `json:"notifications"`
	Fields          Fields  `json:"fields"`

	// URL is the URL the file was finally read from (after redirects);
	// empty for Validate without Options.URLs.
	URL string `json:"-"`
	// Redirects lists the URLs of the redirect chain before URL, in order.
	Redirects []string `json:"-"`
	// Signed is true when the file carries an OpenPGP cleartext signature.
	Signed bool `json:"-"`
	// Signer is the fingerprint (hex) of the key whose signature verified.
	Signer string `json:"-"`
}

func newReport() Report {
	return Report{Errors: []Issue{}, Recommendations: []Issue{}, Notifications: []Issue{}, Fields: Fields{}}
}

func (r *Report) add(code Code, line int, msg string) {
	is := Issue{Code: code, Line: Line(line), Message: msg}
	switch code.Level() {
	case LevelError:
		r.Errors = append(r.Errors, is)
	case LevelRecommendation:
		r.Recommendations = append(r.Recommendations, is)
	default:
		r.Notifications = append(r.Notifications, is)
	}
}

func (r *Report) finish() {
	r.Valid = len(r.Errors) == 0
}

// Has reports whether the report carries an issue with code c.
func (r *Report) Has(c Code) bool {
	for _, list := range [][]Issue{r.Errors, r.Recommendations, r.Notifications} {
		for _, is := range list {
			if is.Code == c {
				return true
			}
		}
	}
	return false
}

// Codes returns every code of the report in order: errors, then
// recommendations, then notifications.
func (r *Report) Codes() []Code {
	var out []Code
	for _, list := range [][]Issue{r.Errors, r.Recommendations, r.Notifications} {
		for _, is := range list {
			out = append(out, is.Code)
		}
	}
	return out
}

// Contacts returns the Contact values in file order (their order is the
// publisher's order of preference, RFC 9116 §2.5.3).
func (r *Report) Contacts() []string { return r.Fields["contact"] }

// Emails returns the e-mail addresses of the mailto: Contact values, in
// order and without duplicates.
func (r *Report) Emails() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range r.Contacts() {
		for _, a := range mailtoAddresses(c) {
			k := strings.ToLower(a)
			if !seen[k] {
				seen[k] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// Languages returns the Preferred-Languages tags of the first such field,
// in the publisher's order.
func (r *Report) Languages() []string {
	v := r.Fields["preferred-languages"]
	if len(v) == 0 {
		return nil
	}
	var out []string
	for _, t := range strings.Split(v[0], ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Expires returns the first Expires value when it parses.
func (r *Report) Expires() (time.Time, bool) {
	v := r.Fields["expires"]
	if len(v) == 0 {
		return time.Time{}, false
	}
	return parseExpires(v[0])
}

// mailtoAddresses returns the addresses of a mailto: URI (RFC 6068), or nil
// when v is not one or holds no valid address.
func mailtoAddresses(v string) []string {
	if len(v) < 7 || !strings.EqualFold(v[:7], "mailto:") {
		return nil
	}
	to := v[7:]
	if i := strings.IndexByte(to, '?'); i >= 0 {
		to = to[:i]
	}
	var out []string
	for _, part := range strings.Split(to, ",") {
		p, err := url.PathUnescape(part)
		if err != nil {
			continue
		}
		a, err := mail.ParseAddress(p)
		if err != nil || a.Name != "" || a.Address != p {
			continue
		}
		out = append(out, a.Address)
	}
	return out
}

// Format writes f as an unsigned security.txt body with LF line endings:
// the registered fields first, in their usual spelling and order, then the
// others sorted by name, each value on its own "Name: value" line. Parsing
// the result with Validate gives f back.
func (f Fields) Format() []byte {
	var b bytes.Buffer
	done := map[string]bool{}
	write := func(name, key string) {
		for _, v := range f[key] {
			b.WriteString(name)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteByte('\n')
		}
		done[key] = true
	}
	for _, name := range knownFields() {
		write(name, strings.ToLower(name))
	}
	rest := make([]string, 0, len(f))
	for k := range f {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		write(k, k)
	}
	if bytes.HasPrefix(b.Bytes(), []byte(bom)) {
		// A leading U+FEFF would be taken for a byte order mark.
		return append([]byte("\n"), b.Bytes()...)
	}
	return b.Bytes()
}

// AllCodes returns every code this package can emit, sectxt's first.
func AllCodes() []Code {
	return []Code{
		CodeNoSecurityTxt, CodeLocation, CodeInvalidURIScheme, CodeInvalidCert, CodeNoContentType,
		CodeInvalidMedia, CodeInvalidCharset, CodeUTF8, CodeBOMInFile, CodeNoExpire, CodeMultiExpire,
		CodeInvalidExpiry, CodeExpired, CodeNoContact, CodeNoCanonicalMatch, CodeMultiLang, CodeInvalidLang,
		CodeNoURI, CodeNoHTTPS, CodePrecWS, CodeNoSpace, CodeEmptyKey, CodeEmptyValue, CodeInvalidLine,
		CodeNoLineSeparators, CodeSignedFormatIssue, CodeDataAfterSig, CodeTooManyLineSeparators,
		CodeNoCSAFFile, CodePGPDataError, CodePGPError, CodePGPSignatureError,
		CodeLongExpiry, CodeNoEncryption, CodeNotSigned, CodeNoCanonical, CodeMultipleCSAFFields,
		CodeUnknownField,
		CodeTooLarge, CodeEmptyFile, CodeNonTextContent, CodeInvalidFieldName, CodeInvalidURI, CodeFieldsOnOneLine,
		CodeInvalidSignature, CodeMissingCharset, CodeRedirectOtherDomain, CodeRedirect,
		CodeSignatureVerified, CodeSignatureUnverified,
	}
}
