// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/mail"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/pgpkey"
)

// TestSMTPOpenPGP: a notice signed with the service's OpenPGP key (and
// then DKIM) verifies on the exact bytes a real SMTP exchange delivered;
// a tampered copy does not, nor does another key's.
func TestSMTPOpenPGP(t *testing.T) {
	t.Parallel()
	sink := startSink(t, smtpsink.Options{})
	key, err := pgpkey.Generate("vigil CERT", "cert@vigil.example.nl", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	pub, dkimKey, _ := ed25519.GenerateKey(rand.Reader)
	cfg := notify.SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), TLS: notify.TLSNone, From: "cert@vigil.example.nl", OpenPGP: key,
		DKIM: &notify.DKIMConfig{Domain: "vigil.example.nl", Selector: "s1", Signer: dkimKey}}
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := notify.NewSMTPSender(cfg, r, "vigil CERT")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := testOutgoing(t, "en")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sink got %d messages", len(msgs))
	}
	data := msgs[0].Data
	ring, err := key.Keyring()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := pgpkey.Verify(data, ring)
	if err != nil {
		t.Fatalf("the delivered message does not verify: %v", err)
	}
	if fp := signer.PrimaryKey.Fingerprint; !bytes.Equal(fp, mustFingerprint(t, key)) {
		t.Errorf("signed by %X", fp)
	}
	// DKIM, applied after OpenPGP, still verifies too.
	txt := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(data), &dkim.VerifyOptions{LookupTXT: func(string) ([]string, error) { return []string{txt}, nil }})
	if err != nil || len(vs) != 1 || vs[0].Err != nil {
		t.Errorf("DKIM = %+v, %v", vs, err)
	}
	// The signed part is the whole notice: text, HTML, evidence and the
	// machine-readable attachments.
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("X-Vigil-Ticket") != string(m.Ticket) {
		t.Errorf("ticket header = %q", msg.Header.Get("X-Vigil-Ticket"))
	}
	parts := mimeParts(t, msg.Header.Get("Content-Type"), msg.Body)
	var kinds []string
	for _, p := range parts {
		kinds = append(kinds, p.kind)
	}
	if len(parts) < 9 || parts[0].kind != "multipart/mixed" || parts[len(parts)-1].kind != "application/pgp-signature; signature.asc" {
		t.Errorf("parts = %q", kinds)
	}

	// Tampered: a changed attachment name inside the signed part.
	bad := bytes.Replace(data, []byte("vigil-notice-VGL-7K3P-Q9XD.json"), []byte("vigil-notice-VGL-7K3P-Q9XE.json"), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("the tampering changed nothing")
	}
	if _, err := pgpkey.Verify(bad, ring); err == nil {
		t.Error("a tampered message verifies")
	}
	// A body line added.
	if _, err := pgpkey.Verify(bytes.Replace(data, []byte("\r\n\r\n"), []byte("\r\n\r\nX\r\n"), 2), ring); err == nil {
		t.Error("a message with a line added verifies")
	}
	// Another key does not verify it.
	other, _ := pgpkey.Generate("mallory", "cert@vigil.example.nl", time.Now())
	otherRing, _ := other.Keyring()
	if _, err := pgpkey.Verify(data, otherRing); err == nil {
		t.Error("verifies against another key")
	}
	// The signature is the message's: made at its date, so a repeated
	// attempt carries the same signature time.
	for _, sig := range signer.Identities {
		if !sig.SelfSignature.CreationTime.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("key made at %v", sig.SelfSignature.CreationTime)
		}
	}
}

func mustFingerprint(t *testing.T, k *pgpkey.Key) []byte {
	t.Helper()
	ring, err := k.Keyring()
	if err != nil || len(ring) != 1 {
		t.Fatal(err)
	}
	return ring[0].PrimaryKey.Fingerprint
}
