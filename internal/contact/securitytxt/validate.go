// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ProtonMail/go-crypto/openpgp"
	"golang.org/x/text/language"
)

// DefaultMaxSize is the largest file Validate and Check accept (64 KiB).
// RFC 9116 sets no limit; real files are a few kilobytes, signed ones
// included, so anything much larger is not a security.txt.
const DefaultMaxSize = 64 << 10

// Options tune Validate and Check. The zero value is usable: the clock
// defaults to time.Now and the size limit to DefaultMaxSize.
type Options struct {
	// Now is the clock that Expires is judged against.
	Now func() time.Time
	// URLs are the URLs the file was read from: a Canonical field must
	// equal one of them (sectxt accepts the first or the last URL of a
	// redirect chain). Empty means "unknown" and skips the check.
	URLs []string
	// Keyring verifies an OpenPGP cleartext signature. Nil means no key is
	// known; Check then tries the keys behind https Encryption URIs.
	Keyring openpgp.KeyRing
	// KeySource names where Keyring came from, for messages ("the
	// Encryption URI https://…").
	KeySource string
	// IgnoreUnknownFields turns off unknown_field notifications (sectxt's
	// recommend_unknown_fields=False).
	IgnoreUnknownFields bool
	// MaxSize is the largest body accepted, in bytes (default DefaultMaxSize).
	MaxSize int
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxSize <= 0 {
		o.MaxSize = DefaultMaxSize
	}
	return o
}

// The field names RFC 9116 §2.5 and CSAF 2.0 §7.1.8 register, lower-cased.
const (
	fieldAcknowledgments    = "acknowledgments"
	fieldCanonical          = "canonical"
	fieldContact            = "contact"
	fieldEncryption         = "encryption"
	fieldExpires            = "expires"
	fieldHiring             = "hiring"
	fieldPolicy             = "policy"
	fieldPreferredLanguages = "preferred-languages"
	fieldCSAF               = "csaf"
)

// knownFields lists the registered fields with their canonical spelling,
// in the order Format writes them.
func knownFields() []string {
	return []string{
		"Contact", "Expires", "Encryption", "Acknowledgments", "Preferred-Languages",
		"Canonical", "Policy", "Hiring", "CSAF",
	}
}

func isKnownField(name string) bool {
	switch name {
	case fieldAcknowledgments, fieldCanonical, fieldContact, fieldEncryption, fieldExpires,
		fieldHiring, fieldPolicy, fieldPreferredLanguages, fieldCSAF:
		return true
	}
	return false
}

func isURIField(name string) bool {
	switch name {
	case fieldAcknowledgments, fieldCanonical, fieldContact, fieldEncryption, fieldHiring, fieldPolicy, fieldCSAF:
		return true
	}
	return false
}

const (
	signedHeader = "-----BEGIN PGP SIGNED MESSAGE-----"
	sigBegin     = "-----BEGIN PGP SIGNATURE-----"
	sigEnd       = "-----END PGP SIGNATURE-----"
	bom          = "\xef\xbb\xbf"
)

// Validate checks raw as the body of a security.txt file. It never fails:
// every problem is an issue in the report. Validate is pure apart from
// opts.Now.
func Validate(raw []byte, opts Options) Report {
	r := newReport()
	v := validator{opts: opts.withDefaults(), r: &r}
	v.run(raw)
	r.finish()
	return r
}

// ValidateReader reads a security.txt file (the CLI's FILE target) and
// validates it. It reads at most opts.MaxSize+1 bytes, so an oversized
// input gives too_large without being held in memory. The error is non-nil
// only when reading fails. Canonical is not checked unless opts.URLs is set.
func ValidateReader(r io.Reader, opts Options) (Report, error) {
	opts = opts.withDefaults()
	b, err := io.ReadAll(io.LimitReader(r, int64(opts.MaxSize)+1))
	if err != nil {
		return Report{}, fmt.Errorf("read security.txt: %w", err)
	}
	return Validate(b, opts), nil
}

type validator struct {
	opts Options
	r    *Report

	expiresLines []int
	langLines    []int
	canonicals   []string
	csafCount    int
	hasMailto    bool
	signed       bool
}

type parseState int

const (
	stateBody      parseState = iota // unsigned file, or the cleartext of a signed one
	stateSigHeader                   // armor headers after the BEGIN SIGNED MESSAGE line
	stateSignature                   // inside the signature block
	stateAfterSig                    // after the END PGP SIGNATURE line
)

