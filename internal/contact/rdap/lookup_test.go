// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rdap_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/contact/rdap"
	"vigil/internal/errs"
	"vigil/internal/netguard"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// registry is a fake set of RIR servers on one TLS test server: the real
// answers are served under /ripe, /arin/registry and /apnic.
type registry struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newRegistry(t *testing.T) *registry {
	t.Helper()
	r := &registry{hits: map[string]int{}}
	files := map[string]string{
		"/ripe/ip/62.239.237.1":            "ripe-ip-62.239.237.1.json",
		"/arin/registry/ip/74.125.225.229": "arin-ip-74.125.225.229.json",
		"/apnic/ip/210.107.73.73":          "apnic-ip-210.107.73.73.json",
	}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits[req.URL.Path]++
		r.mu.Unlock()
		switch {
		case strings.HasPrefix(req.URL.Path, "/bootstrap/"):
			w.Write(readBootstrap(t, strings.TrimPrefix(req.URL.Path, "/bootstrap/")))
			return
		case req.URL.Path == "/arin/registry/ip/62.239.237.1":
			// ARIN refers queries for other registries' space onwards.
			http.Redirect(w, req, "/ripe/ip/62.239.237.1", http.StatusMovedPermanently)
			return
		case req.URL.Path == "/apnic/ip/210.107.73.1":
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		name, ok := files[req.URL.Path]
		if !ok {
			w.Header().Set("Content-Type", "application/rdap+json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"errorCode":404,"title":"Not Found"}`))
			return
		}
		if got := req.Header.Get("Accept"); !strings.Contains(got, "application/rdap+json") {
			http.Error(w, "bad Accept "+got, http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", "application/rdap+json")
		w.Write(readTestdata(t, name))
	}))
	r.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *registry) hitCount(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[path]
}

func (r *registry) client() *netguard.Client {
	return netguard.New(netguard.Options{AllowPrivate: true, Transport: r.srv.Client().Transport.(*http.Transport)})
}

// bootstrap returns the bundled bootstrap with the registries' URLs
// pointed at the test server; the http twins point at a closed port so that
// choosing them would fail.
func (r *registry) bootstrap(t *testing.T, extra ...string) *rdap.Bootstrap {
	t.Helper()
	// NewReplacer applies the first matching pair: extra ones win.
	repl := strings.NewReplacer(append(extra,
		"https://rdap.db.ripe.net/", r.srv.URL+"/ripe/",
		"https://rdap.arin.net/registry", r.srv.URL+"/arin/registry",
		"http://rdap.arin.net/registry", "http://127.0.0.1:1/arin",
		"https://rdap.apnic.net/", r.srv.URL+"/apnic/",
		"https://rdap.nic.cz", r.srv.URL+"/cz",
	)...)
	files := map[string][]byte{}
	for _, n := range rdap.BootstrapFiles() {
		files[n] = []byte(repl.Replace(string(readBootstrap(t, n))))
	}
	b, err := rdap.ParseBootstrap(files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLookupRealAnswers(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	clk := newClock()
	c, err := rdap.New(reg.client(), rdap.Options{Bootstrap: reg.bootstrap(t), Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query, source, network, country, rng, abuse string
		contacts                                    int
	}{
		{"62.239.237.1", "/ripe/ip/62.239.237.1", "BT-CORPORATE", "GB", "62.239.237.0 - 62.239.237.255", "zzdnsr@bt.com", 6},
		{"74.125.225.229", "/arin/registry/ip/74.125.225.229", "GOOGLE", "", "74.125.0.0 - 74.125.255.255", "arin-contact@google.com", 2},
		{"210.107.73.73", "/apnic/ip/210.107.73.73", "BORANET-NET-210-107", "KR", "210.107.0.0 - 210.107.127.255", "hostmaster@nic.or.kr", 2},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			r, err := c.Lookup(context.Background(), tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{r.Query, string(r.Kind), strings.TrimPrefix(r.Source, reg.srv.URL), r.Network, r.Country, r.Range, r.AbuseEmail}
			want := []string{tc.query, "ip", tc.source, tc.network, tc.country, tc.rng, tc.abuse}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if len(r.Contacts) != tc.contacts || r.Cached || !r.FetchedAt.Equal(clk.Now()) {
				t.Errorf("%d contacts, cached %v, fetched %v", len(r.Contacts), r.Cached, r.FetchedAt)
			}
			for _, ct := range r.Contacts {
				if ct.Source != r.Source || !ct.FetchedAt.Equal(r.FetchedAt) {
					t.Errorf("contact %s: source %q, fetched %v", ct.Handle, ct.Source, ct.FetchedAt)
				}
			}
		})
	}
}

func TestLookupCacheTTL(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	clk := newClock()
	cache := rdap.NewMemoryCache(clk.Now, 0)
	c, err := rdap.New(reg.client(), rdap.Options{Bootstrap: reg.bootstrap(t), Now: clk.Now, Cache: cache, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const path = "/arin/registry/ip/74.125.225.229"
	steps := []struct {
		advance    time.Duration
		wantCached bool
		wantHits   int
	}{
		{0, false, 1},
		{30 * time.Minute, true, 1},
		{29 * time.Minute, true, 1},
		{time.Minute, false, 2}, // exactly one hour after the fetch: expired
		{time.Minute, true, 2},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		r, err := c.Lookup(ctx, "74.125.225.229")
		if err != nil {
			t.Fatal(err)
		}
		if r.Cached != s.wantCached || reg.hitCount(path) != s.wantHits || r.AbuseEmail != "arin-contact@google.com" {
			t.Errorf("step %d: cached %v, hits %d, abuse %q; want cached %v, hits %d", i, r.Cached, reg.hitCount(path), r.AbuseEmail, s.wantCached, s.wantHits)
		}
	}
}

func TestLookupFollowsReferral(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	// Send 62/8 to ARIN, which redirects to RIPE.
	files := map[string][]byte{}
	for _, n := range rdap.BootstrapFiles() {
		files[n] = readBootstrap(t, n)
	}
	files["ipv4.json"] = []byte(`{"services":[[["62.0.0.0/8"],["` + reg.srv.URL + `/arin/registry"]]]}`)
	b, err := rdap.ParseBootstrap(files)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rdap.New(reg.client(), rdap.Options{Bootstrap: b, Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Lookup(context.Background(), "62.239.237.1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Source != reg.srv.URL+"/ripe/ip/62.239.237.1" || r.AbuseEmail != "zzdnsr@bt.com" {
		t.Errorf("source %q, abuse %q; want the RIPE answer", r.Source, r.AbuseEmail)
	}
}

func TestLookupErrors(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	c, err := rdap.New(reg.client(), rdap.Options{Bootstrap: reg.bootstrap(t), Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  errs.Code
	}{
		{"62.239.237.2", errs.NotFound},      // the server has no object
		{"AS3333", errs.NotFound},            // ditto, autnum path
		{"nic.cz", errs.NotFound},            // ditto, domain path
		{"example.com", errs.NotFound},       // no server in the bootstrap
		{"192.168.1.1", errs.Invalid},        // private address
		{"2001:db8::1", errs.Invalid},        // documentation address
		{"not a query", errs.Invalid},        // unparseable
		{"210.107.73.1", errs.Internal},      // HTTP 503
		{"100.64.0.1", errs.Invalid},         // CGNAT
		{"4294967295", errs.NotFound},        // reserved ASN, not in bootstrap
		{"203.0.113.7", errs.Invalid},        // documentation address
		{"2a00:1450:4001::1", errs.NotFound}, // RIPE space, no object on the fake server
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			_, err := c.Lookup(context.Background(), tc.query)
			if got := errs.CodeOf(err); got != tc.want {
				t.Errorf("Lookup(%q) error %v (code %q); want code %q", tc.query, err, got, tc.want)
			}
		})
	}
	t.Cleanup(func() { // after the parallel subtests
		if n := reg.hitCount("/cz/domain/nic.cz"); n != 1 {
			t.Errorf("domain query hit the server %d times; want 1", n)
		}
	})
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	b, files, err := rdap.Refresh(context.Background(), reg.client(), reg.srv.URL+"/bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rdap.BootstrapFiles() {
		if diff := cmp.Diff(string(readBootstrap(t, n)), string(files[n])); diff != "" {
			t.Errorf("%s (-want +got):\n%s", n, diff)
		}
	}
	if got, ok := b.ServerForASN(3333); !ok || got != "https://rdap.db.ripe.net/" {
		t.Errorf("refreshed bootstrap: AS3333 -> %q, %v", got, ok)
	}
	if _, _, err := rdap.Refresh(context.Background(), reg.client(), reg.srv.URL+"/nothing-here/"); err == nil {
		t.Error("Refresh from a server without the files succeeded")
	}
	c, err := rdap.New(reg.client(), rdap.Options{Bootstrap: reg.bootstrap(t), Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.Lookup(context.Background(), "62.239.237.1"); err != nil || r.AbuseEmail != "zzdnsr@bt.com" {
		t.Fatalf("before SetBootstrap: %v, %q", err, r.AbuseEmail)
	}
	c.SetBootstrap(reg.bootstrap(t, "https://rdap.db.ripe.net/", reg.srv.URL+"/ripe-moved/"))
	if _, err := c.Lookup(context.Background(), "62.239.237.1"); errs.CodeOf(err) != errs.NotFound || reg.hitCount("/ripe-moved/ip/62.239.237.1") != 1 {
		t.Errorf("after SetBootstrap: %v; want the new server asked", err)
	}
}

func TestMemoryCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	m := rdap.NewMemoryCache(clk.Now, 2)
	put := func(key string, ttl time.Duration) {
		if err := m.Put(ctx, key, rdap.Result{Query: key, Contacts: []rdap.Contact{{Emails: []string{key + "@example.net"}}}}, clk.Now().Add(ttl)); err != nil {
			t.Fatal(err)
		}
	}
	has := func(key string) bool {
		_, ok, err := m.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	put("a", time.Hour)
	put("b", 2*time.Hour)
	put("c", 3*time.Hour) // full: "a" expires first and goes
	if has("a") || !has("b") || !has("c") || m.Len() != 2 {
		t.Errorf("after eviction: a %v, b %v, c %v, len %d", has("a"), has("b"), has("c"), m.Len())
	}
	clk.Advance(2 * time.Hour)
	if has("b") || !has("c") {
		t.Errorf("after 2h: b %v, c %v; want b expired", has("b"), has("c"))
	}
	put("d", 0) // already expired: not stored
	if has("d") {
		t.Error("an already expired result was stored")
	}
	r, _, _ := m.Get(ctx, "c")
	r.Contacts[0].Emails[0] = "changed@example.net"
	r2, _, _ := m.Get(ctx, "c")
	if r2.Contacts[0].Emails[0] != "c@example.net" {
		t.Error("changing a cached result changed the cache")
	}
}

// TestNewest: refreshed files win only when they parse and are newer than
// the embedded ones.
func TestNewest(t *testing.T) {
	t.Parallel()
	def, err := rdap.DefaultBootstrap()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, n := range rdap.BootstrapFiles() {
		files[n] = readBootstrap(t, n)
	}
	stamp := func(pub time.Time) map[string][]byte {
		out := map[string][]byte{}
		for n, b := range files {
			out[n] = regexp.MustCompile(`"publication"\s*:\s*"[^"]*"`).ReplaceAll(b, []byte(`"publication":"`+pub.Format(time.RFC3339)+`"`))
		}
		return out
	}
	later := def.Published().Add(24 * time.Hour)
	broken := stamp(later)
	broken["asn.json"] = []byte("{")
	for _, c := range []struct {
		name  string
		files map[string][]byte
		want  time.Time
	}{
		{"none saved", nil, def.Published()},
		{"newer", stamp(later), later},
		{"older", stamp(def.Published().Add(-24 * time.Hour)), def.Published()},
		{"unreadable", broken, def.Published()},
	} {
		b, err := rdap.Newest(c.files)
		if err != nil || !b.Published().Equal(c.want) {
			t.Errorf("%s: published %v, %v; want %v", c.name, b.Published(), err, c.want)
		}
	}
}
