// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/assess"
	"vigil/internal/errs"
)

var update = flag.Bool("update", false, "rewrite the golden files in docs/label")

var issued = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// testSigner signs with a fixed key (seed 0x01…0x20), so goldens are stable.
func testSigner() *Signer {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	return NewSigner(ed25519.NewKeyFromSeed(seed))
}

func testKeyring(s *Signer) *Keyring {
	return NewKeyring(PublicKey{ID: s.KeyID(), Key: s.PublicKey(), Status: Active, Created: issued.AddDate(0, -1, 0)})
}

// exampleLabel grades a testdata answers file with the embedded catalogue.
func exampleLabel(tb testing.TB, file, id string, vulns []assess.Vuln) Label {
	tb.Helper()
	cat, err := assess.Load()
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ans, problems := cat.LoadAnswers(f, file)
	if len(problems) > 0 {
		tb.Fatalf("%s: %v", file, problems)
	}
	ev := cat.Evaluate(ans, nil)
	score := assess.Rate(assess.NewScoreInput(ev, vulns, issued))
	l, err := New(Params{ID: id, Catalogue: cat, Eval: ev, Score: score, Issuer: "CERT-EX Trust Center", Issued: issued, BaseURL: "https://labels.cert.example"})
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func labelA(tb testing.TB) Label {
	return exampleLabel(tb, "answers-good.yaml", "VL-7K3M-Q9XD-2F4H", nil)
}

func labelE(tb testing.TB) Label {
	return exampleLabel(tb, "answers-poor.yaml", "VL-R2D2-C3P0-BB8X", nil)
}

func TestNew(t *testing.T) {
	t.Parallel()
	a, e := labelA(t), labelE(t)
	if a.Grade != assess.GradeA || e.Grade != assess.GradeE {
		t.Fatalf("grades %s, %s; want A, E", a.Grade, e.Grade)
	}
	if a.VerifyURL != "https://labels.cert.example/labels/VL-7K3M-Q9XD-2F4H" || a.Standard != "ETSI EN 303 645 V3.1.3" || a.Rule != assess.RuleVersion {
		t.Errorf("label A = %+v", a)
	}
	if !a.Expires.Equal(issued.AddDate(1, 0, 0)) || len(a.Sections) != 15 {
		t.Errorf("expires %v, %d sections", a.Expires, len(a.Sections))
	}
	if m, r := a.Totals(); m != (assess.Tally{Met: 34, Total: 34}) || r != (assess.Tally{Met: 35, Total: 38}) {
		t.Errorf("totals %+v %+v", m, r)
	}
	if len(e.Reasons) == 0 || e.Reasons[0].Rule != "mandatory" {
		t.Errorf("label E reasons = %+v", e.Reasons)
	}

	cat, _ := assess.Load()
	ev := assess.Evaluation{Edition: assess.EditionV3, Device: assess.Device{Vendor: "A", Model: "B"}, Support: assess.Support{End: "2027-03-31"}}
	score := assess.Score{Grade: assess.GradeD, Rule: assess.RuleVersion}
	p := Params{ID: "VL-1", Catalogue: cat, Eval: ev, Score: score, Issuer: "x", Issued: issued, BaseURL: "https://l.example/"}
	l, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC); !l.Expires.Equal(want) {
		t.Errorf("expires %v; want end of support %v", l.Expires, want)
	}
	if l.VerifyURL != "https://l.example/labels/VL-1" {
		t.Errorf("url %s", l.VerifyURL)
	}
	p.Eval.Support.End = "2026-01-01"
	if _, err := New(p); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("label after support end: err %v; want conflict", err)
	}
	p.Eval.Support.End = ""
	for name, edit := range map[string]func(*Params){
		"no_id":     func(p *Params) { p.ID = "" },
		"no_grade":  func(p *Params) { p.Score.Grade = 0 },
		"bad_url":   func(p *Params) { p.BaseURL = "labels.example" },
		"no_issuer": func(p *Params) { p.Issuer = "" },
		"no_cat":    func(p *Params) { p.Catalogue = nil },
	} {
		q := p
		edit(&q)
		if _, err := New(q); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("%s: err %v; want invalid", name, err)
		}
	}
}