func (v *validator) run(raw []byte) {
	if len(raw) > v.opts.MaxSize {
		v.r.add(CodeTooLarge, 0, fmt.Sprintf("The file is %d bytes, more than the %d bytes a security.txt file can reasonably be; it was not parsed.", len(raw), v.opts.MaxSize))
		return
	}
	if len(raw) == 0 {
		v.r.add(CodeEmptyFile, 0, "The file is empty.")
	}
	if bytes.HasPrefix(raw, []byte(bom)) {
		v.r.add(CodeBOMInFile, 1, "The file starts with a byte order mark (U+FEFF); RFC 9116 §4 requires UTF-8 without one (RFC 5198).")
		raw = raw[len(bom):]
	}
	text := string(raw)
	if !utf8.ValidString(text) {
		v.r.add(CodeUTF8, lineOf(raw, firstInvalidUTF8(raw)), "The file is not valid UTF-8; invalid bytes were replaced before parsing.")
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	binary := false
	if i := firstControl(raw); i >= 0 {
		binary = bytes.IndexByte(raw, 0) >= 0
		msg := fmt.Sprintf("The file holds the control character U+%04X; security.txt is plain text (RFC 9116 §4).", raw[i])
		if binary {
			msg = "The file holds NUL bytes: it is binary data, not a text file, and was not parsed."
		}
		v.r.add(CodeNonTextContent, lineOf(raw, i), msg)
	}

	var lines []string
	if !binary && text != "" {
		lines = strings.Split(text, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		v.parseLines(lines)
	}
	if v.signed {
		v.r.Signed = true
		v.checkSignature(raw)
	}
	v.fileChecks(text, lines, binary)
}

func (v *validator) parseLines(lines []string) {
	state := stateBody
	for i, line := range lines {
		n := i + 1
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == signedHeader {
			if n != 1 {
				v.r.add(CodeSignedFormatIssue, n, "The line that starts a signed message must be the first line of the file (RFC 4880 §7).")
			}
			v.signed = true
			state = stateSigHeader
			continue
		}
		switch state {
		case stateSigHeader:
			if line == "" {
				state = stateBody
			}
			continue
		case stateSignature:
			if line == sigEnd {
				state = stateAfterSig
			}
			continue
		case stateAfterSig:
			if line != "" {
				v.r.add(CodeDataAfterSig, n, "Nothing may follow the end of the signature.")
			}
			continue
		}
		if v.signed {
			if line == sigBegin {
				state = stateSignature
				continue
			}
			line = strings.TrimPrefix(line, "- ")
		}
		v.parseLine(n, line)
	}
}

func (v *validator) parseLine(n int, line string) {
	if line == "" || strings.HasPrefix(line, "#") {
		return
	}
	key, value, ok := strings.Cut(line, ":")
	if !ok {
		v.r.add(CodeInvalidLine, n, "The line is not a field (name: value), a comment (#) or blank.")
		return
	}
	// The separator is checked before the name and the value, as sectxt
	// does: " : x" is both white space before the colon and an empty name.
	if trimmed := strings.TrimRightFunc(key, unicode.IsSpace); trimmed != key {
		v.r.add(CodePrecWS, n, "There is white space between the field name and the colon.")
		key = trimmed
	}
	if value != "" && value[0] != ' ' {
		v.r.add(CodeNoSpace, n, "The colon after the field name must be followed by one space.")
	}
	value = strings.TrimLeftFunc(value, unicode.IsSpace)
	if key == "" {
		v.r.add(CodeEmptyKey, n, "The field name is empty.")
		return
	}
	if !validFieldName(key) {
		v.r.add(CodeInvalidFieldName, n, fmt.Sprintf("The field name %q has characters outside printable US-ASCII (RFC 5322 §3.6.8).", key))
	}
	name := strings.ToLower(key)
	if value == "" {
		v.r.add(CodeEmptyValue, n, fmt.Sprintf("The %s field has no value.", key))
		return
	}
	v.r.Fields[name] = append(v.r.Fields[name], value)
	uri := value
	if i, next := fieldInValue(value); i >= 0 {
		v.r.add(CodeFieldsOnOneLine, n, fmt.Sprintf("The line holds more than one field (%s, then %s): each field must be on a line of its own, ended by CRLF or LF (RFC 9116 §2.2).", key, next))
		// Only the first field's URI is judged; the rest is the next
		// field, not a broken URI. The other checks see the whole value,
		// as sectxt's do.
		uri = value[:i]
	}

	if !isKnownField(name) {
		if !v.opts.IgnoreUnknownFields {
			v.r.add(CodeUnknownField, n, fmt.Sprintf("%q is not a registered security.txt field; researchers ignore it (RFC 9116 §2.4).", key))
		}
		return
	}
	if isURIField(name) {
		v.checkURI(n, key, name, uri)
	}
	switch name {
	case fieldExpires:
		v.expiresLines = append(v.expiresLines, n)
		v.checkExpires(n, value)
	case fieldPreferredLanguages:
		v.langLines = append(v.langLines, n)
		for _, tag := range strings.Split(value, ",") {
			tag = strings.TrimSpace(tag)
			if _, err := language.Parse(tag); err != nil || tag == "" {
				v.r.add(CodeInvalidLang, n, fmt.Sprintf("%q is not a valid language tag (RFC 5646).", tag))
			}
		}
	case fieldCanonical:
		v.canonicals = append(v.canonicals, value)
	case fieldCSAF:
		v.csafCount++
		if !strings.HasSuffix(value, "provider-metadata.json") {
			v.r.add(CodeNoCSAFFile, n, "A CSAF value must point to a provider-metadata.json file (CSAF 2.0 §7.1.8).")
		}
	case fieldContact:
		if len(value) >= 7 && strings.EqualFold(value[:7], "mailto:") {
			v.hasMailto = true
		}
	}
}

// fieldInValue finds a registered field name inside value, after white
// space and followed by a colon or the end of the value, as when several
// fields were written on one line ("mailto:a@example.com  Expires: …"). It
// returns the index of the white space before it and the name as written,
// or -1.
func fieldInValue(value string) (int, string) {
	for i := 0; i < len(value); i++ {
		if value[i] != ' ' && value[i] != '\t' {
			continue
		}
		j := i
		for j < len(value) && (value[j] == ' ' || value[j] == '\t') {
			j++
		}
		word := value[j:]
		end := strings.IndexAny(word, ": \t")
		if end >= 0 && word[end] != ':' {
			i = j - 1
			continue
		}
		if end >= 0 {
			word = word[:end]
		}
		if isKnownField(strings.ToLower(word)) {
			return i, word
		}
		i = j - 1
	}
	return -1, ""
}

// uriScheme returns the scheme of an RFC 3986 URI (ALPHA *( ALPHA / DIGIT /
// "+" / "-" / "." ) ":"), or "" when value does not start with one.
func uriScheme(value string) string {
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return value[:i]
		default:
			return ""
		}
	}
	return ""
}

