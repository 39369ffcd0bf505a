// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"vigil/internal/account"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/netguard"
	"vigil/internal/rating"
	"vigil/internal/store"
)

// KeyDir returns the directory of cfg's label signing keys (and its DKIM
// and OpenPGP keys): labels.keys, else vigil-keys next to the SQLite
// database, else ./vigil-keys.
func KeyDir(cfg config.Config) string {
	if cfg.Labels.Keys != "" {
		return cfg.Labels.Keys
	}
	if dsn := cfg.DB; strings.HasPrefix(dsn, "sqlite:") || strings.HasSuffix(dsn, ".db") {
		if p := strings.TrimPrefix(dsn, "sqlite:"); p != ":memory:" && p != "" {
			return filepath.Join(filepath.Dir(p), "vigil-keys")
		}
	}
	return "vigil-keys"
}

// KeysInDatabase reports whether cfg keeps the label signing keys in its
// database: under PostgreSQL unless labels.keys names a directory, so that
// the keys live with the data and never in whatever directory a command
// was started in.
func KeysInDatabase(cfg config.Config) bool {
	return cfg.Labels.Keys == "" && (strings.HasPrefix(cfg.DB, "postgres://") || strings.HasPrefix(cfg.DB, "postgresql://"))
}

// keysSecret reads the secret label private keys in the database are
// encrypted with, and says where it came from.
func keysSecret(cfg config.Config) ([]byte, string, error) {
	v, from := cfg.Labels.KeysSecret, "VIGIL_KEYS_SECRET"
	if cfg.Labels.KeysSecretFile != "" {
		b, err := os.ReadFile(cfg.Labels.KeysSecretFile)
		if err != nil {
			return nil, "", errs.Field("labels.keys_secret_file", cfg.Labels.KeysSecretFile, err.Error())
		}
		v, from = string(b), "file "+cfg.Labels.KeysSecretFile
	}
	if v == "" {
		return nil, "", errNoKeysSecret
	}
	b, err := hex.DecodeString(strings.TrimSpace(v))
	if err != nil || len(b) != label.SecretSize {
		return nil, "", errs.Keyed(errs.Invalid, "", "keys.secret.hex", "label keys secret from %s: want %d hex digits (openssl rand -hex 32)", from, 2*label.SecretSize)
	}
	return b, from, nil
}

// errNoKeysSecret says how to configure the secret of label private keys
// kept in the database.
var errNoKeysSecret = errs.Errorf(errs.Invalid, "label keys: under PostgreSQL the signing keys are kept in the database, encrypted, and no secret is configured: "+
	"make one (openssl rand -hex 32 > /etc/vigil/keys.secret; chmod 600 it) and name it with labels.keys_secret_file "+
	"(VIGIL_KEYS_SECRET_FILE), or give it as VIGIL_KEYS_SECRET; or keep the keys in a directory with --keys (labels.keys)")

// noSecret are key files in the database without a secret: the public
// keys read (verification, the published keys), a private key neither
// made nor read.
type noSecret struct{ label.KeyFiles }

func (noSecret) CreatePrivate(string, []byte) error { return errNoKeysSecret }

func (noSecret) ReadPrivate(string) ([]byte, error) { return nil, errNoKeysSecret }

func (n noSecret) Where() string {
	return n.KeyFiles.Where() + " (no secret configured: labels cannot be signed)"
}

// dbKeyFiles keeps label key files in the label_keys table.
type dbKeyFiles struct {
	st *store.Store
}

func (d dbKeyFiles) Read(name string) ([]byte, error) {
	return d.st.LabelKeyGet(context.Background(), name)
}

func (d dbKeyFiles) Write(name string, data []byte) error {
	return d.st.LabelKeyPut(context.Background(), name, data, false)
}

func (d dbKeyFiles) CreatePrivate(name string, data []byte) error {
	return d.st.LabelKeyPut(context.Background(), name, data, true)
}

func (d dbKeyFiles) ReadPrivate(name string) ([]byte, error) { return d.Read(name) }

func (d dbKeyFiles) Remove(name string) error {
	return d.st.LabelKeyDelete(context.Background(), name)
}

func (d dbKeyFiles) Where() string { return "the database's label_keys table" }

// Keys opens the application's label key store (see OpenKeys): in the
// database under PostgreSQL (KeysInDatabase), else in KeyDir. A key it
// generates is logged with where it is kept and what to back up.
func (a *App) Keys() (*label.KeyStore, error) {
	ks, err := openKeys(a.cfg, a.st)
	if err != nil {
		return nil, err
	}
	ks.OnCreate(func(kid string) {
		a.log.Info("made a label signing key", "key", kid, "kept in", ks.Where())
	})
	return ks, nil
}

