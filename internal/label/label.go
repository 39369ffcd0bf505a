// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package label issues, signs, verifies and renders vigil's A–G IoT security
// labels.
//
// A label is a JSON document (Label) signed with Ed25519 over its canonical
// form (see Canonical: vigil-canon/1, the document with sorted members, no
// whitespace and the "signature" member removed). Keys live in a KeyStore
// directory; their public halves form a Keyring, published as the JWKS-like
// document /.well-known/vigil-keys.json. Verify checks signature, key,
// validity period and revocation and says why a label is not valid.
// RenderSVG, RenderPNG and RenderPDF draw the label like an EU energy label,
// with a QR code of the verification URL.
package label

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
)

// Format is the value of a label's "format" member.
const Format = "vigil-label/1"

// Label is the signed statement of a device's grade.
type Label struct {
	Format string        `json:"format"`
	ID     string        `json:"id"`
	Device assess.Device `json:"device"`
	Grade  assess.Grade  `json:"grade"`
	// Rule is the scoring rule version, e.g. "vigil-grade/1".
	Rule string `json:"rule"`
	// Standard names the standard and edition, e.g.
	// "ETSI EN 303 645 V3.1.3".
	Standard string `json:"standard"`
	// Catalogue is the provision catalogue version.
	Catalogue string                  `json:"catalogue"`
	Sections  []assess.SectionSummary `json:"sections"`
	// Reasons are the facts that lowered the grade.
	Reasons   []assess.Reason `json:"reasons,omitempty"`
	Issued    time.Time       `json:"issued"`
	Expires   time.Time       `json:"expires"`
	Issuer    string          `json:"issuer"`
	KeyID     string          `json:"kid"`
	VerifyURL string          `json:"verify_url"`
	// Signature is the base64url (no padding) Ed25519 signature over
	// Canonical(document); empty before signing.
	Signature string `json:"signature,omitempty"`
}

// Totals returns the mandatory and recommended tallies over all sections.
func (l Label) Totals() (mandatory, recommended assess.Tally) {
	for _, s := range l.Sections {
		mandatory.Met += s.Mandatory.Met
		mandatory.Total += s.Mandatory.Total
		recommended.Met += s.Recommended.Met
		recommended.Total += s.Recommended.Total
	}
	return mandatory, recommended
}

// Params are the inputs of New.
type Params struct {
	ID        string // see NewID
	Catalogue *assess.Catalogue
	Eval      assess.Evaluation
	Score     assess.Score
	Issuer    string // e.g. "CERT-XX Trust Center"
	Issued    time.Time
	// Validity is how long the label is valid; the label never outlives the
	// declared support period. Zero means one year.
	Validity time.Duration
	// BaseURL is the public registry, e.g. "https://labels.cert.example";
	// the label's verification URL is BaseURL + "/labels/" + ID.
	BaseURL string
}

// New builds an unsigned label from an evaluation and its score.
func New(p Params) (Label, error) {
	switch {
	case p.ID == "":
		return Label{}, errs.Field("id", p.ID, "required")
	case p.Catalogue == nil:
		return Label{}, errs.Field("catalogue", "", "required")
	case !p.Score.Grade.Valid():
		return Label{}, errs.Field("grade", p.Score.Grade, "not graded")
	case !strings.HasPrefix(p.BaseURL, "https://") && !strings.HasPrefix(p.BaseURL, "http://"):
		return Label{}, errs.Field("base_url", p.BaseURL, "not an http(s) URL")
	case p.Issuer == "":
		return Label{}, errs.Field("issuer", p.Issuer, "required")
	}
	issued := p.Issued.UTC().Truncate(time.Second)
	expires := issued.AddDate(1, 0, 0)
	if p.Validity > 0 {
		expires = issued.Add(p.Validity)
	}
	if end, ok := p.Eval.Support.EndTime(); ok && end.Before(expires) {
		expires = end
	}
	if !expires.After(issued) {
		return Label{}, errs.Errorf(errs.Conflict, "label %s would expire at issue: support ended %s", p.ID, p.Eval.Support.End)
	}
	ed := map[assess.Edition]string{assess.EditionV2: "V2.1.1", assess.EditionV3: "V3.1.3"}[p.Eval.Edition]
	return Label{
		Format:    Format,
		ID:        p.ID,
		Device:    p.Eval.Device,
		Grade:     p.Score.Grade,
		Rule:      p.Score.Rule,
		Standard:  strings.TrimSpace(p.Catalogue.Standard + " " + ed),
		Catalogue: p.Catalogue.Version,
		Sections:  p.Catalogue.SectionSummaries(p.Eval),
		Reasons:   p.Score.Reasons,
		Issued:    issued,
		Expires:   expires,
		Issuer:    p.Issuer,
		VerifyURL: strings.TrimRight(p.BaseURL, "/") + "/labels/" + p.ID,
	}, nil
}

