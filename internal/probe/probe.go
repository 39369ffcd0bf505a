// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package probe runs vigil's automated network probes against one IoT
// device and maps what it finds to ETSI EN 303 645 provisions.
//
// Run refuses any target that the caller's allow check does not accept
// (ownership verified, or a lab allow-list) before a single packet is sent to
// it. It then looks for open ports of the usual IoT services and, per
// service, for default credentials (a small built-in list, never brute
// force, stopping at the first success), anonymous FTP and MQTT access,
// outdated TLS versions, weak cipher suites and certificate problems, missing
// HTTP security headers, version banners, a security.txt and SSDP/UPnP
// exposure.
//
// Every new connection (TCP or UDP) passes one rate limiter, every
// connection has its own timeout and the whole run a time budget. When the
// budget runs out the checks still pending are listed in
// Report.Incomplete and Report.Partial is set; the results gathered so far
// are kept.
//
// Checks that cannot be done with Go's crypto/tls (SSLv3, NULL, EXPORT and
// anonymous cipher suites, which it does not implement) are not attempted.
package probe

import (
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"vigil/internal/errs"
)

// Target is the device to probe.
type Target struct {
	// Host is an IP address or a DNS name, without port or scheme. A name is
	// resolved once; every resolved address must pass the allow check and
	// the first one is probed. The name is also used for TLS server name
	// indication, HTTP Host headers and certificate hostname checks.
	Host string `json:"host"`
}

// AllowFunc decides whether addr (resolved from host) may be probed. It
// returns nil to allow, or an error saying why not. Callers pass a check of
// verified ownership, or AllowPrefixes for an explicit lab allow-list.
type AllowFunc func(ctx context.Context, host string, addr netip.Addr) error

// AllowPrefixes returns an AllowFunc that accepts exactly the addresses in
// prefixes (the --lab allow-list). With no prefixes it allows nothing.
func AllowPrefixes(prefixes ...netip.Prefix) AllowFunc {
	ps := slices.Clone(prefixes)
	return func(_ context.Context, _ string, addr netip.Addr) error {
		a := addr.Unmap()
		for _, p := range ps {
			if p.Contains(a) {
				return nil
			}
		}
		return fmt.Errorf("%s is not in the lab allow-list", a)
	}
}

// Dialer opens connections; *net.Dialer satisfies it. Run dials only the
// resolved, allowed address ("tcp" or "udp", "ip:port").
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Resolver resolves a host name; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Credential is one user name and password pair to try.
type Credential struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// String returns "user:password" (default credentials are public knowledge).
func (c Credential) String() string { return c.User + ":" + c.Password }

// DefaultCredentials returns the built-in list: the most common factory
// defaults of consumer IoT devices, taken from the credential table of the
// Mirai botnet's scanner (mirai/bot/scanner.c). It is deliberately small;
// the probe is not a brute-force tool.
func DefaultCredentials() []Credential {
	return []Credential{
		{"admin", "admin"},
		{"root", "root"},
		{"admin", "password"},
		{"admin", "1234"},
		{"root", "vizxv"},
		{"root", "xc3511"},
		{"root", "admin"},
		{"user", "user"},
		{"support", "support"},
		{"admin", ""},
	}
}

// Options configure Run. Only Allow is required.
type Options struct {
	// Allow is the ownership or allow-list check. Nil allows nothing.
	Allow AllowFunc
	// Ports lists the ports and services to probe; nil means DefaultPorts().
	Ports []Port
	// ConnsPerSecond limits new connections per second (default 10) with a
	// burst of Burst (default 1).
	ConnsPerSecond float64
	Burst          int
	// Budget bounds the whole run (default 5 minutes).
	Budget time.Duration
	// ConnTimeout bounds each connection from dial to close (default 5 s).
	ConnTimeout time.Duration
	// UDPWait is how long to wait for a UDP answer (default 2 s, at most
	// ConnTimeout).
	UDPWait time.Duration
	// Parallel is the number of ports probed at once (default 4).
	Parallel int
	// Dialer opens connections (default &net.Dialer{}).
	Dialer Dialer
	// Resolver resolves host names (default net.DefaultResolver).
	Resolver Resolver
	// Credentials to try on each login service; nil means
	// DefaultCredentials().
	Credentials []Credential
	// RootCAs are trusted for certificate chain checks (default: the system
	// pool).
	RootCAs *x509.CertPool
	// Now is the clock for certificate validity and report times (default
	// time.Now).
	Now func() time.Time
	// Logger receives debug lines (default: discard).
	Logger *slog.Logger
}

