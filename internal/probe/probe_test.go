// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/probe"
	"vigil/internal/probe/fakedevice"
)

// countingDialer counts every connection the probe opens.
type countingDialer struct {
	d     net.Dialer
	tcp   atomic.Int64
	udp   atomic.Int64
	mu    sync.Mutex
	addrs []string
}

func (c *countingDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if network == "udp" {
		c.udp.Add(1)
	} else {
		c.tcp.Add(1)
	}
	c.mu.Lock()
	c.addrs = append(c.addrs, address)
	c.mu.Unlock()
	return c.d.DialContext(ctx, network, address)
}

func (c *countingDialer) total() int64 { return c.tcp.Load() + c.udp.Load() }

func loopbackOnly() probe.AllowFunc {
	return probe.AllowPrefixes(netip.MustParsePrefix("127.0.0.0/8"))
}

// testNow is the probe's and the fake devices' clock.
var testNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func fastOptions(d *fakedevice.Device, dialer probe.Dialer) probe.Options {
	return probe.Options{
		Allow:          loopbackOnly(),
		Ports:          d.Ports(),
		ConnsPerSecond: 5000,
		Burst:          20,
		Budget:         15 * time.Second,
		ConnTimeout:    3 * time.Second,
		UDPWait:        500 * time.Millisecond,
		Dialer:         dialer,
		RootCAs:        d.RootCAs,
		Now:            func() time.Time { return testNow },
	}
}

// want is an expected result: everything but the evidence, of which a
// fragment is checked.
type want struct {
	Check    probe.Check
	Service  probe.Service
	Port     int
	Severity probe.Severity
	Passed   bool
	Evidence string // substring
}

func project(t *testing.T, rs []probe.Result) []want {
	t.Helper()
	out := make([]want, len(rs))
	for i, r := range rs {
		if r.Evidence == "" {
			t.Errorf("result %s/%d has no evidence", r.Check, r.Port)
		}
		if !slices.Equal(r.Provisions, probe.Provisions(r.Check, r.Service)) {
			t.Errorf("result %s/%s provisions %v; want %v", r.Check, r.Service, r.Provisions, probe.Provisions(r.Check, r.Service))
		}
		out[i] = want{Check: r.Check, Service: r.Service, Port: r.Port, Severity: r.Severity, Passed: r.Passed}
	}
	return out
}

// assertResults compares the full result set with wants (order-free) and
// checks each evidence fragment.
func assertResults(t *testing.T, got []probe.Result, wants []want) {
	t.Helper()
	key := func(w want) string { return fmt.Sprintf("%05d %s %s", w.Port, w.Service, w.Check) }
	gotP := project(t, got)
	frags := map[string]string{}
	for i := range wants {
		frags[key(wants[i])] = wants[i].Evidence
		wants[i].Evidence = ""
	}
	sortW := func(ws []want) { slices.SortFunc(ws, func(a, b want) int { return strings.Compare(key(a), key(b)) }) }
	sortW(gotP)
	sortW(wants)
	if diff := cmp.Diff(wants, gotP); diff != "" {
		t.Errorf("results mismatch (-want +got):\n%s", diff)
	}
	for _, r := range got {
		k := key(want{Check: r.Check, Service: r.Service, Port: r.Port})
		if f := frags[k]; f != "" && !strings.Contains(r.Evidence, f) {
			t.Errorf("%s evidence %q; want it to contain %q", k, r.Evidence, f)
		}
	}
}

