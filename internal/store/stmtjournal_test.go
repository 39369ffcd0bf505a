// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// TestIngestWritesNoStatementJournal prepares the SQLite feed ingest's
// per-finding statements on a migrated database and reads, from each
// prepared statement, the flag with which SQLite decides to open a
// statement journal (Vdbe.usesStmtJournal: the statement may write several
// rows and may abort). The insert of a new finding, the update of a
// re-sighting and the insert of an event must not have it: that journal
// copied most pages the ingest touched (docs/operations.md, "SQLite against
// its floor, taken apart"). The single-row upsert that takes the rest
// (reopenings, severity rises) still has it, for its RETURNING clause and
// the UPDATE OF triggers. The flag is read from the transpiled SQLite's
// Vdbe; two calibration statements check the reading first, and the test
// is skipped if this build lays the Vdbe out otherwise.
func TestIngestWritesNoStatementJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "journal.db")
	s, err := Open(ctx, "sqlite:"+path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	vt := reflect.TypeFor[sqlite3.TVdbe]()
	state, ok := vt.FieldByName("FeVdbeState")
	if !ok || state.Index[0]+1 >= vt.NumField() || vt.Field(state.Index[0]+1).Type.Kind() != reflect.Uint16 {
		t.Skip("this SQLite build's Vdbe has no bit fields after eVdbeState")
	}
	bits := vt.Field(state.Index[0] + 1).Offset

	tls := libc.NewTLS()
	defer tls.Close()
	name, err := libc.CString(path)
	if err != nil {
		t.Fatal(err)
	}
	defer libc.Xfree(tls, name)
	pdb := tls.Alloc(8)
	defer tls.Free(8)
	if rc := sqlite3.Xsqlite3_open_v2(tls, name, pdb, sqlite3.SQLITE_OPEN_READWRITE, 0); rc != sqlite3.SQLITE_OK {
		t.Fatalf("open: %d", rc)
	}
	db := readPtr(pdb)
	defer sqlite3.Xsqlite3_close_v2(tls, db)
	// journal reports whether SQLite would give q a statement journal;
	// code generation depends on foreign_keys, as vigil's connections
	// set it.
	journal := func(q string) bool {
		t.Helper()
		cq, err := libc.CString(q)
		if err != nil {
			t.Fatal(err)
		}
		defer libc.Xfree(tls, cq)
		ps := tls.Alloc(8)
		defer tls.Free(8)
		if rc := sqlite3.Xsqlite3_prepare_v2(tls, db, cq, -1, ps, 0); rc != sqlite3.SQLITE_OK {
			t.Fatalf("prepare %.60s: %s", q, libc.GoString(sqlite3.Xsqlite3_errmsg(tls, db)))
		}
		st := readPtr(ps)
		defer sqlite3.Xsqlite3_finalize(tls, st)
		if q == "PRAGMA foreign_keys = 1" {
			sqlite3.Xsqlite3_step(tls, st)
			return false
		}
		// usesStmtJournal is the sixth bit (after expired:2, explain:2,
		// changeCntOn:1).
		b := libc.GoBytes(st+bits, 2)
		return *(*uint16)(unsafe.Pointer(&b[0]))&0x20 != 0
	}
	journal("PRAGMA foreign_keys = 1")

	multi := s.findingUpsertSQL().sql(2)
	if !journal(multi) || journal(`UPDATE ingest_runs SET committed_line = ? WHERE id = ?`) {
		t.Skip("the statement journal flag does not read as expected in this SQLite build")
	}
	event := `INSERT INTO finding_events (finding_id, org_id, kind, severity, at, run_id) VALUES (?, ?, ?, ?, ?, ?)`
	for _, q := range []string{findingInsertSQL, findingResightSQL, event} {
		if journal(q) {
			t.Errorf("SQLite gives this ingest statement a statement journal:\n%s", q)
		}
	}
	if !journal(s.findingUpsertSQL().sql(1)) {
		t.Errorf("the single-row upsert with RETURNING no longer has a statement journal: the comment of findingUpsertEach is out of date")
	}
}

// readPtr reads the pointer stored at the C address p.
func readPtr(p uintptr) uintptr {
	b := libc.GoBytes(p, int(unsafe.Sizeof(p)))
	return *(*uintptr)(unsafe.Pointer(&b[0]))
}
