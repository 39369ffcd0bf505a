// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"vigil/internal/auth"
)

// TestTokenList: token list shows every token with its organisation,
// scopes and revocation, never a secret; --org narrows it; on SQLite and
// PostgreSQL.
func TestTokenList(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "", "org", "add", "Energie Noord")
			secret := strings.TrimSpace(run(0, "", "token", "create", "--org", "Energie Noord", "--scopes", "read,write", "--name", "ci"))
			run(0, "", "token", "create", "--name", "ops")
			run(0, "revoked token 2", "token", "revoke", "2")
			run(0, "", "token", "create", "--name", "dashboard", "--scopes", "read", "--expires", "never")
			out := run(0, "", "token", "list")
			if !strings.Contains(out, "ci") || !strings.Contains(out, "operator") || !strings.Contains(out, "read,write") || strings.Contains(out, secret) ||
				!strings.Contains(out, "EXPIRES") || !strings.Contains(out, "LAST USED") || !regexp.MustCompile(`dashboard\s+read\s+\S+ \S+\s+never\s+-\s+no`).MatchString(out) {
				t.Errorf("token list:\n%s", out)
			}
			var page struct{ Items []auth.Token }
			if err := json.Unmarshal([]byte(run(0, "", "--json", "token", "list")), &page); err != nil || len(page.Items) != 3 ||
				page.Items[0].OrgID != 1 || page.Items[0].RevokedAt != nil || page.Items[1].OrgID != 0 || page.Items[1].RevokedAt == nil ||
				page.Items[0].ExpiresAt == nil || page.Items[2].ExpiresAt != nil || page.Items[2].Scopes[0] != auth.ScopeRead {
				t.Errorf("--json token list = %+v, %v", page.Items, err)
			}
			if err := json.Unmarshal([]byte(run(0, "", "--json", "token", "list", "--org", "Energie Noord")), &page); err != nil || len(page.Items) != 1 || page.Items[0].Name != "ci" {
				t.Errorf("--org = %+v, %v", page.Items, err)
			}
			run(3, "not found", "token", "list", "--org", "Nobody")
		})
	}
}
