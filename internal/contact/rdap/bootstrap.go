// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rdap

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/netguard"
)

// embedded holds the IANA bootstrap files shipped with vigil (see
// bootstrap/SOURCES.md). It is read-only.
//
//go:embed bootstrap/asn.json bootstrap/dns.json bootstrap/ipv4.json bootstrap/ipv6.json
var embedded embed.FS

// IANABootstrapURL is where IANA publishes the RDAP bootstrap files
// (RFC 9224).
const IANABootstrapURL = "https://data.iana.org/rdap/"

// BootstrapFiles are the names of the bootstrap registries vigil uses.
func BootstrapFiles() []string { return []string{"asn.json", "dns.json", "ipv4.json", "ipv6.json"} }

// Bootstrap maps IP prefixes, AS numbers and DNS labels to the RDAP servers
// responsible for them (RFC 9224). It is immutable and safe for concurrent
// use; Refresh builds a new one.
type Bootstrap struct {
	// Publication is the publication time of each file, by file name.
	Publication map[string]time.Time

	v4, v6 []prefixService
	asn    []asnService
	dns    map[string][]string
}

type prefixService struct {
	prefix netip.Prefix
	urls   []string
}

type asnService struct {
	lo, hi uint32
	urls   []string
}

// bootstrapFile is the JSON shape of an IANA bootstrap registry:
// services is a list of [entries, urls] pairs.
type bootstrapFile struct {
	Version     string       `json:"version"`
	Publication string       `json:"publication"`
	Services    [][][]string `json:"services"`
}

// DefaultBootstrap returns the bootstrap registries embedded in vigil.
func DefaultBootstrap() (*Bootstrap, error) {
	return LoadBootstrap(embedded, "bootstrap")
}

// LoadBootstrap reads asn.json, dns.json, ipv4.json and ipv6.json from dir
// in fsys (for example os.DirFS of a directory Refresh's files were saved to).
func LoadBootstrap(fsys fs.FS, dir string) (*Bootstrap, error) {
	files := map[string][]byte{}
	for _, name := range BootstrapFiles() {
		b, err := fs.ReadFile(fsys, strings.TrimPrefix(dir+"/"+name, "./"))
		if err != nil {
			return nil, fmt.Errorf("load RDAP bootstrap: %w", err)
		}
		files[name] = b
	}
	return ParseBootstrap(files)
}

// ParseBootstrap parses the four bootstrap registries, keyed by file name.
// Every file must be present and well formed.
func ParseBootstrap(files map[string][]byte) (*Bootstrap, error) {
	b := &Bootstrap{Publication: map[string]time.Time{}, dns: map[string][]string{}}
	for _, name := range BootstrapFiles() {
		raw, ok := files[name]
		if !ok {
			return nil, errs.Field("bootstrap", name, "file missing")
		}
		var f bootstrapFile
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("parse RDAP bootstrap %s: %w", name, err)
		}
		if len(f.Services) == 0 {
			return nil, errs.Field("bootstrap", name, "no services")
		}
		if t, err := time.Parse(time.RFC3339, f.Publication); err == nil {
			b.Publication[name] = t
		}
		for i, svc := range f.Services {
			if len(svc) < 2 || len(svc[1]) == 0 {
				return nil, errs.Field("bootstrap", fmt.Sprintf("%s services[%d]", name, i), "not an [entries, urls] pair")
			}
			entries, urls := svc[0], svc[1]
			if err := b.add(name, entries, urls); err != nil {
				return nil, fmt.Errorf("parse RDAP bootstrap %s services[%d]: %w", name, i, err)
			}
		}
	}
	return b, nil
}