// Report is the outcome of one Run.
type Report struct {
	Target   string     `json:"target"`
	Address  netip.Addr `json:"address"`
	Started  time.Time  `json:"started"`
	Finished time.Time  `json:"finished"`
	// Ports is the state of every probed port, in the order given.
	Ports []PortState `json:"ports"`
	// Results holds one entry per check that ran to a conclusion, failed
	// (Passed false) or not, sorted by port, check and evidence.
	Results []Result `json:"results"`
	// Partial is set when the budget (or the caller's context) ended the run
	// before every check had run; Incomplete names those checks.
	Partial    bool   `json:"partial,omitempty"`
	Incomplete []Step `json:"incomplete,omitempty"`
	// Errors are checks that could not reach a conclusion for another
	// reason (protocol error, inconclusive login page).
	Errors []CheckError `json:"errors,omitempty"`
	// NoReachableService is set when no probed port was open (each closed
	// or filtered): nothing could be checked, which is not the same as
	// finding no weakness.
	NoReachableService bool `json:"no_reachable_service,omitempty"`
}

// Failed returns the results that are weaknesses.
func (r Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if !res.Passed {
			out = append(out, res)
		}
	}
	return out
}

// PortState is what the probe learnt about one port.
type PortState struct {
	Port    int     `json:"port"`
	Proto   Proto   `json:"proto"`
	Service Service `json:"service"`
	State   State   `json:"state"`
}

// State is a port's reachability.
type State string

// Port states.
const (
	Open     State = "open"
	Closed   State = "closed"   // connection refused
	Filtered State = "filtered" // no answer within the timeout, or unreachable (UDP: open or filtered)
	Unknown  State = "unknown"  // not probed (budget) or UDP without a check
)

// Step names a check on a port that did not run to its end.
type Step struct {
	Check   Check   `json:"check"`
	Port    int     `json:"port,omitempty"`
	Service Service `json:"service,omitempty"`
}

// CheckError is a check that ended without a conclusion.
type CheckError struct {
	Check   Check   `json:"check"`
	Port    int     `json:"port,omitempty"`
	Service Service `json:"service,omitempty"`
	Reason  string  `json:"reason"`
}

// Result is one check's conclusion.
type Result struct {
	Check    Check    `json:"check"`
	Port     int      `json:"port,omitempty"` // 0 for target-wide checks
	Service  Service  `json:"service,omitempty"`
	Severity Severity `json:"severity"`
	// Evidence says what was seen, e.g. "admin:admin accepted".
	Evidence string `json:"evidence"`
	// Provisions are the EN 303 645 provision ids the result evidences.
	Provisions []string `json:"provisions"`
	// Passed is false when the result is a weakness.
	Passed bool `json:"passed"`
}

// Severity ranks a weakness; passed results carry the severity they would
// have had.
type Severity string

// Severities.
const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// errBudget marks a check stopped by the rate limiter running into the
// budget deadline.
var errBudget = errors.New("time budget exhausted")

// Run probes target under opts and returns a report.
//
// It returns an error with code errs.Forbidden, before connecting to the
// target, when opts.Allow does not allow every address the target resolves
// to (or is nil); errs.Invalid for a bad target or port list. When the budget
// runs out the report is returned with Partial set and a nil error; when ctx
// itself ends, the partial report is returned with ctx's error.
func Run(ctx context.Context, target Target, opts Options) (Report, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return Report{}, err
	}
	host := strings.TrimSpace(target.Host)
	if err := checkHost(host); err != nil {
		return Report{}, err
	}
	addr, err := resolveAllowed(ctx, host, o)
	if err != nil {
		return Report{}, err
	}
	start := o.Now()
	rep := Report{Target: host, Address: addr, Started: start}

	bctx, cancel := context.WithTimeout(ctx, o.Budget)
	defer cancel()
	r := &runner{
		opts: o,
		host: host,
		addr: addr,
		lim:  rate.NewLimiter(rate.Limit(o.ConnsPerSecond), o.Burst),
	}
	r.run(bctx)

	rep.Finished = o.Now()
	rep.Ports = r.ports
	rep.NoReachableService = len(r.ports) > 0 && !slices.ContainsFunc(r.ports, func(p PortState) bool { return p.State == Open })
	rep.Results = r.results
	rep.Incomplete = r.incomplete
	rep.Errors = r.errors
	rep.Partial = len(r.incomplete) > 0
	sortResults(rep.Results)
	slices.SortFunc(rep.Incomplete, func(a, b Step) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Check, b.Check))
	})
	slices.SortFunc(rep.Errors, func(a, b CheckError) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Check, b.Check), cmp.Compare(a.Reason, b.Reason))
	})
	if ctx.Err() != nil {
		return rep, fmt.Errorf("probe %s: %w", host, ctx.Err())
	}
	return rep, nil
}

