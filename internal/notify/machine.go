// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"encoding/json"
	"fmt"
	"strings"

	"vigil/internal/xarf"
)

// Attachment is a file attached to a warning e-mail.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// MaxXARF bounds the X-ARF reports attached to one message; the notice
// document always carries every item.
const MaxXARF = 100

// incident is item it as X-ARF reads it.
func incident(it Item) xarf.Incident {
	return xarf.Incident{Type: it.Type, ReportType: it.ReportType, Title: it.TriggerTitle, IP: it.IP, Port: it.Port, Hostname: it.Hostname,
		CVE: it.CVE, FirstSeen: it.FirstSeen, LastSeen: it.LastSeen, Count: it.Count, Evidence: it.Evidence}
}

// xarfCount is the number of X-ARF reports the items make (at most
// MaxXARF).
func xarfCount(items []Item) int {
	n := 0
	for _, it := range items {
		if n == MaxXARF {
			break
		}
		if _, ok := xarf.FromIncident(incident(it), xarf.Meta{}); ok {
			n++
		}
	}
	return n
}

// MachineAttachments returns the machine-readable attachments of delivery
// m: its notice document (DeliveryDocument, named vigil-notice-TICKET.json,
// valid against NoticeSchema) and an X-ARF v4 report per abuse-type item
// (vigil-xarf-TICKET-N.json, at most MaxXARF), reported by reporter. The
// reports' ids derive from the delivery's idempotency key, so every
// attempt attaches the same files.
func MachineAttachments(m Outgoing, reporter xarf.Contact) ([]Attachment, error) {
	name := attachmentName(m.Ticket, m.NoticeID)
	doc, err := json.MarshalIndent(DeliveryDocument(m), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("notice document: %w", err)
	}
	out := []Attachment{{Name: "vigil-notice-" + name + ".json", ContentType: "application/json", Data: doc}}
	for i, it := range m.Content.Items {
		if len(out) > MaxXARF {
			break
		}
		r, ok := xarf.FromIncident(incident(it), xarf.Meta{Reporter: reporter, ID: fmt.Sprintf("%s/%d", m.Key, i), Source: it.TriggerTitle})
		if !ok {
			continue
		}
		b, err := xarf.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("x-arf report of item %d: %w", i+1, err)
		}
		out = append(out, Attachment{Name: fmt.Sprintf("vigil-xarf-%s-%d.json", name, len(out)), ContentType: xarf.ContentType, Data: b})
	}
	return out, nil
}

// Reporter returns the X-ARF reporter of a trust center named name that
// sends from address from.
func Reporter(name, from string) xarf.Contact {
	_, domain, _ := strings.Cut(from, "@")
	return xarf.Contact{Org: name, Contact: from, Domain: domain}
}
