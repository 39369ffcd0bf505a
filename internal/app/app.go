// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package app is vigil's application layer: the services that the CLI, the
// server, the demo and the portal call, so that each flow exists once.
// It wires the domain packages (notify, advisory, vuln, ingest, rating,
// label, contact, probe, registry) to the store and to the configuration:
// notify runs and delivery with their secrets, SMTP and DKIM; advisory,
// EPSS and CSAF provider loading with the provider's resume point; SBOM
// import; feed ingest with warnings to owners of unregistered addresses;
// bounces; label verification from a file or a registry URL; the RDAP
// bootstrap refresh; and the registry operations that do more than one
// store call.
//
// Besides the store itself, its test helpers, the job queue, cmd/vigil,
// the demo and the bench programs, this is the only package that imports
// internal/store (internal/deps_test.go enforces it). Callers get results
// as values and print or render them themselves.
package app

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/jobs"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// App is the application layer on one store. It is safe for concurrent use
// as far as the store and the services it builds are (all of them are).
type App struct {
	cfg config.Config
	st  *store.Store
	log *slog.Logger
	// own says Close closes the store (Open opened it).
	own    bool
	rating ratingOnce
	// jobsQ is this node's job queue once OpenJobs has opened it: large
	// uploads are split into jobs on it.
	jobsQ *jobs.Queue
	// mailbox, when set, is where deliveries send e-mail (the demo's);
	// ownMailbox says Close closes it (OpenMailbox started it).
	mailbox    *Mailbox
	ownMailbox bool
}

// Open opens the store cfg.DB names (creating and migrating it) and returns
// the application layer on it. Close closes the store.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger) (*App, error) {
	return OpenWith(ctx, cfg, logger, store.Options{})
}

// OpenWith is Open with the store's options: a command that only reads
// opens with ReadOnly, so that a wrong --db creates nothing.
func OpenWith(ctx context.Context, cfg config.Config, logger *slog.Logger, opts store.Options) (*App, error) {
	st, err := store.Open(ctx, cfg.DB, opts)
	if err != nil {
		return nil, err
	}
	a := New(st, cfg, logger)
	a.own = true
	return a, nil
}

// New returns the application layer on an open store, which stays the
// caller's to close. A nil logger discards.
func New(st *store.Store, cfg config.Config, logger *slog.Logger) *App {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &App{cfg: cfg, st: st, log: logger}
}

// Close closes the store when Open opened it, and the mailbox when
// OpenMailbox started it.
func (a *App) Close() error {
	var err error
	if a.ownMailbox {
		err = a.mailbox.Close()
		a.ownMailbox = false
	}
	if a.own {
		return errors.Join(err, a.st.Close())
	}
	return err
}

// Store returns the store, for the plain reads and writes that need no
// service (listing organisations, deleting a contact).
func (a *App) Store() *store.Store { return a.st }

// Config returns the configuration the layer was made with.
func (a *App) Config() config.Config { return a.cfg }

// Logger returns the layer's logger.
func (a *App) Logger() *slog.Logger { return a.log }

// now is the store's clock.
func (a *App) now() time.Time { return a.st.Now() }

// OrgID resolves an organisation given by id or exact name, as the
// operator sees it. A positive number is an id (or, when no organisation
// has that id, a name); an organisation that does not exist is
// errs.NotFound ("organisation 99 not found"), so that no command goes on
// to write rows that refer to it.
func (a *App) OrgID(ctx context.Context, ref string) (int64, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return a.st.OrgGetByName(ctx, tenant.Operator(), ref)
	}
	err = a.st.OrgExists(ctx, tenant.Operator(), id)
	if errs.CodeOf(err) == errs.NotFound {
		if byName, e := a.st.OrgGetByName(ctx, tenant.Operator(), ref); e == nil {
			return byName, nil
		}
	}
	return id, err
}