func (v *validator) checkURI(n int, key, name, value string) {
	scheme := strings.ToLower(uriScheme(value))
	if scheme == "" {
		msg := fmt.Sprintf("The %s value is not a URI: it has no scheme.", key)
		if name == fieldContact && strings.Contains(value, "@") {
			msg += " E-mail addresses need the mailto: scheme."
		}
		v.r.add(CodeNoURI, n, msg)
		return
	}
	if scheme == "http" {
		v.r.add(CodeNoHTTPS, n, fmt.Sprintf("The %s value is a web URI and must begin with https:// (RFC 9116 §2.5).", key))
		return
	}
	u, err := url.Parse(value)
	switch {
	case err != nil:
		v.r.add(CodeInvalidURI, n, fmt.Sprintf("The %s value is not a valid URI (RFC 3986).", key))
	case strings.ContainsAny(value, " \t"):
		v.r.add(CodeInvalidURI, n, fmt.Sprintf("The %s value holds white space, which a URI cannot (RFC 3986 §2).", key))
	case scheme == "https" && u.Host == "":
		v.r.add(CodeInvalidURI, n, fmt.Sprintf("The %s value is an https URI without a host.", key))
	case scheme == "mailto" && len(mailtoAddresses(value)) == 0:
		v.r.add(CodeInvalidURI, n, fmt.Sprintf("The %s value is a mailto: URI without a valid e-mail address (RFC 6068).", key))
	case scheme == "tel" && !validTel(value[4:]):
		v.r.add(CodeInvalidURI, n, fmt.Sprintf("The %s value is a tel: URI without a valid telephone number (RFC 3966).", key))
	}
}

// validTel reports whether s looks like the number of a tel: URI (RFC 3966):
// digits with visual separators, optionally global (+) and with parameters.
func validTel(s string) bool {
	num, _, _ := strings.Cut(s, ";")
	digits := 0
	for i, c := range num {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' && i == 0:
		case c == '-' || c == '.' || c == '(' || c == ')':
		case c == '*' || c == '#' || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'):
		default:
			return false
		}
	}
	return digits > 0
}

