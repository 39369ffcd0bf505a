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

// Store is the storage the API handlers read and change. Every method that
// reads or changes an organisation's rows takes the request's tenant scope
// (organisation {id} on an organisation route, else the caller's), and the
// store applies it in its query: another tenant's object is "not found".
type Store interface {
	OrgCreate(ctx context.Context, sc tenant.Scope, o *registry.Org) error
	OrgGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Org, error)
	OrgList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]registry.Org, error)
	OrgPatch(ctx context.Context, sc tenant.Scope, id int64, u registry.OrgUpdate) (registry.Org, error)
	OrgDelete(ctx context.Context, sc tenant.Scope, id int64) error
	OrgExists(ctx context.Context, sc tenant.Scope, id int64) error
	ContactCreate(ctx context.Context, sc tenant.Scope, c *registry.Contact) error
	ContactList(ctx context.Context, sc tenant.Scope) ([]registry.Contact, error)
	ContactDelete(ctx context.Context, sc tenant.Scope, id int64) error
	AssetCreate(ctx context.Context, sc tenant.Scope, a *registry.Asset) error
	AssetGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Asset, error)
	AssetList(ctx context.Context, sc tenant.Scope, f registry.AssetFilter) ([]registry.Asset, error)
	AssetAll(ctx context.Context, sc tenant.Scope, kind registry.AssetKind) ([]registry.Asset, error)
	AssetDelete(ctx context.Context, sc tenant.Scope, id int64) error
	DeviceCreate(ctx context.Context, sc tenant.Scope, d *registry.Device) error
	DeviceGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Device, error)
	DeviceList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]registry.Device, error)
	DeviceDelete(ctx context.Context, sc tenant.Scope, id int64) error
	// DeviceUpdate replaces the description of device d.ID of sc.
	DeviceUpdate(ctx context.Context, sc tenant.Scope, d *registry.Device) error
	NoticeList(ctx context.Context, sc tenant.Scope, f notify.NoticeFilter) ([]notify.Notice, error)
	// FindingChanges returns the changes of the scope's findings after a
	// cursor (the pull feed).
	FindingChanges(ctx context.Context, sc tenant.Scope, since finding.Cursor, limit int) (finding.ChangePage, error)
	NoticeAck(ctx context.Context, sc tenant.Scope, id int64, by string, at time.Time) (notify.Notice, error)
	notify.StatsStore
	notify.NoticeDaysStore
	OutboxList(ctx context.Context, sc tenant.Scope, state notify.OutboxState, p keyset.Page) ([]notify.OutboxEntry, error)
	// OutboxResolve settles a delivery of unknown outcome (operator only:
	// its route is).
	OutboxResolve(ctx context.Context, id int64, sent bool, now time.Time) error
	verify.Store
	TokenCreate(ctx context.Context, sc tenant.Scope, t *auth.Token) (string, error)
	TokenRevoke(ctx context.Context, sc tenant.Scope, id int64) error
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