func openKeys(cfg config.Config, st *store.Store) (*label.KeyStore, error) {
	if !KeysInDatabase(cfg) {
		return label.OpenKeyStore(KeyDir(cfg), time.Now, nil)
	}
	secret, from, err := keysSecret(cfg)
	if errors.Is(err, errNoKeysSecret) {
		return label.NewKeyStore(noSecret{dbKeyFiles{st: st}}, time.Now, nil), nil
	}
	if err != nil {
		return nil, err
	}
	files, err := label.SealKeyFiles(dbKeyFiles{st: st}, secret, from)
	if err != nil {
		return nil, err
	}
	return label.NewKeyStore(files, time.Now, nil), nil
}

// Keyring returns the public keys of cfg's key store, after rotating the
// signing key when rotate is set (the retired key keeps verifying older
// labels), and where the keys are kept. open opens the application layer,
// used when the keys live in the database and to record a rotation in the
// audit log (wherever the keys are kept).
func Keyring(ctx context.Context, cfg config.Config, rotate bool, open func(context.Context) (*App, error)) (*label.Keyring, string, error) {
	var ks *label.KeyStore
	var err error
	if KeysInDatabase(cfg) {
		var x *App
		if x, err = open(ctx); err == nil {
			ks, err = x.Keys()
		}
	} else {
		ks, err = openKeys(cfg, nil)
	}
	if err != nil {
		return nil, "", err
	}
	if rotate {
		sg, err := ks.Rotate()
		if err != nil {
			return nil, "", err
		}
		x, err := open(ctx)
		if err == nil {
			err = x.Audit(ctx, account.AuditEntry{Action: "label.keys.rotate", Object: sg.KeyID(), Detail: "keys: " + ks.Where()})
		}
		if err != nil {
			return nil, "", fmt.Errorf("record the rotation to key %s: %w", sg.KeyID(), err)
		}
	}
	kr, err := ks.Keyring()
	return kr, ks.Where(), err
}

// ratingOnce is the lazily built assessment and label workflow.
type ratingOnce struct {
	once sync.Once
	svc  *rating.Service
	err  error
}

// Rating returns the assessment and label workflow on the store with the
// configured key store, issuer and registry URL.
func (a *App) Rating() (*rating.Service, error) {
	a.rating.once.Do(func() {
		keys, err := a.Keys()
		if err != nil {
			a.rating.err = err
			return
		}
		a.rating.svc, a.rating.err = rating.New(rating.Config{Store: a.st, System: a.st, PublicFleetSources: splitList(a.cfg.Labels.PublicFleetSources), Keys: keys, Issuer: a.cfg.Labels.Issuer, BaseURL: a.cfg.BaseURL, Logger: a.log})
	})
	return a.rating.svc, a.rating.err
}

// VerifyRequest names a label to verify: one of Doc, ID and URL.
type VerifyRequest struct {
	// Doc is a label document (read from a file or uploaded), or
	Doc []byte
	// ID is a label id of the local registry, verified as issued, or
	ID string
	// URL is a registry URL (https://…/labels/ID or …/labels/ID.json),
	// fetched through the guarded client with the label's registry status.
	URL string
	// JWKS is a keys document (file or URL) to verify against instead of
	// the local key store. Without it, a URL's label whose key is not
	// local is checked against its own server's /.well-known/vigil-keys.json.
	JWKS string
	// At is the time to verify as of (zero: now).
	At time.Time
	// AllowPrivate lets fetches reach loopback and private addresses.
	AllowPrivate bool
}

// LabelRegistry is the local side of a verification: the keys labels are
// signed with here, the registry's view of a label and the documents as
// issued. The rating service (rating.Service) is one.
type LabelRegistry interface {
	Keyring() (*label.Keyring, error)
	// Registry and Signed answer errs.NotFound for an unknown label.
	Registry(ctx context.Context, id string) (rating.RegistryStatus, error)
	Signed(ctx context.Context, id string) ([]byte, label.Label, error)
}

// VerifyLabel checks a label's signature, key, validity, revocation and
// supersession against this installation's registry (the database and
// key store it has; none without them). It is VerifyLabelWith on them:
// what `vigil label verify` runs.
func (a *App) VerifyLabel(ctx context.Context, r VerifyRequest) (rating.Verification, error) {
	return VerifyLabelWith(ctx, r, appLabels{a})
}

