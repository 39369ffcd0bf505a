// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package csafprovider downloads the advisories of a CSAF 2.0 trusted
// provider: it reads provider-metadata.json, follows its distributions
// (directory listings with changes.csv or index.txt, and ROLIE feeds),
// fetches every document through the guarded HTTP client, checks its .sha512
// (or .sha256) file and verifies its detached OpenPGP signature (.asc)
// against the provider's public_openpgp_keys, whose fingerprints must match
// the metadata. Documents that fail a check are refused with a reason and
// never passed on; a run can be made incremental with Options.Since.
package csafprovider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/gocsaf/csaf/v3/csaf"

	"vigil/internal/netguard"
)

// Reasons a document is refused; Refusal.Err wraps one of them (or the
// fetch error).
var (
	// ErrHashMismatch: the document does not match its .sha512/.sha256 file.
	ErrHashMismatch = errors.New("hash mismatch")
	// ErrBadSignature: the .asc does not verify against the provider's keys
	// (wrong key, altered document, corrupt signature). Always refused.
	ErrBadSignature = errors.New("bad OpenPGP signature")
	// ErrUnsigned: there is no .asc; refused only with RequireSignature.
	ErrUnsigned = errors.New("document is not signed")
	// ErrNoKey: the document is signed but the provider offers no usable
	// key; refused only with RequireSignature.
	ErrNoKey = errors.New("no usable provider key to verify the signature")
	// ErrFetch: the document or one of its companion files could not be
	// downloaded.
	ErrFetch = errors.New("download failed")
)

// Options configure Fetch.
type Options struct {
	// Client makes every request. Required.
	Client *netguard.Client
	// RequireSignature refuses documents that are unsigned or whose
	// signature cannot be checked for lack of a provider key.
	RequireSignature bool
	// Since skips documents whose listing time (changes.csv, ROLIE updated)
	// is not after it. Documents listed without a time are always fetched.
	Since time.Time
	// Logger receives one line per refused document and per key problem;
	// nil discards.
	Logger *slog.Logger
	// Now is the clock used for signature and key expiry; nil is time.Now.
	Now func() time.Time
}

// SignatureState says what is known about a document's signature.
type SignatureState string

// Signature states of a yielded Document.
const (
	SignatureVerified   SignatureState = "verified"   // verified against a provider key
	SignatureAbsent     SignatureState = "absent"     // no .asc published
	SignatureUnverified SignatureState = "unverified" // signed, but no provider key to check it with
)

// Document is a downloaded advisory that passed the checks.
type Document struct {
	URL       string
	Data      []byte
	Updated   time.Time      // listing time; zero when the listing has none
	TLP       string         // ROLIE feed TLP label, "" for directory listings
	Hash      string         // "sha512" or "sha256" when a hash file was checked, "" when none is published
	Signature SignatureState //
	Signer    string         // fingerprint (upper-case hex) of the verifying key
}

// Refusal is a listed document that was not yielded.
type Refusal struct {
	URL    string `json:"url"`
	Reason string `json:"reason"`
	Err    error  `json:"-"`
}

// Error implements error.
func (r Refusal) Error() string { return r.URL + ": " + r.Reason }

// Unwrap returns the cause.
func (r Refusal) Unwrap() error { return r.Err }

// Result summarises one Fetch.
type Result struct {
	Metadata *csaf.ProviderMetadata
	// Keys are the fingerprints of the provider keys used for verification.
	Keys []string
	// Problems are non-fatal failures outside single documents: a key that
	// could not be fetched or whose fingerprint does not match, a feed or
	// listing that could not be read.
	Problems []string
	Listed   int // distinct documents listed
	Skipped  int // listed but not newer than Options.Since
	Fetched  int // yielded
	Refused  []Refusal
	// Latest is the newest listing time seen.
	Latest time.Time
	// Resume is the Since for the next run: Latest, or just before the
	// earliest listing time of a document refused in this run, so that it
	// is looked at again (a provider may fix it, or the next run may accept
	// what --require-signature refused).
	Resume time.Time
}

// entry is one listed document.
type entry struct {
	url     string
	updated time.Time
	tlp     string
	hashes  []string // candidate hash file URLs, preferred first
	sig     string   // signature URL
}

type fetcher struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time
	keys openpgp.EntityList
	res  *Result
}

