// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory"
	"vigil/internal/app"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// advisoryDir writes three CSAF advisories, each a copy of the Axis
// advisory in testdata under another tracking id and CVE, so that they
// are three triggers hitting the same devices.
func advisoryDir(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/icsa-23-206-01.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range 3 {
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		d := doc["document"].(map[string]any)
		tr := d["tracking"].(map[string]any)
		tr["id"] = fmt.Sprintf("ICSA-26-340-0%d", i+1)
		d["title"] = fmt.Sprintf("Axis A1001, part %d", i+1)
		v := doc["vulnerabilities"].([]any)[0].(map[string]any)
		v["cve"] = fmt.Sprintf("CVE-2026-9000%d", i+1)
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("a-%d.json", i+1)), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// vulnOrgs registers an organisation with many affected devices and one
// with two, both immediate; with devices false they have none yet.
func vulnOrgs(t *testing.T, s *store.Store, devices bool) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for _, o := range []struct {
		name string
		n    int
	}{{"Stadswerken", 25}, {"Klein", 2}} {
		org := registry.Org{Name: o.name, Policy: registry.Policy{Mode: "immediate"},
			Contacts: []registry.Contact{{Email: "cert@" + strings.ToLower(o.name) + ".example", Role: "security"}}}
		if err := s.OrgCreate(ctx, tenant.Operator(), &org); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, org.ID)
		if !devices {
			continue
		}
		addDevices(t, s, org.ID, o.n)
	}
	return ids
}

func addDevices(t *testing.T, s *store.Store, org int64, n int) {
	t.Helper()
	for i := range n {
		d := registry.Device{OrgID: org, Vendor: "Axis Communications", Model: "AXIS A1001", Firmware: "1.65.4", Location: fmt.Sprintf("door %d", i)}
		if err := s.DeviceCreate(context.Background(), tenant.Org(org), &d); err != nil {
			t.Fatal(err)
		}
	}
}

// orgNotices returns the notices of s as recipients see them: per
// organisation, the kind and the items (trigger and key), sorted.
func orgNotices(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	ns, err := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{Page: keyset.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, n := range ns {
		c, err := s.NoticeContent(ctx, tenant.Operator(), n.ID)
		if err != nil {
			t.Fatal(err)
		}
		var items []string
		for _, it := range c.Items {
			items = append(items, it.Trigger+"|"+it.CVE+"|"+it.Key[strings.Index(it.Key, ":")+1:])
		}
		slices.Sort(items)
		out[c.OrgName] = append(out[c.OrgName], fmt.Sprintf("%s %d items: %s", c.Kind, len(items), strings.Join(items, " ")))
	}
	return out
}

// TestOneNoticePerOrgPerAdvisoryRun loads three advisories that hit 25
// devices of one organisation and 2 of another, in batches of one, two
// and all advisories, composing during and after the load with several
// composition batch sizes; and re-matches the inventory after devices
// were added: each time every organisation gets one notice with all its
// findings (3 × its devices) as items.
func TestOneNoticePerOrgPerAdvisoryRun(t *testing.T) {
	dir := advisoryDir(t)
	variants := []advVariant{
		{advBatch: 200, composeBatch: 5000},
		{advBatch: 1, composeBatch: 7, during: true},
		{advBatch: 2, composeBatch: 1, during: true},
		{advBatch: 1, composeBatch: 10},
		{rematch: true, composeBatch: 5000},
		{rematch: true, composeBatch: 4},
	}
	dialects := map[string]func(testing.TB, storetest.Options) *store.Store{"sqlite": storetest.OpenSQLite}
	if os.Getenv(storetest.EnvPG) != "" {
		dialects["postgres"] = storetest.OpenPostgres
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		openStore, ok := dialects[dialect]
		if !ok {
			continue
		}
		t.Run(dialect, func(t *testing.T) { checkAdvisoryVariants(t, openStore, dir, variants) })
	}
}

type advVariant struct {
	rematch      bool
	advBatch     int
	composeBatch int
	during       bool
}

func checkAdvisoryVariants(t *testing.T, openStore func(testing.TB, storetest.Options) *store.Store, dir string, variants []advVariant) {
	{
		var want map[string][]string
		for i, v := range variants {
			t.Run(fmt.Sprintf("rematch=%v_adv%d_compose%d_during=%v", v.rematch, v.advBatch, v.composeBatch, v.during), func(t *testing.T) {
				s := openStore(t, storetest.Options{})
				ctx := context.Background()
				x := newApp(t, s, nil)
				n := notify.NewNotifier(notify.NotifierConfig{Store: s, BatchSize: v.composeBatch, Now: s.Now,
					PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), Languages: []string{"en"}}})
				compose := func() {
					if _, err := n.Compose(ctx, false); err != nil {
						t.Fatal(err)
					}
				}
				orgs := vulnOrgs(t, s, !v.rematch)
				load := app.AdvisoryLoad{Source: advisory.SourceCSAF, Arg: dir, Batch: v.advBatch}
				if v.during {
					load.Progress = compose
				}
				sums, err := x.LoadAdvisories(ctx, load)
				if err != nil || len(sums) != 3 {
					t.Fatalf("LoadAdvisories = %+v, %v", sums, err)
				}
				if v.rematch {
					compose()
					if got := orgNotices(t, s); len(got) != 0 {
						t.Fatalf("notices before any device: %v", got)
					}
					addDevices(t, s, orgs[0], 25)
					addDevices(t, s, orgs[1], 2)
					if _, err := x.Vulns(ctx, app.VulnQuery{Scope: tenant.Operator(), Rematch: true}); err != nil {
						t.Fatal(err)
					}
				}
				compose()
				got := orgNotices(t, s)
				if len(got) != 2 || len(got["Stadswerken"]) != 1 || len(got["Klein"]) != 1 ||
					!strings.HasPrefix(got["Stadswerken"][0], "immediate 75 items") || !strings.HasPrefix(got["Klein"][0], "immediate 6 items") {
					t.Fatalf("notices = %v; want one of 75 items for Stadswerken and one of 6 for Klein", got)
				}
				if i == 0 {
					want = got
					return
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("notices differ from the first way (-want +got):\n%s", diff)
				}
			})
		}
	}
}
