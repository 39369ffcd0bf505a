// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafprovider_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory"
	"vigil/internal/advisory/csafprovider"
	"vigil/internal/netguard"
)

// docs are the corpus advisories the fake providers serve, oldest first.
var docs = []struct{ name, year, updated string }{
	{"icsa-24-067-01.json", "2024", "2024-05-02T06:00:00Z"},
	{"icsa-24-130-03.json", "2024", "2024-05-09T06:00:00Z"},
	{"icsa-24-214-07.json", "2024", "2024-08-01T06:00:00Z"},
	{"icsa-25-035-01.json", "2025", "2025-02-04T07:00:00Z"},
}

// keys are generated once per test binary: generation is the slow part.
var keys = sync.OnceValues(func() (*openpgp.Entity, *openpgp.Entity) {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA}
	good, err := openpgp.NewEntity("vigil test provider", "", "psirt@example.org", cfg)
	if err != nil {
		panic(err)
	}
	other, err := openpgp.NewEntity("someone else", "", "other@example.org", cfg)
	if err != nil {
		panic(err)
	}
	return good, other
})

// provider is a fake CSAF trusted provider: a map of path to body served by
// an httptest server. Tests change files before calling Fetch.
type provider struct {
	t     *testing.T
	srv   *httptest.Server
	files map[string][]byte
	key   *openpgp.Entity
	fp    string
	pmd   map[string]any
}

const (
	pmdPath = "/.well-known/csaf/provider-metadata.json"
	dirPath = "/.well-known/csaf/white/"
)

func sign(t *testing.T, e *openpgp.Entity, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&buf, e, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sum512(data []byte, name string) []byte {
	s := sha512.Sum512(data)
	return []byte(hex.EncodeToString(s[:]) + "  " + name + "\n")
}

// newProvider builds a provider with a directory distribution (changes.csv
// and index.txt) whose documents are signed with a key generated in the
// test and listed in the metadata with its fingerprint.
func newProvider(t *testing.T) *provider {
	t.Helper()
	good, _ := keys()
	p := &provider{t: t, files: map[string][]byte{}, key: good}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := p.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(p.srv.Close)
	p.fp = strings.ToUpper(hex.EncodeToString(good.PrimaryKey.Fingerprint))

	var pub bytes.Buffer
	aw, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := good.Serialize(aw); err != nil {
		t.Fatal(err)
	}
	aw.Close()
	p.files["/.well-known/csaf/openpgp/key.asc"] = pub.Bytes()

	var changes, index strings.Builder
	for i := len(docs) - 1; i >= 0; i-- { // changes.csv is newest first
		d := docs[i]
		data, err := os.ReadFile("testdata/" + d.name)
		if err != nil {
			t.Fatal(err)
		}
		rel := d.year + "/" + d.name
		p.files[dirPath+rel] = data
		p.files[dirPath+rel+".sha512"] = sum512(data, d.name)
		p.files[dirPath+rel+".asc"] = sign(t, good, data)
		fmt.Fprintf(&changes, "%q,%q\n", rel, d.updated)
		fmt.Fprintf(&index, "%s\n", rel)
	}
	p.files[dirPath+"changes.csv"] = []byte(changes.String())
	p.files[dirPath+"index.txt"] = []byte(index.String())
	p.pmd = map[string]any{
		"canonical_url":              p.srv.URL + pmdPath,
		"distributions":              []any{map[string]any{"directory_url": p.srv.URL + dirPath}},
		"last_updated":               "2025-02-04T07:00:00Z",
		"list_on_CSAF_aggregators":   true,
		"metadata_version":           "2.0",
		"mirror_on_CSAF_aggregators": true,
		"public_openpgp_keys":        []any{map[string]any{"fingerprint": p.fp, "url": p.srv.URL + "/.well-known/csaf/openpgp/key.asc"}},
		"publisher":                  map[string]any{"category": "coordinator", "name": "vigil test CERT", "namespace": "https://example.org"},
		"role":                       "csaf_trusted_provider",
	}
	return p
}

// fetch writes the metadata and runs Fetch.
func (p *provider) fetch(opts csafprovider.Options) ([]csafprovider.Document, csafprovider.Result) {
	p.t.Helper()
	b, err := json.Marshal(p.pmd)
	if err != nil {
		p.t.Fatal(err)
	}
	p.files[pmdPath] = b
	if opts.Client == nil {
		opts.Client = netguard.New(netguard.Options{AllowPrivate: true, Timeout: 10 * time.Second})
	}
	var got []csafprovider.Document
	res, err := csafprovider.Fetch(p.t.Context(), p.srv.URL+pmdPath, opts, func(d csafprovider.Document) error {
		got = append(got, d)
		return nil
	})
	if err != nil {
		p.t.Fatalf("Fetch: %v", err)
	}
	return got, res
}

func names(ds []csafprovider.Document) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.URL[strings.LastIndexByte(d.URL, '/')+1:])
	}
	return out
}

