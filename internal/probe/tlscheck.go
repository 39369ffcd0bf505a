// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

type tlsVersion struct {
	id    uint16
	check Check
	sev   Severity
}

var (
	tlsVersion10 = tlsVersion{tls.VersionTLS10, CheckTLS10, High}
	tlsVersion11 = tlsVersion{tls.VersionTLS11, CheckTLS11, Medium}
)

// allSuites are every TLS 1.0-1.2 suite crypto/tls implements, secure or
// not, so a version handshake fails only on the version.
func allSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// weakSuites are the broken suites crypto/tls can still offer: RC4 and
// 3DES (SWEET32). NULL, EXPORT, DES and anonymous suites are not
// implemented by crypto/tls and cannot be tested here.
func weakSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.InsecureCipherSuites() {
		if strings.Contains(s.Name, "_RC4_") || strings.Contains(s.Name, "_3DES_") {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// isHandshakeRefusal reports whether err is the server declining the
// handshake (alert, reset, close) rather than a timeout.
func isHandshakeRefusal(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return true
}

// checkTLSVersion offers exactly one old protocol version.
func (r *runner) checkTLSVersion(ctx context.Context, p Port, v tlsVersion) error {
	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: v.id, MaxVersion: v.id, CipherSuites: allSuites()} //nolint:gosec // probing
	c, err := r.dialTLS(ctx, p.Number, cfg)
	name := tls.VersionName(v.id)
	res := Result{Check: v.check, Port: p.Number, Service: p.Service, Severity: v.sev}
	switch {
	case err == nil:
		suite := tls.CipherSuiteName(c.ConnectionState().CipherSuite)
		c.Close()
		res.Evidence = fmt.Sprintf("%s accepted (%s)", name, suite)
	case stopped(ctx, err) || !isHandshakeRefusal(err):
		return err
	default:
		res.Passed = true
		res.Evidence = name + " refused"
	}
	r.add(res)
	return nil
}

// checkWeakCiphers offers only weak suites (TLS 1.0-1.2) and, while the
// server accepts one, offers the rest again to list all it accepts.
func (r *runner) checkWeakCiphers(ctx context.Context, p Port) error {
	offer := weakSuites()
	var accepted []string
	for len(offer) > 0 {
		cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS12, CipherSuites: offer} //nolint:gosec // probing
		c, err := r.dialTLS(ctx, p.Number, cfg)
		if err != nil {
			if stopped(ctx, err) || !isHandshakeRefusal(err) {
				return err
			}
			break
		}
		got := c.ConnectionState().CipherSuite
		c.Close()
		accepted = append(accepted, tls.CipherSuiteName(got))
		before := len(offer)
		offer = slices.DeleteFunc(offer, func(id uint16) bool { return id == got })
		if len(offer) == before {
			break // server chose a suite we did not offer
		}
	}
	res := Result{Check: CheckTLSWeakCipher, Port: p.Number, Service: p.Service, Severity: High}
	if len(accepted) == 0 {
		res.Passed = true
		res.Evidence = "no RC4 or 3DES cipher suite accepted"
	} else {
		res.Evidence = "weak cipher suites accepted: " + strings.Join(accepted, ", ")
	}
	r.add(res)
	return nil
}

// checkCertificate handshakes with the client's defaults and judges the
// server's certificate: validity period, trust (self-signed or unknown
// issuer, against opts.RootCAs) and name.
func (r *runner) checkCertificate(ctx context.Context, p Port) error {
	cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10, CipherSuites: allSuites()} //nolint:gosec // verified below
	c, err := r.dialTLS(ctx, p.Number, cfg)
	if err != nil {
		return fmt.Errorf("tls handshake: %w", err)
	}
	certs := c.ConnectionState().PeerCertificates
	c.Close()
	if len(certs) == 0 {
		return errors.New("tls: server sent no certificate")
	}
	for _, res := range judgeCertificate(certs, r.host, r.opts.RootCAs, r.opts.Now()) {
		res.Port, res.Service = p.Number, p.Service
		r.add(res)
	}
	return nil
}

// judgeCertificate returns the validity, trust and hostname results for a
// chain as presented by a server (leaf first).
func judgeCertificate(certs []*x509.Certificate, host string, roots *x509.CertPool, now time.Time) []Result {
	leaf := certs[0]
	subject := leaf.Subject.String()
	validity := Result{Check: CheckTLSCertValidity, Severity: Medium}
	switch {
	case now.After(leaf.NotAfter):
		validity.Evidence = fmt.Sprintf("certificate %q expired on %s", subject, leaf.NotAfter.UTC().Format(time.DateOnly))
	case now.Before(leaf.NotBefore):
		validity.Evidence = fmt.Sprintf("certificate %q not valid before %s", subject, leaf.NotBefore.UTC().Format(time.DateOnly))
	default:
		validity.Passed = true
		validity.Evidence = fmt.Sprintf("certificate %q valid until %s", subject, leaf.NotAfter.UTC().Format(time.DateOnly))
	}

	trust := Result{Check: CheckTLSCertTrust, Severity: Medium}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	// Verify at the nearest time inside the leaf's validity period so that
	// trust is judged apart from expiry.
	at := now
	switch {
	case at.After(leaf.NotAfter):
		at = leaf.NotAfter.Add(-time.Second)
	case at.Before(leaf.NotBefore):
		at = leaf.NotBefore.Add(time.Second)
	}
	_, verr := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	switch {
	case verr == nil:
		trust.Passed = true
		trust.Evidence = fmt.Sprintf("chain to a trusted root, issuer %q", leaf.Issuer.String())
	case selfSigned(leaf):
		trust.Evidence = fmt.Sprintf("self-signed certificate %q", subject)
	default:
		trust.Evidence = fmt.Sprintf("untrusted chain, issuer %q: %v", leaf.Issuer.String(), verr)
	}

	name := Result{Check: CheckTLSCertHostname, Severity: Low}
	if err := leaf.VerifyHostname(trimBrackets(host)); err != nil {
		name.Evidence = fmt.Sprintf("certificate does not name %s (names %s)", host, certNames(leaf))
	} else {
		name.Passed = true
		name.Evidence = "certificate names " + host
	}
	return []Result{validity, trust, name}
}

// selfSigned reports whether c is signed by its own key.
func selfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	return c.CheckSignatureFrom(c) == nil || c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func certNames(c *x509.Certificate) string {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, "CN="+c.Subject.CommonName)
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}
