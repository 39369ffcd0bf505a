// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"testing"
	"time"

	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestSQLiteReadsBesideAWrite: on SQLite a read outside a transaction runs
// on the read-only connections, so it answers while a write transaction
// holds the single writer connection (a feed batch, a delivery's outcome),
// and it sees what was committed before, not the open transaction's rows.
// A read that queued behind the writer would never return here: the
// transaction ends only after the read did.
func TestSQLiteReadsBesideAWrite(t *testing.T) {
	s := storetest.OpenSQLite(t, storetest.Options{})
	ctx := context.Background()
	committed := registry.Org{Name: "Committed BV"}
	if err := s.OrgCreate(ctx, tenant.Operator(), &committed); err != nil {
		t.Fatal(err)
	}
	inTx, release := make(chan struct{}), make(chan struct{})
	txDone := make(chan error, 1)
	go func() {
		txDone <- s.Tx(ctx, func(tx *store.Store) error {
			open := registry.Org{Name: "Uncommitted BV"}
			if err := tx.OrgCreate(ctx, tenant.Operator(), &open); err != nil {
				return err
			}
			close(inTx)
			<-release
			return nil
		})
	}()
	select {
	case <-inTx:
	case err := <-txDone:
		t.Fatalf("transaction ended early: %v", err)
	}
	type result struct {
		names []string
		err   error
	}
	read := make(chan result, 1)
	go func() {
		orgs, err := s.OrgListAll(ctx, tenant.Operator())
		var names []string
		for _, o := range orgs {
			names = append(names, o.Name)
		}
		read <- result{names, err}
	}()
	select {
	case r := <-read:
		if r.err != nil || len(r.names) != 1 || r.names[0] != "Committed BV" {
			t.Errorf("read beside the write = %q, %v; want the committed organisation only", r.names, r.err)
		}
	case <-time.After(time.Minute):
		t.Error("the read waited for the write transaction (it runs on the writer connection)")
	}
	close(release)
	if err := <-txDone; err != nil {
		t.Fatal(err)
	}
	orgs, err := s.OrgListAll(ctx, tenant.Operator())
	if err != nil || len(orgs) != 2 {
		t.Errorf("after the commit: %d organisations, %v; want 2", len(orgs), err)
	}
}