// validFieldName reports whether name is RFC 5322 ftext (printable US-ASCII
// except the colon).
func validFieldName(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// expiresSyntax reports whether value has sectxt's strict shape of an RFC
// 3339 date-time: YYYY-MM-DD, T (or t or a space), hh:mm:ss, an optional
// fraction, then Z (or z) or an offset ±hh:mm.
func expiresSyntax(value string) bool {
	const head = "dddd-dd-ddTdd:dd:dd"
	if len(value) < len(head)+1 {
		return false
	}
	for i := 0; i < len(head); i++ {
		c := value[i]
		switch head[i] {
		case 'd':
			if c < '0' || c > '9' {
				return false
			}
		case 'T':
			if c != 'T' && c != 't' && c != ' ' {
				return false
			}
		default:
			if c != head[i] {
				return false
			}
		}
	}
	rest := value[len(head):]
	if rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 {
			return false
		}
		rest = rest[j:]
	}
	if rest == "Z" || rest == "z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && isDigits(rest[1:3]) && rest[3] == ':' && isDigits(rest[4:6])
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func parseExpires(value string) (time.Time, bool) {
	if !expiresSyntax(value) {
		return time.Time{}, false
	}
	b := []byte(value)
	b[10] = 'T'
	if c := b[len(b)-1]; c == 'z' {
		b[len(b)-1] = 'Z'
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func (v *validator) checkExpires(n int, value string) {
	t, ok := parseExpires(value)
	if !ok {
		v.r.add(CodeInvalidExpiry, n, "Expires must be an RFC 3339 date-time with a time zone, such as 2026-12-31T23:59:59Z.")
		return
	}
	now := v.opts.Now().UTC()
	switch {
	case t.Before(now):
		v.r.add(CodeExpired, n, fmt.Sprintf("The file expired on %s.", t.UTC().Format(time.RFC3339)))
	case t.After(now.AddDate(1, 0, 0)):
		v.r.add(CodeLongExpiry, n, fmt.Sprintf("Expires (%s) is more than a year ahead; less than a year is recommended (RFC 9116 §2.5.5).", t.UTC().Format(time.RFC3339)))
	}
}

func (v *validator) fileChecks(text string, lines []string, binary bool) {
	switch {
	case len(v.expiresLines) == 0:
		v.r.add(CodeNoExpire, 0, "The Expires field is missing; it must be present (RFC 9116 §2.5.5).")
	case len(v.expiresLines) > 1:
		v.r.add(CodeMultiExpire, v.expiresLines[1], "Expires must not appear more than once.")
	}
	if len(v.canonicals) > 0 && len(v.opts.URLs) > 0 {
		match := false
		for _, c := range v.canonicals {
			if slices.Contains(v.opts.URLs, c) {
				match = true
				break
			}
		}
		if !match {
			v.r.add(CodeNoCanonicalMatch, 0, fmt.Sprintf("No Canonical value equals the URL the file was read from (%s); its contents should not be trusted (RFC 9116 §2.5.2).", strings.Join(v.opts.URLs, ", ")))
		}
	}
	if text != "" && !binary && !strings.HasSuffix(text, "\n") {
		v.r.add(CodeNoLineSeparators, len(lines), "The last line has no line ending; every line must end with CRLF or LF (RFC 9116 §2.2).")
	}
	if v.signed && !binary {
		tail := text[len(strings.TrimRight(text, " \t\r\n")):]
		if strings.Count(tail, "\n") > 1 {
			v.r.add(CodeTooManyLineSeparators, len(lines), "The signed file ends with blank lines after the signature.")
		}
	}
	if v.csafCount > 1 {
		v.r.add(CodeMultipleCSAFFields, 0, "There is more than one CSAF field; one is recommended.")
	}
	if len(v.r.Fields[fieldContact]) == 0 {
		v.r.add(CodeNoContact, 0, "The Contact field is missing; at least one must be present (RFC 9116 §2.5.3).")
	} else if v.hasMailto && len(v.r.Fields[fieldEncryption]) == 0 {
		v.r.add(CodeNoEncryption, 0, "A Contact is an e-mail address but there is no Encryption field; a key for encrypted reports is recommended (RFC 9116 §2.5.4).")
	}
	if len(v.langLines) > 1 {
		v.r.add(CodeMultiLang, v.langLines[1], "Preferred-Languages must not appear more than once.")
	}
	if !v.signed {
		v.r.add(CodeNotSigned, 0, "The file is not signed; an OpenPGP cleartext signature is recommended (RFC 9116 §2.3).")
	} else if len(v.canonicals) == 0 {
		v.r.add(CodeNoCanonical, 0, "The file is signed but has no Canonical field; signed files should name their URL (RFC 9116 §2.3).")
	}
}

// firstControl returns the index of the first C0 control byte other than
// TAB, LF and CR (or DEL), or -1.
func firstControl(b []byte) int {
	for i, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return i
		}
	}
	return -1
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// lineOf returns the 1-based line of byte offset off.
func lineOf(b []byte, off int) int {
	if off < 0 || off > len(b) {
		return 0
	}
	return bytes.Count(b[:off], []byte("\n")) + 1
}