func allNames() []string {
	var out []string
	for _, d := range docs {
		out = append(out, d.name)
	}
	return out
}

func TestFetchDirectorySigned(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	got, res := p.fetch(csafprovider.Options{RequireSignature: true})
	if diff := cmp.Diff(allNames(), names(got)); diff != "" {
		t.Fatalf("documents (-want +got):\n%s\nrefused %v problems %v", diff, res.Refused, res.Problems)
	}
	if res.Listed != 4 || res.Fetched != 4 || len(res.Refused) != 0 || len(res.Problems) != 0 ||
		!slices.Equal(res.Keys, []string{p.fp}) || !res.Latest.Equal(time.Date(2025, 2, 4, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("result %+v", res)
	}
	for i, d := range got {
		want, _ := os.ReadFile("testdata/" + docs[i].name)
		if !bytes.Equal(d.Data, want) || d.Hash != "sha512" || d.Signature != csafprovider.SignatureVerified || d.Signer != p.fp {
			t.Errorf("%s: hash %q signature %q signer %q, data equal %v", d.URL, d.Hash, d.Signature, d.Signer, bytes.Equal(d.Data, want))
		}
		var ids []string
		if _, _, err := advisory.ParseCSAF(t.Context(), bytes.NewReader(d.Data), d.URL, func(a advisory.Advisory) error {
			ids = append(ids, a.ID)
			return nil
		}); err != nil || len(ids) != 1 || !strings.EqualFold(ids[0]+".json", docs[i].name) {
			t.Errorf("%s parses to %v, %v", d.URL, ids, err)
		}
	}
}

func TestFetchRefusals(t *testing.T) {
	t.Parallel()
	_, other := keys()
	tests := []struct {
		name     string
		change   func(p *provider)
		require  bool
		want     []string // yielded documents
		refused  map[string]error
		reason   string // part of the first refusal's reason
		state    csafprovider.SignatureState
		problems int
	}{
		{
			name: "tampered_document",
			change: func(p *provider) {
				k := dirPath + "2024/icsa-24-130-03.json"
				p.files[k] = bytes.Replace(p.files[k], []byte("Delta Electronics"), []byte("Delta Electronicz"), 1)
			},
			want:    []string{"icsa-24-067-01.json", "icsa-24-214-07.json", "icsa-25-035-01.json"},
			refused: map[string]error{"icsa-24-130-03.json": csafprovider.ErrHashMismatch},
			reason:  "SHA512 of the document is",
		},
		{
			name: "signed_by_another_key",
			change: func(p *provider) {
				k := dirPath + "2024/icsa-24-214-07.json"
				p.files[k+".asc"] = sign(p.t, other, p.files[k])
			},
			want:    []string{"icsa-24-067-01.json", "icsa-24-130-03.json", "icsa-25-035-01.json"},
			refused: map[string]error{"icsa-24-214-07.json": csafprovider.ErrBadSignature},
			reason:  "which is not a key of this provider",
		},
		{
			name: "signature_of_other_content",
			change: func(p *provider) {
				p.files[dirPath+"2024/icsa-24-214-07.json.asc"] = p.files[dirPath+"2024/icsa-24-067-01.json.asc"]
			},
			want:    []string{"icsa-24-067-01.json", "icsa-24-130-03.json", "icsa-25-035-01.json"},
			refused: map[string]error{"icsa-24-214-07.json": csafprovider.ErrBadSignature},
			reason:  "does not verify",
		},
		{
			name: "real_cisa_signature_unknown_key",
			change: func(p *provider) {
				asc, err := os.ReadFile("testdata/icsa-25-035-01.json.asc")
				if err != nil {
					p.t.Fatal(err)
				}
				p.files[dirPath+"2025/icsa-25-035-01.json.asc"] = asc
				// The real .sha512 file verifies too.
				sha, _ := os.ReadFile("testdata/icsa-25-035-01.json.sha512")
				p.files[dirPath+"2025/icsa-25-035-01.json.sha512"] = sha
			},
			want:    []string{"icsa-24-067-01.json", "icsa-24-130-03.json", "icsa-24-214-07.json"},
			refused: map[string]error{"icsa-25-035-01.json": csafprovider.ErrBadSignature},
			reason:  "signed by key",
		},
		{
			name:   "unsigned_accepted",
			change: func(p *provider) { delete(p.files, dirPath+"2024/icsa-24-067-01.json.asc") },
			want:   allNames(),
		},
		{
			name:    "unsigned_refused_when_required",
			change:  func(p *provider) { delete(p.files, dirPath+"2024/icsa-24-067-01.json.asc") },
			require: true,
			want:    []string{"icsa-24-130-03.json", "icsa-24-214-07.json", "icsa-25-035-01.json"},
			refused: map[string]error{"icsa-24-067-01.json": csafprovider.ErrUnsigned},
			reason:  "a signature is required",
		},
		{
			name: "fingerprint_mismatch_unverified",
			change: func(p *provider) {
				p.pmd["public_openpgp_keys"].([]any)[0].(map[string]any)["fingerprint"] = strings.Repeat("AB", 20)
			},
			want:     allNames(),
			state:    csafprovider.SignatureUnverified,
			problems: 1,
		},
		{
			name: "fingerprint_mismatch_refused_when_required",
			change: func(p *provider) {
				p.pmd["public_openpgp_keys"].([]any)[0].(map[string]any)["fingerprint"] = strings.Repeat("AB", 20)
			},
			require:  true,
			refused:  map[string]error{"icsa-24-067-01.json": csafprovider.ErrNoKey, "icsa-24-130-03.json": csafprovider.ErrNoKey, "icsa-24-214-07.json": csafprovider.ErrNoKey, "icsa-25-035-01.json": csafprovider.ErrNoKey},
			reason:   "no usable OpenPGP key",
			problems: 1,
		},
		{
			name: "sha256_only",
			change: func(p *provider) {
				k := dirPath + "2024/icsa-24-130-03.json"
				delete(p.files, k+".sha512")
				s := sha256.Sum256(p.files[k])
				p.files[k+".sha256"] = []byte(hex.EncodeToString(s[:]) + "  icsa-24-130-03.json\n")
			},
			require: true,
			want:    allNames(),
		},
		{
			name:    "listed_but_missing",
			change:  func(p *provider) { delete(p.files, dirPath+"2024/icsa-24-214-07.json") },
			want:    []string{"icsa-24-067-01.json", "icsa-24-130-03.json", "icsa-25-035-01.json"},
			refused: map[string]error{"icsa-24-214-07.json": csafprovider.ErrFetch},
			reason:  "HTTP 404",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t)
			tt.change(p)
			got, res := p.fetch(csafprovider.Options{RequireSignature: tt.require})
			if diff := cmp.Diff(tt.want, names(got)); diff != "" {
				t.Errorf("yielded (-want +got):\n%s\nrefused: %v", diff, res.Refused)
			}
			if len(res.Refused) != len(tt.refused) || len(res.Problems) != tt.problems {
				t.Fatalf("refused %v, problems %v; want %d and %d", res.Refused, res.Problems, len(tt.refused), tt.problems)
			}
			for _, r := range res.Refused {
				name := r.URL[strings.LastIndexByte(r.URL, '/')+1:]
				if want := tt.refused[name]; !errors.Is(r, want) {
					t.Errorf("%s refused with %v; want %v", name, r.Err, want)
				}
			}
			if tt.reason != "" && !strings.Contains(res.Refused[0].Reason, tt.reason) {
				t.Errorf("reason %q lacks %q", res.Refused[0].Reason, tt.reason)
			}
			if tt.state != "" {
				for _, d := range got {
					if d.Signature != tt.state {
						t.Errorf("%s: signature %q; want %q", d.URL, d.Signature, tt.state)
					}
				}
			}
			if tt.name == "unsigned_accepted" && got[0].Signature != csafprovider.SignatureAbsent {
				t.Errorf("unsigned document has signature state %q", got[0].Signature)
			}
			if tt.name == "sha256_only" && got[1].Hash != "sha256" {
				t.Errorf("hash %q; want sha256", got[1].Hash)
			}
		})
	}
}

