// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"testing"
	"time"

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/rating"
)

// signedExample signs a label of the good answers with a fixed key.
func signedExample(tb testing.TB) ([]byte, *label.Keyring, time.Time) {
	tb.Helper()
	cat, err := assess.Load()
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open("testdata/answers-good.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ans, bad := cat.LoadAnswers(f, "answers-good.yaml")
	if len(bad) > 0 {
		tb.Fatal(bad)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ev := cat.Evaluate(ans, nil)
	sc := assess.Rate(assess.NewScoreInput(ev, nil, now))
	l, err := label.New(label.Params{ID: "VL-0000-0000-0001", Catalogue: cat, Eval: ev, Score: sc, Issuer: "test", Issued: now, BaseURL: "https://labels.example"})
	if err != nil {
		tb.Fatal(err)
	}
	signer := label.NewSigner(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	doc, err := signer.Sign(l)
	if err != nil {
		tb.Fatal(err)
	}
	return doc, label.NewKeyring(label.PublicKey{ID: signer.KeyID(), Key: signer.PublicKey(), Status: label.Active}), now.Add(time.Hour)
}

// FuzzCheck feeds mutated label documents to Check: it must never panic,
// and a document it accepts as valid must say what the signed one says.
func FuzzCheck(f *testing.F) {
	doc, kr, at := signedExample(f)
	f.Add(doc)
	f.Add(bytes.Replace(doc, []byte(`"grade": "A"`), []byte(`"grade": "B"`), 1))
	f.Add([]byte(`{"format":"vigil-label/1","id":"x","kid":"y","signature":"z"}`))
	want, err := label.Canonical(doc)
	if err != nil {
		f.Fatal(err)
	}
	reg := &rating.RegistryStatus{ID: "VL-0000-0000-0001", SupersededBy: "VL-0000-0000-0002", LatestGrade: assess.GradeC}
	f.Fuzz(func(t *testing.T, d []byte) {
		for _, r := range []*rating.RegistryStatus{nil, reg} {
			v := rating.Check(d, kr, at, r)
			if v.Status != label.Valid {
				continue
			}
			got, err := label.Canonical(d)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("accepted a document that differs from the signed one:\n%s", d)
			}
			if r != nil {
				t.Fatal("a superseded label verified as valid")
			}
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	doc, kr, at := signedExample(b)
	b.ReportAllocs()
	for b.Loop() {
		if v := rating.Check(doc, kr, at, nil); !v.OK() {
			b.Fatal(v.Reason)
		}
	}
}
