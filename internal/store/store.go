// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package store persists vigil's data in SQLite (modernc, pure Go, WAL) or
// PostgreSQL (pgx). One set of methods serves both: queries are written with
// "?" placeholders and rebound per dialect, schema migrations are embedded per
// dialect and applied with goose at Open.
//
// Methods are named noun first (OrgCreate, AssetList) and run on the pool or,
// inside Tx, on a transaction. Not-found rows come back as errs.NotFound and
// unique-key violations as errs.Conflict, whatever the driver.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"vigil/internal/errs"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Dialect names a supported database.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Store is a handle on the database. The zero value is not usable; call Open.
// A Store is safe for concurrent use; one passed into a Tx callback is bound
// to that transaction and must not outlive it.
type Store struct {
	db      *sql.DB
	q       queryer
	dialect Dialect
	now     func() time.Time
	rand    io.Reader
	inTx    bool
}

// Options tune Open.
type Options struct {
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Rand is the randomness of notice tickets; default crypto/rand.
	Rand io.Reader
}

// Open connects to dsn and applies pending migrations. A dsn is
// "sqlite:PATH" (PATH may be ":memory:"), a bare path ending in .db, or a
// postgres:// or postgresql:// URL.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var (
		db      *sql.DB
		dialect Dialect
		err     error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = Postgres
		db, err = sql.Open("pgx", dsn)
		if err == nil {
			db.SetMaxOpenConns(16)
		}
	case strings.HasPrefix(dsn, "sqlite:") || strings.HasSuffix(dsn, ".db"):
		dialect = SQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errs.Field("db", dsn, "sqlite: needs a file path")
		}
		if path != ":memory:" {
			if dir := filepath.Dir(path); dir != "." {
				if err := os.MkdirAll(dir, 0o750); err != nil {
					return nil, fmt.Errorf("open %s: %w", path, err)
				}
			}
		}
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// A 32 MiB page cache keeps the finding indexes of a large feed in
		// memory; the default 2 MiB makes every upsert a page miss.
		q.Add("_pragma", "cache_size(-32768)")
		q.Add("_pragma", "temp_store(MEMORY)")
		// Checkpoint after ~40 MiB of WAL rather than 4 MiB: a large feed's
		// batches rewrite the same index pages, which then reach the
		// database file once per checkpoint instead of once per batch.
		q.Add("_pragma", "wal_autocheckpoint(10000)")
		q.Set("_txlock", "immediate")
		q.Set("_time_format", "sqlite")
		db, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		if err == nil {
			// One connection: SQLite has one writer, and one connection
			// means no SQLITE_BUSY between our own goroutines.
			db.SetMaxOpenConns(1)
		}
	default:
		return nil, errs.Field("db", redactDSN(dsn), "must be sqlite:PATH or postgres://…")
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", redactDSN(dsn), err)
	}
	s := &Store{db: db, q: db, dialect: dialect, now: opts.Now, rand: opts.Rand}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.ticketBackfill(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return err
	}
	gd := goose.DialectSQLite3
	popts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
		// Several vigil nodes may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		popts = append(popts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, s.db, sub, popts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect reports which database the store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the underlying pool, for components (the job queue) that manage
// their own statements.
func (s *Store) DB() *sql.DB { return s.db }

// Now returns the store's clock reading in UTC, truncated to microseconds,
// the precision PostgreSQL keeps, so that what is written reads back equal.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Tx runs fn in a transaction: committed when fn returns nil, rolled back
// otherwise. Calls nest: inside a Tx, Tx just runs fn.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	if s.inTx {
		return fn(s)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	ts := *s
	ts.q = tx
	ts.inTx = true
	if err := fn(&ts); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", interpret(err))
	}
	return nil
}

// Rebind turns "?" placeholders into the dialect's ($1, $2… on PostgreSQL).
// Question marks inside single-quoted literals are left alone.
func (s *Store) Rebind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Exec runs a statement with "?" placeholders.
func (s *Store) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := s.q.ExecContext(ctx, s.Rebind(q), args...)
	return r, interpret(err)
}

// Query runs a query with "?" placeholders.
func (s *Store) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r, err := s.q.QueryContext(ctx, s.Rebind(q), args...)
	return r, interpret(err)
}

// QueryRow runs a single-row query with "?" placeholders. Scan errors pass
// through Scan; use ScanRow for errs.NotFound mapping.
func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.q.QueryRowContext(ctx, s.Rebind(q), args...)
}

// Prepare prepares a statement with "?" placeholders on the store's pool or
// transaction.
func (s *Store) Prepare(ctx context.Context, q string) (*sql.Stmt, error) {
	st, err := s.q.PrepareContext(ctx, s.Rebind(q))
	return st, interpret(err)
}

// InsertID runs an INSERT … RETURNING id and returns the id.
func (s *Store) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, s.Rebind(q+" RETURNING id"), args...).Scan(&id)
	return id, interpret(err)
}

// Scan maps a row scan error: sql.ErrNoRows becomes an errs.NotFound naming
// what was looked for.
func Scan(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Errorf(errs.NotFound, "%s not found", what)
	}
	return interpret(err)
}

// interpret maps driver errors to coded errors: unique violations become
// Conflict, foreign-key violations Invalid.
func interpret(err error) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return &errs.Error{Code: errs.Conflict, Message: "already exists (" + pg.ConstraintName + ")", Err: err}
		case "23503":
			return &errs.Error{Code: errs.Invalid, Message: "refers to a missing object (" + pg.ConstraintName + ")", Err: err}
		}
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return &errs.Error{Code: errs.Conflict, Message: "already exists", Err: err}
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return &errs.Error{Code: errs.Invalid, Message: "refers to a missing object", Err: err}
	}
	return err
}

func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	u.User = url.User(u.User.Username())
	return u.String()
}
