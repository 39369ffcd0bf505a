// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"vigil/internal/auth"
	"vigil/internal/dkimkey"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/netguard"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// NewOrg is an organisation to register, as a command line gives it.
type NewOrg struct {
	registry.Org
	// Domains, CIDRs and ASNs become its assets; Emails its security
	// contacts, in its first language.
	Domains, CIDRs, ASNs, Emails []string
}

// CreateOrg registers an organisation with its assets and contacts.
func (a *App) CreateOrg(ctx context.Context, n NewOrg) (registry.Org, error) {
	o := n.Org
	for _, as := range []struct {
		kind   registry.AssetKind
		values []string
	}{{registry.KindDomain, n.Domains}, {registry.KindCIDR, n.CIDRs}, {registry.KindASN, n.ASNs}} {
		for _, v := range as.values {
			o.Assets = append(o.Assets, registry.Asset{Kind: as.kind, Value: v})
		}
	}
	for _, e := range n.Emails {
		c := registry.Contact{Email: e, Role: "security"}
		if len(o.Languages) > 0 {
			c.Lang = o.Languages[0]
		}
		o.Contacts = append(o.Contacts, c)
	}
	err := a.st.OrgCreate(ctx, tenant.Operator(), &o)
	return o, err
}

// OrgScope is the scope of an organisation filter: the organisation given
// by id or name, or every organisation (the operator's scope) when ref is
// empty.
func (a *App) OrgScope(ctx context.Context, ref string) (tenant.Scope, error) {
	if ref == "" {
		return tenant.Operator(), nil
	}
	id, err := a.OrgID(ctx, ref)
	return tenant.Org(id), err
}

// ImportResult is what an organisation import did.
type ImportResult struct {
	File          string          `json:"file"`
	Organisations int             `json:"organisations"`
	Assets        int             `json:"assets"`
	Refused       []errs.RowError `json:"refused"`
	Seconds       float64         `json:"seconds"`
	Imported      bool            `json:"imported"`
}

// ImportOrgs imports organisations from CSV (registry.CSVColumns) or a
// JSON array (the export form) in one transaction. format is csv, json or
// "" to tell from the name or the content. All or nothing unless
// skipInvalid: one bad row imports nothing (Imported is false and Refused
// names the rows); with skipInvalid the good rows are imported.
func (a *App) ImportOrgs(ctx context.Context, r io.Reader, name, format string, skipInvalid bool) (ImportResult, error) {
	start := time.Now()
	res := ImportResult{File: name, Refused: []errs.RowError{}}
	br := bufio.NewReaderSize(r, 1<<16)
	if format == "" {
		format = sniffFormat(name, br)
	}
	var (
		orgs []registry.Org
		bad  []errs.RowError
		err  error
	)
	switch format {
	case "csv":
		orgs, bad, err = registry.ParseCSV(br, filepath.Base(name))
	case "json":
		orgs, bad, err = registry.ParseJSON(br, filepath.Base(name))
	default:
		return res, errs.Field("format", format, "must be csv or json")
	}
	if err != nil {
		return res, &errs.Error{Code: errs.Invalid, Message: err.Error()}
	}
	if bad != nil {
		res.Refused = bad
	}
	if len(bad) == 0 || skipInvalid {
		if res.Organisations, res.Assets, err = a.st.OrgImport(ctx, tenant.Operator(), orgs); err != nil {
			return res, fmt.Errorf("import %s: nothing imported: %w", name, err)
		}
		res.Imported = true
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// sniffFormat tells csv from json by the file name, else by the first
// character that is not white space.
func sniffFormat(name string, br *bufio.Reader) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".json":
		return "json"
	}
	b, _ := br.Peek(512)
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '[':
			return "json"
		default:
			return "csv"
		}
	}
	return "csv"
}

// VerifyAsset checks organisation org's ownership token in DNS or on its
// web site for asset id (DNS through notify.dns_server when set) (or, manual, records an analyst's check) and marks
// the asset verified. It returns the asset and the method that proved it;
// an unproven asset is errs.Forbidden.
func (a *App) VerifyAsset(ctx context.Context, org, id int64, manual bool) (registry.Asset, string, error) {
	as, err := a.st.AssetGet(ctx, tenant.Org(org), id)
	if err != nil {
		return as, "", err
	}
	method := "manual"
	if !manual {
		tok, err := a.st.OrgVerifyToken(ctx, tenant.Operator(), org)
		if err != nil {
			return as, "", err
		}
		v := registry.Verifier{Resolver: dkimkey.NewResolver(a.cfg.Notify.DNSServer), HTTP: netguard.New(netguard.Options{})}
		if method, err = v.Verify(ctx, tok, as); err != nil {
			return as, "", err
		}
	}
	return as, method, a.st.AssetMarkVerified(ctx, tenant.Operator(), id, method, a.now())
}

