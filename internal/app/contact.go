// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/riverqueue/river"

	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/errs"
	"vigil/internal/netguard"
)

// rdapBootstrap returns the RDAP bootstrap registries to use: the ones
// refreshed into the database when they are newer than the bundled ones.
func (a *App) rdapBootstrap(ctx context.Context) (*rdap.Bootstrap, error) {
	files, err := a.st.RDAPBootstrapFiles(ctx, rdap.BootstrapFiles())
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return nil, err
	}
	return rdap.Newest(files)
}

// BootstrapReport is what a refresh of the RDAP bootstrap files fetched.
type BootstrapReport struct {
	Source    string               `json:"source"`
	Published map[string]time.Time `json:"published"`
	// InUse says the refreshed files are newer than the bundled ones, so
	// lookups use them.
	InUse bool `json:"in_use"`
}

// RefreshRDAPBootstrap fetches the IANA RDAP bootstrap files from url
// (IANA's when empty) through the guarded client and saves them in the
// database, where every command and node finds them. Nothing is saved
// unless all four parse.
func (a *App) RefreshRDAPBootstrap(ctx context.Context, url string, allowPrivate bool) (BootstrapReport, error) {
	client := netguard.New(netguard.Options{AllowPrivate: allowPrivate, MaxBytes: 4 << 20})
	b, files, err := rdap.Refresh(ctx, client, url)
	if err != nil {
		return BootstrapReport{}, err
	}
	if err := a.st.RDAPBootstrapSave(ctx, files); err != nil {
		return BootstrapReport{}, err
	}
	inUse, err := a.rdapBootstrap(ctx)
	if err != nil {
		return BootstrapReport{}, err
	}
	return BootstrapReport{Source: cmp.Or(url, rdap.IANABootstrapURL), Published: b.Publication, InUse: inUse.Published().Equal(b.Published())}, nil
}

// LookupOptions tune an RDAP look-up.
type LookupOptions struct {
	// NoCache neither reads nor writes the look-up cache.
	NoCache bool
	// AllowPrivate lets the look-up reach loopback and private addresses.
	AllowPrivate bool
	// BootstrapDir is a directory of bootstrap files of the caller's own
	// (default: the newest of the refreshed and the bundled ones).
	BootstrapDir string
}

// ContactLookup finds the abuse contact of an IP address, AS number or
// domain through RDAP.
func (a *App) ContactLookup(ctx context.Context, query string, opt LookupOptions) (rdap.Result, error) {
	opts := rdap.Options{Logger: a.log}
	var err error
	if opt.BootstrapDir != "" {
		if opts.Bootstrap, err = rdap.LoadBootstrap(os.DirFS(opt.BootstrapDir), "."); err != nil {
			return rdap.Result{}, fmt.Errorf("bootstrap %s: %w", opt.BootstrapDir, err)
		}
	} else if opts.Bootstrap, err = a.rdapBootstrap(ctx); err != nil {
		return rdap.Result{}, err
	}
	if !opt.NoCache {
		opts.Cache, opts.Now = a.st.RDAPCache(), a.st.Now
	}
	client, err := rdap.New(netguard.New(netguard.Options{AllowPrivate: opt.AllowPrivate, MaxBytes: 4 << 20}), opts)
	if err != nil {
		return rdap.Result{}, err
	}
	return client.Lookup(ctx, query)
}

// CheckSecurityTxt validates a security.txt: the file at target when one
// exists, else the one fetched from target (a URL, or a domain's
// well-known locations).
func CheckSecurityTxt(ctx context.Context, target string, allowPrivate bool, opts securitytxt.Options) (securitytxt.Report, error) {
	if st, err := os.Stat(target); err == nil && !st.IsDir() {
		f, err := os.Open(target)
		if err != nil {
			return securitytxt.Report{}, err
		}
		defer f.Close()
		rep, err := securitytxt.ValidateReader(f, opts)
		if err != nil {
			return rep, fmt.Errorf("read %s: %w", target, err)
		}
		return rep, nil
	}
	client := netguard.New(netguard.Options{AllowPrivate: allowPrivate, MaxBytes: 1 << 20})
	return securitytxt.Check(ctx, client, target, opts)
}

// rdapRefreshArgs is the daily job that refreshes the IANA RDAP bootstrap
// files into the database.
type rdapRefreshArgs struct{}

// Kind implements river.JobArgs.
func (rdapRefreshArgs) Kind() string { return "rdap_bootstrap_refresh" }

// rdapRefreshWorker runs RefreshRDAPBootstrap from IANA.
type rdapRefreshWorker struct {
	river.WorkerDefaults[rdapRefreshArgs]
	a *App
	// timeout bounds one refresh (RDAPRefreshTimeout).
	timeout time.Duration
}

// Timeout implements river.Worker.
func (w *rdapRefreshWorker) Timeout(*river.Job[rdapRefreshArgs]) time.Duration { return w.timeout }

// Work implements river.Worker. A failed refresh is logged and left to the
// next day's run: the files in use stay valid meanwhile.
func (w *rdapRefreshWorker) Work(ctx context.Context, _ *river.Job[rdapRefreshArgs]) error {
	rep, err := w.a.RefreshRDAPBootstrap(ctx, "", false)
	if err != nil {
		w.a.log.Warn("RDAP bootstrap refresh from IANA failed (offline?); the files in use stay, rdap_refresh=false turns the refresh off", "err", err)
		return nil
	}
	w.a.log.Info("RDAP bootstrap refreshed", "in_use", rep.InUse)
	return nil
}

func rdapRefreshPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return rdapRefreshArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
