// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo_test

import (
	"context"
	"strings"
	"testing"

	"vigil/internal/demo"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

func TestNotify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		opt := demo.NotifyOptions{KeyDir: t.TempDir(), BaseURL: "http://127.0.0.1:8080"}
		sum, err := demo.Notify(ctx, s, opt)
		if err != nil {
			t.Fatal(err)
		}
		// A notice to verify by its ticket, and the DKIM record to publish.
		if ex := sum.Example; ex == nil || ex.VerifyURL != "http://127.0.0.1:8080/verify" || !ex.Answer.Genuine || ex.Answer.Ticket != ex.Ticket ||
			len(ex.Answer.Domains) == 0 || ex.Answer.Notice != nil || ex.AccessCode == "" {
			t.Errorf("verify example = %+v", sum.Example)
		}
		if sum.DKIM.Record.Name != "vigil._domainkey.vigil-demo.example" || !strings.HasPrefix(sum.DKIM.Record.Value, "v=DKIM1; k=rsa; p=") {
			t.Errorf("DKIM = %+v", sum.DKIM)
		}
		if len(sum.OpenPGP.Fingerprint) != 40 || !strings.HasPrefix(sum.OpenPGP.WKDPath, "/.well-known/openpgpkey/hu/") {
			t.Errorf("OpenPGP = %+v", sum.OpenPGP)
		}
		// Every organisation with findings has a contact: every notice is
		// delivered, in Dutch or English by the contacts' languages.
		if sum.Composed < 10 || sum.Delivered != sum.Composed || sum.Messages < sum.Composed {
			t.Errorf("demo notices: %+v", sum)
		}
		if sum.Languages["nl"] == 0 || sum.Languages["nl"]+sum.Languages["en"] != sum.Messages {
			t.Errorf("languages: %v", sum.Languages)
		}
		// Running it again composes and sends nothing new.
		again, err := demo.Notify(ctx, s, opt)
		if err != nil {
			t.Fatal(err)
		}
		if again.Composed != 0 || again.Messages != 0 || again.DKIM.Record != sum.DKIM.Record {
			t.Errorf("second run: %+v", again)
		}
	})
}
