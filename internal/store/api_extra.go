// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"
)

// OrgExists returns nil when organisation id exists and errs.NotFound
// otherwise. It reads one row, without the organisation's children, so the
// REST API can check a path's organisation before acting on it.
func (s *Store) OrgExists(ctx context.Context, id int64) error {
	var got int64
	err := s.QueryRow(ctx, `SELECT id FROM orgs WHERE id = ?`, id).Scan(&got)
	return Scan(err, fmt.Sprintf("organisation %d", id))
}
