// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHashSlots: password hashing, verification and the dummy
// verification of an unknown address each take one of a fixed number of
// slots (64 MiB of memory each); with every slot taken they wait, give up
// when the request's context ends, and go on when a slot is freed.
func TestHashSlots(t *testing.T) {
	hash, err := HashPassword(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if cap(hashSlots) < 1 {
		t.Fatalf("%d hash slots", cap(hashSlots))
	}
	held := 0
	for range cap(hashSlots) {
		hashSlots <- struct{}{}
		held++
	}
	defer func() {
		for ; held > 0; held-- {
			<-hashSlots
		}
	}()
	for name, do := range map[string]func(context.Context) error{
		"hash": func(ctx context.Context) error { _, err := HashPassword(ctx, "correct horse battery"); return err },
		"verify": func(ctx context.Context) error {
			_, err := VerifyPassword(ctx, hash, "correct horse battery")
			return err
		},
		"dummy": func(ctx context.Context) error { return DummyVerify(ctx, "correct horse battery") },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		err := do(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with every slot taken: %v; want the context's deadline", name, err)
		}
	}
	done := make(chan bool)
	go func() {
		ok, err := VerifyPassword(context.Background(), hash, "correct horse battery")
		done <- ok && err == nil
	}()
	select {
	case <-done:
		t.Fatal("a verification ran with every slot taken")
	case <-time.After(100 * time.Millisecond):
	}
	<-hashSlots // one slot freed
	held--
	select {
	case ok := <-done:
		if !ok {
			t.Error("the verification that waited for a slot failed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a freed slot was not taken")
	}
	// A malformed hash takes no slot: it never matches.
	if ok, err := VerifyPassword(context.Background(), "$argon2id$v=19$m=x$a$b", "x"); ok || err != nil {
		t.Errorf("malformed hash: %v, %v", ok, err)
	}
}