func sortResults(rs []Result) {
	slices.SortFunc(rs, func(a, b Result) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Check, b.Check), cmp.Compare(a.Evidence, b.Evidence))
	})
}

func (o Options) withDefaults() (Options, error) {
	if o.Ports == nil {
		o.Ports = DefaultPorts()
	}
	for i, p := range o.Ports {
		if p.Number < 1 || p.Number > 65535 {
			return o, errs.Field("ports["+strconv.Itoa(i)+"]", p.Number, "port out of range 1-65535")
		}
		if p.Proto != TCP && p.Proto != UDP {
			return o, errs.Field("ports["+strconv.Itoa(i)+"].proto", p.Proto, "must be tcp or udp")
		}
	}
	if o.ConnsPerSecond <= 0 {
		o.ConnsPerSecond = 10
	}
	if o.Burst <= 0 {
		o.Burst = 1
	}
	if o.Budget <= 0 {
		o.Budget = 5 * time.Minute
	}
	if o.ConnTimeout <= 0 {
		o.ConnTimeout = 5 * time.Second
	}
	if o.UDPWait <= 0 {
		o.UDPWait = 2 * time.Second
	}
	o.UDPWait = min(o.UDPWait, o.ConnTimeout)
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	if o.Dialer == nil {
		o.Dialer = &net.Dialer{}
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Credentials == nil {
		o.Credentials = DefaultCredentials()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o, nil
}

func checkHost(host string) error {
	if host == "" {
		return errs.Field("target", host, "required")
	}
	if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return nil
	}
	if strings.ContainsAny(host, "/:@ \t\r\n") {
		return errs.Field("target", host, "must be a host name or IP address, without scheme or port")
	}
	return nil
}

// resolveAllowed resolves host and asks the allow check about every
// address; it returns the address to probe.
func resolveAllowed(ctx context.Context, host string, o Options) (netip.Addr, error) {
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		addrs = []netip.Addr{a.Unmap()}
	} else {
		got, err := o.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return netip.Addr{}, errs.Errorf(errs.Invalid, "target %s: cannot resolve: %v", host, err)
		}
		for _, a := range got {
			addrs = append(addrs, a.Unmap())
		}
		if len(addrs) == 0 {
			return netip.Addr{}, errs.Errorf(errs.Invalid, "target %s: no addresses", host)
		}
	}
	for _, a := range addrs {
		if o.Allow == nil {
			return netip.Addr{}, &errs.Error{Code: errs.Forbidden,
				Message: fmt.Sprintf("target %s: no ownership or allow-list check configured", host)}
		}
		if err := o.Allow(ctx, host, a); err != nil {
			return netip.Addr{}, &errs.Error{Code: errs.Forbidden,
				Message: fmt.Sprintf("target %s (%s) may not be probed: ownership not verified and not in the lab allow-list", host, a),
				Err:     err}
		}
	}
	return addrs[0], nil
}

// runner holds the state of one Run.
type runner struct {
	opts Options
	host string
	addr netip.Addr
	lim  *rate.Limiter

	mu         sync.Mutex
	ports      []PortState
	results    []Result
	incomplete []Step
	errors     []CheckError
	sectxt     sectxtState
}

func (r *runner) add(res Result) {
	if res.Provisions == nil {
		res.Provisions = provisionsFor(res.Check, res.Service)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.results = append(r.results, res)
}

func (r *runner) fail(p Port, check Check, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, CheckError{Check: check, Port: p.Number, Service: p.Service, Reason: err.Error()})
}

func (r *runner) skip(p Port, checks ...Check) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range checks {
		r.incomplete = append(r.incomplete, Step{Check: c, Port: p.Number, Service: p.Service})
	}
}

