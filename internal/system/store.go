// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"vigil/internal/errs"
)

// DocKind names a kind of versioned product document.
type DocKind string

// Document kinds.
const (
	DocModel   DocKind = "model"   // Model
	DocRisks   DocKind = "risks"   // Register
	DocPosture DocKind = "posture" // Posture
	DocTests   DocKind = "tests"   // TestReport
)

// Doc is one stored version of a product document.
type Doc struct {
	Kind    DocKind `json:"kind"`
	Product Product `json:"product"`
	// Version counts from 1 per (kind, product); Put assigns it.
	Version int             `json:"version"`
	Body    json.RawMessage `json:"-"`
	Actor   string          `json:"actor"`
	Created time.Time       `json:"created"`
}

// Store keeps versioned product documents. A product's documents belong to
// the product (vendor and model, compared without case), not to an
// organisation: the assessor enters them and the public registry page
// shows what the rating made of them.
type Store interface {
	// SystemDocPut stores d as the next version of its kind and product
	// and sets d.Version and d.Created.
	SystemDocPut(ctx context.Context, d *Doc) error
	// SystemDocGet returns version (0: the latest) of a product's document
	// of kind, or errs.NotFound.
	SystemDocGet(ctx context.Context, kind DocKind, p Product, version int) (Doc, error)
	// SystemDocVersions lists every version, oldest first, without bodies.
	SystemDocVersions(ctx context.Context, kind DocKind, p Product) ([]Doc, error)
	// SystemProducts lists the products with a document of kind.
	SystemProducts(ctx context.Context, kind DocKind) ([]Product, error)
	// FleetAdd adds one ingest's aggregates to the product's.
	FleetAdd(ctx context.Context, b FleetBatch) error
	// FleetGet returns the product's aggregates (empty when none).
	FleetGet(ctx context.Context, p Product) (Fleet, error)
}

// Save stores v as the next version of a product's document of kind.
func Save[T any](ctx context.Context, st Store, kind DocKind, p Product, v T, actor string) (Doc, error) {
	if actor == "" {
		return Doc{}, errs.Field("actor", actor, "required")
	}
	body, err := json.Marshal(v)
	if err != nil {
		return Doc{}, fmt.Errorf("%s of %s: %w", kind, p, err)
	}
	d := Doc{Kind: kind, Product: p, Body: body, Actor: actor}
	if err := st.SystemDocPut(ctx, &d); err != nil {
		return Doc{}, fmt.Errorf("store %s of %s: %w", kind, p, err)
	}
	return d, nil
}

// Load reads version (0: the latest) of a product's document of kind.
func Load[T any](ctx context.Context, st Store, kind DocKind, p Product, version int) (T, Doc, error) {
	var v T
	d, err := st.SystemDocGet(ctx, kind, p, version)
	if err != nil {
		return v, d, err
	}
	if err := json.Unmarshal(d.Body, &v); err != nil {
		return v, d, fmt.Errorf("%s of %s version %d: %w", kind, p, d.Version, err)
	}
	return v, d, nil
}
