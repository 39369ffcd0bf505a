// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"time"

	"vigil/internal/auth"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/tenant"
	"vigil/internal/verify"
)

// Store is the storage the handlers read and hand to the domain services
// that change it (accounts, the signed links' acknowledgement and
// opt-out); the handlers' own changes go through internal/app's services
// (TestAdaptersWriteThroughApp). Every method that reads an
// organisation's rows takes the request's tenant scope
// (organisation {id} on an organisation route, else the caller's), and the
// store applies it in its query: another tenant's object is "not found".
type Store interface {
	OrgGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Org, error)
	OrgList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]registry.Org, error)
	OrgExists(ctx context.Context, sc tenant.Scope, id int64) error
	ContactList(ctx context.Context, sc tenant.Scope) ([]registry.Contact, error)
	AssetGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Asset, error)
	AssetList(ctx context.Context, sc tenant.Scope, f registry.AssetFilter) ([]registry.Asset, error)
	AssetAll(ctx context.Context, sc tenant.Scope, kind registry.AssetKind) ([]registry.Asset, error)
	DeviceGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Device, error)
	DeviceList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]registry.Device, error)
	NoticeList(ctx context.Context, sc tenant.Scope, f notify.NoticeFilter) ([]notify.Notice, error)
	// FindingChanges returns the changes of the scope's findings after a
	// cursor (the pull feed).
	FindingChanges(ctx context.Context, sc tenant.Scope, since finding.Cursor, limit int) (finding.ChangePage, error)
	notify.StatsStore
	notify.NoticeDaysStore
	OutboxList(ctx context.Context, sc tenant.Scope, state notify.OutboxState, p keyset.Page) ([]notify.OutboxEntry, error)
	verify.Store
	TokenList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]auth.Token, error)
	// TokenAuthenticate returns the principal of a secret, or
	// errs.Unauthorized.
	TokenAuthenticate(ctx context.Context, secret string) (auth.Principal, error)
	// SettingSecret returns the installation's secret named key.
	SettingSecret(ctx context.Context, key string) ([]byte, error)
	// SettingGet returns a stored setting, or errs.NotFound.
	SettingGet(ctx context.Context, key string) (string, error)
	// Ping checks that the database answers (readiness).
	Ping(ctx context.Context) error
	// Now is the store's clock.
	Now() time.Time
	PortalStore
	// What the pages of a warning's signed links need (acknowledgement,
	// opt-out).
	notify.AckStore
	notify.SuppressionStore
}
