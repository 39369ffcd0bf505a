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
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/clikit"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
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
	return a.AddOrg(ctx, tenant.Operator(), o)
}

// AddOrg creates organisation o with its contacts, assets and devices
// (POST /api/v1/orgs and, through CreateOrg, `vigil org add`; sc must be
// the operator's) and audits it as org.create, in one transaction.
func (a *App) AddOrg(ctx context.Context, sc tenant.Scope, o registry.Org) (registry.Org, error) {
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.OrgCreate(ctx, sc, &o); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "org.create", OrgID: o.ID, Object: fmt.Sprintf("organisation %d", o.ID),
			Detail: o.Name, After: auditJSON(o)})
	})
	return o, err
}

// MaxOpenRegistrations is how many registered organisations one account
// may have waiting for approval at once: more is refused (a conflict) until
// an analyst approves or rejects one, so one account cannot flood the
// analysts' queue.
const MaxOpenRegistrations = 3

// RegisterOrg registers organisation name (in country) through the portal
// with account user as its member and asset (a domain, IP range or AS
// number) as its first asset to prove: the registration page and
// POST /api/v1/register. It waits for that proof or an analyst's approval.
// The name must be plain text without a domain name
// (registry.CleanOrgName); a missing or malformed asset is invalid on
// field asset. A name another organisation has is registered alike
// (store.OrgRegister), so the answer tells no one which organisations are
// registered; the analyst sees it with its lookalikes (Approvals), and
// neither proof nor approval lets it keep that name. A registration beyond
// MaxOpenRegistrations waiting is a conflict (register.open). The
// registration is audited as org.register.
func (a *App) RegisterOrg(ctx context.Context, user int64, name, country, asset string) (registry.Org, error) {
	o := registry.Org{Name: name, Country: country}
	name, err := registry.CleanOrgName("name", name, false)
	if err != nil {
		return o, err
	}
	o.Name = name
	if asset == "" {
		return o, errs.FieldKeyed("asset", "", "register.asset", "give a domain or IP range that you can prove you hold")
	}
	as, err := registry.ParseAsset("", asset)
	if err != nil {
		return o, inField(err, "asset")
	}
	o.Assets = []registry.Asset{as}
	err = a.st.Tx(ctx, func(tx *store.Store) error {
		open, err := tx.OrgPendingCount(ctx, user)
		if err != nil {
			return err
		}
		if open >= MaxOpenRegistrations {
			return errs.Keyed(errs.Conflict, "", "register.open",
				"you have %d organisations waiting for approval, the most one account may have; wait until an analyst decides on one", MaxOpenRegistrations)
		}
		if err := tx.OrgRegister(ctx, &o, user); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				// Two registrations of one new name at once; the
				// answer does not tell that the name is taken.
				err = errs.FieldKeyed("name", "", "register.retry", "the registration did not go through; send it again")
			}
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "org.register", OrgID: o.ID, Object: fmt.Sprintf("organisation %d", o.ID),
			Detail: o.Name + " with " + as.Value, After: auditJSON(o)})
	})
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
	File string `json:"file"`
	// Organisations and Assets are the organisations and assets written
	// (without --upsert: all new).
	Organisations int             `json:"organisations"`
	Assets        int             `json:"assets"`
	Refused       []errs.RowError `json:"refused"`
	Seconds       float64         `json:"seconds"`
	Imported      bool            `json:"imported"`
	// Upsert is set with --upsert: what was created, changed and left.
	Upsert *store.UpsertCounts `json:"upsert,omitempty"`
	// Conflicts counts the refused rows naming an organisation that
	// exists (without --upsert).
	Conflicts int `json:"conflicts"`
}

// ImportOptions are the choices of an organisation import.
type ImportOptions struct {
	// Format is csv, json or "" to tell from the name or the content.
	Format string
	// SkipInvalid imports the good rows of a file with bad ones.
	SkipInvalid bool
	// Upsert updates organisations that exist (by name) instead of
	// refusing them.
	Upsert bool
	// Progress, when set, is told how many organisations are written.
	Progress Progress
}

