// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"vigil/internal/text"
)

// WriteText writes the report as `vigil probe` prints it: a summary line,
// a table of the weaknesses found and, for a partial probe, how many
// checks the time budget cut off.
func (r Report) WriteText(w io.Writer) error {
	failed := r.Failed()
	if r.NoReachableService {
		closed := 0
		for _, p := range r.Ports {
			if p.State == Closed {
				closed++
			}
		}
		_, err := fmt.Fprintf(w, "probed %s (%s) in %s: no reachable service (%d of %d ports closed, the others filtered): nothing could be checked\n",
			r.Target, r.Address, r.Finished.Sub(r.Started).Round(time.Millisecond), closed, len(r.Ports))
		return err
	}
	fmt.Fprintf(w, "probed %s (%s) in %s: %d weaknesses\n", r.Target, r.Address, r.Finished.Sub(r.Started).Round(time.Millisecond), len(failed))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PORT\tSERVICE\tCHECK\tSEVERITY\tPROVISIONS\tEVIDENCE")
	for _, res := range failed {
		port := "-"
		if res.Port != 0 {
			port = strconv.Itoa(res.Port)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", port, res.Service, res.Check, res.Severity, strings.Join(res.Provisions, " "), text.Fit(res.Evidence, 70))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Partial {
		fmt.Fprintf(w, "partial: the time budget ended before %d checks\n", len(r.Incomplete))
	}
	return nil
}
