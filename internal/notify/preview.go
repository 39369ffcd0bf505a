// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"fmt"
	"io"
	"strings"

	"vigil/internal/finding"
	"vigil/internal/text"
)

// Preview is one notice a dry run would compose: whom it goes to, on which
// channel and in which language, its subject there, and its findings.
type Preview struct {
	OrgID    int64            `json:"org_id"`
	OrgName  string           `json:"org_name"`
	Kind     Kind             `json:"kind"`
	Severity finding.Severity `json:"severity"`
	// Recipients are its deliveries; none when it is Undeliverable.
	Recipients []PreviewRecipient `json:"recipients"`
	// Undeliverable says why nobody would get it (it would go to the call
	// list after the fallback chain).
	Undeliverable string           `json:"undeliverable,omitempty"`
	Findings      []PreviewFinding `json:"findings"`
	// Content is the notice's content, for rendering the subjects.
	Content Content `json:"-"`
}

// PreviewRecipient is one delivery of a previewed notice.
type PreviewRecipient struct {
	Channel   Channel `json:"channel"`
	Recipient string  `json:"recipient"`
	Lang      string  `json:"lang"`
	// Subject is the subject line in Lang (e-mail), without the ticket
	// the notice gets when it is made.
	Subject string `json:"subject,omitempty"`
}

// PreviewFinding is one finding of a previewed notice.
type PreviewFinding struct {
	FindingID int64             `json:"finding_id,omitempty"`
	Event     finding.EventKind `json:"event"`
	Trigger   string            `json:"trigger"`
	Type      string            `json:"type"`
	Key       string            `json:"key"`
	Severity  finding.Severity  `json:"severity"`
}

// Previews returns the notices of plan p as a dry run shows them.
func (p *Plan) Previews() []Preview {
	out := make([]Preview, 0, len(p.Notices))
	for _, d := range p.Notices {
		c := d.Content
		v := Preview{OrgID: d.OrgID, OrgName: c.OrgName, Kind: c.Kind, Severity: c.Severity, Undeliverable: d.Undeliverable,
			Recipients: []PreviewRecipient{}, Findings: make([]PreviewFinding, 0, len(c.Items)), Content: c}
		for _, dl := range d.Deliveries {
			v.Recipients = append(v.Recipients, PreviewRecipient{Channel: dl.Channel, Recipient: dl.Recipient, Lang: dl.Lang})
		}
		for _, it := range c.Items {
			v.Findings = append(v.Findings, PreviewFinding{FindingID: it.FindingID, Event: it.Event, Trigger: it.Trigger, Type: it.Type, Key: it.Key, Severity: it.Severity})
		}
		out = append(out, v)
	}
	return out
}

// Subjects fills each e-mail recipient's subject, rendered by r in its
// language with sender as the service's name.
func Subjects(r *Renderer, sender string, ps []Preview) error {
	for i := range ps {
		for j := range ps[i].Recipients {
			rc := &ps[i].Recipients[j]
			if rc.Channel != Email {
				continue
			}
			out, err := r.Render(rc.Lang, View{Content: ps[i].Content, Sender: sender, Recipient: rc.Recipient})
			if err != nil {
				return fmt.Errorf("subject of the notice to %s: %w", rc.Recipient, err)
			}
			rc.Subject = out.Subject
		}
	}
	return nil
}

// WritePreviews writes ps as text: per notice its organisation, kind and
// severity, then a line per recipient (channel, language, address,
// subject) and per finding.
func WritePreviews(w io.Writer, ps []Preview) {
	for i, p := range ps {
		fmt.Fprintf(w, "notice %d: %s (org %d), %s, %s, %s\n", i+1, p.OrgName, p.OrgID, p.Kind, p.Severity, text.Plural(len(p.Findings), "finding", "findings"))
		if p.Undeliverable != "" {
			fmt.Fprintf(w, "  to nobody: %s (security.txt and RDAP are tried, then the call list)\n", p.Undeliverable)
		}
		for _, r := range p.Recipients {
			fmt.Fprintf(w, "  to %s %s [%s]", r.Channel, r.Recipient, r.Lang)
			if r.Subject != "" {
				fmt.Fprintf(w, ": %q", r.Subject)
			}
			fmt.Fprintln(w)
		}
		for _, f := range p.Findings {
			fmt.Fprintf(w, "  %s %s %s %s (%s)\n", f.Severity, f.Trigger, f.Type, strings.TrimSpace(f.Key), f.Event)
		}
	}
}