func (r *runner) run(ctx context.Context) {
	r.ports = make([]PortState, len(r.opts.Ports))
	for i, p := range r.opts.Ports {
		r.ports[i] = PortState{Port: p.Number, Proto: p.Proto, Service: p.Service, State: Unknown}
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(r.opts.Parallel, len(r.opts.Ports)) {
		wg.Go(func() {
			for i := range work {
				st := r.probePort(ctx, r.opts.Ports[i])
				r.mu.Lock()
				r.ports[i].State = st
				r.mu.Unlock()
			}
		})
	}
	for i := range r.opts.Ports {
		work <- i
	}
	close(work)
	wg.Wait()
	r.finishSecurityTxt()
}

// stopped reports whether err ended a check because the budget or the
// caller's context ran out.
func stopped(ctx context.Context, err error) bool {
	// A connection deadline equal to the budget's can fire a moment before
	// the context notices its own.
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		return true
	}
	return ctx.Err() != nil || errors.Is(err, errBudget) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// step is one stage of a port's pipeline; checks are the results it
// decides (the first names it in errors).
type step struct {
	checks []Check
	run    func(ctx context.Context) error
}

// pipeline runs steps in order; once the budget is gone, the step that was
// interrupted and all later ones are marked incomplete.
func (r *runner) pipeline(ctx context.Context, p Port, steps []step) {
	for i, s := range steps {
		if ctx.Err() != nil {
			r.skipSteps(p, steps[i:])
			return
		}
		err := s.run(ctx)
		if err == nil {
			continue
		}
		if stopped(ctx, err) {
			r.skipSteps(p, steps[i:])
			return
		}
		r.opts.Logger.Debug("probe check failed", "check", s.checks[0], "port", p.Number, "err", err)
		r.fail(p, s.checks[0], err)
	}
}

func (r *runner) skipSteps(p Port, steps []step) {
	for _, s := range steps {
		r.skip(p, s.checks...)
	}
}

func (r *runner) probePort(ctx context.Context, p Port) State {
	if p.Proto == UDP {
		st := Unknown
		if p.Service == SSDP {
			r.pipeline(ctx, p, []step{{[]Check{CheckSSDP}, func(ctx context.Context) error { return r.checkSSDP(ctx, p, &st) }}})
		}
		return st // UDP services without a check are not probed
	}
	st, err := r.scan(ctx, p)
	if err != nil {
		r.skip(p, CheckPortOpen)
		r.skipSteps(p, r.serviceSteps(p))
		return Unknown
	}
	if st != Open {
		return st
	}
	r.pipeline(ctx, p, r.serviceSteps(p))
	return Open
}

// scan connects once to a TCP port and records the port-open result.
func (r *runner) scan(ctx context.Context, p Port) (State, error) {
	c, err := r.dial(ctx, "tcp", p.Number)
	if err != nil {
		if stopped(ctx, err) {
			return Unknown, err
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			return Closed, nil
		}
		// Timeouts, host or network unreachable: something filters.
		return Filtered, nil
	}
	c.Close()
	r.add(portOpenResult(p))
	if cleartext(p.Service) && p.Service != HTTP { // HTTP: decided by the page check (redirect to https)
		r.add(Result{Check: CheckCleartext, Port: p.Number, Service: p.Service, Severity: cleartextSeverity(p.Service),
			Evidence: fmt.Sprintf("%s on %d/tcp carries logins and data unencrypted", p.Service, p.Number)})
	}
	return Open, nil
}

// serviceSteps returns the checks for an open port's service.
func (r *runner) serviceSteps(p Port) []step {
	var steps []step
	add := func(f func(ctx context.Context) error, cs ...Check) { steps = append(steps, step{cs, f}) }
	if p.Service.TLS() {
		add(func(ctx context.Context) error { return r.checkTLSVersion(ctx, p, tlsVersion10) }, CheckTLS10)
		add(func(ctx context.Context) error { return r.checkTLSVersion(ctx, p, tlsVersion11) }, CheckTLS11)
		add(func(ctx context.Context) error { return r.checkWeakCiphers(ctx, p) }, CheckTLSWeakCipher)
		add(func(ctx context.Context) error { return r.checkCertificate(ctx, p) },
			CheckTLSCertValidity, CheckTLSCertTrust, CheckTLSCertHostname)
	}
	switch p.Service {
	case Telnet:
		add(func(ctx context.Context) error { return r.checkTelnet(ctx, p) }, CheckDefaultCredentials, CheckBanner)
	case SSH:
		add(func(ctx context.Context) error { return r.checkSSH(ctx, p) }, CheckDefaultCredentials)
	case FTP:
		add(func(ctx context.Context) error { return r.checkFTPAnonymous(ctx, p) }, CheckFTPAnonymous, CheckBanner)
		add(func(ctx context.Context) error { return r.checkFTPCredentials(ctx, p) }, CheckDefaultCredentials)
	case MQTT, MQTTS:
		add(func(ctx context.Context) error { return r.checkMQTT(ctx, p) }, CheckMQTTAnonymous, CheckDefaultCredentials)
	case HTTP, HTTPS:
		h := &httpState{}
		page := []Check{CheckBanner, CheckNoSniff, CheckCSP, CheckFrameOptions}
		if p.Service == HTTPS {
			page = append(page, CheckHSTS)
		} else {
			page = append(page, CheckCleartext)
		}
		add(func(ctx context.Context) error { return r.checkHTTPPage(ctx, p, h) }, page...)
		add(func(ctx context.Context) error { return r.checkHTTPLogin(ctx, p, h) }, CheckDefaultCredentials)
		add(func(ctx context.Context) error { return r.fetchSecurityTxt(ctx, p) }, CheckSecurityTxt)
	}
	return steps
}
