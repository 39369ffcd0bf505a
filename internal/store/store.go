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
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"vigil/internal/errs"
	"vigil/internal/text"
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
	rdb     *sql.DB // SQLite: read-only connections beside the writer; nil on PostgreSQL
	q       queryer
	dialect Dialect
	now     func() time.Time
	rand    io.Reader
	inTx    bool
	// lock holds a SQLite database's shared advisory lock (lockShared)
	// while the store is open; nil elsewhere.
	lock *os.File
	// folds counts the findings transactions that skipped the totals
	// fold (findingsTx); shared by every copy of one opened store.
	folds *atomic.Int64
	// batch, inside findingsTx, records what the transaction did that
	// decides its fold; nil elsewhere.
	batch *findingsBatch
}

// Options tune Open.
type Options struct {
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Rand is the randomness of notice tickets; default crypto/rand.
	Rand io.Reader
	// ReadOnly opens only a database that exists with vigil's schema up to
	// date: a missing SQLite file or directory, or a database without the
	// schema or with migrations pending, is errs.NotFound naming it and
	// `vigil db migrate`. Nothing is created or migrated.
	ReadOnly bool
	// Created, when set, is called with the redacted dsn when Open made a
	// new database: a new SQLite file, or vigil's schema in a PostgreSQL
	// database that had none.
	Created func(dsn string)
}

// Open connects to dsn and applies pending migrations. A dsn is
// "sqlite:PATH" (PATH may be ":memory:"), a bare path ending in .db, or a
// postgres:// or postgresql:// URL.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var (
		db, rdb *sql.DB
		dialect Dialect
		err     error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = Postgres
		if err := pgDatabase(dsn, opts.ReadOnly); err != nil {
			return nil, err
		}
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
			if err := sqliteFile(dsn, path, opts.ReadOnly); err != nil {
				return nil, err
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
		if err == nil && path != ":memory:" {
			// Beside it, read-only connections: WAL lets readers go on
			// during a write, so a request's SELECT does not queue behind
			// a feed's batch (see Store.Query).
			r := url.Values{}
			r.Add("_pragma", "busy_timeout(10000)")
			r.Add("_pragma", "query_only(1)")
			r.Add("_pragma", "cache_size(-8192)")
			r.Set("_time_format", "sqlite")
			rdb, err = sql.Open("sqlite", "file:"+path+"?"+r.Encode())
			if err == nil {
				rdb.SetMaxOpenConns(readers)
				rdb.SetMaxIdleConns(readers)
			}
		}
	default:
		return nil, errs.Field("db", redactDSN(dsn), "must be sqlite:PATH or postgres://…")
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	s := &Store{db: db, rdb: rdb, q: db, dialect: dialect, now: opts.Now, rand: opts.Rand, folds: new(atomic.Int64)}
	if err := db.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", redactDSN(dsn), err)
	}
	if err := s.ready(ctx, dsn, opts); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.ticketBackfill(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if path, ok := SQLitePath(dsn); ok && dialect == SQLite {
		if s.lock, err = lockShared(path); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// sqliteFile checks the SQLite database file path of dsn before it is
// opened: its directory must exist (a wrong --db must not leave
// directories behind), and with readOnly the file too.
func sqliteFile(dsn, path string, readOnly bool) error {
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return errs.Errorf(errs.NotFound, "database %s does not exist (a wrong --db? to make it: vigil db migrate --db %s)", dsn, dsn)
		}
		return nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return errs.Errorf(errs.NotFound, "database %s: directory %s does not exist (a wrong --db? create the directory first)", dsn, dir)
	}
	return nil
}

// pgDatabase refuses to write vigil's schema into PostgreSQL's maintenance
// database "postgres".
func pgDatabase(dsn string, readOnly bool) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return errs.Field("db", redactDSN(dsn), "not a URL")
	}
	if name := strings.TrimPrefix(u.Path, "/"); !readOnly && (name == "" || name == "postgres") {
		return errs.Errorf(errs.Invalid, "database %s is PostgreSQL's maintenance database: create one for vigil (CREATE DATABASE vigil) and name it in --db", redactDSN(dsn))
	}
	return nil
}

// ready migrates the database, or with opts.ReadOnly checks that it needs
// no migration, and reports a new database to opts.Created.
func (s *Store) ready(ctx context.Context, dsn string, opts Options) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	has, err := s.hasSchema(ctx)
	if err != nil {
		return fmt.Errorf("read the schema of %s: %w", redactDSN(dsn), err)
	}
	if opts.ReadOnly {
		if !has {
			return errs.Errorf(errs.NotFound, "database %s has no vigil schema (a wrong --db? to make it: vigil db migrate --db %s)", redactDSN(dsn), redactDSN(dsn))
		}
		pending, err := p.HasPending(ctx)
		if err != nil {
			return fmt.Errorf("read the schema version of %s: %w", redactDSN(dsn), err)
		}
		if pending {
			return errs.Errorf(errs.NotFound, "database %s was made by an older vigil: run vigil db migrate --db %s", redactDSN(dsn), redactDSN(dsn))
		}
		return nil
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if !has && opts.Created != nil {
		opts.Created(redactDSN(dsn))
	}
	return nil
}