// crockford is Crockford's base32 alphabet (no I, L, O, U).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID returns a random label id "VL-XXXX-XXXX-XXXX" (60 bits, Crockford
// base32) read from rnd (crypto/rand.Reader in production).
func NewID(rnd io.Reader) (string, error) {
	var b [12]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "", fmt.Errorf("label id: %w", err)
	}
	var s strings.Builder
	s.WriteString("VL")
	for i, c := range b {
		if i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(crockford[c&31])
	}
	return s.String(), nil
}

// Sign sets the label's key id, normalises its times to UTC seconds and
// returns the signed document (indented JSON; whitespace does not matter to
// the signature).
func (s *Signer) Sign(l Label) ([]byte, error) {
	l.KeyID = s.kid
	l.Format = Format
	l.Issued = l.Issued.UTC().Truncate(time.Second)
	l.Expires = l.Expires.UTC().Truncate(time.Second)
	l.Signature = ""
	unsigned, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("sign label %s: %w", l.ID, err)
	}
	canon, err := Canonical(unsigned)
	if err != nil {
		return nil, fmt.Errorf("sign label %s: %w", l.ID, err)
	}
	l.Signature = base64.RawURLEncoding.EncodeToString(ed25519.Sign(s.priv, canon))
	out, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sign label %s: %w", l.ID, err)
	}
	return append(out, '\n'), nil
}

// Status is the outcome of verifying a label.
type Status string

// Verification outcomes. Only Valid is good.
const (
	Valid       Status = "valid"
	Malformed   Status = "malformed"     // not a label document
	UnknownKey  Status = "unknown_key"   // kid not in the keyring
	Tampered    Status = "tampered"      // signature does not match the content
	KeyRetired  Status = "key_retired"   // issued after its key was retired
	NotYetValid Status = "not_yet_valid" // issued in the future
	Expired     Status = "expired"
	Revoked     Status = "revoked"
)

// Verification is the result of Verify.
type Verification struct {
	Status Status `json:"status"`
	// Reason explains a status other than Valid, for people.
	Reason string `json:"reason,omitempty"`
	// Label is the parsed label; nil when Malformed. Only trust its content
	// when Status is Valid (or Expired/Revoked, for showing history).
	Label *Label `json:"label,omitempty"`
	// Key is the key that signed it, when known.
	Key *PublicKey `json:"-"`
}

// OK reports whether the label is valid.
func (v Verification) OK() bool { return v.Status == Valid }

// Err returns nil for a valid label, else an errs.Invalid error carrying
// the reason (for CLI exit codes and HTTP statuses).
func (v Verification) Err() error {
	if v.OK() {
		return nil
	}
	return errs.Errorf(errs.Invalid, "label %s: %s", v.Status, v.Reason)
}

// RevokedFunc reports whether the label with the given id is revoked, and
// why. The public registry (store) implements it.
type RevokedFunc func(id string) (revoked bool, reason string)

// Verify checks a signed label document, in this order: well-formed, known
// key, signature over the canonical form, key not retired before issue,
// revocation, validity period at now. revoked may be nil (no revocation
// list available).
func Verify(doc []byte, kr *Keyring, now time.Time, revoked RevokedFunc) Verification {
	canon, err := Canonical(doc)
	if err != nil {
		return Verification{Status: Malformed, Reason: err.Error()}
	}
	var l Label
	if err := json.Unmarshal(doc, &l); err != nil {
		return Verification{Status: Malformed, Reason: "not a label: " + err.Error()}
	}
	v := Verification{Label: &l}
	switch {
	case l.Format != Format:
		return Verification{Status: Malformed, Reason: fmt.Sprintf("format %q, want %q", l.Format, Format)}
	case l.ID == "" || l.KeyID == "":
		return Verification{Status: Malformed, Reason: "id or kid missing"}
	case l.Signature == "":
		return Verification{Status: Malformed, Reason: "not signed"}
	}
	if kr == nil {
		kr = &Keyring{}
	}
	key, ok := kr.Lookup(l.KeyID)
	if !ok {
		v.Status, v.Reason = UnknownKey, fmt.Sprintf("signed with key %s, which is not in the issuer's keyring", l.KeyID)
		return v
	}
	v.Key = &key
	sig, err := base64.RawURLEncoding.DecodeString(l.Signature)
	if err != nil || !ed25519.Verify(key.Key, canon, sig) {
		v.Status, v.Reason = Tampered, "the signature does not match the label's content"
		return v
	}
	if !key.Retired.IsZero() && l.Issued.After(key.Retired) {
		v.Status, v.Reason = KeyRetired, fmt.Sprintf("issued %s, after key %s was retired on %s",
			l.Issued.Format(time.RFC3339), key.ID, key.Retired.Format(time.RFC3339))
		return v
	}
	if revoked != nil {
		if r, why := revoked(l.ID); r {
			v.Status, v.Reason = Revoked, why // the status says revoked; "revoked: revoked: …" repeated it
			return v
		}
	}
	switch {
	case now.Before(l.Issued):
		v.Status, v.Reason = NotYetValid, "issued in the future ("+l.Issued.Format(time.RFC3339)+")"
	case !now.Before(l.Expires):
		v.Status, v.Reason = Expired, "expired on "+l.Expires.Format(time.RFC3339)
	default:
		v.Status = Valid
	}
	return v
}
