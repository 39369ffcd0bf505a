// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label_test

import (
	"crypto/ed25519"
	"fmt"
	"time"

	"vigil/internal/assess"
	"vigil/internal/label"
)

func Example() {
	seed := make([]byte, ed25519.SeedSize) // use a KeyStore in production
	signer := label.NewSigner(ed25519.NewKeyFromSeed(seed))
	keyring := label.NewKeyring(label.PublicKey{ID: signer.KeyID(), Key: signer.PublicKey(), Status: label.Active})

	issued := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	doc, err := signer.Sign(label.Label{
		ID:      "VL-0000-0000-0001",
		Device:  assess.Device{Vendor: "Acme", Model: "Cam 2", Firmware: "1.0"},
		Grade:   assess.GradeB,
		Rule:    assess.RuleVersion,
		Issued:  issued,
		Expires: issued.AddDate(1, 0, 0),
	})
	if err != nil {
		panic(err)
	}
	v := label.Verify(doc, keyring, issued.AddDate(0, 6, 0), nil)
	fmt.Println(v.Status, v.Label.Grade)
	v = label.Verify(doc, keyring, issued.AddDate(2, 0, 0), nil)
	fmt.Println(v.Status, v.Reason)
	// Output:
	// valid B
	// expired expired on 2027-11-23T10:00:00Z
}