func TestRunFindsExactlyThePlantedWeaknesses(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartWeak(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	dialer := &countingDialer{}
	rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, fastOptions(d, dialer))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	telnet := d.Port(probe.TCP, probe.Telnet)
	ftp := d.Port(probe.TCP, probe.FTP)
	mqtt := d.Port(probe.TCP, probe.MQTT)
	https := d.Port(probe.TCP, probe.HTTPS)
	ssdp := d.Port(probe.UDP, probe.SSDP)
	var basic, form int
	for _, p := range d.Ports() {
		if p.Service == probe.HTTP {
			if basic == 0 {
				basic = p.Number
			} else {
				form = p.Number
			}
		}
	}
	const (
		F = false
		T = true
	)
	wants := []want{
		// telnet: exposed, cleartext, admin/admin, version banner
		{probe.CheckPortOpen, probe.Telnet, telnet, probe.High, F, "should not be exposed"},
		{probe.CheckCleartext, probe.Telnet, telnet, probe.High, F, "unencrypted"},
		{probe.CheckDefaultCredentials, probe.Telnet, telnet, probe.Critical, F, "admin:admin"},
		{probe.CheckBanner, probe.Telnet, telnet, probe.Low, F, "BusyBox 1.19.4"},
		// http with Basic auth: cleartext, admin/admin, lighttpd/1.4.35, no headers
		{probe.CheckPortOpen, probe.HTTP, basic, probe.Info, T, "open"},
		{probe.CheckCleartext, probe.HTTP, basic, probe.Medium, F, "status 401"},
		{probe.CheckDefaultCredentials, probe.HTTP, basic, probe.Critical, F, "Basic auth accepted default credential admin:admin"},
		{probe.CheckBanner, probe.HTTP, basic, probe.Low, F, "lighttpd 1.4.35"},
		{probe.CheckNoSniff, probe.HTTP, basic, probe.Low, F, "missing"},
		{probe.CheckCSP, probe.HTTP, basic, probe.Low, F, "missing"},
		{probe.CheckFrameOptions, probe.HTTP, basic, probe.Low, F, "missing"},
		// http with a login form: cleartext, admin/admin, no headers, no version
		{probe.CheckPortOpen, probe.HTTP, form, probe.Info, T, "open"},
		{probe.CheckCleartext, probe.HTTP, form, probe.Medium, F, "status 200"},
		{probe.CheckDefaultCredentials, probe.HTTP, form, probe.Critical, F, "login form /login.cgi accepted default credential admin:admin"},
		{probe.CheckBanner, probe.HTTP, form, probe.Low, T, "no software version"},
		{probe.CheckNoSniff, probe.HTTP, form, probe.Low, F, "missing"},
		{probe.CheckCSP, probe.HTTP, form, probe.Low, F, "missing"},
		{probe.CheckFrameOptions, probe.HTTP, form, probe.Low, F, "missing"},
		// https: TLS 1.0/1.1, RC4, expired self-signed cert, plus the Basic site
		{probe.CheckPortOpen, probe.HTTPS, https, probe.Info, T, "open"},
		{probe.CheckTLS10, probe.HTTPS, https, probe.High, F, "TLS 1.0 accepted"},
		{probe.CheckTLS11, probe.HTTPS, https, probe.Medium, F, "TLS 1.1 accepted"},
		{probe.CheckTLSWeakCipher, probe.HTTPS, https, probe.High, F, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"},
		{probe.CheckTLSCertValidity, probe.HTTPS, https, probe.Medium, F, "expired on 2025-11-23"},
		{probe.CheckTLSCertTrust, probe.HTTPS, https, probe.Medium, F, "self-signed"},
		{probe.CheckTLSCertHostname, probe.HTTPS, https, probe.Low, T, "names 127.0.0.1"},
		{probe.CheckDefaultCredentials, probe.HTTPS, https, probe.Critical, F, "admin:admin"},
		{probe.CheckBanner, probe.HTTPS, https, probe.Low, F, "lighttpd 1.4.35"},
		{probe.CheckHSTS, probe.HTTPS, https, probe.Medium, F, "missing"},
		{probe.CheckNoSniff, probe.HTTPS, https, probe.Low, F, "missing"},
		{probe.CheckCSP, probe.HTTPS, https, probe.Low, F, "missing"},
		{probe.CheckFrameOptions, probe.HTTPS, https, probe.Low, F, "missing"},
		// ftp: exposed, cleartext, anonymous, version greeting; no default login
		{probe.CheckPortOpen, probe.FTP, ftp, probe.Medium, F, "should not be exposed"},
		{probe.CheckCleartext, probe.FTP, ftp, probe.High, F, "unencrypted"},
		{probe.CheckFTPAnonymous, probe.FTP, ftp, probe.High, F, "anonymous FTP login accepted"},
		{probe.CheckBanner, probe.FTP, ftp, probe.Low, F, "vsFTPd 2.3.4"},
		{probe.CheckDefaultCredentials, probe.FTP, ftp, probe.Critical, T, "refused all 10"},
		// mqtt: cleartext, anonymous with # granted
		{probe.CheckPortOpen, probe.MQTT, mqtt, probe.Info, T, "open"},
		{probe.CheckCleartext, probe.MQTT, mqtt, probe.Medium, F, "unencrypted"},
		{probe.CheckMQTTAnonymous, probe.MQTT, mqtt, probe.High, F, "SUBSCRIBE to # granted"},
		// ssdp answers
		{probe.CheckSSDP, probe.SSDP, ssdp, probe.Medium, F, "miniupnpd/1.9"},
		// no security.txt anywhere
		{probe.CheckSecurityTxt, "", 0, probe.Medium, F, "no /.well-known/security.txt"},
	}
	assertResults(t, rep.Results, wants)
	if len(rep.Errors) != 0 || rep.Partial || len(rep.Incomplete) != 0 {
		t.Errorf("errors %v, partial %v, incomplete %v; want none", rep.Errors, rep.Partial, rep.Incomplete)
	}
	wantPorts := []probe.PortState{
		{Port: telnet, Proto: probe.TCP, Service: probe.Telnet, State: probe.Open},
		{Port: basic, Proto: probe.TCP, Service: probe.HTTP, State: probe.Open},
		{Port: form, Proto: probe.TCP, Service: probe.HTTP, State: probe.Open},
		{Port: https, Proto: probe.TCP, Service: probe.HTTPS, State: probe.Open},
		{Port: ftp, Proto: probe.TCP, Service: probe.FTP, State: probe.Open},
		{Port: mqtt, Proto: probe.TCP, Service: probe.MQTT, State: probe.Open},
		{Port: ssdp, Proto: probe.UDP, Service: probe.SSDP, State: probe.Open},
		{Port: d.Port(probe.TCP, probe.SSH), Proto: probe.TCP, Service: probe.SSH, State: probe.Closed},
	}
	if diff := cmp.Diff(wantPorts, rep.Ports); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	if rep.NoReachableService {
		t.Error("no reachable service reported for a device with open ports")
	}
	// Every connection the device saw came through the dialer (and so the
	// rate limiter); the closed SSH port was dialled but never accepted.
	if got, want := d.Conns(), dialer.total()-1; got != want {
		t.Errorf("device saw %d connections, dialer opened %d (+1 refused); want equal", got, want)
	}
	for _, a := range dialer.addrs {
		if !strings.HasPrefix(a, "127.0.0.1:") {
			t.Errorf("dialled %s; want only the target address", a)
		}
	}
}

func TestRunFindsNothingOnHardenedDevice(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartHardened(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, fastOptions(d, nil))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	https := d.Port(probe.TCP, probe.HTTPS)
	ssh := d.Port(probe.TCP, probe.SSH)
	mqtts := d.Port(probe.TCP, probe.MQTTS)
	ssdp := d.Port(probe.UDP, probe.SSDP)
	const T = true
	var wants []want
	for _, p := range []int{https, mqtts} {
		s := probe.HTTPS
		if p == mqtts {
			s = probe.MQTTS
		}
		wants = append(wants,
			want{probe.CheckPortOpen, s, p, probe.Info, T, "open"},
			want{probe.CheckTLS10, s, p, probe.High, T, "TLS 1.0 refused"},
			want{probe.CheckTLS11, s, p, probe.Medium, T, "TLS 1.1 refused"},
			want{probe.CheckTLSWeakCipher, s, p, probe.High, T, "no RC4 or 3DES"},
			want{probe.CheckTLSCertValidity, s, p, probe.Medium, T, "valid until 2027-11-23"},
			want{probe.CheckTLSCertTrust, s, p, probe.Medium, T, "trusted root"},
			want{probe.CheckTLSCertHostname, s, p, probe.Low, T, "names 127.0.0.1"},
		)
	}
	wants = append(wants,
		want{probe.CheckBanner, probe.HTTPS, https, probe.Low, T, "no software version"},
		want{probe.CheckHSTS, probe.HTTPS, https, probe.Medium, T, "present"},
		want{probe.CheckNoSniff, probe.HTTPS, https, probe.Low, T, "present"},
		want{probe.CheckCSP, probe.HTTPS, https, probe.Low, T, "present"},
		want{probe.CheckFrameOptions, probe.HTTPS, https, probe.Low, T, "present"},
		want{probe.CheckDefaultCredentials, probe.HTTPS, https, probe.Critical, T, "login form /login refused all 10"},
		want{probe.CheckSecurityTxt, probe.HTTPS, https, probe.Medium, T, "Contact mailto:psirt@hardened.example"},
		want{probe.CheckPortOpen, probe.SSH, ssh, probe.Info, T, "open"},
		want{probe.CheckDefaultCredentials, probe.SSH, ssh, probe.Critical, T, "SSH login refused all 10"},
		want{probe.CheckMQTTAnonymous, probe.MQTTS, mqtts, probe.High, T, "CONNACK 5"},
		want{probe.CheckDefaultCredentials, probe.MQTTS, mqtts, probe.Critical, T, "MQTT CONNECT refused all 10"},
		want{probe.CheckSSDP, probe.SSDP, ssdp, probe.Medium, T, "no SSDP responder"},
	)
	assertResults(t, rep.Results, wants)
	if f := rep.Failed(); len(f) != 0 {
		t.Errorf("Failed() = %v; want none", f)
	}
	if fs := rep.Findings(); len(fs) != 0 {
		t.Errorf("Findings() = %v; want none", fs)
	}
	if len(rep.Errors) != 0 || rep.Partial {
		t.Errorf("errors %v, partial %v; want none", rep.Errors, rep.Partial)
	}
}

// sameUDPPortDialer binds every UDP socket to the address it dials, as the
// system may do by chance when that port is free on the probing host.
type sameUDPPortDialer struct{}

func (sameUDPPortDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	var d net.Dialer
	if strings.HasPrefix(network, "udp") {
		a, err := net.ResolveUDPAddr(network, address)
		if err != nil {
			return nil, err
		}
		d.LocalAddr = a
	}
	return d.DialContext(ctx, network, address)
}

// A probe whose UDP socket got the target's free port reads back its own
// M-SEARCH unless it notices; the port is closed, not an SSDP responder.
func TestSSDPOnItsOwnPortIsClosed(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartHardened(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ssdp := d.Port(probe.UDP, probe.SSDP)
	opts := fastOptions(d, sameUDPPortDialer{})
	opts.Ports = []probe.Port{{Number: ssdp, Proto: probe.UDP, Service: probe.SSDP}}
	rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	assertResults(t, rep.Results, []want{
		{probe.CheckSSDP, probe.SSDP, ssdp, probe.Medium, true, "no SSDP responder"},
	})
}

// The ownership check runs before anything is sent to the target.
func TestRunRefusesUnverifiedTarget(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartWeak(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	notVerified := errors.New("asset 127.0.0.1 not verified for org 7")
	tests := []struct {
		name     string
		host     string
		allow    probe.AllowFunc
		resolver probe.Resolver
	}{
		{"nil_allow_check", d.Host, nil, nil},
		{"lab_list_elsewhere", d.Host, probe.AllowPrefixes(netip.MustParsePrefix("192.0.2.0/24")), nil},
		{"empty_lab_list", d.Host, probe.AllowPrefixes(), nil},
		{"ownership_not_verified", d.Host, func(context.Context, string, netip.Addr) error { return notVerified }, nil},
		{"ipv4_mapped_outside_list", "::ffff:127.0.0.1", probe.AllowPrefixes(netip.MustParsePrefix("10.0.0.0/8")), nil},
		// A name is refused when any of its addresses is not allowed.
		{"name_with_one_foreign_address", "cam.lab.test", loopbackOnly(),
			fakeResolver{"cam.lab.test": {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("198.51.100.7")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialer := &countingDialer{}
			opts := fastOptions(d, dialer)
			opts.Allow = tt.allow
			opts.Resolver = tt.resolver
			rep, err := probe.Run(t.Context(), probe.Target{Host: tt.host}, opts)
			if errs.CodeOf(err) != errs.Forbidden || !errors.Is(err, errs.ErrForbidden) {
				t.Fatalf("Run err = %v (code %q); want forbidden", err, errs.CodeOf(err))
			}
			if n := dialer.total(); n != 0 {
				t.Errorf("dialer opened %d connections; want 0", n)
			}
			if len(rep.Results) != 0 {
				t.Errorf("results %v; want none", rep.Results)
			}
		})
	}
	if n := d.Conns(); n != 0 {
		t.Errorf("device saw %d connections; want 0", n)
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestRunResolvesAllowedName(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartHardened(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	opts := fastOptions(d, nil)
	opts.Resolver = fakeResolver{"hardened.device.test": {netip.MustParseAddr("127.0.0.1")}}
	opts.Ports = []probe.Port{{Number: d.Port(probe.TCP, probe.HTTPS), Proto: probe.TCP, Service: probe.HTTPS}}
	rep, err := probe.Run(t.Context(), probe.Target{Host: "hardened.device.test"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Address != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("address %v; want 127.0.0.1", rep.Address)
	}
	for _, r := range rep.Results {
		if !r.Passed {
			t.Errorf("failed %s: %s", r.Check, r.Evidence)
		}
		if r.Check == probe.CheckTLSCertHostname && !strings.Contains(r.Evidence, "hardened.device.test") {
			t.Errorf("hostname evidence %q; want the DNS name checked", r.Evidence)
		}
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		host  string
		ports []probe.Port
	}{
		{"empty_host", "", nil},
		{"url", "http://192.0.2.1/", nil},
		{"host_port", "cam.example:23", nil},
		{"port_zero", "192.0.2.1", []probe.Port{{Number: 0, Proto: probe.TCP, Service: probe.Telnet}}},
		{"port_high", "192.0.2.1", []probe.Port{{Number: 70000, Proto: probe.TCP, Service: probe.Telnet}}},
		{"bad_proto", "192.0.2.1", []probe.Port{{Number: 23, Proto: "sctp", Service: probe.Telnet}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialer := &countingDialer{}
			_, err := probe.Run(t.Context(), probe.Target{Host: tt.host}, probe.Options{
				Allow: probe.AllowPrefixes(netip.MustParsePrefix("0.0.0.0/0")), Ports: tt.ports, Dialer: dialer})
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("err = %v; want invalid", err)
			}
			if dialer.total() != 0 {
				t.Errorf("dialled %d times", dialer.total())
			}
		})
	}
}

// With a burst of 3 and a rate that gives no new token within the budget,
// exactly 3 connections are made and the run ends partial.
func TestRunHonoursRateLimit(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartWeak(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	for _, burst := range []int{1, 3, 7} {
		t.Run(fmt.Sprint("burst_", burst), func(t *testing.T) {
			dialer := &countingDialer{}
			opts := fastOptions(d, dialer)
			opts.ConnsPerSecond = 0.0001
			opts.Burst = burst
			opts.Budget = 10 * time.Second
			rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := dialer.total(); got != int64(burst) {
				t.Errorf("connections = %d; want %d (the burst)", got, burst)
			}
			if !rep.Partial || len(rep.Incomplete) == 0 {
				t.Errorf("partial = %v, incomplete = %v; want a partial report", rep.Partial, rep.Incomplete)
			}
			if len(rep.Errors) != 0 {
				t.Errorf("errors %v; want none (limiter stops are incomplete, not errors)", rep.Errors)
			}
		})
	}
}

// A tarpit that never shows a login prompt holds the telnet check until the
// budget ends it; the port scan results are kept and the rest is marked.
func TestRunBudgetStopsWithPartialResults(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartTarpit()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	opts := fastOptions(d, nil)
	opts.Budget = 300 * time.Millisecond
	opts.ConnTimeout = 30 * time.Second // only the budget can stop the check
	port := d.Port(probe.TCP, probe.Telnet)
	rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Partial {
		t.Error("Partial = false; want true")
	}
	wantInc := []probe.Step{
		{Check: probe.CheckBanner, Port: port, Service: probe.Telnet},
		{Check: probe.CheckDefaultCredentials, Port: port, Service: probe.Telnet},
	}
	if diff := cmp.Diff(wantInc, rep.Incomplete); diff != "" {
		t.Errorf("incomplete (-want +got):\n%s", diff)
	}
	assertResults(t, rep.Results, []want{
		{probe.CheckPortOpen, probe.Telnet, port, probe.High, false, "open"},
		{probe.CheckCleartext, probe.Telnet, port, probe.High, false, "unencrypted"},
	})
	if len(rep.Errors) != 0 {
		t.Errorf("errors %v; want none", rep.Errors)
	}
}

func TestRunCallerCancelReturnsPartialAndError(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartTarpit()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	opts := fastOptions(d, nil)
	opts.ConnTimeout = 30 * time.Second
	go func() {
		for d.Conns() < 2 { // the scan and the telnet login are connected
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	rep, err := probe.Run(ctx, probe.Target{Host: d.Host}, opts)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	if !rep.Partial || len(rep.Results) == 0 {
		t.Errorf("partial %v with %d results; want partial results", rep.Partial, len(rep.Results))
	}
}

// The machine's own Mosquitto (default configuration allows anonymous
// clients on localhost).
func TestRunAgainstLocalMosquitto(t *testing.T) {
	t.Parallel()
	c, err := net.DialTimeout("tcp", "127.0.0.1:1883", 500*time.Millisecond)
	if err != nil {
		t.Skipf("no local MQTT broker at 127.0.0.1:1883: %v", err)
	}
	c.Close()
	rep, err := probe.Run(t.Context(), probe.Target{Host: "127.0.0.1"}, probe.Options{
		Allow:          loopbackOnly(),
		Ports:          []probe.Port{{Number: 1883, Proto: probe.TCP, Service: probe.MQTT}},
		ConnsPerSecond: 100,
		Burst:          5,
		Budget:         10 * time.Second,
		ConnTimeout:    3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
	var anon *probe.Result
	creds := 0
	for i, r := range rep.Results {
		switch r.Check {
		case probe.CheckMQTTAnonymous:
			anon = &rep.Results[i]
		case probe.CheckDefaultCredentials:
			creds++
		}
	}
	if anon == nil {
		t.Fatalf("no %s result in %v", probe.CheckMQTTAnonymous, rep.Results)
	}
	t.Logf("local mosquitto: anonymous allowed = %v (%s)", !anon.Passed, anon.Evidence)
	// Credentials are tried only when anonymous access is refused.
	if wantCreds := map[bool]int{true: 1, false: 0}[anon.Passed]; creds != wantCreds {
		t.Errorf("%d default-credentials results; want %d", creds, wantCreds)
	}
}

// Every provision a check names exists in vigil's embedded EN 303 645
// catalogue.
func TestProvisionsAreInCatalogue(t *testing.T) {
	t.Parallel()
	cat, err := assess.Load()
	if err != nil {
		t.Fatal(err)
	}
	services := []probe.Service{probe.FTP, probe.SSH, probe.Telnet, probe.HTTP, probe.HTTPS, probe.RTSP,
		probe.MQTT, probe.MQTTS, probe.CWMP, probe.Modbus, probe.BACnet, probe.SSDP}
	for _, c := range probe.AllChecks() {
		for _, s := range services {
			ids := probe.Provisions(c, s)
			if len(ids) == 0 {
				t.Errorf("check %s/%s maps to no provision", c, s)
			}
			for _, id := range ids {
				if _, ok := cat.Provision(id); !ok {
					t.Errorf("check %s/%s names %s, not in the catalogue", c, s, id)
				}
			}
		}
	}
}

// The weak device's findings, fed to the assessment, make the provisions
// they evidence not met.
func TestFindingsDriveAssessment(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartWeak(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, fastOptions(d, nil))
	if err != nil {
		t.Fatal(err)
	}
	fs := rep.Findings()
	n := 0
	for _, r := range rep.Failed() {
		n += len(r.Provisions)
	}
	if len(fs) != n {
		t.Errorf("%d findings; want %d (one per failed result and provision)", len(fs), n)
	}
	want := fmt.Sprintf("127.0.0.1:%d", d.Port(probe.TCP, probe.Telnet))
	if !slices.ContainsFunc(fs, func(f assess.Finding) bool {
		return f.Provision == "5.1-1" && f.Check == "telnet-default-credentials" && f.Target == want
	}) {
		t.Errorf("no 5.1-1 telnet-default-credentials finding for %s in %v", want, fs)
	}
	cat, err := assess.Load()
	if err != nil {
		t.Fatal(err)
	}
	ev := cat.Evaluate(assess.Answers{Edition: assess.EditionV3}, fs)
	status := map[string]assess.Status{}
	for _, r := range ev.Results {
		if r.Source == assess.FromProbe {
			status[r.ID] = r.Status
		}
	}
	for _, id := range []string{"5.1-1", "5.2-1", "5.5-1", "5.5-4", "5.6-1", "5.6-2", "5.13-1A"} {
		if status[id] != assess.NotMet {
			t.Errorf("provision %s = %q from probe; want not_met", id, status[id])
		}
	}
	if len(ev.Unmapped) == 0 || !slices.ContainsFunc(ev.Unmapped, func(f assess.Finding) bool { return f.Provision == "5.13-1" }) {
		t.Errorf("unmapped %v; want the V2-only 5.13-1 kept there", ev.Unmapped)
	}
}

// Credentials further down the list are found, each service stops at the
// first success, and the connection counts show no attempt after it.
func TestRunStopsAtFirstAcceptedCredential(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartDefaultLogins(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	dialer := &countingDialer{}
	rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, fastOptions(d, dialer))
	if err != nil {
		t.Fatal(err)
	}
	ssh, ftp := d.Port(probe.TCP, probe.SSH), d.Port(probe.TCP, probe.FTP)
	mqtts, telnet := d.Port(probe.TCP, probe.MQTTS), d.Port(probe.TCP, probe.Telnet)
	const F, T = false, true
	var wants []want
	wants = append(wants,
		want{probe.CheckPortOpen, probe.SSH, ssh, probe.Info, T, "open"},
		want{probe.CheckDefaultCredentials, probe.SSH, ssh, probe.Critical, F, "SSH login accepted default credential root:root"},
		want{probe.CheckPortOpen, probe.FTP, ftp, probe.Medium, F, "open"},
		want{probe.CheckCleartext, probe.FTP, ftp, probe.High, F, "unencrypted"},
		want{probe.CheckBanner, probe.FTP, ftp, probe.Low, T, "no software version"},
		want{probe.CheckFTPAnonymous, probe.FTP, ftp, probe.High, T, "refused"},
		want{probe.CheckDefaultCredentials, probe.FTP, ftp, probe.Critical, F, "FTP login accepted default credential admin:1234"},
		want{probe.CheckPortOpen, probe.Telnet, telnet, probe.High, F, "open"},
		want{probe.CheckCleartext, probe.Telnet, telnet, probe.High, F, "unencrypted"},
		want{probe.CheckBanner, probe.Telnet, telnet, probe.Low, T, "no software version"},
		want{probe.CheckDefaultCredentials, probe.Telnet, telnet, probe.Critical, F, "telnet login accepted default credential root:vizxv"},
		want{probe.CheckPortOpen, probe.MQTTS, mqtts, probe.Info, T, "open"},
		want{probe.CheckTLS10, probe.MQTTS, mqtts, probe.High, T, "refused"},
		want{probe.CheckTLS11, probe.MQTTS, mqtts, probe.Medium, T, "refused"},
		want{probe.CheckTLSWeakCipher, probe.MQTTS, mqtts, probe.High, T, "no RC4"},
		want{probe.CheckTLSCertValidity, probe.MQTTS, mqtts, probe.Medium, T, "valid"},
		want{probe.CheckTLSCertTrust, probe.MQTTS, mqtts, probe.Medium, T, "trusted"},
		want{probe.CheckTLSCertHostname, probe.MQTTS, mqtts, probe.Low, T, "names"},
		want{probe.CheckMQTTAnonymous, probe.MQTTS, mqtts, probe.High, T, "CONNACK 5"},
		want{probe.CheckDefaultCredentials, probe.MQTTS, mqtts, probe.Critical, F, "MQTT CONNECT accepted default credential admin:password"},
	)
	assertResults(t, rep.Results, wants)
	perPort := map[int]int{}
	for _, a := range dialer.addrs {
		perPort[int(netip.MustParseAddrPort(a).Port())]++
	}
	wantConns := map[int]int{
		ssh:    1 + 2,         // scan, admin:admin, root:root
		ftp:    1 + 1 + 4,     // scan, anonymous, 4th credential
		telnet: 1 + 5,         // scan, 5th credential
		mqtts:  1 + 4 + 1 + 3, // scan, TLS checks, anonymous, 3rd credential
	}
	if diff := cmp.Diff(wantConns, perPort); diff != "" {
		t.Errorf("connections per port (-want +got):\n%s", diff)
	}
}

// Plain HTTP that only redirects to https is not a cleartext finding.
func TestRunHTTPRedirectToHTTPSPasses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://127.0.0.1/", http.StatusMovedPermanently)
	}))
	t.Cleanup(srv.Close)
	port := int(netip.MustParseAddrPort(srv.Listener.Addr().String()).Port())
	rep, err := probe.Run(t.Context(), probe.Target{Host: "127.0.0.1"}, probe.Options{
		Allow: loopbackOnly(), Ports: []probe.Port{{Number: port, Proto: probe.TCP, Service: probe.HTTP}},
		ConnsPerSecond: 1000, Burst: 10, ConnTimeout: 3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rep.Results {
		if r.Check == probe.CheckCleartext {
			found = true
			if !r.Passed || !strings.Contains(r.Evidence, "redirects to https") {
				t.Errorf("cleartext result %+v; want passed with a redirect", r)
			}
		}
		if r.Check == probe.CheckDefaultCredentials {
			t.Errorf("credential result %+v on a page without a login", r)
		}
	}
	if !found {
		t.Errorf("no cleartext result in %v", rep.Results)
	}
}

// BenchmarkRunWeakDevice measures one whole probe run against the weak
// fake device on loopback (about 35 connections).
func BenchmarkRunWeakDevice(b *testing.B) {
	d, err := fakedevice.StartWeak(testNow)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	opts := fastOptions(d, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := probe.Run(b.Context(), probe.Target{Host: d.Host}, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRunNoReachableService: a target whose every probed port is closed is
// its own outcome, not a probe that found nothing.
func TestRunNoReachableService(t *testing.T) {
	t.Parallel()
	d, err := fakedevice.StartWeak(testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	o := fastOptions(d, nil)
	o.Ports = []probe.Port{{Number: d.Port(probe.TCP, probe.SSH), Proto: probe.TCP, Service: probe.SSH}}
	rep, err := probe.Run(t.Context(), probe.Target{Host: d.Host}, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !rep.NoReachableService || len(rep.Failed()) != 0 {
		t.Errorf("report = %+v; want no reachable service", rep)
	}
}
