// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"io"
	"text/tabwriter"

	"vigil/internal/notify"
	"vigil/internal/text"
	"vigil/internal/vuln"
)

// The text forms of the services' results, as the commands print them
// without --json.

// WriteAdvisoryText writes a line per loaded file (with the documents a
// provider refused and a failed label regrade), and a total line when
// there are several.
func WriteAdvisoryText(w io.Writer, sums []AdvisorySummary) error {
	var tot vuln.Result
	for _, s := range sums {
		tot.Add(s.Result)
		if s.Failed != "" && s.Records == 0 && s.Rejected == 0 {
			fmt.Fprintf(w, "%s: FAILED, nothing stored: %s\n", s.File, s.Failed)
			continue
		}
		if s.Failed != "" {
			fmt.Fprintf(w, "%s: FAILED: %s\n", s.File, s.Failed)
		}
		fmt.Fprintf(w, "%s: %s, %d rejected; advisories %d new, %d changed, %d unchanged; %d targets checked; findings %d new, %d updated, %d resolved\n",
			s.File, text.Plural(s.Records, "record", "records"), s.Rejected, s.New, s.Changed, s.Unchanged, s.Targets, s.FindingsNew, s.FindingsUpdated, s.FindingsResolved)
		for _, r := range s.Refused {
			fmt.Fprintf(w, "  refused %s\n", r)
		}
		if s.RegradeError != "" {
			fmt.Fprintf(w, "  label regrade failed: %s\n", s.RegradeError)
		}
	}
	if len(sums) > 1 {
		_, err := fmt.Fprintf(w, "total: %d files; advisories %d new, %d changed, %d unchanged; findings %d new, %d updated, %d resolved\n",
			len(sums), tot.New, tot.Changed, tot.Unchanged, tot.FindingsNew, tot.FindingsUpdated, tot.FindingsResolved)
		return err
	}
	return nil
}

// WriteText writes the file's verdict and a line per failure and warning.
func (r CSAFResult) WriteText(w io.Writer) error {
	switch {
	case r.Error != "":
		fmt.Fprintf(w, "%s: invalid: %s\n", r.File, r.Error)
	case r.Valid:
		fmt.Fprintf(w, "%s: valid\n", r.File)
	default:
		fmt.Fprintf(w, "%s: invalid (%d failures)\n", r.File, len(r.Failures))
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  %s %s: %s\n", f.Test, f.Path, f.Message)
	}
	for _, f := range r.Warnings {
		fmt.Fprintf(w, "  warning %s %s: %s\n", f.Test, f.Path, f.Message)
	}
	return nil
}

// WriteText writes what a notify run composed (or would compose), skipped,
// escalated and delivered.
func (res NotifyRunResult) WriteText(w io.Writer) error {
	c, verb := res.Composed, "composed"
	if res.DryRun {
		verb = "would compose"
	}
	fmt.Fprintf(w, "%s %s (%s) from %s: %d e-mail, %d webhook; %s held for digests\n",
		verb, text.Plural(c.Notices, "notice", "notices"), text.Plural(c.Digests, "digest", "digests"), text.Plural(c.Events, "event", "events"),
		c.Outbox[notify.Email], c.Outbox[notify.Webhook], text.Plural(c.Held, "item", "items"))
	for r, n := range c.Skipped {
		fmt.Fprintf(w, "  skipped %s: %s\n", text.Plural(n, "event", "events"), r)
	}
	if c.Discovered > 0 {
		fmt.Fprintf(w, "%s without a usable contact went to a security.txt or RDAP abuse contact\n", text.Plural(c.Discovered, "notice", "notices"))
	}
	if c.Undeliverable > 0 && res.DryRun {
		fmt.Fprintf(w, "%s without a usable contact: they would go to a security.txt or RDAP abuse contact when one is found, else to the call list\n", text.Plural(c.Undeliverable, "notice", "notices"))
	} else if c.Undeliverable > 0 {
		fmt.Fprintf(w, "%s could be sent to nobody (no contact, every address bounced, or no channel; no security.txt or RDAP abuse contact either): on the call list with the reason (vigil notify calls)\n",
			text.Plural(c.Undeliverable, "notice", "notices"))
	}
	if c.Waiting > 0 || c.Folded > 0 {
		fmt.Fprintf(w, "%s waiting for the end of their run; %s folded into digests by the cap\n", text.Plural(c.Waiting, "item", "items"), text.Plural(c.Folded, "item", "items"))
	}
	if res.DryRun && len(c.Orgs) > 0 {
		// Per organisation, most notices first: a burst shows before it goes.
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ORG\tNAME\tNOTICES\tIMMEDIATE\tDIGESTS\tITEMS\tFOLDED")
		for _, o := range c.Orgs {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%d\n", o.OrgID, o.Name, o.Notices, o.Immediate, o.Digests, o.Items, o.Folded)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		notify.WritePreviews(w, c.Previews)
	}
	if res.Escalated > 0 {
		fmt.Fprintf(w, "escalated %s to the call list (vigil notify calls)\n", text.Plural(res.Escalated, "notice", "notices"))
	}
	if d := res.Delivery; d != nil {
		fmt.Fprintf(w, "delivered: %d sent, %d to retry, %d dead, %d bounced\n", d.Sent, d.Failed, d.Dead, d.Bounced)
	}
	if !res.EmailReady && !res.DryRun {
		fmt.Fprintln(w, "e-mail not configured (--smtp-url or VIGIL_SMTP_URL): e-mail rows stay pending")
	}
	return nil
}
