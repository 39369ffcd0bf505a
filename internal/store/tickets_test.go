// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
)

// plantedRand returns the planted byte strings first, one per Read, then
// crypto/rand's bytes.
type plantedRand struct {
	mu    sync.Mutex
	queue [][]byte
}

func (p *plantedRand) plant(b ...[]byte) { p.mu.Lock(); p.queue = append(p.queue, b...); p.mu.Unlock() }

func (p *plantedRand) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queue) > 0 {
		n := copy(b, p.queue[0])
		p.queue = p.queue[1:]
		return n, nil
	}
	return rand.Read(b)
}

func ticketOf(t *testing.T, b []byte) ticket.Ticket {
	t.Helper()
	tk, err := ticket.New(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestNoticeTickets(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	rnd := &plantedRand{}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now, Rand: rnd}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		e := newNotifyEnv(t, s, clk)
		ho, st := e.orgs["Hosting"].ID, e.orgs["Stil"].ID
		first := []byte{1, 2, 3, 4, 5}
		rnd.plant(first)
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.1", 443, finding.Critical, t0))
		if _, err := e.n.Compose(ctx, false); err != nil {
			t.Fatal(err)
		}
		// The next notice draws the taken ticket first: it is drawn again.
		second := []byte{9, 8, 7, 6, 5}
		rnd.plant(first, second)
		e.ingest(t, false, notifySighting(st, e.trig, "203.0.113.9", 443, finding.Critical, t0))
		if _, err := e.n.Compose(ctx, false); err != nil {
			t.Fatal(err)
		}
		ns, err := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != 2 || ns[0].Ticket != ticketOf(t, first) || ns[1].Ticket != ticketOf(t, second) {
			t.Fatalf("notices = %+v; want tickets %s and %s", ns, ticketOf(t, first), ticketOf(t, second))
		}

		// By ticket: the public scope finds either notice, an
		// organisation only its own, the zero scope nothing.
		for _, tc := range []struct {
			sc   tenant.Scope
			tk   ticket.Ticket
			want int64
		}{
			{tenant.Public(), ns[0].Ticket, ns[0].ID},
			{tenant.Public(), ns[1].Ticket, ns[1].ID},
			{tenant.Operator(), ns[1].Ticket, ns[1].ID},
			{tenant.Org(ho), ns[0].Ticket, ns[0].ID},
			{tenant.Org(ho), ns[1].Ticket, 0},
			{tenant.Scope{}, ns[0].Ticket, 0},
			{tenant.Public(), "VGL-0000-0000", 0},
			{tenant.Public(), "", 0},
		} {
			r, err := s.NoticeByTicket(ctx, tc.sc, tc.tk)
			if tc.want == 0 {
				if errs.CodeOf(err) != errs.NotFound {
					t.Errorf("NoticeByTicket(%v, %q) = %+v, %v; want not found", tc.sc, tc.tk, r, err)
				}
				continue
			}
			if err != nil || r.NoticeID != tc.want || r.Ticket != tc.tk || r.Content.OrgName == "" && r.OrgID != 0 {
				t.Errorf("NoticeByTicket(%v, %q) = %+v, %v; want notice %d", tc.sc, tc.tk, r, err, tc.want)
			}
		}
		// Recipients are the addresses the e-mail was sent to: none yet.
		r, err := s.NoticeByTicket(ctx, tenant.Public(), ns[0].Ticket)
		if err != nil || len(r.Recipients) != 0 || r.FirstSent != nil {
			t.Errorf("unsent notice = %+v, %v", r, err)
		}
		rows, err := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, clk.Now(), time.Minute, 10)
		if err != nil || len(rows) != 1 || rows[0].Ticket != ns[0].Ticket {
			t.Fatalf("claimed %+v, %v; want the Hosting e-mail with its ticket", rows, err)
		}
		if err := s.OutboxFinish(ctx, []notify.OutboxResult{{ID: rows[0].ID, NoticeID: rows[0].NoticeID, State: notify.OutboxSent, At: clk.Now()}}); err != nil {
			t.Fatal(err)
		}
		if r, err = s.NoticeByTicket(ctx, tenant.Public(), ns[0].Ticket); err != nil || strings.Join(r.Recipients, ",") != "cert@hosting.example" || r.FirstSent == nil {
			t.Errorf("sent notice = %+v, %v", r, err)
		}

		// A notice written before tickets gets one when the store opens.
		if _, err := s.Exec(ctx, `UPDATE notices SET ticket = NULL WHERE id = ?`, ns[1].ID); err != nil {
			t.Fatal(err)
		}
		again := reopen(t, s)
		n, err := again.NoticeGet(ctx, tenant.Operator(), ns[1].ID)
		if err != nil || n.Ticket == "" || n.Ticket == ns[1].Ticket {
			t.Errorf("backfilled notice = %+v, %v; want a new ticket", n, err)
		}
		if n, _ := again.NoticeGet(ctx, tenant.Operator(), ns[0].ID); n.Ticket != ns[0].Ticket {
			t.Errorf("a notice with a ticket got %q; want %q kept", n.Ticket, ns[0].Ticket)
		}
	})
}

// reopen opens a second store on the database of s, closed when the test
// ends.
func reopen(t *testing.T, s *store.Store) *store.Store {
	t.Helper()
	ctx := context.Background()
	dsn := ""
	if s.Dialect() == store.Postgres {
		dsn = storetest.DSN(t, s)
	} else {
		var seq int
		var name, file string
		if err := s.QueryRow(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
			t.Fatal(err)
		}
		dsn = "sqlite:" + file
	}
	o, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}