// OwnershipToken is an organisation's ownership-verification token and
// where to publish it.
type OwnershipToken struct {
	Token  string `json:"token"`
	Record string `json:"record"`
	// PublishAt names the DNS TXT record of each asset that has one.
	PublishAt []TXTRecord `json:"publish_at"`
}

// TXTRecord is where an asset's token is published in DNS.
type TXTRecord struct {
	Asset string `json:"asset"`
	TXT   string `json:"txt,omitempty"`
}

// OwnershipToken returns organisation org's token and where to publish it.
func (a *App) OwnershipToken(ctx context.Context, org int64) (OwnershipToken, error) {
	tok, err := a.st.OrgVerifyToken(ctx, tenant.Operator(), org)
	if err != nil {
		return OwnershipToken{}, err
	}
	as, err := a.st.AssetList(ctx, tenant.Org(org), registry.AssetFilter{Page: keyset.Page{Limit: 1000}})
	if err != nil {
		return OwnershipToken{}, err
	}
	out := OwnershipToken{Token: tok, Record: "vigil-verify=" + tok}
	for _, x := range as {
		if n, err := registry.TXTName(x); err == nil {
			out.PublishAt = append(out.PublishAt, TXTRecord{x.Value, n})
		}
	}
	return out, nil
}

// CreateToken creates an API token: of organisation org (scopes read by
// default), or with org 0 an operator token (scope admin by default). It
// returns the secret, which is shown once.
func (a *App) CreateToken(ctx context.Context, org int64, name, scopes string) (auth.Token, string, error) {
	t := auth.Token{Name: name, OrgID: org}
	if org != 0 {
		if err := a.st.OrgExists(ctx, tenant.Operator(), org); err != nil {
			return t, "", err
		}
	}
	if scopes == "" {
		scopes = "read"
		if org == 0 {
			scopes = "admin"
		}
	}
	var err error
	if t.Scopes, err = auth.ParseScopes(scopes); err != nil {
		return t, "", err
	}
	secret, err := a.st.TokenCreate(ctx, tenant.Operator(), &t)
	return t, secret, err
}

// Contacts lists organisation org's contacts (not found when org does not
// exist, rather than an empty list).
func (a *App) Contacts(ctx context.Context, org int64) ([]registry.Contact, error) {
	if err := a.st.OrgExists(ctx, tenant.Operator(), org); err != nil {
		return nil, err
	}
	return a.st.ContactList(ctx, tenant.Org(org))
}

// OrgExport is every organisation of a scope with its contacts, assets
// and devices, to be written in Format.
type OrgExport struct {
	Format string
	Orgs   []registry.Org
}

// ExportOrgs reads the organisations of sc for an export in format "csv"
// (the registry's CSV columns) or "json" (an indented array, the form
// ImportOrgs reads back).
func (a *App) ExportOrgs(ctx context.Context, sc tenant.Scope, format string) (OrgExport, error) {
	if format != "csv" && format != "json" {
		return OrgExport{}, errs.Field("format", format, "must be csv or json")
	}
	orgs, err := a.st.OrgListAll(ctx, sc)
	if orgs == nil {
		orgs = []registry.Org{}
	}
	return OrgExport{Format: format, Orgs: orgs}, err
}

// Write writes the export to w.
func (e OrgExport) Write(w io.Writer) error {
	if e.Format == "csv" {
		return registry.WriteCSV(w, e.Orgs)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(e.Orgs)
}

// Overlaps lists the IP ranges of sc registered by more than one
// organisation, nested or identical (never nil).
func (a *App) Overlaps(ctx context.Context, sc tenant.Scope) ([]registry.Overlap, error) {
	as, err := a.st.AssetAll(ctx, sc, registry.KindCIDR)
	if err != nil {
		return nil, err
	}
	if ov := registry.Overlaps(as); ov != nil {
		return ov, nil
	}
	return []registry.Overlap{}, nil
}
