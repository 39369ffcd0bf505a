// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package labels_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/demo"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

// registryServer is the label registry as `vigil serve` mounts it: the
// portal's page routes (a label's page and files) and this package's
// routes (keys, status).
func registryServer(t *testing.T, st *store.Store, svc *rating.Service) http.Handler {
	t.Helper()
	var public []web.PublicRoute
	for _, r := range labels.New(svc, nil).Routes() {
		public = append(public, web.PublicRoute{Method: r.Method, Path: r.Path, Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
	}
	srv, err := web.New(web.Config{Store: st, App: app.New(st, config.Defaults(), nil), Version: "test", Labels: svc, Public: public})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storetest.OpenSQLite(t, storetest.Options{})
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadSystem(ctx, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "keys")
	sum, err := demo.LoadLabels(ctx, s, demo.LabelOptions{KeyDir: dir, BaseURL: "https://labels.cert.example", SkipProbes: true})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := label.OpenKeyStore(dir, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rating.New(rating.Config{Store: s, System: s, Keys: keys, PublicFleetSources: []string{"shadowserver"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(registryServer(t, s, svc))
	defer srv.Close()
	good, poor := sum.Labels[0], sum.Labels[1]
	if _, err := svc.Revoke(ctx, tenant.Operator(), poor.Label, "sold with a universal telnet password", "lead"); err != nil {
		t.Fatal(err)
	}

	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}

	// Keys: a JWKS the label verifies against.
	resp, body := get("/.well-known/vigil-keys.json")
	kr, err := label.ParseJWKS(bytes.NewReader(body))
	if resp.StatusCode != 200 || err != nil || len(kr.Keys()) != 1 {
		t.Fatalf("keys: %d %v %s", resp.StatusCode, err, body)
	}
	resp, doc := get("/labels/" + good.Label + ".json")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if v := label.Verify(doc, kr, time.Now(), nil); !v.OK() {
		t.Errorf("served label does not verify with the served keys: %s %s", v.Status, v.Reason)
	}

	// The page shows grade, validity, history and the SVG.
	resp, page := get("/labels/" + good.Label)
	for _, want := range []string{"Lumen Labs LumiCam Indoor 2", "Current grade: <span class=\"grade\" id=\"label-grade\">" + good.Grade, ">valid<", "issued",
		`<img src="/labels/` + good.Label + `.svg"`, "/labels/" + good.Label + ".pdf",
		"<h2>The whole system</h2>", "No high residual risk is left unmitigated.", "<dt>Security updates until</dt><dd>2031-12-31</dd>",
		"3.4.1 (seen on 60% of field sightings)", "pentest by Example Test Lab", "<h2>In the field</h2>", "<dt>Firmware 3.3.0</dt><dd>2 sightings"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	if resp.Header.Get("Content-Security-Policy") != web.ContentSecurityPolicy || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("page headers %v", resp.Header)
	}
	_, page = get("/labels/" + poor.Label)
	if !bytes.Contains(page, []byte("revoked: sold with a universal telnet password")) {
		t.Errorf("revoked page does not say so:\n%s", page)
	}

	// Status: what verification by URL reads.
	_, body = get("/labels/" + poor.Label + "/status.json")
	var rs rating.RegistryStatus
	if err := json.Unmarshal(body, &rs); err != nil || rs.State != label.Revoked || rs.RevokeReason == "" || len(rs.History) != 2 {
		t.Errorf("status = %+v, %v", rs, err)
	}

	// Renderings parse.
	_, svg := get("/labels/" + good.Label + ".svg")
	dec := xml.NewDecoder(bytes.NewReader(svg))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("svg: %v", err)
		}
	}
	resp, pngb := get("/labels/" + good.Label + ".png")
	if _, err := png.Decode(bytes.NewReader(pngb)); err != nil || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("png: %v", err)
	}
	_, pdf := get("/labels/" + good.Label + ".pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("pdf starts %q", pdf[:min(8, len(pdf))])
	}

	for _, p := range []string{"/labels/VL-0000-0000-0000", "/labels/VL-0000-0000-0000.json", "/labels/" + good.Label + ".exe",
		"/labels/..%2fetc", "/labels/nope/status.json", "/labels/VL-0000-0000-0000/status.json"} {
		if resp, _ := get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, resp.StatusCode)
		}
	}
}
