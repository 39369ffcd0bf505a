// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestAccountMailRedactedOnceSent: the e-mail of a live link (reset,
// invitation, confirmation) goes out with its link, and the stored notice
// keeps no usable secret once its delivery is sent, given up (dead) or
// suppressed; until then (a failed attempt waits for its retry, an
// unknown outcome for an operator) the link stays, so that a retry sends
// it. A message with nothing to redact is stored as it was.
func TestAccountMailRedactedOnceSent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		payload := func(id int64) string {
			t.Helper()
			var p string
			if err := st.QueryRow(ctx, `SELECT payload FROM notices WHERE id = ?`, id).Scan(&p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		for _, tt := range []struct {
			name   string
			states []notify.OutboxState // the outcomes of its attempts, in turn
			keeps  bool                 // the stored copy keeps the secret after them
		}{
			{"sent", []notify.OutboxState{notify.OutboxSent}, false},
			{"failed_then_sent", []notify.OutboxState{notify.OutboxFailed, notify.OutboxSent}, false},
			{"failed", []notify.OutboxState{notify.OutboxFailed}, true},
			{"dead", []notify.OutboxState{notify.OutboxDead}, false},
			{"suppressed", []notify.OutboxState{notify.OutboxSuppressed}, false},
			{"unknown", []notify.OutboxState{notify.OutboxUnknown}, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				secret := "s3cr3t-" + tt.name + "-token"
				addr := tt.name + "@mail.example"
				link := "https://vigil.test/password/reset?token=" + secret
				id, err := st.AccountMail(ctx, addr, "en", notify.Message{Subject: "Reset", Text: "Follow " + link + " within an hour.", Redact: []string{secret}})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(payload(id), secret) {
					t.Fatal("the queued mail lost its link before it was sent")
				}
				now := st.Now()
				for i, state := range tt.states {
					at := now.Add(time.Duration(i) * time.Hour)
					rows, err := st.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, at, time.Minute, 100)
					if err != nil {
						t.Fatal(err)
					}
					var row *notify.OutboxRow
					for i := range rows {
						if rows[i].NoticeID == id {
							row = &rows[i]
						}
					}
					if row == nil {
						t.Fatalf("attempt %d: the mail is not due", i+1)
					}
					if row.Content.Message == nil || !strings.Contains(row.Content.Message.Text, link) {
						t.Fatalf("attempt %d: the sender gets no link: %+v", i+1, row.Content.Message)
					}
					var others []notify.OutboxResult
					for _, r := range rows {
						if r.ID != row.ID {
							others = append(others, notify.OutboxResult{ID: r.ID, NoticeID: r.NoticeID, State: notify.OutboxFailed, NextAttempt: at.Add(24 * time.Hour), At: at})
						}
					}
					res := notify.OutboxResult{ID: row.ID, NoticeID: id, State: state, Error: "test", NextAttempt: at.Add(time.Minute), At: at}
					if err := st.OutboxFinish(ctx, append(others, res)); err != nil {
						t.Fatal(err)
					}
				}
				p := payload(id)
				if got := strings.Contains(p, secret); got != tt.keeps {
					t.Errorf("after %v the stored mail keeps the secret: %t; want %t: %s", tt.states, got, tt.keeps, p)
				}
				if !tt.keeps && (!strings.Contains(p, "token="+notify.Redacted) || !strings.Contains(p, "within an hour")) {
					t.Errorf("the stored mail is not the message with its link removed: %s", p)
				}
			})
		}
		t.Run("nothing_to_redact", func(t *testing.T) {
			id, err := st.AccountMail(ctx, "plain@mail.example", "en", notify.Message{Subject: "Approved", Text: "Your organisation is approved."})
			if err != nil {
				t.Fatal(err)
			}
			before := payload(id)
			rows, err := st.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, st.Now().Add(48*time.Hour), time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			var res []notify.OutboxResult
			for _, r := range rows {
				res = append(res, notify.OutboxResult{ID: r.ID, NoticeID: r.NoticeID, State: notify.OutboxSent, At: st.Now()})
			}
			if err := st.OutboxFinish(ctx, res); err != nil {
				t.Fatal(err)
			}
			if after := payload(id); after != before {
				t.Errorf("a mail without secrets changed: %s, then %s", before, after)
			}
		})
	})
}
