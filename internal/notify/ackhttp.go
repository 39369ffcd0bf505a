// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"fmt"
	"time"

	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// AckLinks opens the acknowledgement links of warnings, /ack/{token}: the
// portal's page shows what the notice was about and a button, and only
// the button (a POST) acknowledges, because mail scanners and link
// previews fetch every link in a message.
type AckLinks struct {
	Store AckStore
	// Key returns the link-signing key (usually the store's
	// SettingSecret(ctx, AckKeySetting)).
	Key func(ctx context.Context) ([]byte, error)
	Now func() time.Time
}

// Open returns the notice an acknowledgement link's token names and, with
// ack, records its acknowledgement ("link"; the first one is kept). A
// token that is malformed, forged or names no notice is errs.NotFound.
func (h *AckLinks) Open(ctx context.Context, token string, ack bool) (Notice, error) {
	key, err := h.Key(ctx)
	if err != nil {
		return Notice{}, fmt.Errorf("ack link key: %w", err)
	}
	id, err := ParseAckToken(key, token)
	if err != nil {
		return Notice{}, errs.Errorf(errs.NotFound, "unknown acknowledgement link")
	}
	// The signed link is the capability for its one notice, whichever
	// organisation it belongs to (or none, for an unregistered owner): the
	// handler reads and acknowledges that notice in the operator's scope.
	linkScope := tenant.Operator()
	if ack {
		now := time.Now
		if h.Now != nil {
			now = h.Now
		}
		return h.Store.NoticeAck(ctx, linkScope, id, "link", now().UTC())
	}
	return h.Store.NoticeGet(ctx, linkScope, id)
}