func TestNewID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^VL-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
	seen := map[string]bool{}
	for range 200 {
		id, err := NewID(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(id) || seen[id] {
			t.Fatalf("id %q bad or repeated", id)
		}
		seen[id] = true
	}
	if _, err := NewID(strings.NewReader("short")); err == nil {
		t.Error("NewID with short randomness succeeded")
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "sorted_compact", in: "{ \"b\": 1,\n \"a\": [true, null, {\"z\":1,\"y\":\"x\"}] }", want: `{"a":[true,null,{"y":"x","z":1}],"b":1}`},
		{name: "signature_removed_top_level_only", in: `{"signature":"abc","x":{"signature":1}}`, want: `{"x":{"signature":1}}`},
		{name: "html_not_escaped", in: `{"a":"<b>&\u0026"}`, want: `{"a":"<b>&&"}`},
		{name: "escapes", in: `{"a":"\"\\\n\u0001é"}`, want: `{"a":"\"\\\n\u0001é"}`},
		{name: "numbers_keep_text", in: `{"n":1.50,"m":-0,"e":1e3}`, want: `{"e":1e3,"m":-0,"n":1.50}`},
		{name: "empty_containers", in: `{"a":{},"b":[]}`, want: `{"a":{},"b":[]}`},
		{name: "duplicate_member", in: `{"a":1,"a":2}`, wantErr: true},
		{name: "nested_duplicate", in: `{"a":{"b":1,"b":1}}`, wantErr: true},
		{name: "trailing_data", in: `{"a":1} {}`, wantErr: true},
		{name: "not_object", in: `[1,2]`, wantErr: true},
		{name: "invalid_utf8", in: "{\"a\":\"\xff\"}", wantErr: true},
		{name: "truncated", in: `{"a":`, wantErr: true},
		{name: "too_deep", in: strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v; wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && string(got) != tt.want {
				t.Errorf("got %s; want %s", got, tt.want)
			}
		})
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	s := testSigner()
	kr := testKeyring(s)
	l := labelA(t)
	doc, err := s.Sign(l)
	if err != nil {
		t.Fatal(err)
	}
	v := Verify(doc, kr, issued.Add(time.Hour), nil)
	if !v.OK() || v.Err() != nil {
		t.Fatalf("Verify = %+v", v)
	}
	l.KeyID = s.KeyID()
	l.Signature = v.Label.Signature
	if diff := cmp.Diff(l, *v.Label); diff != "" {
		t.Errorf("verified label (-want +got):\n%s", diff)
	}
	// Re-indenting or compacting the document does not matter.
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		t.Fatal(err)
	}
	if v := Verify(compact.Bytes(), kr, issued, nil); !v.OK() {
		t.Errorf("compacted: %+v", v)
	}
	// The signature covers the canonical form, documented in Canonical.
	canon, _ := Canonical(doc)
	if !bytes.HasPrefix(canon, []byte(`{"catalogue":`)) || bytes.Contains(canon, []byte("signature")) || bytes.ContainsAny(canon, "\n\t") {
		t.Errorf("canonical form: %.120s", canon)
	}
}

