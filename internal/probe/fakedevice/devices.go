// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"time"

	"vigil/internal/probe"
)

var errPasswordRejected = errors.New("password rejected")

// The hardened device's credentials: none is on any default list.
const (
	HardenedUser     = "operator"
	HardenedPassword = "Vq7#pL2!xR9$wT4m-ekh3"
)

// StartWeak starts the weak device (see the package comment for what is
// planted). now sets the certificate's validity: it expired a year before.
func StartWeak(now time.Time) (d *Device, err error) {
	d = newDevice()
	defer func() {
		if err != nil {
			d.Close()
			d = nil
		}
	}()

	ln, port, err := d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.Telnet)
	d.serve(ln, telnetServer("\r\nBusyBox v1.19.4 (2014-03-26 09:27:53 CST)\r\n", "admin", "admin"))

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.HTTP)
	d.serveHTTP(ln, basicAuthSite("admin", "admin"))

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.HTTP)
	d.serveHTTP(ln, formLoginSite("/login.cgi", "admin", "admin", http.Header{"Server": {"GoAhead-Webs"}}, nil))

	cert, err := selfSignedExpired(now)
	if err != nil {
		return nil, err
	}
	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.HTTPS)
	d.serveHTTP(tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS10, //nolint:gosec // planted weakness
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
			tls.TLS_ECDHE_ECDSA_WITH_RC4_128_SHA, //nolint:gosec // planted weakness
		},
	}), basicAuthSite("admin", "admin"))

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.FTP)
	d.serve(ln, ftpServer("220 (vsFTPd 2.3.4)", true, "", ""))

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.MQTT)
	d.serve(ln, mqttBroker("", ""))

	port, err = d.startSSDP()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.UDP, probe.SSDP)

	port, err = closedPort("tcp")
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.SSH)
	return d, nil
}

// StartHardened starts the hardened device (see the package comment). Its
// certificates are valid around now and chain to d.RootCAs.
func StartHardened(now time.Time) (d *Device, err error) {
	d = newDevice()
	defer func() {
		if err != nil {
			d.Close()
			d = nil
		}
	}()
	cert, pool, err := testCA(now)
	if err != nil {
		return nil, err
	}
	d.RootCAs = pool
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	ln, port, err := d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.HTTPS)
	headers := http.Header{
		"Strict-Transport-Security": {"max-age=31536000; includeSubDomains"},
		"X-Content-Type-Options":    {"nosniff"},
		"Content-Security-Policy":   {"default-src 'self'; frame-ancestors 'none'"},
		"X-Frame-Options":           {"DENY"},
	}
	sectxt := fmt.Sprintf("Contact: mailto:psirt@hardened.example\r\n"+
		"Expires: %s\r\n"+
		"Policy: https://hardened.example/security/disclosure\r\n"+
		"Preferred-Languages: en, nl\r\n", now.AddDate(0, 6, 0).UTC().Format(time.RFC3339))
	d.serveHTTP(tls.NewListener(ln, tlsCfg), formLoginSite("/login", HardenedUser, HardenedPassword, headers,
		map[string]string{"/.well-known/security.txt": sectxt}))

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.SSH)
	handle, err := sshServer(HardenedUser, HardenedPassword)
	if err != nil {
		return nil, err
	}
	d.serve(ln, handle)

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.MQTTS)
	d.serve(tls.NewListener(ln, tlsCfg), mqttBroker(HardenedUser, HardenedPassword))

	for _, s := range []probe.Service{probe.Telnet, probe.HTTP} {
		port, err = closedPort("tcp")
		if err != nil {
			return nil, err
		}
		d.addPort(port, probe.TCP, s)
	}
	port, err = closedPort("udp")
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.UDP, probe.SSDP)
	return d, nil
}

// StartDefaultLogins starts a device whose logins are factory defaults
// further down the probe's list, so a probe must iterate and stop at the
// first success: SSH root/root, FTP admin/1234 (no anonymous, greeting
// without version), MQTT over TLS admin/password (no anonymous), telnet
// root/vizxv.
func StartDefaultLogins(now time.Time) (d *Device, err error) {
	d = newDevice()
	defer func() {
		if err != nil {
			d.Close()
			d = nil
		}
	}()
	cert, pool, err := testCA(now)
	if err != nil {
		return nil, err
	}
	d.RootCAs = pool

	ln, port, err := d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.SSH)
	handle, err := sshServer("root", "root")
	if err != nil {
		return nil, err
	}
	d.serve(ln, handle)

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.FTP)
	d.serve(ln, ftpServer("220 FTP server ready.", false, "admin", "1234"))

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.MQTTS)
	d.serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}),
		mqttBroker("admin", "password"))

	ln, port, err = d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.Telnet)
	d.serve(ln, telnetServer("", "root", "vizxv"))
	return d, nil
}