// Fetch downloads the provider at metadataURL (the URL of its
// provider-metadata.json) and calls yield for each document that passes the
// checks, oldest listing time first. It returns an error only when the
// metadata cannot be read, the context ends or yield fails; everything else
// is reported in Result.
func Fetch(ctx context.Context, metadataURL string, opts Options, yield func(Document) error) (Result, error) {
	var res Result
	if opts.Client == nil {
		return res, errors.New("csafprovider: Options.Client is nil")
	}
	f := &fetcher{opts: opts, log: opts.Logger, now: opts.Now, res: &res}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.now == nil {
		f.now = time.Now
	}
	body, _, err := opts.Client.Fetch(ctx, metadataURL)
	if err != nil {
		return res, fmt.Errorf("provider metadata: %w", err)
	}
	pmd, err := csaf.LoadProviderMetadata(bytes.NewReader(body))
	if err != nil {
		return res, fmt.Errorf("provider metadata %s: %w", metadataURL, err)
	}
	res.Metadata = pmd
	base, err := url.Parse(metadataURL)
	if err != nil {
		return res, fmt.Errorf("provider metadata URL: %w", err)
	}
	f.loadKeys(ctx, base, pmd.PGPKeys)

	entries, err := f.list(ctx, base, pmd.Distributions)
	if err != nil {
		return res, err
	}
	res.Listed = len(entries)
	for _, e := range entries {
		if e.updated.After(res.Latest) {
			res.Latest = e.updated
		}
	}
	var retry time.Time // the earliest listing time of a refused document
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if !opts.Since.IsZero() && !e.updated.IsZero() && !e.updated.After(opts.Since) {
			res.Skipped++
			continue
		}
		doc, refusal := f.document(ctx, e)
		if refusal != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			f.log.Warn("csaf document refused", "url", refusal.URL, "reason", refusal.Reason)
			res.Refused = append(res.Refused, *refusal)
			if !e.updated.IsZero() && (retry.IsZero() || e.updated.Before(retry)) {
				retry = e.updated
			}
			continue
		}
		if err := yield(doc); err != nil {
			return res, err
		}
		res.Fetched++
	}
	res.Resume = res.Latest
	if !retry.IsZero() {
		res.Resume = retry.Add(-time.Nanosecond)
	}
	return res, nil
}

func (f *fetcher) problem(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	f.log.Warn("csaf provider problem", "problem", msg)
	f.res.Problems = append(f.res.Problems, msg)
}

// loadKeys fetches the provider's public keys and keeps those whose
// fingerprint matches the one the metadata states.
func (f *fetcher) loadKeys(ctx context.Context, base *url.URL, keys []csaf.PGPKey) {
	for _, k := range keys {
		if k.URL == nil {
			continue
		}
		u, err := resolve(base, *k.URL)
		if err != nil {
			f.problem("key URL %q: %v", *k.URL, err)
			continue
		}
		body, _, err := f.opts.Client.Fetch(ctx, u)
		if err != nil {
			f.problem("key %s: %v", u, err)
			continue
		}
		ring, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(body))
		if err != nil {
			if ring, err = openpgp.ReadKeyRing(bytes.NewReader(body)); err != nil {
				f.problem("key %s: not an OpenPGP public key: %v", u, err)
				continue
			}
		}
		want := strings.ToUpper(strings.ReplaceAll(string(k.Fingerprint), " ", ""))
		matched := false
		for _, e := range ring {
			fp := strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))
			if want != "" && fp != want {
				continue
			}
			matched = true
			f.keys = append(f.keys, e)
			f.res.Keys = append(f.res.Keys, fp)
		}
		if !matched {
			f.problem("key %s: fingerprint does not match the metadata's %s; key not used", u, want)
		}
	}
}