// TestTamper changes, removes or adds each member of a signed label and
// expects the signature to fail.
func TestTamper(t *testing.T) {
	t.Parallel()
	s := testSigner()
	kr := testKeyring(s)
	doc, err := s.Sign(labelE(t))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	now := issued.Add(time.Hour)
	mutate := func(v any) any {
		switch x := v.(type) {
		case string:
			if x == "E" {
				return "A"
			}
			if ts, err := time.Parse(time.RFC3339, x); err == nil {
				return ts.Add(24 * time.Hour).Format(time.RFC3339)
			}
			return x + "x"
		case []any:
			return x[1:]
		case map[string]any:
			y := map[string]any{}
			for k, v := range x {
				y[k] = v
			}
			y["vendor"] = "Other"
			return y
		}
		t.Fatalf("unexpected %T", v)
		return nil
	}
	n := 0
	for field := range m {
		if field == "signature" {
			continue
		}
		for _, op := range []string{"change", "remove"} {
			t.Run(field+"_"+op, func(t *testing.T) {
				c := map[string]any{}
				for k, v := range m {
					c[k] = v
				}
				if op == "change" {
					c[field] = mutate(m[field])
				} else {
					delete(c, field)
				}
				b, _ := json.Marshal(c)
				v := Verify(b, kr, now, nil)
				want := Tampered
				switch {
				case field == "format", op == "remove" && (field == "id" || field == "kid"):
					want = Malformed // required for any check
				case field == "kid":
					want = UnknownKey
				}
				if v.Status != want {
					t.Errorf("Verify = %s (%s); want %s", v.Status, v.Reason, want)
				}
			})
			n++
		}
	}
	if n < 28 {
		t.Errorf("only %d tamper cases", n)
	}
	// Added member, edited nested value, swapped signature.
	extra := bytes.Replace(doc, []byte(`"format":`), []byte(`"note": "ok", "format":`), 1)
	nested := bytes.Replace(doc, []byte(`"met": 3,`), []byte(`"met": 4,`), 1)
	if bytes.Equal(nested, doc) {
		t.Fatal("nested edit did not apply")
	}
	other, _ := s.Sign(labelA(t))
	var om map[string]any
	_ = json.Unmarshal(other, &om)
	swapped := bytes.Replace(doc, []byte(m["signature"].(string)), []byte(om["signature"].(string)), 1)
	for name, b := range map[string][]byte{"added_member": extra, "nested_edit": nested, "swapped_signature": swapped} {
		if v := Verify(b, kr, now, nil); v.Status != Tampered {
			t.Errorf("%s: %s (%s); want tampered", name, v.Status, v.Reason)
		}
	}
	for name, b := range map[string]string{"not_json": "hello", "array": "[]", "unsigned": `{"format":"vigil-label/1","id":"x","kid":"y"}`, "dup": `{"id":"a","id":"b"}`} {
		if v := Verify([]byte(b), kr, now, nil); v.Status != Malformed || v.Err() == nil {
			t.Errorf("%s: %s; want malformed", name, v.Status)
		}
	}
}

func TestVerifyTimesAndRevocation(t *testing.T) {
	t.Parallel()
	s := testSigner()
	kr := testKeyring(s)
	l := labelA(t)
	doc, err := s.Sign(l)
	if err != nil {
		t.Fatal(err)
	}
	notRevoked := func(string) (bool, string) { return false, "" }
	revoked := func(id string) (bool, string) { return id == l.ID, "KEV entry CVE-2024-3400 in firmware" }
	tests := []struct {
		name    string
		now     time.Time
		revoked RevokedFunc
		want    Status
		reason  string
	}{
		{"at_issue", l.Issued, nil, Valid, ""},
		{"before_issue", l.Issued.Add(-time.Second), nil, NotYetValid, "issued in the future"},
		{"last_second", l.Expires.Add(-time.Second), notRevoked, Valid, ""},
		{"at_expiry", l.Expires, nil, Expired, "expired on 2027-11-23T10:00:00Z"},
		{"long_after", l.Expires.AddDate(3, 0, 0), nil, Expired, "expired"},
		{"revoked", l.Issued.Add(time.Hour), revoked, Revoked, "revoked: KEV entry CVE-2024-3400 in firmware"},
		{"revoked_and_expired", l.Expires.AddDate(1, 0, 0), revoked, Revoked, "revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verify(doc, kr, tt.now, tt.revoked)
			if v.Status != tt.want || !strings.Contains(string(v.Status)+": "+v.Reason, tt.reason) || strings.HasPrefix(v.Reason, string(v.Status)+":") {
				t.Errorf("Verify = %s (%q); want %s (%q)", v.Status, v.Reason, tt.want, tt.reason)
			}
			if (v.Err() == nil) != (tt.want == Valid) || (v.Err() != nil && !errors.Is(v.Err(), errs.ErrInvalid)) {
				t.Errorf("Err() = %v", v.Err())
			}
		})
	}
	if v := Verify(doc, &Keyring{}, issued, nil); v.Status != UnknownKey {
		t.Errorf("empty keyring: %s", v.Status)
	}
	if v := Verify(doc, nil, issued, nil); v.Status != UnknownKey {
		t.Errorf("nil keyring: %s", v.Status)
	}
}