// VerifyLabelWith is the one load-and-verify of labels, which `vigil label
// verify`, the public verification page and its API route all run: it
// loads the label (the document given, the local registry's document of
// an id, or a registry URL's), the keys (JWKS, else local's) and the
// registry's status (local's for a document or id, the URL's registry for
// a URL) and checks them with rating.Check. The outcome is in the
// Verification's status; the error is for labels that could not be read
// or fetched (invalid input, naming the field id or url; not found for an
// unknown id; forbidden when the guard refused the address).
func VerifyLabelWith(ctx context.Context, r VerifyRequest, local LabelRegistry) (rating.Verification, error) {
	if r.At.IsZero() {
		r.At = time.Now()
	}
	switch {
	case r.URL != "":
		return verifyURL(ctx, r, local)
	case r.ID != "":
		doc, _, err := local.Signed(ctx, r.ID)
		if errs.CodeOf(err) == errs.NotFound {
			return rating.Verification{}, errs.FieldKeyed("id", r.ID, "label.unknown", "no label with this id in the registry")
		}
		if err != nil {
			return rating.Verification{}, err
		}
		r.Doc = doc
	}
	kr, err := keyring(ctx, r.JWKS, netguard.New(netguard.Options{AllowPrivate: r.AllowPrivate}), local)
	if err != nil {
		return rating.Verification{}, err
	}
	var reg *rating.RegistryStatus
	if id := rating.DocID(r.Doc); id != "" {
		if rs, err := local.Registry(ctx, id); err == nil {
			reg = &rs
		} else if !errors.Is(err, errs.ErrNotFound) {
			return rating.Verification{}, err
		}
	}
	return rating.Check(r.Doc, kr, r.At, reg), nil
}

// appLabels is the LabelRegistry of an App: its key store when one exists
// (verifying never makes one) and its database's registry when it has one.
type appLabels struct{ a *App }

func (l appLabels) Keyring() (*label.Keyring, error) {
	if !l.a.hasKeyStore() {
		return &label.Keyring{}, nil
	}
	ks, err := l.a.Keys()
	if err != nil {
		return nil, err
	}
	return ks.Keyring()
}

func (l appLabels) Registry(ctx context.Context, id string) (rating.RegistryStatus, error) {
	if l.a.st == nil {
		return rating.RegistryStatus{}, errs.Keyed(errs.NotFound, "", "registry.local", "no local registry")
	}
	svc, err := l.a.Rating()
	if err != nil {
		return rating.RegistryStatus{}, err
	}
	return svc.Registry(ctx, id)
}

func (l appLabels) Signed(ctx context.Context, id string) ([]byte, label.Label, error) {
	if l.a.st == nil {
		return nil, label.Label{}, errs.Keyed(errs.NotFound, "", "registry.local", "no local registry")
	}
	svc, err := l.a.Rating()
	if err != nil {
		return nil, label.Label{}, err
	}
	return svc.Signed(ctx, id)
}

// NewWithoutStore returns an application layer without a database, for a
// command that can do without one when none exists (label verify: keys
// from --jwks, the key directory if it exists, or a URL's own server;
// no local registry). It creates nothing.
func NewWithoutStore(cfg config.Config, logger *slog.Logger) *App { return New(nil, cfg, logger) }

// verifyURL fetches a label (and its registry status) from a registry URL.
func verifyURL(ctx context.Context, r VerifyRequest, local LabelRegistry) (rating.Verification, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return rating.Verification{}, errs.FieldKeyed("url", r.URL, "url.invalid", "not a URL")
	}
	nc := netguard.New(netguard.Options{AllowPrivate: r.AllowPrivate, MaxBytes: 1 << 20})
	docURL, statusURL := *u, ""
	dir, file := "", u.Path
	if i := strings.LastIndex(u.Path, "/"); i >= 0 {
		dir, file = u.Path[:i], u.Path[i+1:]
	}
	if strings.HasSuffix(dir, "/labels") && file != "" {
		id := strings.TrimSuffix(file, ".json")
		docURL.Path = dir + "/" + id + ".json"
		su := *u
		su.Path, su.RawQuery = dir+"/"+id+"/status.json", ""
		statusURL = su.String()
	}
	doc, _, err := nc.Fetch(ctx, docURL.String())
	if err != nil {
		return rating.Verification{}, fetchError("fetch label", err)
	}
	kr, err := keyring(ctx, r.JWKS, nc, local)
	if err != nil {
		return rating.Verification{}, err
	}
	if _, ok := kr.Lookup(docKID(doc)); !ok && r.JWKS == "" {
		// Not one of ours: use the issuing server's published keys.
		ku := *u
		ku.Path, ku.RawQuery = "/.well-known/vigil-keys.json", ""
		if kr, err = keyring(ctx, ku.String(), nc, local); err != nil {
			return rating.Verification{}, err
		}
	}
	var reg *rating.RegistryStatus
	if statusURL != "" {
		body, resp, err := nc.Fetch(ctx, statusURL)
		switch {
		case err == nil:
			var rs rating.RegistryStatus
			if err := json.Unmarshal(body, &rs); err != nil {
				return rating.Verification{}, errs.Keyed(errs.Invalid, "", "registry.status", "registry status %s: %v", statusURL, err)
			}
			reg = &rs
		case resp != nil && resp.StatusCode == 404:
		default:
			return rating.Verification{}, fetchError("registry status", err)
		}
	}
	return rating.Check(doc, kr, r.At, reg), nil
}