// hasSchema reports whether the database holds vigil's migration table.
func (s *Store) hasSchema(ctx context.Context) (bool, error) {
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`
	if s.dialect == Postgres {
		q = `SELECT count(*) FROM (SELECT to_regclass('goose_db_version') AS t) x WHERE t IS NOT NULL`
	}
	var n int
	err := s.db.QueryRowContext(ctx, q).Scan(&n)
	return n > 0, err
}

// migrations returns the goose provider of the dialect's migrations.
func (s *Store) migrations() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return nil, err
	}
	gd := goose.DialectSQLite3
	popts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
		// Several vigil nodes may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		popts = append(popts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, s.db, sub, popts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// readers is the number of SQLite's read-only connections.
const readers = 4

// Close closes the database.
func (s *Store) Close() error {
	if s.rdb != nil {
		s.rdb.Close()
	}
	err := s.db.Close()
	if s.lock != nil {
		s.lock.Close() // after the database: see lockShared
		s.lock = nil
	}
	return err
}

// Dialect reports which database the store runs on.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the underlying pool, for components (the job queue) that manage
// their own statements.
func (s *Store) DB() *sql.DB { return s.db }

// Now returns the store's clock reading in UTC, truncated to microseconds,
// the precision PostgreSQL keeps, so that what is written reads back equal.
func (s *Store) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Ping checks that the store is ready: its migrations are applied (the
// newest embedded one is recorded) and the database answers a read. On
// SQLite the read goes through the read-only connections, so it does not
// queue behind a write.
func (s *Store) Ping(ctx context.Context) error {
	latest, err := s.latestMigration()
	if err != nil {
		return err
	}
	var n int
	err = s.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id = ? AND is_applied`, latest).Scan(&n)
	if err != nil {
		return fmt.Errorf("ready: %w", interpret(err))
	}
	if n == 0 {
		return fmt.Errorf("ready: migration %d is not applied", latest)
	}
	return nil
}

// latestMigration is the highest version among the embedded migrations.
func (s *Store) latestMigration() (int64, error) {
	ents, err := fs.ReadDir(migrations, "migrations/"+string(s.dialect))
	if err != nil {
		return 0, err
	}
	var latest int64
	for _, e := range ents {
		v, _, _ := strings.Cut(e.Name(), "_")
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > latest {
			latest = n
		}
	}
	return latest, nil
}

// reader returns where a statement runs: a SELECT outside a transaction on
// SQLite goes to the read-only connections, anything else to s.q.
func (s *Store) reader(q string) queryer {
	if s.rdb == nil || s.inTx {
		return s.q
	}
	t := strings.TrimLeft(q, " \t\r\n(")
	if len(t) >= 6 && strings.EqualFold(t[:6], "select") {
		return s.rdb
	}
	return s.q
}

// Tx runs fn in a transaction: committed when fn returns nil, rolled back
// otherwise. Calls nest: inside a Tx, Tx just runs fn.
func (s *Store) Tx(ctx context.Context, fn func(tx *Store) error) error {
	if s.inTx {
		return fn(s)
	}
	ts := *s
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
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
	if err := checkText(args); err != nil {
		return nil, err
	}
	r, err := s.q.ExecContext(ctx, s.Rebind(q), args...)
	return r, interpret(err)
}

// Query runs a query with "?" placeholders.
func (s *Store) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := checkText(args); err != nil {
		return nil, err
	}
	r, err := s.reader(q).QueryContext(ctx, s.Rebind(q), args...)
	return r, interpret(err)
}

// QueryRow runs a single-row query with "?" placeholders. Scan errors pass
// through Scan; use ScanRow for errs.NotFound mapping. A refused text
// argument (see checkText) is the error its Scan returns.
func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.reader(q).QueryRowContext(ctx, s.Rebind(q), guardText(args)...)
}

// Stmt is a prepared statement whose arguments pass the store's text check
// (checkText) like those of Exec and Query.
type Stmt struct{ st *sql.Stmt }

// ExecContext runs the statement.
func (st *Stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	if err := checkText(args); err != nil {
		return nil, err
	}
	r, err := st.st.ExecContext(ctx, args...)
	return r, interpret(err)
}

// QueryContext runs the statement as a query.
func (st *Stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	if err := checkText(args); err != nil {
		return nil, err
	}
	r, err := st.st.QueryContext(ctx, args...)
	return r, interpret(err)
}

// QueryRowContext runs the statement as a single-row query.
func (st *Stmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return st.st.QueryRowContext(ctx, guardText(args)...)
}

// Close releases the statement.
func (st *Stmt) Close() error { return st.st.Close() }

// Prepare prepares a statement with "?" placeholders on the store's pool or
// transaction.
func (s *Store) Prepare(ctx context.Context, q string) (*Stmt, error) {
	st, err := s.q.PrepareContext(ctx, s.Rebind(q))
	if err != nil {
		return nil, interpret(err)
	}
	return &Stmt{st: st}, nil
}

