// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
)

// keysSecret encrypts the label keys kept in a PostgreSQL database of the
// bench (a bench-only value: the database is thrown away).
const keysSecret = "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"

// reportName names the seeded report and the uploads the way Shadowserver
// names its files (the report type is read from it).
const reportName = "2025-06-01-scan_http_vulnerable-bench-asn.csv"

// member is an organisation that clients act for: its token and a signed-in
// member account.
type member struct {
	orgID    int64
	token    string
	email    string
	password string
	cookie   string // "vigil_session=…", set once signed in
}

// fixture is the seeded database every node count runs against.
type fixture struct {
	engine   string // sqlite or postgres
	dsn      string
	dbName   string // PostgreSQL database name, for its server processes' CPU
	env      []string
	accounts []member
	admin    string // an operator token (uploads)
	upload   []byte // the small report each upload sends
	findings int
	notices  int
}

// setup makes a new database, seeds it through the vigil command and the
// feed benchmark's generator, and makes the accounts.
func setup(ctx context.Context, o options) (*fixture, error) {
	fx := &fixture{}
	if o.db == "" {
		db := filepath.Join(o.dir, "load.db")
		for _, suf := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(db + suf); err != nil && !os.IsNotExist(err) {
				return nil, fmt.Errorf("remove old database: %w", err)
			}
		}
		keys := filepath.Join(o.dir, "keys")
		if err := os.MkdirAll(keys, 0o700); err != nil {
			return nil, fmt.Errorf("key directory: %w", err)
		}
		fx.engine, fx.dsn, fx.env = "sqlite", "sqlite:"+db, []string{"VIGIL_KEYS=" + keys}
	} else {
		if err := freshSchema(ctx, fx, o.db, o.schema); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(o.dir, "data")
	up := filepath.Join(o.dir, "upload")
	// The same seed gives the same registry in both directories; the
	// upload's rows fall into its ranges like the seeded report's.
	for _, g := range []struct {
		dir  string
		rows int
	}{{data, o.rows}, {up, o.uploadRows}} {
		if out, err := exec.CommandContext(ctx, o.gen, "-out", g.dir, "-rows", fmt.Sprint(g.rows), "-orgs", fmt.Sprint(o.orgs),
			"-ranges", fmt.Sprint(o.ranges), "-name", reportName).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("gen: %w: %s", err, out)
		}
	}
	var err error
	if fx.upload, err = os.ReadFile(filepath.Join(up, reportName)); err != nil {
		return nil, fmt.Errorf("upload report: %w", err)
	}
	if _, err := fx.vigil(ctx, o, nil, "org", "import", filepath.Join(data, "orgs.csv")); err != nil {
		return nil, err
	}
	var ing struct {
		FindingsNew int `json:"findings_new"`
	}
	if err := fx.vigilJSON(ctx, o, &ing, nil, "ingest", "feed", filepath.Join(data, reportName)); err != nil {
		return nil, err
	}
	fx.findings = ing.FindingsNew
	var nr struct {
		Composed struct {
			Notices int `json:"notices"`
		} `json:"composed"`
	}
	if err := fx.vigilJSON(ctx, o, &nr, nil, "notify", "run"); err != nil {
		return nil, err
	}
	fx.notices = nr.Composed.Notices
	var tok struct {
		Secret string `json:"secret"`
		Token  struct {
			OrgID int64 `json:"org_id"`
		} `json:"token"`
	}
	if err := fx.vigilJSON(ctx, o, &tok, nil, "token", "create", "--name", "load-admin"); err != nil {
		return nil, err
	}
	fx.admin = tok.Secret
	// Spread the accounts over the registry: organisation i·orgs/accounts.
	for i := range o.accounts {
		org := fmt.Sprintf("Bench org %d", i*o.orgs/o.accounts)
		if err := fx.vigilJSON(ctx, o, &tok, nil, "token", "create", "--org", org, "--name", "load"); err != nil {
			return nil, err
		}
		m := member{orgID: tok.Token.OrgID, token: tok.Secret, email: fmt.Sprintf("member%d@load.example", i),
			password: fmt.Sprintf("load-bench-%d-Passw0rd!", i)}
		if _, err := fx.vigil(ctx, o, strings.NewReader(m.password), "user", "add", m.email, "--org", org, "--password-stdin"); err != nil {
			return nil, err
		}
		fx.accounts = append(fx.accounts, m)
	}
	return fx, nil
}

// freshSchema replaces the schema of the PostgreSQL database dsn and points
// fx at it.
func freshSchema(ctx context.Context, fx *fixture, dsn, schema string) error {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("-db: want postgres://…, got %q", dsn)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer conn.Close(ctx)
	id := pgx.Identifier{schema}.Sanitize()
	if _, err := conn.Exec(ctx, "SET client_min_messages = warning; DROP SCHEMA IF EXISTS "+id+" CASCADE; CREATE SCHEMA "+id); err != nil {
		return fmt.Errorf("schema %s: %w", schema, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	fx.engine, fx.dsn, fx.dbName = "postgres", u.String(), strings.TrimPrefix(u.Path, "/")
	fx.env = []string{"VIGIL_KEYS_SECRET=" + keysSecret}
	return nil
}

// vigil runs one vigil command on the bench's database and returns its
// standard output.
func (fx *fixture) vigil(ctx context.Context, o options, stdin *strings.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, o.vigil, append([]string{"--db", fx.dsn, "--json"}, args...)...)
	cmd.Env = append(os.Environ(), fx.env...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("vigil %s: %w: %s", strings.Join(args[:min(2, len(args))], " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// vigilJSON runs a vigil command and decodes its JSON output into v.
func (fx *fixture) vigilJSON(ctx context.Context, o options, v any, stdin *strings.Reader, args ...string) error {
	out, err := fx.vigil(ctx, o, stdin, args...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("vigil %s: output: %w", strings.Join(args[:min(2, len(args))], " "), err)
	}
	return nil
}
