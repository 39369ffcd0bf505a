// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"bytes"
	_ "embed" // the notice schema
	"fmt"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"vigil/internal/finding"
	"vigil/internal/ticket"
	"vigil/internal/tlp"
)

// NoticeSchema is the JSON Schema (draft 2020-12) of Document, served at
// /schemas/notice.json.
//
//go:embed schema/notice.json
var NoticeSchema []byte

// SchemaPath is where the web server publishes NoticeSchema.
const SchemaPath = "/schemas/notice.json"

// Document is a notice as JSON, for machines: the body of a webhook
// delivery, the notice.json attachment of every warning e-mail and the full
// answer of the verification page. NoticeSchema describes it.
type Document struct {
	// Schema is the address of NoticeSchema, when known.
	Schema string `json:"$schema,omitempty"`
	// ID is the delivery's idempotency key (IdempotencyHeader); empty
	// outside a delivery.
	ID        string           `json:"id,omitempty"`
	Ticket    ticket.Ticket    `json:"ticket"`
	NoticeID  int64            `json:"notice_id"`
	Kind      Kind             `json:"kind"`
	Mode      Mode             `json:"mode,omitempty"`
	OrgID     int64            `json:"org_id,omitempty"`
	OrgName   string           `json:"org_name,omitempty"`
	Severity  finding.Severity `json:"severity"`
	CreatedAt time.Time        `json:"created_at"`
	Lang      string           `json:"lang,omitempty"`
	AckURL    string           `json:"ack_url,omitempty"`
	VerifyURL string           `json:"verify_url,omitempty"`
	Items     []Item           `json:"items"`
	// TLP is the notice's marking, the most restrictive of its items'.
	TLP tlp.Marking `json:"tlp,omitempty"`
}

// NewDocument returns the document of notice id with ticket t and content
// c, outside any delivery.
func NewDocument(id int64, t ticket.Ticket, c Content) Document {
	mode := c.Mode
	if mode == Immediate {
		mode = ""
	}
	return Document{Ticket: t, NoticeID: id, Kind: c.Kind, Mode: mode, OrgID: c.OrgID, OrgName: c.OrgName,
		Severity: c.Severity, CreatedAt: c.Created.UTC(), Items: c.Items, TLP: c.Marking()}
}

// DeliveryDocument returns the document of delivery m: the notice's, with
// the delivery's idempotency key, language and links. Its time is the
// outbox row's, so every attempt sends the same document.
func DeliveryDocument(m Outgoing) Document {
	d := NewDocument(m.NoticeID, m.Ticket, m.Content)
	d.Schema, d.ID, d.Lang, d.AckURL, d.VerifyURL, d.CreatedAt = m.SchemaURL, m.Key, m.Lang, m.AckURL, m.VerifyURL, m.Date.UTC()
	if d.OrgID == 0 {
		d.OrgID = m.OrgID
	}
	return d
}

// noticeSchema is NoticeSchema compiled, with formats asserted.
var noticeSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(NoticeSchema))
	if err != nil {
		return nil, fmt.Errorf("notice schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "urn:vigil:schema:notice:1"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("notice schema: %w", err)
	}
	return c.Compile(url)
})

// ValidateDocument checks a notice JSON document against NoticeSchema.
func ValidateDocument(b []byte) error {
	sch, err := noticeSchema()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("notice document: %w", err)
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("notice document: %w", err)
	}
	return nil
}