// InsertID runs an INSERT … RETURNING id and returns the id.
func (s *Store) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	if err := checkText(args); err != nil {
		return 0, err
	}
	var id int64
	err := s.q.QueryRowContext(ctx, s.Rebind(q+" RETURNING id"), args...).Scan(&id)
	return id, interpret(err)
}

// checkText is the one place where text enters the database: every string
// argument of every statement passes it. A NUL byte or invalid UTF-8 is
// refused (errs.Invalid) on both engines alike, although only PostgreSQL
// would fail on them, so that the two accept the same data. Callers that
// carry text they did not write (a raw input row, a server's reply) make
// it storable first with text.Escape or text.Clean; callers that know the
// field refuse it earlier with its name.
func checkText(args []any) error {
	for i, a := range args {
		var s string
		switch v := a.(type) {
		case string:
			s = v
		case sql.NullString:
			s = v.String
		case *string:
			if v == nil {
				continue
			}
			s = *v
		case []byte, nil, int, int64, float64, bool, time.Time:
			continue
		default:
			rv := reflect.ValueOf(a)
			if rv.Kind() != reflect.String {
				continue
			}
			s = rv.String()
		}
		if p := text.Problem(s); p != "" {
			return &errs.Error{Code: errs.Invalid, Message: fmt.Sprintf("text value %d %s", i+1, p)}
		}
	}
	return nil
}

// guardText returns args, or, when checkText refuses one, args with that
// one replaced by a value whose conversion fails with the refusal, so that
// a single-row query reports it from Scan.
func guardText(args []any) []any {
	err := checkText(args)
	if err == nil {
		return args
	}
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a
		if checkText([]any{a}) != nil {
			out[i] = refusedText{err}
		}
	}
	return out
}

// refusedText is an argument that cannot be converted: its Value is the
// refusal of the text it stands for.
type refusedText struct{ err error }

// Value implements driver.Valuer.
func (r refusedText) Value() (driver.Value, error) { return nil, r.err }

// Scan maps a row scan error: sql.ErrNoRows becomes an errs.NotFound naming
// what was looked for.
func Scan(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Errorf(errs.NotFound, "%s not found", what)
	}
	return interpret(err)
}

// interpret maps driver errors to coded errors whose text is the same on
// SQLite and PostgreSQL and never the driver's: a unique violation becomes
// Conflict ("a contact with this email and phone already exists"), a
// foreign-key violation NotFound.
func interpret(err error) error {
	if err == nil {
		return nil
	}
	var coded *errs.Error
	if errors.As(err, &coded) { // a refused argument (refusedText) through the driver
		return coded
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			var cols []string
			if m := pgKeyRE.FindStringSubmatch(pg.Detail); m != nil {
				cols = strings.Split(m[1], ", ")
			}
			return conflict(pg.TableName, cols)
		case "23503":
			return missingRef()
		}
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed: "):
		rest := msg[strings.Index(msg, "UNIQUE constraint failed: ")+len("UNIQUE constraint failed: "):]
		rest, _, _ = strings.Cut(rest, " (")
		var table string
		var cols []string
		for _, tc := range strings.Split(rest, ", ") {
			t, c, _ := strings.Cut(tc, ".")
			table, cols = t, append(cols, c)
		}
		return conflict(table, cols)
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return missingRef()
	}
	return err
}

// pgKeyRE finds the columns of PostgreSQL's unique violation detail
// ("Key (org_id, email)=(1, a@b.example) already exists.").
var pgKeyRE = regexp.MustCompile(`^Key \(([^)]*)\)=`)

// conflict describes a unique violation of table's columns in words.
func conflict(table string, cols []string) error {
	noun := tableNouns()[table]
	if noun == "" {
		noun = "an entry"
	}
	var words []string
	for _, c := range cols {
		if c == "org_id" || c == "id" || c == "" {
			continue
		}
		words = append(words, strings.ReplaceAll(c, "_", " "))
	}
	if len(words) == 0 {
		return errs.Errorf(errs.Conflict, "%s like this already exists", noun)
	}
	return errs.Errorf(errs.Conflict, "%s with this %s already exists", noun, strings.Join(words, " and "))
}

// missingRef is a foreign-key violation: the row names another that does
// not exist (deleted meanwhile, or a wrong id the caller did not check).
func missingRef() error {
	return errs.Errorf(errs.NotFound, "refers to an object that does not exist (deleted meanwhile?)")
}

// tableNouns names the rows of the tables callers write, for conflict
// messages.
func tableNouns() map[string]string {
	return map[string]string{
		"orgs": "an organisation", "contacts": "a contact", "assets": "an asset", "devices": "a device",
		"api_tokens": "a token", "triggers": "a trigger", "users": "an account", "vendor_aliases": "a vendor alias",
		"labels": "a label", "assessments": "an assessment", "assessment_evidence": "an evidence file", "notices": "a notice",
		"sources": "a source",
	}
}

func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	u.User = url.User(u.User.Username())
	return u.String()
}

// scanner is one row of a query: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs a query with "?" placeholders and returns every row, each
// read by scan; no rows is an empty, non-nil slice.
func queryAll[T any](ctx context.Context, s *Store, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
