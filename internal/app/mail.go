// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"crypto"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"vigil/internal/config"
	"vigil/internal/dkimkey"
	"vigil/internal/errs"
	"vigil/internal/notify"
)

// senderAddress is the address warnings come from: the SMTP URL's from=,
// else notify.from, else vigil@localhost.
func senderAddress(f config.Notify) string {
	if f.SMTPURL != "" && f.SMTPURL != "sink:" {
		if c, err := notify.ParseSMTPURL(f.SMTPURL); err == nil && c.From != "" {
			return c.From
		}
	}
	if f.From != "" {
		return f.From
	}
	return "vigil@localhost"
}

// DKIMKeyPath returns cfg's DKIM key file: notify.dkim_key, else
// dkim-<selector>.key in the key directory (KeyDir), where vigil mail dkim
// init puts it.
func DKIMKeyPath(cfg config.Config) string {
	if cfg.Notify.DKIMKey != "" {
		return cfg.Notify.DKIMKey
	}
	return filepath.Join(KeyDir(cfg), dkimkey.FileName(dkimSelector(cfg.Notify)))
}

func dkimSelector(f config.Notify) string {
	if f.DKIMSelector != "" {
		return f.DKIMSelector
	}
	return dkimkey.DefaultSelector
}

// dkimDomain is the signing domain: notify.dkim_domain, else the sender
// address's domain.
func dkimDomain(f config.Notify) string {
	if f.DKIMDomain != "" {
		return f.DKIMDomain
	}
	_, d, _ := strings.Cut(senderAddress(f), "@")
	return d
}

// dkimSigner returns cfg's DKIM configuration: the configured key file
// (which must load), else the key directory's key when vigil mail dkim
// init made one, else nil (no signing).
func dkimSigner(cfg config.Config) (*notify.DKIMConfig, error) {
	path := DKIMKeyPath(cfg)
	key, err := dkimkey.Load(path)
	switch {
	case cfg.Notify.DKIMKey == "" && errs.CodeOf(err) == errs.NotFound:
		return nil, nil
	case err != nil:
		return nil, errs.Field("dkim-key", path, errs.Message(err))
	}
	return &notify.DKIMConfig{Domain: dkimDomain(cfg.Notify), Selector: dkimSelector(cfg.Notify), Signer: key}, nil
}

// DKIMSetup is a DKIM key and the DNS record that publishes it.
type DKIMSetup struct {
	// Path is the private key file.
	Path     string `json:"path"`
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	// Record is the TXT record to publish; Zone the same as a zone-file
	// line.
	Record dkimkey.Record `json:"record"`
	Zone   string         `json:"zone"`
}

func setupFor(cfg config.Config, path string, key crypto.Signer) (DKIMSetup, error) {
	f := cfg.Notify
	domain := dkimDomain(f)
	if domain == "" || domain == "localhost" {
		return DKIMSetup{}, errs.Field("dkim-domain", domain, "a DKIM key needs a real signing domain: set notify.dkim_domain or the sender address (notify.from)")
	}
	rec, err := dkimkey.RecordFor(key, dkimSelector(f), domain)
	if err != nil {
		return DKIMSetup{}, err
	}
	return DKIMSetup{Path: path, Domain: domain, Selector: dkimSelector(f), Record: rec, Zone: rec.Zone()}, nil
}

// DKIMInit generates cfg's DKIM key of algorithm alg into DKIMKeyPath (an
// existing key is errs.Conflict) and returns the record to publish.
func DKIMInit(cfg config.Config, alg dkimkey.Algorithm) (DKIMSetup, error) {
	path := DKIMKeyPath(cfg)
	if _, err := os.Stat(path); err == nil {
		return DKIMSetup{}, errs.Errorf(errs.Conflict, "%s exists: a DKIM key is already set up (vigil mail dkim record prints its record)", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return DKIMSetup{}, err
	}
	key, err := dkimkey.Generate(alg, nil)
	if err != nil {
		return DKIMSetup{}, err
	}
	setup, err := setupFor(cfg, path, key)
	if err != nil {
		return setup, err
	}
	return setup, dkimkey.Save(path, key)
}

// DKIMRecord returns the record of cfg's existing DKIM key.
func DKIMRecord(cfg config.Config) (DKIMSetup, error) {
	path := DKIMKeyPath(cfg)
	key, err := dkimkey.Load(path)
	if err != nil {
		return DKIMSetup{}, err
	}
	return setupFor(cfg, path, key)
}

// DKIMCheck looks the record of cfg's DKIM key up, through the DNS server
// dnsServer (host:port; "" for the system resolver), and says whether it
// matches the key.
func DKIMCheck(ctx context.Context, cfg config.Config, dnsServer string) (dkimkey.Check, error) {
	setup, err := DKIMRecord(cfg)
	if err != nil {
		return dkimkey.Check{}, err
	}
	key, err := dkimkey.Load(setup.Path)
	if err != nil {
		return dkimkey.Check{}, err
	}
	return dkimkey.CheckDNS(ctx, dkimkey.NewResolver(dnsServer), key, setup.Selector, setup.Domain)
}