// ImportOrgs imports organisations from CSV (registry.CSVColumns) or a
// JSON array (the export form) in one transaction. All or nothing unless
// SkipInvalid: one bad row imports nothing (Imported is false and Refused
// names the rows, file:line); with SkipInvalid the good rows are imported.
// A name given twice in the file, or (without Upsert) the name of an
// organisation that exists, is a bad row like any other; with Upsert an
// existing organisation is updated (store.OrgUpsert).
func (a *App) ImportOrgs(ctx context.Context, r io.Reader, name string, opt ImportOptions) (ImportResult, error) {
	start := time.Now()
	res := ImportResult{File: name, Refused: []errs.RowError{}}
	br := bufio.NewReaderSize(r, 1<<16)
	format := opt.Format
	if format == "" {
		format = sniffFormat(name, br)
	}
	var (
		orgs []registry.Org
		bad  []errs.RowError
		err  error
	)
	file := filepath.Base(name)
	switch format {
	case "csv":
		orgs, bad, err = registry.ParseCSV(br, file)
	case "json":
		orgs, bad, err = registry.ParseJSON(br, file)
	default:
		return res, errs.FieldKeyed("format", format, "format.export", "must be csv or json")
	}
	if err != nil {
		return res, &errs.Error{Code: errs.Invalid, Message: err.Error()}
	}
	var exists map[string]int64
	if !opt.Upsert {
		if exists, err = a.st.OrgIDsByName(ctx, tenant.Operator()); err != nil {
			return res, err
		}
	}
	first := map[string]int{}
	keep := orgs[:0]
	for _, o := range orgs {
		switch line, dup := first[o.Name]; {
		case dup:
			bad = append(bad, errs.RowError{File: file, Line: o.Line, Field: "name", Reason: fmt.Sprintf("%q appears twice in the file (first on line %d)", o.Name, line), Raw: o.Name})
		case exists[o.Name] != 0:
			first[o.Name] = o.Line
			res.Conflicts++
			bad = append(bad, errs.RowError{File: file, Line: o.Line, Field: "name", Reason: fmt.Sprintf("an organisation named %q already exists (organisation %d; --upsert updates it)", o.Name, exists[o.Name]), Raw: o.Name})
		default:
			first[o.Name] = o.Line
			keep = append(keep, o)
		}
	}
	orgs = keep
	slices.SortStableFunc(bad, func(x, y errs.RowError) int { return x.Line - y.Line })
	if bad != nil {
		res.Refused = bad
	}
	if len(bad) == 0 || opt.SkipInvalid {
		step, finish := opt.Progress.start("organisations", int64(len(orgs)))
		defer finish()
		if opt.Upsert {
			n, err := a.st.OrgUpsert(ctx, tenant.Operator(), orgs, step)
			if err != nil {
				return res, fmt.Errorf("import %s: nothing imported: %w", name, err)
			}
			res.Upsert, res.Organisations, res.Assets = &n, n.Created+n.Updated, n.Assets
		} else if res.Organisations, res.Assets, err = a.st.OrgImport(ctx, tenant.Operator(), orgs, step); err != nil {
			return res, fmt.Errorf("import %s: nothing imported: %w", name, err)
		}
		res.Imported = true
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// Summary is the line an import ends with: what it wrote, or with
// --upsert what it created, changed and left as it was.
func (r ImportResult) Summary() string {
	var s string
	switch u := r.Upsert; {
	case u == nil:
		s = fmt.Sprintf("imported %s with %s in %.2fs", clikit.Plural(r.Organisations, "organisation", "organisations"), clikit.Plural(r.Assets, "asset", "assets"), r.Seconds)
	case u.Created+u.Updated == 0:
		s = fmt.Sprintf("nothing changed: %s already as in %s", clikit.Plural(u.Unchanged, "organisation", "organisations"), filepath.Base(r.File))
	default:
		s = fmt.Sprintf("%d new, %d updated, %d unchanged; added %s, %s and %s", u.Created, u.Updated, u.Unchanged,
			clikit.Plural(u.Assets, "asset", "assets"), clikit.Plural(u.Contacts, "contact", "contacts"), clikit.Plural(u.Devices, "device", "devices"))
	}
	if len(r.Refused) > 0 {
		s += "; skipped " + clikit.Plural(len(r.Refused), "invalid row", "invalid rows")
	}
	return s
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
// default), or with org 0 an operator token (scope admin by default; read
// or operate when asked), made by the account with e-mail address by
// (empty: none recorded), expiring after lifetime (auth.ParseLifetime:
// "90d", "never"; empty: auth.DefaultTokenDays). It audits the token and
// returns its secret, which is shown once.
func (a *App) CreateToken(ctx context.Context, org int64, name, scopes, by, lifetime string) (auth.Token, string, error) {
	t := auth.Token{Name: name, OrgID: org}
	days := auth.DefaultTokenDays
	if lifetime != "" {
		var err error
		if days, err = auth.ParseLifetime(lifetime, "expires"); err != nil {
			return t, "", err
		}
	}
	var err error
	if t.ExpiresAt, err = auth.Expiry(a.now(), days, "expires"); err != nil {
		return t, "", err
	}
	if org != 0 {
		if err := a.st.OrgExists(ctx, tenant.Operator(), org); err != nil {
			return t, "", err
		}
	}
	if by != "" {
		email, err := account.NormalizeEmail(by)
		if err != nil {
			return t, "", errs.FieldKeyed("by", by, "email.invalid", "not an e-mail address")
		}
		c, err := a.st.UserCredentials(ctx, email)
		if errs.CodeOf(err) == errs.NotFound {
			return t, "", errs.FieldKeyed("by", by, "account.noemail", "no account has this e-mail address")
		} else if err != nil {
			return t, "", err
		}
		t.CreatedBy = c.User.ID
	}
	if scopes == "" {
		scopes = "read"
		if org == 0 {
			scopes = "admin"
		}
	}
	if t.Scopes, err = auth.ParseScopes(scopes); err != nil {
		return t, "", err
	}
	return a.IssueToken(ctx, tenant.Operator(), t)
}

// maxTokenName bounds an API token's name.
const maxTokenName = 200

// IssueToken creates API token t (of organisation t.OrgID of sc, or with
// OrgID 0 an operator token) and audits it as token.create, in one
// transaction: the tokens page, POST /api/v1/tokens and, through
// CreateToken, `vigil token create`. It returns the secret, which is shown
// once. A negative or unknown organisation is invalid on field org_id, a
// name longer than 200 characters on field name.
func (a *App) IssueToken(ctx context.Context, sc tenant.Scope, t auth.Token) (auth.Token, string, error) {
	if t.OrgID < 0 {
		return t, "", errs.FieldKeyed("org_id", t.OrgID, "org.idneg", "not an organisation id")
	}
	if utf8.RuneCountInString(t.Name) > maxTokenName {
		return t, "", errs.FieldKeyed("name", string([]rune(t.Name)[:40])+"…", "text.toolong", "longer than %d characters", 200)
	}
	if t.OrgID != 0 {
		if err := a.st.OrgExists(ctx, sc, t.OrgID); err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return t, "", errs.FieldKeyed("org_id", t.OrgID, "org.none", "no such organisation")
			}
			return t, "", err
		}
	}
	var secret string
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		if secret, err = tx.TokenCreate(ctx, sc, &t); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "token.create", OrgID: t.OrgID, Object: fmt.Sprintf("token %d", t.ID),
			Detail: t.Name + " (" + auth.FormatScopes(t.Scopes) + ")", After: auditJSON(t)})
	})
	if err != nil {
		return t, "", err
	}
	return t, secret, nil
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
		return OrgExport{}, errs.FieldKeyed("format", format, "format.export", "must be csv or json")
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