// list collects the documents of all distributions, deduplicated by URL and
// sorted by listing time.
func (f *fetcher) list(ctx context.Context, base *url.URL, dists []csaf.Distribution) ([]entry, error) {
	var out []entry
	seen := map[string]bool{}
	add := func(es []entry) {
		for _, e := range es {
			if !seen[e.url] {
				seen[e.url] = true
				out = append(out, e)
			}
		}
	}
	if len(dists) == 0 {
		f.problem("provider metadata lists no distributions")
	}
	for _, d := range dists {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d.Rolie != nil {
			for _, feed := range d.Rolie.Feeds {
				if feed.URL == nil {
					continue
				}
				tlp := ""
				if feed.TLPLabel != nil {
					tlp = string(*feed.TLPLabel)
				}
				es, err := f.rolie(ctx, base, string(*feed.URL), tlp)
				if err != nil {
					f.problem("ROLIE feed %s: %v", *feed.URL, err)
					continue
				}
				add(es)
			}
		}
		if d.DirectoryURL != "" {
			es, err := f.directory(ctx, base, d.DirectoryURL)
			if err != nil {
				f.problem("directory %s: %v", d.DirectoryURL, err)
				continue
			}
			add(es)
		}
	}
	slices.SortStableFunc(out, func(a, b entry) int { return a.updated.Compare(b.updated) })
	return out, nil
}

