// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/config"
	"vigil/internal/tenant"
)

// Options configure Run.
type Options struct {
	// Dir holds the demo's database and label keys; both are recreated.
	Dir string
	// URL is where the demo will be served: the labels point there and an
	// operator token is made. Empty: the demo is not served.
	URL string
	// Config is the base configuration (the server's notify settings);
	// the database, label keys, issuer, actor and public URL are the
	// demo's.
	Config config.Config
	Logger *slog.Logger
}

// Result is everything Run loaded and produced.
type Result struct {
	Summary
	Vulns  VulnSummary   `json:"vulns"`
	Labels LabelSummary  `json:"labels"`
	Notify NotifySummary `json:"notify"`
}

// Run creates a fresh SQLite database in opt.Dir, loads the bundled
// registry, feeds, advisories and labels, composes and delivers the
// warnings, and returns the application layer on the database (the
// caller closes it) with what was done.
func Run(ctx context.Context, opt Options) (*app.App, Result, error) {
	var res Result
	if err := os.MkdirAll(opt.Dir, 0o750); err != nil {
		return nil, res, fmt.Errorf("demo dir: %w", err)
	}
	path := filepath.Join(opt.Dir, "vigil.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
			return nil, res, fmt.Errorf("remove old demo database: %w", err)
		}
	}
	cfg := opt.Config
	cfg.DB, cfg.Labels.Keys, cfg.Labels.Issuer, cfg.Actor = "sqlite:"+path, filepath.Join(opt.Dir, "vigil-keys"), "vigil demo trust center", "demo"
	cfg.BaseURL = "http://127.0.0.1:8080"
	if opt.URL != "" {
		cfg.BaseURL = opt.URL
	}
	if err := os.RemoveAll(cfg.Labels.Keys); err != nil {
		return nil, res, fmt.Errorf("remove old demo keys: %w", err)
	}
	x, err := app.Open(ctx, cfg, opt.Logger)
	if err != nil {
		return nil, res, err
	}
	if err := load(ctx, x, opt, &res); err != nil {
		x.Close()
		return nil, res, err
	}
	res.Database = path
	return x, res, nil
}

func load(ctx context.Context, x *app.App, opt Options, res *Result) error {
	s := x.Store()
	var err error
	if res.Summary, err = Load(ctx, s); err != nil {
		return err
	}
	if res.Vulns, err = LoadVulns(ctx, s); err != nil {
		return err
	}
	if opt.URL != "" {
		tok := auth.Token{Name: "demo analyst", Scopes: []auth.Scope{auth.ScopeAdmin}}
		if res.OperatorToken, err = s.TokenCreate(ctx, tenant.Operator(), &tok); err != nil {
			return err
		}
		res.URL = opt.URL
	}
	cfg := x.Config()
	if res.Labels, err = LoadLabels(ctx, s, LabelOptions{KeyDir: cfg.Labels.Keys, BaseURL: cfg.BaseURL}); err != nil {
		return err
	}
	res.Notify, err = Notify(ctx, s, NotifyOptions{KeyDir: cfg.Labels.Keys, BaseURL: cfg.BaseURL})
	return err
}
