// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
)

func (a *cmdline) probeCmd() *cobra.Command {
	var r app.ProbeRequest
	cmd := a.command("probe TARGET [--lab CIDR]… [--assessment ID]", "Probe a device for weaknesses EN 303 645 forbids (only owned or lab targets)", 1,
		func(ctx context.Context, x *app.App, args []string) error {
			r.Target, r.Actor = args[0], a.cfg.Actor
			res, err := x.Probe(ctx, r)
			if err != nil {
				return err
			}
			rep := res.Report
			if a.asJSON {
				return a.printJSON(rep)
			}
			failed := rep.Failed()
			fmt.Fprintf(a.stdout, "probed %s (%s) in %s: %d weaknesses\n", rep.Target, rep.Address, rep.Finished.Sub(rep.Started).Round(time.Millisecond), len(failed))
			w := a.table()
			fmt.Fprintln(w, "PORT\tSERVICE\tCHECK\tSEVERITY\tPROVISIONS\tEVIDENCE")
			for _, r := range failed {
				port := "-"
				if r.Port != 0 {
					port = strconv.Itoa(r.Port)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", port, r.Service, r.Check, r.Severity, strings.Join(r.Provisions, " "), fitText(r.Evidence, 70))
			}
			w.Flush()
			if rep.Partial {
				fmt.Fprintf(a.stdout, "partial: the time budget ended before %d checks\n", len(rep.Incomplete))
			}
			if res.Run.ID != 0 {
				fmt.Fprintf(a.stdout, "stored with assessment %d (probe run %d)\n", res.Assessment, res.Run.ID)
			}
			return nil
		})
	cmd.Long = `Probe one device (IP address or host name): open IoT service ports, default credentials on
telnet, SSH, HTTP, FTP and MQTT (a small built-in list, never brute force), anonymous MQTT
and FTP, TLS versions, ciphers and certificates, HTTP security headers, security.txt and
UPnP/SSDP exposure. Each weakness names the EN 303 645 provisions it shows are not met.

The target must lie in an IP range whose ownership was verified in the registry (of the
assessment's organisation when --assessment names a device assessment), or in a --lab
allow-list. Anything else is refused before a packet is sent (exit status 5).
With --assessment the report is stored with the assessment and its weaknesses become
the assessment's findings for that address.`
	a.ratingFlags(cmd)
	cmd.Flags().StringArrayVar(&r.Labs, "lab", nil, "allow targets in this lab range (CIDR; repeatable)")
	cmd.Flags().StringArrayVar(&r.Ports, "port", nil, "probe this port instead of the defaults: N/service or N/proto/service, e.g. 2323/telnet, 1900/udp/ssdp (repeatable)")
	cmd.Flags().StringVar(&r.Assessment, "assessment", "", "store the results with this assessment")
	cmd.Flags().DurationVar(&r.Budget, "budget", 2*time.Minute, "time budget for the whole probe")
	cmd.Flags().DurationVar(&r.Timeout, "timeout", 5*time.Second, "timeout per connection")
	cmd.Flags().Float64Var(&r.Rate, "rate", 10, "new connections per second")
	return cmd
}