// rolie reads one ROLIE feed.
func (f *fetcher) rolie(ctx context.Context, base *url.URL, feedURL, tlp string) ([]entry, error) {
	u, err := resolve(base, feedURL)
	if err != nil {
		return nil, err
	}
	body, _, err := f.opts.Client.Fetch(ctx, u)
	if err != nil {
		return nil, err
	}
	var feed csaf.ROLIEFeed
	if err := json.Unmarshal(body, &feed); err != nil {
		return nil, fmt.Errorf("not a ROLIE feed: %w", err)
	}
	fb, _ := url.Parse(u)
	var out []entry
	for i, e := range feed.Feed.Entry {
		if e == nil {
			continue
		}
		var en entry
		en.updated, en.tlp = time.Time(e.Updated).UTC(), tlp
		var hashes []string
		for _, l := range e.Link {
			href, err := resolve(fb, l.HRef)
			if err != nil {
				continue
			}
			switch l.Rel {
			case "self":
				en.url = href
			case "signature":
				en.sig = href
			case "hash":
				hashes = append(hashes, href)
			}
		}
		if en.url == "" && e.Content.Src != "" {
			en.url, _ = resolve(fb, e.Content.Src)
		}
		if en.url == "" {
			f.problem("ROLIE feed %s: entry %d has no self link", u, i)
			continue
		}
		// Prefer SHA-512 over SHA-256 when both are linked.
		slices.SortStableFunc(hashes, func(a, b string) int {
			return boolCmp(strings.HasSuffix(b, ".sha512"), strings.HasSuffix(a, ".sha512"))
		})
		en.hashes = hashes
		out = append(out, en)
	}
	return out, nil
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// directory reads a directory distribution: changes.csv when present (it
// carries times), index.txt otherwise.
func (f *fetcher) directory(ctx context.Context, base *url.URL, dirURL string) ([]entry, error) {
	d, err := resolve(base, dirURL)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(d, "/") {
		d += "/"
	}
	db, _ := url.Parse(d)
	mk := func(path string, t time.Time) (entry, error) {
		u, err := resolve(db, path)
		if err != nil {
			return entry{}, err
		}
		return entry{url: u, updated: t, hashes: []string{u + ".sha512", u + ".sha256"}, sig: u + ".asc"}, nil
	}
	var out []entry
	body, resp, err := f.opts.Client.Fetch(ctx, d+"changes.csv")
	if err == nil {
		r := csv.NewReader(bytes.NewReader(body))
		r.FieldsPerRecord = -1
		for line := 1; ; line++ {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil || len(rec) < 2 {
				f.problem("%schanges.csv line %d: want \"path\",\"time\"", d, line)
				continue
			}
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(rec[1]))
			if err != nil {
				f.problem("%schanges.csv line %d: %q is not an RFC 3339 time", d, line, rec[1])
				continue
			}
			e, err := mk(strings.TrimSpace(rec[0]), t.UTC())
			if err != nil {
				f.problem("%schanges.csv line %d: %v", d, line, err)
				continue
			}
			out = append(out, e)
		}
		return out, nil
	}
	if resp == nil || resp.StatusCode != http.StatusNotFound {
		return nil, fmt.Errorf("changes.csv: %w", err)
	}
	body, _, err = f.opts.Client.Fetch(ctx, d+"index.txt")
	if err != nil {
		return nil, fmt.Errorf("neither changes.csv nor index.txt: %w", err)
	}
	for i, line := range strings.Split(string(body), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		e, err := mk(line, time.Time{})
		if err != nil {
			f.problem("%sindex.txt line %d: %v", d, i+1, err)
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// document downloads one entry and runs the hash and signature checks.
func (f *fetcher) document(ctx context.Context, e entry) (Document, *Refusal) {
	refuse := func(err error, format string, args ...any) (Document, *Refusal) {
		return Document{}, &Refusal{URL: e.url, Reason: fmt.Sprintf(format, args...), Err: err}
	}
	data, _, err := f.opts.Client.Fetch(ctx, e.url)
	if err != nil {
		return refuse(fmt.Errorf("%w: %w", ErrFetch, err), "document could not be downloaded: %v", err)
	}
	doc := Document{URL: e.url, Data: data, Updated: e.updated, TLP: e.tlp}

	for _, hu := range e.hashes {
		body, resp, err := f.opts.Client.Fetch(ctx, hu)
		if err != nil {
			if resp != nil && resp.StatusCode == http.StatusNotFound {
				continue
			}
			return refuse(fmt.Errorf("%w: %w", ErrFetch, err), "hash file %s could not be downloaded: %v", hu, err)
		}
		algo, h := "sha512", hash.Hash(sha512.New())
		if strings.HasSuffix(hu, ".sha256") {
			algo, h = "sha256", sha256.New()
		}
		fields := strings.Fields(string(body))
		if len(fields) == 0 {
			return refuse(ErrHashMismatch, "%s is empty", hu)
		}
		h.Write(data)
		got := hex.EncodeToString(h.Sum(nil))
		if !strings.EqualFold(fields[0], got) {
			return refuse(ErrHashMismatch, "%s of the document is %s but %s says %s", strings.ToUpper(algo), got, hu, fields[0])
		}
		doc.Hash = algo
		break
	}

	if e.sig == "" {
		return f.unsigned(doc, e)
	}
	sigBody, resp, err := f.opts.Client.Fetch(ctx, e.sig)
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return f.unsigned(doc, e)
		}
		return refuse(fmt.Errorf("%w: %w", ErrFetch, err), "signature %s could not be downloaded: %v", e.sig, err)
	}
	if len(f.keys) == 0 {
		if f.opts.RequireSignature {
			return refuse(ErrNoKey, "signed, but the provider offers no usable OpenPGP key to verify it")
		}
		doc.Signature = SignatureUnverified
		return doc, nil
	}
	signer, err := f.verify(data, sigBody)
	if err != nil {
		return refuse(fmt.Errorf("%w: %w", ErrBadSignature, err), "signature %s does not verify: %v", e.sig, err)
	}
	doc.Signature, doc.Signer = SignatureVerified, signer
	return doc, nil
}

func (f *fetcher) unsigned(doc Document, e entry) (Document, *Refusal) {
	if f.opts.RequireSignature {
		return Document{}, &Refusal{URL: e.url, Reason: "no OpenPGP signature (.asc) is published and a signature is required", Err: ErrUnsigned}
	}
	doc.Signature = SignatureAbsent
	return doc, nil
}

// verify checks a detached signature (armored or binary) and returns the
// signing key's fingerprint.
func (f *fetcher) verify(data, sig []byte) (string, error) {
	raw := sig
	if blk, err := armor.Decode(bytes.NewReader(sig)); err == nil {
		if blk.Type != openpgp.SignatureType {
			return "", fmt.Errorf("armored block is a %q, not a signature", blk.Type)
		}
		if raw, err = io.ReadAll(blk.Body); err != nil {
			return "", fmt.Errorf("armor: %w", err)
		}
	}
	cfg := &packet.Config{Time: f.now}
	_, signer, err := openpgp.VerifyDetachedSignature(f.keys, bytes.NewReader(data), bytes.NewReader(raw), cfg)
	if err != nil {
		if errors.Is(err, pgperrors.ErrUnknownIssuer) {
			if p, perr := packet.Read(bytes.NewReader(raw)); perr == nil {
				if s, ok := p.(*packet.Signature); ok && s.IssuerKeyId != nil {
					return "", fmt.Errorf("signed by key %016X, which is not a key of this provider", *s.IssuerKeyId)
				}
			}
		}
		return "", err
	}
	return strings.ToUpper(hex.EncodeToString(signer.PrimaryKey.Fingerprint)), nil
}

// resolve resolves ref against base.
func resolve(base *url.URL, ref string) (string, error) {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return "", err
	}
	if base == nil {
		return r.String(), nil
	}
	return base.ResolveReference(r).String(), nil
}
