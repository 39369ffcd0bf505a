// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"vigil/internal/auth"
	"vigil/internal/registry"
)

// OrgInput is the body of POST /api/v1/orgs: an organisation with, optionally,
// its first contacts, assets and devices, all created in one transaction.
type OrgInput struct {
	Name      string          `json:"name"`
	Sector    string          `json:"sector,omitempty"`
	Country   string          `json:"country,omitempty"`
	Languages []string        `json:"languages,omitempty"`
	Policy    registry.Policy `json:"policy,omitzero"`
	Contacts  []ContactInput  `json:"contacts,omitempty"`
	Assets    []AssetInput    `json:"assets,omitempty"`
	Devices   []DeviceInput   `json:"devices,omitempty"`
}

// OrgPatch is the body of PATCH /api/v1/orgs/{id}: members that are absent
// or null stay as they are.
type OrgPatch struct {
	Name      *string          `json:"name,omitempty"`
	Sector    *string          `json:"sector,omitempty"`
	Country   *string          `json:"country,omitempty"`
	Languages *[]string        `json:"languages,omitempty"`
	Policy    *registry.Policy `json:"policy,omitempty"`
}

// ContactInput is the body of POST /api/v1/orgs/{id}/contacts. Only the
// operator may create a contact as verified.
type ContactInput struct {
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Role     string `json:"role,omitempty"`
	Lang     string `json:"lang,omitempty"`
	Verified bool   `json:"verified,omitempty"`
}

// AssetInput is the body of POST /api/v1/orgs/{id}/assets. Kind is guessed
// from the value when empty.
type AssetInput struct {
	Kind  registry.AssetKind `json:"kind,omitempty"`
	Value string             `json:"value"`
}

// DeviceInput is the body of POST /api/v1/orgs/{id}/devices.
type DeviceInput struct {
	Vendor   string `json:"vendor"`
	Model    string `json:"model"`
	Firmware string `json:"firmware,omitempty"`
	CPE      string `json:"cpe,omitempty"`
	PURL     string `json:"purl,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Location string `json:"location,omitempty"`
	AssetID  *int64 `json:"asset_id,omitempty"`
}

// TokenInput is the body of POST /api/v1/tokens. Without OrgID the token is
// an operator token with one of the operator scopes read, operate and
// admin (the widest given); an organisation's token takes read and write.
type TokenInput struct {
	OrgID  int64        `json:"org_id,omitempty"`
	Name   string       `json:"name,omitempty"`
	Scopes []auth.Scope `json:"scopes"`
	// Maker makes an organisation's token for a maker or test lab: it
	// may use only the organisation routes open to makers.
	Maker bool `json:"maker,omitempty"`
	// ExpiresDays is the token's lifetime in days (1–3650; 0: it never
	// expires; absent: auth.DefaultTokenDays).
	ExpiresDays *int `json:"expires_days,omitempty"`
}

// TokenCreated answers POST /api/v1/tokens. The secret is shown only here.
type TokenCreated struct {
	Token  auth.Token `json:"token"`
	Secret string     `json:"secret"`
}

// Me answers GET /api/v1/me: who the token acts as.
type Me struct {
	TokenID  int64        `json:"token_id"`
	OrgID    int64        `json:"org_id,omitempty"`
	Scopes   []auth.Scope `json:"scopes"`
	Operator bool         `json:"operator"`
	// Maker is true for a maker's token (only the organisation routes
	// open to makers).
	Maker bool `json:"maker,omitempty"`
}

func (in ContactInput) contact(orgID int64) registry.Contact {
	return registry.Contact{OrgID: orgID, Name: in.Name, Email: in.Email, Phone: in.Phone, Role: in.Role, Lang: in.Lang, Verified: in.Verified}
}

func (in AssetInput) asset(orgID int64) registry.Asset {
	return registry.Asset{OrgID: orgID, Kind: in.Kind, Value: in.Value}
}

func (in DeviceInput) device(orgID int64) registry.Device {
	return registry.Device{OrgID: orgID, Vendor: in.Vendor, Model: in.Model, Firmware: in.Firmware, CPE: in.CPE,
		PURL: in.PURL, Serial: in.Serial, Location: in.Location, AssetID: in.AssetID}
}