func TestFetchIncremental(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	_, first := p.fetch(csafprovider.Options{})
	got, res := p.fetch(csafprovider.Options{Since: time.Date(2024, 5, 9, 6, 0, 0, 0, time.UTC)})
	if diff := cmp.Diff([]string{"icsa-24-214-07.json", "icsa-25-035-01.json"}, names(got)); diff != "" {
		t.Errorf("since 2024-05-09 (-want +got):\n%s", diff)
	}
	if res.Skipped != 2 || res.Fetched != 2 {
		t.Errorf("result %+v", res)
	}
	got, res = p.fetch(csafprovider.Options{Since: first.Latest})
	if len(got) != 0 || res.Skipped != 4 {
		t.Errorf("since the last run: %v, %+v; want nothing new", names(got), res)
	}
}

func TestFetchIndexTxtFallback(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	delete(p.files, dirPath+"changes.csv")
	got, res := p.fetch(csafprovider.Options{RequireSignature: true, Since: time.Now()})
	// index.txt has no times, so Since cannot skip anything.
	if len(got) != 4 || res.Skipped != 0 || !got[0].Updated.IsZero() {
		t.Errorf("got %v, %+v", names(got), res)
	}
}

func TestFetchROLIE(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	delete(p.files, dirPath+"changes.csv")
	delete(p.files, dirPath+"index.txt")
	var entries []any
	for i, d := range docs {
		u := p.srv.URL + dirPath + d.year + "/" + d.name
		hashLink := u + ".sha512"
		if i == 0 { // one entry links only a SHA-256 file
			s := sha256.Sum256(p.files[dirPath+d.year+"/"+d.name])
			p.files[dirPath+d.year+"/"+d.name+".sha256"] = []byte(hex.EncodeToString(s[:]) + "  " + d.name)
			hashLink = u + ".sha256"
		}
		entries = append(entries, map[string]any{
			"id": strings.TrimSuffix(d.name, ".json"), "title": d.name,
			"link": []any{
				map[string]any{"rel": "self", "href": u},
				map[string]any{"rel": "signature", "href": u + ".asc"},
				map[string]any{"rel": "hash", "href": hashLink},
			},
			"published": d.updated, "updated": d.updated,
			"content": map[string]any{"type": "application/json", "src": u},
			"format":  map[string]any{"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0"},
		})
	}
	feed, _ := json.Marshal(map[string]any{"feed": map[string]any{
		"id": "vigil-test-white", "title": "vigil test TLP:WHITE", "updated": "2025-02-04T07:00:00Z", "entry": entries,
	}})
	p.files["/.well-known/csaf/feed-tlp-white.json"] = feed
	p.pmd["distributions"] = []any{map[string]any{"rolie": map[string]any{"feeds": []any{
		map[string]any{"summary": "white", "tlp_label": "WHITE", "url": p.srv.URL + "/.well-known/csaf/feed-tlp-white.json"},
	}}}}
	got, res := p.fetch(csafprovider.Options{RequireSignature: true, Since: time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC)})
	if diff := cmp.Diff(allNames()[1:], names(got)); diff != "" {
		t.Errorf("documents (-want +got):\n%s\n%+v", diff, res)
	}
	if res.Skipped != 1 || got[0].TLP != "WHITE" || got[0].Signature != csafprovider.SignatureVerified || !got[0].Updated.Equal(time.Date(2024, 5, 9, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("result %+v, first %+v", res, got[0].Signature)
	}
	all, _ := p.fetch(csafprovider.Options{RequireSignature: true})
	if len(all) != 4 || all[0].Hash != "sha256" || all[1].Hash != "sha512" {
		t.Errorf("hashes %q %q", all[0].Hash, all[1].Hash)
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	b, _ := json.Marshal(p.pmd)
	p.files[pmdPath] = b
	// The guard refuses loopback targets unless told otherwise.
	_, err := csafprovider.Fetch(t.Context(), p.srv.URL+pmdPath, csafprovider.Options{Client: netguard.New(netguard.Options{})}, func(csafprovider.Document) error { return nil })
	if !errors.Is(err, netguard.ErrBlockedAddress) {
		t.Errorf("err %v; want ErrBlockedAddress", err)
	}
	client := netguard.New(netguard.Options{AllowPrivate: true})
	p.files["/bad.json"] = []byte(`{"canonical_url": 5}`)
	if _, err := csafprovider.Fetch(t.Context(), p.srv.URL+"/bad.json", csafprovider.Options{Client: client}, func(csafprovider.Document) error { return nil }); err == nil {
		t.Error("bad metadata accepted")
	}
	stop := errors.New("stop")
	_, err = csafprovider.Fetch(t.Context(), p.srv.URL+pmdPath, csafprovider.Options{Client: client}, func(csafprovider.Document) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("yield error: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := csafprovider.Fetch(ctx, p.srv.URL+pmdPath, csafprovider.Options{Client: client}, func(csafprovider.Document) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestFetchResume: a refused document holds Resume back to just before its
// listing time, so the next incremental run looks at it again and takes it
// once the provider has fixed it.
func TestFetchResume(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	const broken = dirPath + "2024/icsa-24-130-03.json.sha512"
	good := p.files[broken]
	p.files[broken] = sum512([]byte("not the document"), "icsa-24-130-03.json")
	_, first := p.fetch(csafprovider.Options{})
	if len(first.Refused) != 1 || first.Fetched != 3 {
		t.Fatalf("first run: %+v", first)
	}
	listed := time.Date(2024, 5, 9, 6, 0, 0, 0, time.UTC)
	if want := listed.Add(-time.Nanosecond); !first.Resume.Equal(want) || !first.Latest.Equal(time.Date(2025, 2, 4, 7, 0, 0, 0, time.UTC)) {
		t.Fatalf("resume %v latest %v; want resume %v", first.Resume, first.Latest, want)
	}
	p.files[broken] = good
	got, res := p.fetch(csafprovider.Options{Since: first.Resume})
	if diff := cmp.Diff([]string{"icsa-24-130-03.json", "icsa-24-214-07.json", "icsa-25-035-01.json"}, names(got)); diff != "" {
		t.Errorf("after the fix (-want +got):\n%s", diff)
	}
	if !res.Resume.Equal(res.Latest) || res.Skipped != 1 {
		t.Errorf("second run: %+v; want resume = latest and one skipped", res)
	}
}
