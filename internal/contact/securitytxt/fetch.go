// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"

	"vigil/internal/errs"
	"vigil/internal/netguard"
)

// The paths RFC 9116 §3 names: the well-known location, and the legacy
// top-level one that researchers still try.
const (
	WellKnownPath = "/.well-known/security.txt"
	LegacyPath    = "/security.txt"
)

// maxKeySize bounds a public key fetched from an Encryption URI.
const maxKeySize = 256 << 10

type candidate struct {
	url    string
	path   string
	legacy bool
}

// Candidates returns the URLs Check tries for target, in order. A domain
// (or host:port, or a URL without a path) gives sectxt's order:
// https well-known, https legacy, http well-known, http legacy. A URL with
// a path gives just that URL.
func Candidates(target string) ([]string, error) {
	cs, err := candidates(target)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.url
	}
	return out, nil
}

func candidates(target string) ([]candidate, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return nil, errs.FieldKeyed("target", target, "sectxt.required", "a domain or URL is required")
	}
	host := target
	if strings.Contains(target, "://") {
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return nil, errs.FieldKeyed("target", target, "sectxt.url", "not an http(s) URL with a host")
		}
		if u.Path != "" && u.Path != "/" {
			u.Fragment = ""
			return []candidate{{url: u.String(), path: u.Path, legacy: u.Path != WellKnownPath}}, nil
		}
		host = u.Host
	}
	u, err := url.Parse("https://" + host)
	if err != nil || u.Host != host || u.Path != "" || u.RawQuery != "" || u.User != nil || strings.ContainsAny(host, " \t/\\") {
		return nil, errs.FieldKeyed("target", target, "sectxt.what", "not a domain name, address or URL")
	}
	host = strings.ToLower(host)
	return []candidate{
		{url: "https://" + host + WellKnownPath, path: WellKnownPath},
		{url: "https://" + host + LegacyPath, path: LegacyPath, legacy: true},
		{url: "http://" + host + WellKnownPath, path: WellKnownPath},
		{url: "http://" + host + LegacyPath, path: LegacyPath, legacy: true},
	}, nil
}

type fetched struct {
	body        []byte
	tooLarge    bool
	contentType string
	hasCT       bool
	chain       []string // request URLs, first to last
	final       *url.URL
}

// Check finds the security.txt of target (a domain, host:port or URL; see
// Candidates) through client and validates it. HTTP-level results
// (invalid_cert, invalid_uri_scheme, location, content type, redirects)
// come first, then Validate's. A signed file is verified with
// opts.Keyring or, when that is nil, with the keys behind its https
// Encryption URIs.
//
// The returned error is non-nil only when target is not usable
// (errs.Invalid), the guard refuses the address (netguard.ErrBlockedAddress)
// or ctx ends; a site without a file gives a report with no_security_txt.
func Check(ctx context.Context, client *netguard.Client, target string, opts Options) (Report, error) {
	cands, err := candidates(target)
	if err != nil {
		return Report{}, err
	}
	opts = opts.withDefaults()
	pre := newReport()
	var reasons []string
	certFailed := false
	for _, c := range cands {
		f, err := fetchOne(ctx, client, c, opts.MaxSize)
		if ctx.Err() != nil {
			return Report{}, fmt.Errorf("security.txt of %s: %w", target, ctx.Err())
		}
		if errors.Is(err, netguard.ErrBlockedAddress) {
			return Report{}, fmt.Errorf("security.txt of %s: %w", target, err)
		}
		if err != nil && isCertError(err) {
			// As the DTC validator does: report the certificate, then read
			// the file without verifying it so that its content is checked
			// too. The report stays invalid, and discovery uses only valid
			// reports, so nothing read this way is ever trusted.
			if !certFailed {
				certFailed = true
				pre.add(CodeInvalidCert, 0, fmt.Sprintf("The TLS certificate of %s does not verify: %v; the file was read without verifying it.", c.url, rootCause(err)))
			}
			var err2 error
			if f, err2 = fetchOne(ctx, client.WithoutCertCheck(), c, opts.MaxSize); err2 != nil {
				err = fmt.Errorf("%w (without certificate verification: %v)", err, err2)
			} else {
				err = nil
			}
		}
		if err != nil {
			reasons = append(reasons, err.Error())
			continue
		}
		return finish(ctx, client, c, f, pre, opts), nil
	}
	pre.add(CodeNoSecurityTxt, 0, "No security.txt file was found ("+strings.Join(reasons, "; ")+").")
	pre.finish()
	return pre, nil
}

func fetchOne(ctx context.Context, client *netguard.Client, c candidate, maxSize int) (*fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, errs.FieldKeyed("url", c.url, "url.notvalid", "not a valid URL")
	}
	req.Header.Set("Accept", "text/plain")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	f := &fetched{final: resp.Request.URL}
	for r := resp.Request; r != nil; {
		f.chain = append(f.chain, r.URL.String())
		if r.Response == nil {
			break
		}
		r = r.Response.Request
	}
	for i, j := 0, len(f.chain)-1; i < j; i, j = i+1, j-1 {
		f.chain[i], f.chain[j] = f.chain[j], f.chain[i]
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", f.chain[len(f.chain)-1], resp.StatusCode)
	}
	if !strings.HasSuffix(f.final.Path, c.path) {
		return nil, fmt.Errorf("GET %s: redirected away to %s", c.url, f.final.Redacted())
	}
	f.contentType = resp.Header.Get("Content-Type")
	_, f.hasCT = resp.Header["Content-Type"]
	f.body, err = io.ReadAll(io.LimitReader(resp.Body, int64(maxSize)+1))
	switch {
	case errors.Is(err, netguard.ErrTooLarge):
		f.tooLarge = true
	case err != nil:
		return nil, fmt.Errorf("GET %s: %w", c.url, err)
	case len(f.body) > maxSize:
		f.tooLarge = true
	}
	return f, nil
}