// keyring loads jwks (a file or URL), or local's keys.
func keyring(ctx context.Context, jwks string, nc *netguard.Client, local LabelRegistry) (*label.Keyring, error) {
	if jwks == "" {
		return local.Keyring()
	}
	var raw []byte
	var err error
	if IsURL(jwks) {
		raw, _, err = nc.Fetch(ctx, jwks)
	} else {
		raw, err = os.ReadFile(jwks)
	}
	if err != nil {
		return nil, fetchError("keys "+jwks, err)
	}
	return label.ParseJWKS(bytes.NewReader(raw))
}

// hasKeyStore reports whether the local key store exists: the database
// when keys live there, else the key directory.
func (a *App) hasKeyStore() bool {
	if KeysInDatabase(a.cfg) {
		return a.st != nil
	}
	_, err := os.Stat(KeyDir(a.cfg))
	return err == nil
}

// fetchError codes a failed fetch: forbidden when the guard refused the
// address, invalid input otherwise.
func fetchError(what string, err error) error {
	code := errs.Invalid
	if errors.Is(err, netguard.ErrBlockedAddress) {
		code = errs.Forbidden
		what += " (a local or private registry? allow it with --allow-private)"
	}
	return &errs.Error{Code: code, Message: what, Err: err}
}

func docKID(doc []byte) string {
	var l struct {
		KID string `json:"kid"`
	}
	_ = json.Unmarshal(doc, &l)
	return l.KID
}

// IsURL reports whether s is an http or https URL (rather than a file).
func IsURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// LabelFile reads a label document from a file; ok is false when path is
// not a file (it may be a label id).
func LabelFile(path string) (l label.Label, ok bool, err error) {
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return l, false, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return l, true, err
	}
	if err := json.Unmarshal(raw, &l); err != nil || l.Format != label.Format {
		return l, true, errs.FieldKeyed("label", path, "label.document", "not a label document")
	}
	return l, true, nil
}

// CheckRenderFormat checks a rendering format: svg, png or pdf.
func CheckRenderFormat(format string) error {
	if format != rating.FormatSVG && format != rating.FormatPNG && format != rating.FormatPDF {
		return errs.FieldKeyed("format", format, "format.render", "want svg, png or pdf")
	}
	return nil
}

// RenderLabel renders a label like an energy label: svg, png or pdf.
func RenderLabel(l label.Label, format string) ([]byte, error) {
	if err := CheckRenderFormat(format); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := rating.RenderDoc(&buf, l, format); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Rendered is a label written to a file by RenderLabelFile. Its fields are
// in the order `vigil label render --json` has always printed them.
type Rendered struct {
	Bytes  int    `json:"bytes"`
	File   string `json:"file"`
	Format string `json:"format"`
	Label  string `json:"label"`
}

// RenderLabelFile renders the label ref names to the file out: ref is a
// label document file, or else a label id, looked up in the registry that
// registry opens (only then, so that rendering a file needs no database).
// format is svg, png or pdf; empty means out's extension.
func RenderLabelFile(ctx context.Context, ref, format, out string, registry func(context.Context) (*App, error)) (Rendered, error) {
	if out == "" {
		return Rendered{}, errs.FieldKeyed("output", out, "output.required", "-o FILE is required")
	}
	if format == "" {
		format = strings.TrimPrefix(filepath.Ext(out), ".")
	}
	if err := CheckRenderFormat(format); err != nil {
		return Rendered{}, err
	}
	l, ok, err := LabelFile(ref)
	if !ok {
		var a *App
		if a, err = registry(ctx); err == nil {
			l, err = a.Label(ctx, ref)
		}
	}
	if err != nil {
		return Rendered{}, err
	}
	doc, err := RenderLabel(l, format)
	if err != nil {
		return Rendered{}, err
	}
	if err := os.WriteFile(out, doc, 0o644); err != nil {
		return Rendered{}, fmt.Errorf("write %s: %w", out, err)
	}
	return Rendered{Bytes: len(doc), File: out, Format: format, Label: l.ID}, nil
}

// Label returns label id's document from the registry.
func (a *App) Label(ctx context.Context, id string) (label.Label, error) {
	svc, err := a.Rating()
	if err != nil {
		return label.Label{}, err
	}
	_, l, err := svc.Signed(ctx, id)
	return l, err
}

// splitList splits a comma-separated setting, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