// OrgCommands are the `vigil org` commands built from rows: update (the
// API's PATCH /api/v1/orgs/{id}).
func OrgCommands() []Command {
	return []Command{{
		Use:   "update ORG",
		Short: "Change an organisation's name, sector, country, languages or notification policy",
		Long: "Change an organisation (by id or name): only the flags given change it, the rest stays (the API's\n" +
			"PATCH /api/v1/orgs/{id}). Contacts, assets and devices have their own commands; `org import --upsert`\n" +
			"updates many organisations from a file.",
		Args: 1,
		Flags: []Flag{
			{Name: "name", Usage: "new name"},
			{Name: "sector", Usage: "sector, e.g. energy, water, health"},
			{Name: "country", Usage: "ISO 3166-1 alpha-2 country code"},
			{Name: "lang", Usage: "preferred languages, comma-separated, preferred first (e.g. nl,en)"},
			{Name: "notify", Usage: "notification mode: immediate, daily or weekly"},
			{Name: "min-severity", Usage: "lowest severity that notifies"},
		},
		Run: func(ctx context.Context, x *App, in Input) (Output, error) {
			o, err := x.UpdateOrg(ctx, in.Args[0], in.Flags)
			return orgText(o), err
		},
	}}
}

// UpdateOrg changes organisation ref (id or name) by the non-empty values
// of set (name, sector, country, lang, notify, min-severity); nothing set
// is invalid input.
func (a *App) UpdateOrg(ctx context.Context, ref string, set map[string]string) (registry.Org, error) {
	id, err := a.OrgID(ctx, ref)
	if err != nil {
		return registry.Org{}, err
	}
	var u registry.OrgUpdate
	str := func(k string) *string {
		if v := set[k]; v != "" {
			return &v
		}
		return nil
	}
	u.Name, u.Sector, u.Country = str("name"), str("sector"), str("country")
	if v := set["lang"]; v != "" {
		langs := strings.Split(v, ",")
		for i := range langs {
			langs[i] = strings.TrimSpace(langs[i])
		}
		u.Languages = &langs
	}
	if set["notify"] != "" || set["min-severity"] != "" {
		o, err := a.st.OrgGet(ctx, tenant.Operator(), id)
		if err != nil {
			return o, err
		}
		p := o.Policy
		if v := set["notify"]; v != "" {
			p.Mode = v
		}
		if v := set["min-severity"]; v != "" {
			p.MinSeverity = v
		}
		u.Policy = &p
	}
	if u == (registry.OrgUpdate{}) {
		return registry.Org{}, errs.Keyed(errs.Invalid, "", "org.nochange", "nothing to change: give --name, --sector, --country, --lang, --notify or --min-severity")
	}
	return a.PatchOrg(ctx, tenant.Operator(), id, u)
}