func finish(ctx context.Context, client *netguard.Client, c candidate, f *fetched, pre Report, opts Options) Report {
	first, last := f.chain[0], f.chain[len(f.chain)-1]
	if f.final.Scheme != "https" {
		pre.add(CodeInvalidURIScheme, 0, fmt.Sprintf("The file was only available over plain HTTP (%s); it must be served over HTTPS (RFC 9116 §3).", last))
	}
	if c.legacy {
		pre.add(CodeLocation, 0, fmt.Sprintf("The file was found at %s, not under %s (RFC 9116 §3).", c.url, WellKnownPath))
	}
	checkContentType(&pre, f)
	if len(f.chain) > 1 {
		pre.add(CodeRedirect, 0, fmt.Sprintf("The file was reached through redirects: %s (RFC 9116 §5.2).", strings.Join(f.chain, " → ")))
		origin := hostKey(f.chain[0])
		for _, u := range f.chain[1:] {
			if hostKey(u) != origin {
				pre.add(CodeRedirectOtherDomain, 0, fmt.Sprintf("The request for %s was redirected to another host (%s); check that it belongs to the same organisation before trusting the file (RFC 9116 §3.1, §5.2).", first, u))
				break
			}
		}
	}

	opts.URLs = []string{first}
	if last != first {
		opts.URLs = append(opts.URLs, last)
	}
	body := f.body
	if f.tooLarge && len(body) <= opts.MaxSize {
		// The client's own limit stopped the read: make Validate see an
		// oversized body without holding more of it.
		body = append(body, make([]byte, opts.MaxSize+1-len(body))...)
	}
	rep := Validate(body, opts)
	if rep.Signed && opts.Keyring == nil && !rep.Has(CodePGPDataError) && !rep.Has(CodePGPError) && !rep.Has(CodePGPSignatureError) {
		keys, src, notes := discoverKeys(ctx, client, rep.Fields[fieldEncryption])
		if len(keys) > 0 {
			opts.Keyring, opts.KeySource = keys, src
			rep = Validate(body, opts)
		}
		if len(notes) > 0 {
			for i := range rep.Notifications {
				if rep.Notifications[i].Code == CodeSignatureUnverified {
					rep.Notifications[i].Message += " Key lookup: " + strings.Join(notes, "; ") + "."
				}
			}
		}
	}
	out := pre
	out.Errors = append(out.Errors, rep.Errors...)
	out.Recommendations = append(out.Recommendations, rep.Recommendations...)
	out.Notifications = append(out.Notifications, rep.Notifications...)
	out.Fields = rep.Fields
	out.Signed, out.Signer = rep.Signed, rep.Signer
	out.URL = last
	out.Redirects = f.chain[:len(f.chain)-1]
	out.finish()
	return out
}

func checkContentType(r *Report, f *fetched) {
	if !f.hasCT || strings.TrimSpace(f.contentType) == "" {
		r.add(CodeNoContentType, 0, "The response has no Content-Type header; it must be text/plain; charset=utf-8 (RFC 9116 §3).")
		return
	}
	mt, params, err := mime.ParseMediaType(f.contentType)
	if mt == "" {
		r.add(CodeInvalidMedia, 0, fmt.Sprintf("The Content-Type %q does not parse (%v); it must be text/plain.", f.contentType, err))
		return
	}
	if mt != "text/plain" {
		r.add(CodeInvalidMedia, 0, fmt.Sprintf("The media type is %s; it must be text/plain (RFC 9116 §3).", mt))
	}
	cs, ok := params["charset"]
	switch {
	case ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "csutf8"):
		r.add(CodeInvalidCharset, 0, fmt.Sprintf("The charset is %s; it must be utf-8 (RFC 9116 §3).", cs))
	case !ok && mt == "text/plain":
		r.add(CodeMissingCharset, 0, "The Content-Type has no charset parameter; text/plain; charset=utf-8 is expected (RFC 9116 §3).")
	}
}

// discoverKeys fetches the OpenPGP keys behind the https Encryption URIs.
// It returns the keys, a description of where they came from, and notes on
// URIs that gave no key.
func discoverKeys(ctx context.Context, client *netguard.Client, uris []string) (openpgp.EntityList, string, []string) {
	var keys openpgp.EntityList
	var from, notes []string
	for _, u := range uris {
		if !strings.EqualFold(uriScheme(u), "https") {
			notes = append(notes, fmt.Sprintf("%s is not an https URI and was not fetched", u))
			continue
		}
		body, _, err := client.Fetch(ctx, u)
		if err == nil && len(body) > maxKeySize {
			err = netguard.ErrTooLarge
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("fetching %s failed: %v", u, err))
			continue
		}
		el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(body))
		if err != nil {
			el, err = openpgp.ReadKeyRing(bytes.NewReader(body))
		}
		if err != nil || len(el) == 0 {
			notes = append(notes, fmt.Sprintf("%s holds no OpenPGP public key", u))
			continue
		}
		keys = append(keys, el...)
		from = append(from, u)
	}
	return keys, "the Encryption URI " + strings.Join(from, ", "), notes
}

func isCertError(err error) bool {
	var ve *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &ve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// hostKey returns the lower-cased host:port of a URL, without the scheme's
// default port, so that a redirect to another origin shows.
func hostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	h, p := strings.ToLower(u.Hostname()), u.Port()
	if p == "" || (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
		return h
	}
	return h + ":" + p
}
