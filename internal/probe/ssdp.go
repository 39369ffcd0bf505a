// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"vigil/internal/text"
)

// ssdpSearch is a unicast M-SEARCH for every service type (UPnP Device
// Architecture 2.0, 1.3.2).
const ssdpSearch = "M-SEARCH * HTTP/1.1\r\n" +
	"HOST: 239.255.255.250:1900\r\n" +
	"MAN: \"ssdp:discover\"\r\n" +
	"MX: 1\r\n" +
	"ST: ssdp:all\r\n" +
	"USER-AGENT: vigil-probe UPnP/2.0\r\n\r\n"

// checkSSDP sends one M-SEARCH to the target and waits UDPWait for an
// answer. Any answer means the device exposes UPnP discovery; silence (or
// ICMP port unreachable) passes.
//
// A socket whose local address is the target's (the system gave the probe
// the very port it asks about, which happens on a host probing itself when
// that port is free) would read back its own M-SEARCH: nothing else holds
// the port, so it is closed, and nothing is sent.
func (r *runner) checkSSDP(ctx context.Context, p Port, st *State) error {
	c, err := r.dial(ctx, "udp", p.Number)
	if err != nil {
		return err
	}
	defer c.Close()
	res := Result{Check: CheckSSDP, Port: p.Number, Service: p.Service, Severity: Medium}
	if c.LocalAddr().String() == c.RemoteAddr().String() {
		*st = Closed
		res.Passed = true
		res.Evidence = "no SSDP responder (port free on the probing host)"
		r.add(res)
		return nil
	}
	if err := c.SetReadDeadline(time.Now().Add(r.opts.UDPWait)); err != nil {
		return err
	}
	if _, err := c.Write([]byte(ssdpSearch)); err != nil {
		return fmt.Errorf("ssdp: %w", err)
	}
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	var ne net.Error
	switch {
	case err == nil:
		*st = Open
		res.Evidence = "answers SSDP M-SEARCH: " + ssdpSummary(buf[:n])
	case ctx.Err() != nil:
		return err
	case errors.Is(err, syscall.ECONNREFUSED):
		*st = Closed
		res.Passed = true
		res.Evidence = "no SSDP responder (port unreachable)"
	case errors.As(err, &ne) && ne.Timeout():
		*st = Filtered
		res.Passed = true
		res.Evidence = fmt.Sprintf("no answer to SSDP M-SEARCH within %s", r.opts.UDPWait)
	default:
		return fmt.Errorf("ssdp: %w", err)
	}
	r.add(res)
	return nil
}

// ssdpSummary returns the SERVER, ST and LOCATION of an SSDP answer, or a
// quoted prefix when it is not HTTPU.
func ssdpSummary(b []byte) string {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	if err != nil {
		return fmt.Sprintf("%q", text.Truncate(string(b), 120))
	}
	resp.Body.Close()
	var parts []string
	for _, k := range []string{"Server", "St", "Location"} {
		if v := resp.Header.Get(k); v != "" {
			parts = append(parts, strings.ToUpper(k)+": "+v)
		}
	}
	if len(parts) == 0 {
		return resp.Status
	}
	return strings.Join(parts, "; ")
}
