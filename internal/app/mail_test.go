// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/dkimkey"
	"vigil/internal/dnstest"
	"vigil/internal/errs"
	"vigil/internal/pgpkey"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestDKIMEndToEnd: the key vigil mail dkim init stores signs the warnings
// that delivery sends, and the signature on the exact bytes the SMTP sink
// received verifies with go-msgauth against the record as published in a
// DNS server on loopback.
func TestDKIMEndToEnd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registerHospital(t, s)
		keys := t.TempDir()
		edit := func(c *config.Config) {
			c.Labels.Keys, c.Notify.From, c.Notify.SMTPURL = keys, "cert@cert.example.nl", "sink:"
		}
		x := newApp(t, s, edit)
		setup, err := app.DKIMInit(x.Config(), dkimkey.Ed25519)
		if err != nil {
			t.Fatal(err)
		}
		if setup.Path != filepath.Join(keys, "dkim-vigil.key") || setup.Record.Name != "vigil._domainkey.cert.example.nl" {
			t.Errorf("setup = %+v", setup)
		}
		if st, err := os.Stat(setup.Path); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("key file mode = %v, %v; want 0600", st.Mode(), err)
		}
		srv := dnstest.Start(t)
		srv.SetTXT(setup.Record.Name, dnstest.Split(setup.Record.Value))
		if c, err := app.DKIMCheck(ctx, x.Config(), srv.Addr()); err != nil || c.Status != dkimkey.Match {
			t.Fatalf("check = %+v, %v", c, err)
		}

		d, err := x.Delivery(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Notifier.Compose(ctx, false); err != nil {
			t.Fatal(err)
		}
		if res, err := d.Deliverer.DeliverDue(ctx, 0); err != nil || res.Sent != 2 {
			t.Fatalf("delivery = %+v, %v", res, err)
		}
		resolver := dkimkey.NewResolver(srv.Addr())
		lookup := func(name string) ([]string, error) { return resolver.LookupTXT(ctx, name) }
		msgs := d.Sink.Messages()
		if len(msgs) != 2 {
			t.Fatalf("sink got %d messages", len(msgs))
		}
		for _, m := range msgs {
			vs, err := dkim.VerifyWithOptions(bytes.NewReader(m.Data), &dkim.VerifyOptions{LookupTXT: lookup})
			if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "cert.example.nl" {
				t.Fatalf("DKIM verification of the received bytes = %+v, %v", vs, err)
			}
			bad := bytes.Replace(m.Data, []byte("Subject: "), []byte("Subject: Re: "), 1)
			if vs, _ := dkim.VerifyWithOptions(bytes.NewReader(bad), &dkim.VerifyOptions{LookupTXT: lookup}); len(vs) != 1 || vs[0].Err == nil {
				t.Error("a changed subject still verifies")
			}
		}
		// Without the record, receivers cannot verify.
		srv.Delete(setup.Record.Name)
		if vs, _ := dkim.VerifyWithOptions(bytes.NewReader(msgs[0].Data), &dkim.VerifyOptions{LookupTXT: lookup}); len(vs) != 1 || vs[0].Err == nil {
			t.Error("verified without a published key")
		}

		// A configured key file that does not load is bad input naming it.
		_, err = newApp(t, s, func(c *config.Config) { edit(c); c.Notify.DKIMKey = filepath.Join(keys, "none.key") }).Delivery(ctx)
		if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "none.key") {
			t.Errorf("missing configured key = %v", err)
		}
	})
}

// TestOpenPGPDelivery: once vigil mail openpgp init made the key, the
// warnings that delivery sends are PGP/MIME signed with it.
func TestOpenPGPDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registerHospital(t, s)
		x := newApp(t, s, func(c *config.Config) {
			c.Labels.Keys, c.Notify.From, c.Notify.SMTPURL = t.TempDir(), "cert@cert.example.nl", "sink:"
		})
		if _, err := app.OpenPGPInit(x.Config(), time.Now()); err != nil {
			t.Fatal(err)
		}
		key, err := x.OpenPGPPublic()
		if err != nil || key == nil {
			t.Fatalf("key = %v, %v", key, err)
		}
		ring, _ := key.Keyring()
		d, err := x.Delivery(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Notifier.Compose(ctx, false); err != nil {
			t.Fatal(err)
		}
		if res, err := d.Deliverer.DeliverDue(ctx, 0); err != nil || res.Sent != 2 {
			t.Fatalf("delivery = %+v, %v", res, err)
		}
		for _, m := range d.Sink.Messages() {
			if _, err := pgpkey.Verify(m.Data, ring); err != nil {
				t.Errorf("delivered message does not verify: %v", err)
			}
		}
	})
}