// PatchOrg applies u to organisation id of sc (the notification policy
// page, PATCH /api/v1/orgs/{id} and `vigil org update`) and audits it as
// org.update with the record before and after, in one transaction. It
// refuses, naming the field: a language that is not one (languages[i]), a
// policy that does not validate, a policy whose channel list is given
// empty (a policy without one sends e-mail; choosing none is a mistake),
// and a webhook channel without the URL that receives it.
func (a *App) PatchOrg(ctx context.Context, sc tenant.Scope, id int64, u registry.OrgUpdate) (registry.Org, error) {
	if err := tenantAllows(sc, id); err != nil {
		return registry.Org{}, err
	}
	if u.Name != nil {
		// A member renames the organisation under the registration's
		// rule (no domain names); the operator may give one.
		name, err := registry.CleanOrgName("name", *u.Name, sc.IsOperator())
		if err != nil {
			return registry.Org{}, err
		}
		u.Name = &name
	}
	if u.Languages != nil {
		for i, l := range *u.Languages {
			if _, err := registry.NormalizeLang(l); err != nil {
				return registry.Org{}, errs.FieldKeyed(fmt.Sprintf("languages[%d]", i), l, "lang.invalid", "not a language tag (e.g. nl, en)")
			}
		}
	}
	if p := u.Policy; p != nil {
		if err := p.Validate(); err != nil {
			return registry.Org{}, err
		}
		switch {
		case p.Channels != nil && len(p.Channels) == 0:
			return registry.Org{}, errs.FieldKeyed("policy.channels", "", "policy.channels", "choose e-mail, a webhook or both")
		case slices.Contains(p.Channels, "webhook") && p.WebhookURL == "":
			return registry.Org{}, errs.FieldKeyed("policy.webhook_url", "", "policy.webhook", "give the https:// URL that receives the webhook")
		}
	}
	var out registry.Org
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.OrgGet(ctx, sc, id)
		if err != nil {
			return err
		}
		if _, err := tx.OrgPatch(ctx, sc, id, u); err != nil {
			return err
		}
		if out, err = tx.OrgGet(ctx, sc, id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "org.update", OrgID: id, Object: fmt.Sprintf("organisation %d", id),
			Detail: out.Name, Before: auditJSON(before), After: auditJSON(out)})
	})
	return out, err
}

// DeleteOrg deletes organisation id of sc and everything it registered
// (DELETE /api/v1/orgs/{id} and `vigil org delete`) and audits it as
// org.delete with the record before, in one transaction.
func (a *App) DeleteOrg(ctx context.Context, sc tenant.Scope, id int64) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.OrgGet(ctx, sc, id)
		if err != nil {
			return err
		}
		if err := tx.OrgDelete(ctx, sc, id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "org.delete", Object: fmt.Sprintf("organisation %d", id),
			Detail: before.Name, Before: auditJSON(before)})
	})
}

// RevokeToken revokes API token id of sc (the tokens page's button,
// DELETE /api/v1/tokens/{tid} and `vigil token revoke`) and audits it as
// token.revoke, in one transaction.
func (a *App) RevokeToken(ctx context.Context, sc tenant.Scope, id int64) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.TokenRevoke(ctx, sc, id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "token.revoke", Object: fmt.Sprintf("token %d", id)})
	})
}

// orgText prints an organisation as `org show` does.
type orgText registry.Org

// Text implements Output.
func (o orgText) Text() string {
	var b strings.Builder
	_ = registry.Org(o).WriteText(&b)
	return b.String()
}

// MarshalJSON writes the organisation as the API does.
func (o orgText) MarshalJSON() ([]byte, error) { return json.Marshal(registry.Org(o)) }

// OrgNamer returns a function that shows an organisation in a table as
// its id and name ("3 Hosting Oost"), reading each name once; an
// organisation it cannot read shows as its id.
func (a *App) OrgNamer(ctx context.Context) func(id int64) string {
	names := map[int64]string{}
	return func(id int64) string {
		n, ok := names[id]
		if !ok {
			n = strconv.FormatInt(id, 10)
			if name, err := a.st.OrgName(ctx, tenant.Operator(), id); err == nil {
				n += " " + name
			}
			names[id] = n
		}
		return n
	}
}
