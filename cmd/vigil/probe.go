// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/probe"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

func (a *cmdline) probeCmd() *cobra.Command {
	var labs, ports []string
	var assessment string
	var budget, timeout time.Duration
	var rate float64
	cmd := &cobra.Command{
		Use:   "probe TARGET [--lab CIDR]… [--assessment ID]",
		Short: "Probe a device for weaknesses EN 303 645 forbids (only owned or lab targets)",
		Long: `Probe one device (IP address or host name): open IoT service ports, default credentials on
telnet, SSH, HTTP, FTP and MQTT (a small built-in list, never brute force), anonymous MQTT
and FTP, TLS versions, ciphers and certificates, HTTP security headers, security.txt and
UPnP/SSDP exposure. Each weakness names the EN 303 645 provisions it shows are not met.

The target must lie in an IP range whose ownership was verified in the registry (of the
assessment's organisation when --assessment names a device assessment), or in a --lab
allow-list. Anything else is refused before a packet is sent (exit status 5).
With --assessment the report is stored with the assessment and its weaknesses become
the assessment's findings for that address.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			opts := probe.Options{Budget: budget, ConnTimeout: timeout, ConnsPerSecond: rate}
			for _, spec := range ports {
				p, err := parsePortSpec(spec)
				if err != nil {
					return err
				}
				opts.Ports = append(opts.Ports, p)
			}
			var prefixes []netip.Prefix
			for _, l := range labs {
				p, err := registry.NormalizeCIDR(l)
				if err != nil {
					return errs.Field("lab", l, err.Error())
				}
				prefixes = append(prefixes, p)
			}
			var aid int64
			owner := tenant.Operator() // any organisation's verified ranges
			if assessment != "" {
				if aid, err = assess.ParseID(assessment); err != nil {
					return err
				}
				as, err := s.AssessmentGet(ctx, tenant.Operator(), aid)
				if err != nil {
					return err
				}
				if as.OrgID != 0 {
					owner = tenant.Org(as.OrgID)
				}
			}
			checks := []probe.AllowFunc{rating.VerifiedOwner(s, owner)}
			if len(prefixes) > 0 {
				checks = append(checks, probe.AllowPrefixes(prefixes...))
			}
			opts.Allow = rating.AnyOf(checks...)
			rep, err := probe.Run(ctx, probe.Target{Host: args[0]}, opts)
			if err != nil {
				return err
			}
			var run assess.ProbeRun
			if aid != 0 {
				svc, err := a.rating(ctx)
				if err != nil {
					return err
				}
				if _, run, err = svc.AttachProbe(ctx, tenant.Operator(), aid, rep, a.cfg.Actor); err != nil {
					return err
				}
			}
			if a.asJSON {
				return a.printJSON(rep)
			}
			failed := rep.Failed()
			fmt.Fprintf(a.stdout, "probed %s (%s) in %s: %d weaknesses\n", rep.Target, rep.Address, rep.Finished.Sub(rep.Started).Round(time.Millisecond), len(failed))
			w := a.table()
			fmt.Fprintln(w, "PORT\tSERVICE\tCHECK\tSEVERITY\tPROVISIONS\tEVIDENCE")
			for _, r := range failed {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", portText(r.Port), r.Service, r.Check, r.Severity, strings.Join(r.Provisions, " "), fitText(r.Evidence, 70))
			}
			w.Flush()
			if rep.Partial {
				fmt.Fprintf(a.stdout, "partial: the time budget ended before %d checks\n", len(rep.Incomplete))
			}
			if run.ID != 0 {
				fmt.Fprintf(a.stdout, "stored with assessment %d (probe run %d)\n", aid, run.ID)
			}
			return nil
		},
	}
	a.ratingFlags(cmd)
	cmd.Flags().StringArrayVar(&labs, "lab", nil, "allow targets in this lab range (CIDR; repeatable)")
	cmd.Flags().StringArrayVar(&ports, "port", nil, "probe this port instead of the defaults: N/service or N/proto/service, e.g. 2323/telnet, 1900/udp/ssdp (repeatable)")
	cmd.Flags().StringVar(&assessment, "assessment", "", "store the results with this assessment")
	cmd.Flags().DurationVar(&budget, "budget", 2*time.Minute, "time budget for the whole probe")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "timeout per connection")
	cmd.Flags().Float64Var(&rate, "rate", 10, "new connections per second")
	return cmd
}

func portText(p int) string {
	if p == 0 {
		return "-"
	}
	return strconv.Itoa(p)
}

// parsePortSpec parses N/service or N/proto/service.
func parsePortSpec(s string) (probe.Port, error) {
	parts := strings.Split(s, "/")
	bad := func() (probe.Port, error) {
		return probe.Port{}, errs.Field("port", s, "want N/service or N/proto/service, e.g. 2323/telnet or 1900/udp/ssdp")
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
