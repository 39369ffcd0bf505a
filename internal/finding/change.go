// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package finding

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"vigil/internal/errs"
)

// Cursor is a position in an organisation's change sequence: the last
// change a reader has, as "T.E" (the writing transaction's number, zero on
// SQLite, and the event id). The zero value is the start of the sequence.
// Readers treat it as opaque and hand back the Next of their last answer.
type Cursor struct {
	Tx    uint64
	Event int64
}

// String returns the cursor as it appears in the pull feed.
func (c Cursor) String() string { return fmt.Sprintf("%d.%d", c.Tx, c.Event) }

// ParseCursor reads a cursor written by String; "" is the start.
func ParseCursor(s string) (Cursor, error) {
	if s == "" || s == "0" {
		return Cursor{}, nil
	}
	a, b, ok := strings.Cut(s, ".")
	tx, err1 := strconv.ParseUint(a, 10, 64)
	ev, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || ev < 0 {
		return Cursor{}, errs.Keyed(errs.Invalid, "", "cursor.invalid", "cursor %q: want the next value of a previous answer (digits.digits)", s)
	}
	return Cursor{Tx: tx, Event: ev}, nil
}

// Change is one entry of an organisation's change feed: a finding was
// created (new), updated (reopened, severity_up) or resolved. Finding is
// the finding as it is now, so a finding changed twice after a cursor is
// listed twice with the same state.
type Change struct {
	// Cursor is this change's position; the feed resumes after it.
	Cursor string `json:"cursor"`
	// Change is what happened: new, reopened, severity_up or resolved.
	Change EventKind `json:"change"`
	// At is when it happened.
	At time.Time `json:"at"`
	// Finding is the finding's current state.
	Finding Finding `json:"finding"`
}

// ChangePage is one answer of the change feed.
type ChangePage struct {
	// Changes are the changes after the cursor asked for, oldest first.
	Changes []Change `json:"changes"`
	// Next is the cursor to ask with next time (the given one when there
	// was nothing new).
	Next string `json:"next"`
	// More is true when the page was full: ask again at once with Next.
	More bool `json:"more"`
}

// changeHeader is the CSV header of WriteChangesCSV.
var changeHeader = []string{"cursor", "change", "at", "finding_id", "trigger", "type", "severity", "status", "ip", "port", "hostname",
	"asn", "cve", "first_seen", "last_seen", "resolved_at", "count", "evidence", "tlp"}

// WriteChangesCSV writes a change page as CSV: a header and one row per
// change; each row's cursor column is where the feed resumes after it.
func WriteChangesCSV(w io.Writer, p ChangePage) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(changeHeader)
	num := func(v int64) string {
		if v == 0 {
			return ""
		}
		return strconv.FormatInt(v, 10)
	}
	for _, c := range p.Changes {
		f := c.Finding
		resolved := ""
		if f.ResolvedAt != nil {
			resolved = f.ResolvedAt.UTC().Format(time.RFC3339)
		}
		_ = cw.Write([]string{c.Cursor, string(c.Change), c.At.UTC().Format(time.RFC3339), strconv.FormatInt(f.ID, 10), f.Trigger, f.Type,
			f.Severity.String(), string(f.Status), f.IP, num(int64(f.Port)), f.Hostname, num(f.ASN), f.CVE,
			f.FirstSeen.UTC().Format(time.RFC3339), f.LastSeen.UTC().Format(time.RFC3339), resolved, strconv.FormatInt(f.Count, 10), string(f.Evidence), f.TLP.String()})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("changes csv: %w", err)
	}
	return nil
}
