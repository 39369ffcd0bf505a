// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vigil/internal/config"
	"vigil/internal/dkimkey"
	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/pgpkey"
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

// Text is the setup as the CLI prints it; verb ("generated") says what
// happened to the key file, "" nothing.
func (s DKIMSetup) Text(verb string) string {
	var b strings.Builder
	if verb != "" {
		fmt.Fprintf(&b, "DKIM key %s: %s\n", verb, s.Path)
	}
	fmt.Fprintf(&b, "Publish this TXT record (selector %s, domain %s):\n\n  name:  %s\n  value: %s\n\nas a zone-file line:\n\n  %s\n",
		s.Selector, s.Domain, s.Record.Name, s.Record.Value, s.Zone)
	return b.String()
}

// DKIMCheckText is a check's verdict as the CLI prints it: the name and
// status, the reason, and the record to publish unless it matched.
func DKIMCheckText(c dkimkey.Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", c.Record.Name, c.Status)
	if c.Reason != "" {
		fmt.Fprintf(&b, "  %s\n", c.Reason)
	}
	if c.Status != dkimkey.Match {
		fmt.Fprintf(&b, "publish:\n  %s\n", c.Record.Zone())
	}
	return b.String()
}

func setupFor(cfg config.Config, path string, key crypto.Signer) (DKIMSetup, error) {
	f := cfg.Notify
	domain := dkimDomain(f)
	if domain == "" || domain == "localhost" {
		return DKIMSetup{}, errs.FieldKeyed("dkim-domain", domain, "dkim.domain", "a DKIM key needs a real signing domain: set notify.dkim_domain or the sender address (notify.from)")
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
		return DKIMSetup{}, errs.Keyed(errs.Conflict, "", "dkim.exists", "%s exists: a DKIM key is already set up (vigil mail dkim record prints its record)", path)
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

// OpenPGPKeyPath returns cfg's OpenPGP key file: openpgp.key in the key
// directory (KeyDir), where vigil mail openpgp init puts it.
func OpenPGPKeyPath(cfg config.Config) string {
	return filepath.Join(KeyDir(cfg), pgpkey.FileName)
}

// OpenPGPSetup is the service's OpenPGP key as recipients find it.
type OpenPGPSetup struct {
	// Path is the private key file.
	Path        string `json:"path"`
	Address     string `json:"address"`
	Fingerprint string `json:"fingerprint"`
	// WKDPath is where the portal's Web Key Directory serves the key
	// (on the host of the address's domain, or openpgpkey.<domain>).
	WKDPath string `json:"wkd_path"`
	// PublicKey is the armored public key.
	PublicKey string `json:"public_key"`
}

// Text is the setup as the CLI prints it.
func (s OpenPGPSetup) Text() string {
	return fmt.Sprintf("OpenPGP key: %s\naddress:     %s\nfingerprint: %s\nWKD path:    %s (served by the portal; also on its verification page)\n\n%s",
		s.Path, s.Address, s.Fingerprint, s.WKDPath, s.PublicKey)
}

func openPGPSetup(path string, k *pgpkey.Key) (OpenPGPSetup, error) {
	pub, err := k.ArmoredPublic()
	return OpenPGPSetup{Path: path, Address: k.Address(), Fingerprint: k.Fingerprint(), WKDPath: pgpkey.WKDPath(k.Address()), PublicKey: pub}, err
}

// OpenPGPInit generates cfg's OpenPGP key for the sender address into
// OpenPGPKeyPath (an existing key is errs.Conflict). From then on every
// notice is signed with it (PGP/MIME) and the portal publishes it.
func OpenPGPInit(cfg config.Config, now time.Time) (OpenPGPSetup, error) {
	path := OpenPGPKeyPath(cfg)
	if _, err := os.Stat(path); err == nil {
		return OpenPGPSetup{}, errs.Keyed(errs.Conflict, "", "openpgp.exists", "%s exists: an OpenPGP key is already set up (vigil mail openpgp key prints it)", path)
	}
	from := senderAddress(cfg.Notify)
	if strings.HasSuffix(from, "@localhost") {
		return OpenPGPSetup{}, errs.FieldKeyed("from", from, "openpgp.from", "an OpenPGP key needs the service's real address: set notify.from or the SMTP URL's from=")
	}
	name := cfg.Notify.Sender
	if name == "" {
		name = "vigil"
	}
	k, err := pgpkey.Generate(name, from, now)
	if err != nil {
		return OpenPGPSetup{}, err
	}
	if err := k.Save(path); err != nil {
		return OpenPGPSetup{}, err
	}
	return openPGPSetup(path, k)
}

// OpenPGPKey returns cfg's OpenPGP key as recipients find it; errs.NotFound
// when none was made.
func OpenPGPKey(cfg config.Config) (OpenPGPSetup, error) {
	path := OpenPGPKeyPath(cfg)
	k, err := pgpkey.Load(path)
	if err != nil {
		return OpenPGPSetup{}, err
	}
	return openPGPSetup(path, k)
}

// OpenPGPPublic returns the service's OpenPGP key (nil, nil when none was
// made), for the verification page and the Web Key Directory.
func (a *App) OpenPGPPublic() (*pgpkey.Key, error) {
	k, err := pgpkey.Load(OpenPGPKeyPath(a.cfg))
	if errs.CodeOf(err) == errs.NotFound {
		return nil, nil
	}
	return k, err
}

// openPGPSigner returns the key that signs notices: the key directory's
// when vigil mail openpgp init made one, else nil (no signing).
func openPGPSigner(cfg config.Config) (notify.MIMESigner, error) {
	k, err := pgpkey.Load(OpenPGPKeyPath(cfg))
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		return nil, nil
	case err != nil:
		return nil, err
	}
	return k, nil
}
