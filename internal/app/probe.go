// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/probe"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// ProbeRequest says what to probe, how, and where to store the result.
type ProbeRequest struct {
	// Target is an IP address or host name.
	Target string
	// Labs are lab ranges (CIDR) whose addresses may be probed without a
	// verified owner.
	Labs []string
	// Ports replace the default ports: N/service or N/proto/service.
	Ports []string
	// Assessment, when set, stores the report with the assessment (its
	// weaknesses become the assessment's findings for the address) and
	// limits owned ranges to its organisation's.
	Assessment string
	// Budget bounds the whole probe, Timeout each connection; Rate is new
	// connections per second.
	Budget, Timeout time.Duration
	Rate            float64
	// Actor is recorded with the stored report.
	Actor string
}

// ProbeResult is a probe's report and, when stored, the assessment and
// its probe run.
type ProbeResult struct {
	Report     probe.Report
	Assessment int64
	Run        assess.ProbeRun
}

// Probe probes one device for the weaknesses EN 303 645 forbids. The target
// must lie in an IP range whose ownership was verified (of the assessment's
// organisation when the assessment is of a device), or in a lab range;
// anything else is refused before a packet is sent (errs.Forbidden).
func (a *App) Probe(ctx context.Context, r ProbeRequest) (ProbeResult, error) {
	var out ProbeResult
	opts := probe.Options{Budget: r.Budget, ConnTimeout: r.Timeout, ConnsPerSecond: r.Rate}
	for _, spec := range r.Ports {
		p, err := ParsePortSpec(spec)
		if err != nil {
			return out, err
		}
		opts.Ports = append(opts.Ports, p)
	}
	var prefixes []netip.Prefix
	for _, l := range r.Labs {
		p, err := registry.NormalizeCIDR(l)
		if err != nil {
			return out, errs.Field("lab", l, err.Error())
		}
		prefixes = append(prefixes, p)
	}
	var aid int64
	owner := tenant.Operator() // any organisation's verified ranges
	if r.Assessment != "" {
		var err error
		if aid, err = assess.ParseID(r.Assessment); err != nil {
			return out, err
		}
		as, err := a.st.AssessmentGet(ctx, tenant.Operator(), aid)
		if err != nil {
			return out, err
		}
		if as.OrgID != 0 {
			owner = tenant.Org(as.OrgID)
		}
	}
	checks := []probe.AllowFunc{rating.VerifiedOwner(a.st, owner)}
	if len(prefixes) > 0 {
		checks = append(checks, probe.AllowPrefixes(prefixes...))
	}
	opts.Allow = rating.AnyOf(checks...)
	rep, err := probe.Run(ctx, probe.Target{Host: r.Target}, opts)
	if err != nil {
		return out, err
	}
	out.Report, out.Assessment = rep, aid
	if aid != 0 {
		svc, err := a.Rating()
		if err != nil {
			return out, err
		}
		_, out.Run, err = svc.AttachProbe(ctx, tenant.Operator(), aid, rep, r.Actor)
		return out, err
	}
	return out, nil
}

// ParsePortSpec parses N/service or N/proto/service (2323/telnet,
// 1900/udp/ssdp).
func ParsePortSpec(s string) (probe.Port, error) {
	parts := strings.Split(s, "/")
	bad := func() (probe.Port, error) {
		return probe.Port{}, errs.FieldKeyed("port", s, "probe.port", "want N/service or N/proto/service, e.g. 2323/telnet or 1900/udp/ssdp")
	}
	if len(parts) < 2 || len(parts) > 3 {
		return bad()
	}
	n, err := strconv.Atoi(parts[0])
	if err != nil || n < 1 || n > 65535 {
		return bad()
	}
	p := probe.Port{Number: n, Proto: probe.TCP, Service: probe.Service(strings.ToLower(parts[len(parts)-1]))}
	if p.Service == probe.SSDP {
		p.Proto = probe.UDP
	}
	if len(parts) == 3 {
		p.Proto = probe.Proto(strings.ToLower(parts[1]))
		if p.Proto != probe.TCP && p.Proto != probe.UDP {
			return bad()
		}
	}
	if p.Service == "" {
		return bad()
	}
	return p, nil
}
