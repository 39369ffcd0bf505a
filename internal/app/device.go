// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"

	"vigil/internal/account"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// The writes of an organisation's devices and assets: each is one
// transaction holding the change and its audit entry, shared by the
// portal's pages, their API twins and the commands.

// AddDevice registers device d for organisation d.OrgID of sc (the device
// and product pages' forms, POST /api/v1/orgs/{id}/devices and `vigil
// device add`) and audits it as device.add. A device without vendor or
// model, a malformed CPE or package URL, or an asset of another
// organisation is invalid input naming the field (store.DeviceCreate).
func (a *App) AddDevice(ctx context.Context, sc tenant.Scope, d registry.Device) (registry.Device, error) {
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.DeviceCreate(ctx, sc, &d); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "device.add", OrgID: d.OrgID, Object: fmt.Sprintf("device %d", d.ID),
			Detail: d.Vendor + " " + d.Model, After: auditJSON(d)})
	})
	return d, err
}

// UpdateDevice replaces the description of device d.ID of sc with d's
// (vendor, model, firmware, CPE, package URL, serial, location, asset: the
// product page's form, which keeps the serial, location and asset it does
// not show, and PUT /api/v1/orgs/{id}/devices/{did}), audits it as
// device.update with the description before and after, and returns the
// device as stored. Another organisation's device is not found, whatever
// d holds.
func (a *App) UpdateDevice(ctx context.Context, sc tenant.Scope, d registry.Device) (registry.Device, error) {
	var out registry.Device
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.DeviceGet(ctx, sc, d.ID)
		if err != nil {
			return err
		}
		if err := tx.DeviceUpdate(ctx, sc, &d); err != nil {
			return err
		}
		if out, err = tx.DeviceGet(ctx, sc, d.ID); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "device.update", OrgID: out.OrgID, Object: fmt.Sprintf("device %d", out.ID),
			Detail: out.Vendor + " " + out.Model, Before: auditJSON(before), After: auditJSON(out)})
	})
	return out, err
}

// DeleteDevice deletes device id of sc (DELETE
// /api/v1/orgs/{id}/devices/{did} and `vigil device delete`) and audits
// it as device.delete with the device before.
func (a *App) DeleteDevice(ctx context.Context, sc tenant.Scope, id int64) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.DeviceGet(ctx, sc, id)
		if err != nil {
			return err
		}
		if err := tx.DeviceDelete(ctx, sc, id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "device.delete", OrgID: before.OrgID, Object: fmt.Sprintf("device %d", id),
			Detail: before.Vendor + " " + before.Model, Before: auditJSON(before)})
	})
}

// DeleteAsset deletes asset id of sc (DELETE
// /api/v1/orgs/{id}/assets/{aid} and `vigil asset delete`) and audits it
// as asset.delete with the asset before.
func (a *App) DeleteAsset(ctx context.Context, sc tenant.Scope, id int64) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.AssetGet(ctx, sc, id)
		if err != nil {
			return err
		}
		if err := tx.AssetDelete(ctx, sc, id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "asset.delete", OrgID: before.OrgID, Object: fmt.Sprintf("asset %d", id),
			Detail: string(before.Kind) + " " + before.Value, Before: auditJSON(before)})
	})
}
