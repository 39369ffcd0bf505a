// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestEvidenceDownload downloads evidence files of an assessment through
// the page and the API: members, makers and analysts of the organisation
// get the file as an attachment under a safe name, with its type when it
// is one an upload accepts (else application/octet-stream, so a stored
// HTML file is never rendered) and nosniff; another organisation's member
// gets 404, as for a file that does not exist.
func TestEvidenceDownload(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		own := e.idsOf(A)
		add := func(name, ctype, content string) int64 {
			t.Helper()
			at, err := st.EvidenceAdd(ctx, tenant.Org(A.ID), own.Assessment, name, ctype, []byte(content), "maker")
			if err != nil {
				t.Fatal(err)
			}
			return at.ID
		}
		md := add("pen test; \"final\" ümlaut.md", "text/markdown", "# pen test\n")
		page := func(id int64) string {
			return fmt.Sprintf("/orgs/%d/assessments/%d/evidence/%d", A.ID, own.Assessment, id)
		}
		api := func(id int64) string {
			return fmt.Sprintf("/api/v1/orgs/%d/assessments/%d/evidence/%d", A.ID, own.Assessment, id)
		}
		tests := []struct {
			name, path, as, token string
			status                int
			ctype, disposition    string
			body                  string
		}{
			{"member_markdown", page(md), asMemberA, "", 200, "text/markdown; charset=utf-8",
				`attachment; filename="pen test_ _final_ _mlaut.md"; filename*=UTF-8''pen%20test%3B%20%22final%22%20%C3%BCmlaut.md`, "# pen test\n"},
			{"maker_html_as_octets", page(own.Evidence), asMakerA, "", 200, "application/octet-stream", `attachment; filename=report.html; filename*=UTF-8''report.html`, "<h1>evidence of " + A.Name + "</h1>"},
			{"analyst", page(md), asAnalyst, "", 200, "text/markdown; charset=utf-8", "", "# pen test\n"},
			{"other_org_member", page(md), asMemberB, "", 404, "", "", ""},
			{"missing_file", page(md + 1000), asMemberA, "", 404, "", "", ""},
			{"api_reader", api(md), "", tokAR, 200, "text/markdown; charset=utf-8", "", "# pen test\n"},
			{"api_other_org", api(md), "", tokBRW, 404, "", "", ""},
			{"api_operator", api(md), "", tokOp, 200, "text/markdown; charset=utf-8", "", "# pen test\n"},
		}
		// Staff's and operator tokens' downloads are audited (the file is
		// the maker's), the organisation's own are not.
		audited := map[string]string{"analyst": e.users[asAnalyst].Email, "api_operator": "token "}
		downloads := func() []string {
			var out []string
			rows, err := st.Query(ctx, `SELECT actor FROM audit_log WHERE action = 'evidence.download' AND org_id = ? AND object = ? ORDER BY id`,
				A.ID, fmt.Sprintf("assessment %d evidence %d", own.Assessment, md))
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var a string
				if err := rows.Scan(&a); err != nil {
					t.Fatal(err)
				}
				out = append(out, a)
			}
			return out
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := len(downloads())
				defer func() {
					got := downloads()
					switch actor, want := audited[tc.name]; {
					case !want && len(got) != before:
						t.Errorf("the download left an audit entry: %v", got[before:])
					case want && (len(got) != before+1 || !strings.HasPrefix(got[len(got)-1], actor)):
						t.Errorf("audit entries of the download: %v (before %d); want one by %s", got, before, actor)
					}
				}()
				var code int
				var h http.Header
				var body string
				if tc.token != "" {
					rec := e.send(req{method: "GET", path: tc.path, token: tc.token})
					code, h, body = rec.Code, rec.Header(), rec.Body.String()
				} else {
					rec := e.page(preq{method: "GET", path: tc.path, as: tc.as})
					code, h, body = rec.Code, rec.Header(), rec.Body.String()
				}
				if code != tc.status {
					t.Fatalf("status = %d; want %d: %.300s", code, tc.status, body)
				}
				if tc.status != 200 {
					if strings.Contains(body, "pen test") || strings.Contains(h.Get("Content-Disposition"), "attachment") {
						t.Errorf("a refused download shows the file: %q %q", h, body)
					}
					return
				}
				if got := h.Get("Content-Type"); got != tc.ctype {
					t.Errorf("Content-Type = %q; want %q", got, tc.ctype)
				}
				if got := h.Get("Content-Disposition"); tc.disposition != "" && got != tc.disposition {
					t.Errorf("Content-Disposition = %q; want %q", got, tc.disposition)
				} else if !strings.HasPrefix(got, "attachment;") {
					t.Errorf("Content-Disposition = %q; want an attachment", got)
				}
				if h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
					t.Errorf("headers = %v; want nosniff and a sandboxing CSP", h)
				}
				if body != tc.body {
					t.Errorf("body = %q; want %q", body, tc.body)
				}
			})
		}
		// The assessment page links each file for download.
		rec := e.page(preq{method: "GET", path: fmt.Sprintf("/orgs/%d/assessments/%d", A.ID, own.Assessment), as: asMemberA})
		if body := wantPage(t, rec, 200); !strings.Contains(body, fmt.Sprintf(`href="%s" download`, page(md))) {
			t.Errorf("the assessment page does not link %s for download", page(md))
		}
	})
}