func (b *Bootstrap) add(file string, entries, urls []string) error {
	for _, e := range entries {
		switch file {
		case "ipv4.json", "ipv6.json":
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return errs.Field("prefix", e, "not a CIDR prefix")
			}
			ps := prefixService{prefix: p.Masked(), urls: urls}
			if p.Addr().Is4() {
				b.v4 = append(b.v4, ps)
			} else {
				b.v6 = append(b.v6, ps)
			}
		case "asn.json":
			lo, hi, ok := strings.Cut(e, "-")
			if !ok {
				hi = lo
			}
			l, err1 := strconv.ParseUint(lo, 10, 32)
			h, err2 := strconv.ParseUint(hi, 10, 32)
			if err1 != nil || err2 != nil || h < l {
				return errs.Field("asn range", e, "not an AS number range")
			}
			b.asn = append(b.asn, asnService{lo: uint32(l), hi: uint32(h), urls: urls})
		case "dns.json":
			b.dns[strings.ToLower(strings.TrimSuffix(e, "."))] = urls
		}
	}
	return nil
}

// ServerForAddr returns the base URL of the RDAP server for an address or
// prefix (the most specific bootstrap entry wins), preferring https.
func (b *Bootstrap) ServerForAddr(p netip.Prefix) (string, bool) {
	list := b.v4
	if p.Addr().Is6() {
		list = b.v6
	}
	best := -1
	for i, s := range list {
		if s.prefix.Bits() <= p.Bits() && s.prefix.Contains(p.Addr()) &&
			(best < 0 || s.prefix.Bits() > list[best].prefix.Bits()) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return pickURL(list[best].urls), true
}

// ServerForASN returns the base URL of the RDAP server for an AS number.
func (b *Bootstrap) ServerForASN(asn uint32) (string, bool) {
	for _, s := range b.asn {
		if s.lo <= asn && asn <= s.hi {
			return pickURL(s.urls), true
		}
	}
	return "", false
}

// ServerForDomain returns the base URL of the RDAP server for a domain name
// (in ASCII form): the longest label suffix in the registry wins.
func (b *Bootstrap) ServerForDomain(name string) (string, bool) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for {
		if urls, ok := b.dns[name]; ok {
			return pickURL(urls), true
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return "", false
		}
		name = name[i+1:]
	}
}

// pickURL prefers an https base URL (RFC 9224 asks clients to choose https
// when a service offers both), else the first one.
func pickURL(urls []string) string {
	for _, u := range urls {
		if strings.HasPrefix(strings.ToLower(u), "https://") {
			return u
		}
	}
	return urls[0]
}

// Published returns the newest publication time of b's files.
func (b *Bootstrap) Published() time.Time {
	var t time.Time
	for _, p := range b.Publication {
		if p.After(t) {
			t = p
		}
	}
	return t
}

// Newest returns the bootstrap registries to use: the refreshed files
// (by name, as Refresh returns them) when they parse and were published
// after the embedded ones, otherwise the embedded ones.
func Newest(refreshed map[string][]byte) (*Bootstrap, error) {
	def, err := DefaultBootstrap()
	if err != nil {
		return nil, err
	}
	if refreshed == nil {
		return def, nil
	}
	b, err := ParseBootstrap(refreshed)
	if err != nil || !b.Published().After(def.Published()) {
		return def, nil
	}
	return b, nil
}

// Refresh fetches the bootstrap registries from baseURL (IANABootstrapURL
// when empty) through client. It returns the parsed Bootstrap and the raw
// files, so that the caller can save them for LoadBootstrap. Nothing is
// returned unless all four files parse.
func Refresh(ctx context.Context, client *netguard.Client, baseURL string) (*Bootstrap, map[string][]byte, error) {
	if baseURL == "" {
		baseURL = IANABootstrapURL
	}
	baseURL = strings.TrimSuffix(baseURL, "/") + "/"
	files := map[string][]byte{}
	for _, name := range BootstrapFiles() {
		body, _, err := client.Fetch(ctx, baseURL+name)
		if err != nil {
			return nil, nil, fmt.Errorf("refresh RDAP bootstrap: %w", err)
		}
		files[name] = body
	}
	b, err := ParseBootstrap(files)
	if err != nil {
		return nil, nil, fmt.Errorf("refresh RDAP bootstrap: %w", err)
	}
	return b, files, nil
}