func TestKeyStoreRotation(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "keys")
	clock := issued.AddDate(0, -2, 0)
	now := func() time.Time { return clock }
	ks, err := OpenKeyStore(dir, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, %v", st.Mode(), err)
	}
	kr, _ := ks.Keyring()
	if len(kr.Keys()) != 0 {
		t.Fatal("new store has keys")
	}
	s1, err := ks.Signer() // first use generates
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, s1.KeyID()+".key")
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v", st.Mode(), err)
	}
	again, err := ks.Signer()
	if err != nil || again.KeyID() != s1.KeyID() {
		t.Fatalf("second Signer: %v, %v", again, err)
	}
	if len(s1.KeyID()) != 16 || s1.KeyID() != KeyID(s1.PublicKey()) {
		t.Errorf("kid %q", s1.KeyID())
	}
	oldPEM, _ := os.ReadFile(keyFile)

	l1 := labelA(t)
	l1.Issued = issued.AddDate(0, -1, 0)
	doc1, err := s1.Sign(l1)
	if err != nil {
		t.Fatal(err)
	}

	clock = issued.Add(-time.Hour)
	s2, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if s2.KeyID() == s1.KeyID() {
		t.Fatal("rotation kept the key")
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Errorf("retired private key still on disk: %v", err)
	}
	doc2, err := s2.Sign(labelA(t))
	if err != nil {
		t.Fatal(err)
	}
	kr, err = ks.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	keys := kr.Keys()
	if len(keys) != 2 || keys[0].Status != Retired || !keys[0].Retired.Equal(clock) || keys[1].Status != Active || keys[1].ID != s2.KeyID() {
		t.Fatalf("keyring after rotation: %+v", keys)
	}
	at := issued.Add(time.Hour)
	if v := Verify(doc1, kr, at, nil); !v.OK() || v.Key.Status != Retired {
		t.Errorf("old label with retired key: %s %s", v.Status, v.Reason)
	}
	if v := Verify(doc2, kr, at, nil); !v.OK() || v.Label.KeyID != s2.KeyID() {
		t.Errorf("new label: %s %s", v.Status, v.Reason)
	}
	// A label signed with the retired key after its retirement is refused.
	f := filepath.Join(t.TempDir(), "old.key")
	if err := os.WriteFile(f, oldPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := (&KeyStore{files: DirKeyFiles(filepath.Dir(f))}).load(PublicKey{ID: s1.KeyID()})
	if err == nil {
		t.Fatal("loaded key from a file not named after its kid")
	}
	_ = old
	os.Rename(f, filepath.Join(filepath.Dir(f), s1.KeyID()+".key"))
	old, err = (&KeyStore{files: DirKeyFiles(filepath.Dir(f))}).load(PublicKey{ID: s1.KeyID()})
	if err != nil {
		t.Fatal(err)
	}
	late, _ := old.Sign(labelA(t))
	if v := Verify(late, kr, at, nil); v.Status != KeyRetired {
		t.Errorf("late label with retired key: %s", v.Status)
	}

	// Reopening finds the active key.
	ks2, _ := OpenKeyStore(dir, now, nil)
	s3, err := ks2.Signer()
	if err != nil || s3.KeyID() != s2.KeyID() {
		t.Errorf("reopened: %v, %v", s3, err)
	}
}

func TestKeyFileMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ks, err := OpenKeyStore(dir, func() time.Time { return issued }, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ks.Signer()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, s.KeyID()+".key")
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := ks.Signer(); !errors.Is(err, ErrKeyPermissions) {
			t.Errorf("mode %04o: err %v; want ErrKeyPermissions", mode, err)
		}
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		os.Chmod(path, mode)
		if _, err := ks.Signer(); err != nil {
			t.Errorf("mode %04o: %v", mode, err)
		}
	}
	// A corrupted key file is refused, not silently replaced.
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("junk"), 0o600)
	if _, err := ks.Signer(); err == nil {
		t.Error("junk key file accepted")
	}
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	s := testSigner()
	kr := NewKeyring(
		PublicKey{ID: s.KeyID(), Key: s.PublicKey(), Status: Retired, Created: issued.AddDate(-1, 0, 0), Retired: issued},
	)
	doc, err := kr.MarshalJWKS()
	if err != nil {
		t.Fatal(err)
	}
	var generic struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &generic); err != nil {
		t.Fatal(err)
	}
	k := generic.Keys[0]
	if k["kty"] != "OKP" || k["crv"] != "Ed25519" || k["kid"] != s.KeyID() || k["status"] != "retired" || len(k["x"].(string)) != 43 {
		t.Errorf("jwk = %v", k)
	}
	back, err := ParseJWKS(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(kr.Keys(), back.Keys()); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	x := k["x"].(string)
	for name, bad := range map[string]string{
		"wrong_kid":  strings.Replace(string(doc), s.KeyID(), "0000000000000000", 1),
		"rsa":        strings.Replace(string(doc), `"OKP"`, `"RSA"`, 1),
		"short_x":    strings.Replace(string(doc), x, x[:20], 1),
		"bad_status": strings.Replace(string(doc), `"retired",`, `"lost",`, 1),
		"not_json":   "keys",
	} {
		if _, err := ParseJWKS(strings.NewReader(bad)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func BenchmarkSignVerify(b *testing.B) {
	s := testSigner()
	kr := testKeyring(s)
	l := labelA(b)
	b.ReportAllocs()
	for b.Loop() {
		doc, err := s.Sign(l)
		if err != nil {
			b.Fatal(err)
		}
		if v := Verify(doc, kr, issued, nil); !v.OK() {
			b.Fatal(v.Reason)
		}
	}
}

func FuzzVerify(f *testing.F) {
	s := testSigner()
	kr := testKeyring(s)
	for _, l := range []Label{labelA(f), labelE(f)} {
		doc, err := s.Sign(l)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(doc)
	}
	f.Add([]byte(`{"a":[1,{"b":null}],"signature":"x"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		v := Verify(doc, kr, issued, nil)
		if v.Status == Valid {
			// Only documents whose canonical form was signed can be valid;
			// re-signing the parsed label must give the same canonical bytes.
			c1, _ := Canonical(doc)
			again, err := s.Sign(*v.Label)
			if err != nil {
				t.Fatal(err)
			}
			c2, _ := Canonical(again)
			if !bytes.Equal(c1, c2) {
				t.Fatalf("valid document %q has canonical form differing from its label's", doc)
			}
		}
		if v.Status != Malformed && v.Label == nil {
			t.Fatalf("status %s without label", v.Status)
		}
		if c, err := Canonical(doc); err == nil {
			// Canonical is idempotent.
			c2, err := Canonical(c)
			if err != nil || !bytes.Equal(c, c2) {
				t.Fatalf("canonical not idempotent: %q → %q (%v)", c, c2, err)
			}
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	s := testSigner()
	doc, _ := testKeyring(s).MarshalJWKS()
	f.Add(doc)
	f.Fuzz(func(t *testing.T, b []byte) {
		kr, err := ParseJWKS(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, k := range kr.Keys() {
			if KeyID(k.Key) != k.ID || len(k.Key) != ed25519.PublicKeySize {
				t.Fatalf("accepted key %+v", k)
			}
		}
	})
}

// TestRecordListing checks the one-word state and the document a list of
// labels shows, for each state a record can be in.
func TestRecordListing(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	revoked := now.Add(-time.Hour)
	signed := []byte(`{"device":{"vendor":"Acme","model":"Cam 2"}}`)
	for _, tc := range []struct {
		name string
		rec  Record
		want string
	}{
		{"valid", Record{Signed: signed, Expires: now.Add(time.Hour)}, "valid"},
		{"expired", Record{Signed: signed, Expires: now.Add(-time.Hour)}, "expired"},
		{"superseded", Record{Signed: signed, Expires: now.Add(time.Hour), SupersededBy: "L-2"}, "superseded"},
		{"revoked", Record{Signed: signed, Expires: now.Add(time.Hour), SupersededBy: "L-2", RevokedAt: &revoked}, "revoked"},
		{"unreadable document", Record{Signed: []byte("{"), Expires: now.Add(time.Hour)}, "valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, state := tc.rec.Listing(now)
			if state != tc.want {
				t.Errorf("state %q; want %q", state, tc.want)
			}
			wantVendor := "Acme"
			if tc.name == "unreadable document" {
				wantVendor = ""
			}
			if doc.Device.Vendor != wantVendor {
				t.Errorf("vendor %q; want %q", doc.Device.Vendor, wantVendor)
			}
		})
	}
}
