// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// DSNRecipient is the per-recipient part of a delivery status
// notification (RFC 3464 §2.3).
type DSNRecipient struct {
	FinalRecipient    string `json:"final_recipient"`
	OriginalRecipient string `json:"original_recipient,omitempty"`
	Action            string `json:"action"`
	Status            string `json:"status,omitempty"`
	DiagnosticCode    string `json:"diagnostic_code,omitempty"`
	RemoteMTA         string `json:"remote_mta,omitempty"`
}

// Failed reports whether delivery to the recipient failed for good:
// Action "failed", or a permanent (5.x.x) status.
func (r DSNRecipient) Failed() bool {
	return strings.EqualFold(r.Action, "failed") || strings.HasPrefix(r.Status, "5.")
}

// DSN is a parsed bounce message.
type DSN struct {
	ReportingMTA string         `json:"reporting_mta,omitempty"`
	Recipients   []DSNRecipient `json:"recipients"`
	// FailedHeader lists the X-Failed-Recipients header's addresses (Exim
	// and Gmail bounces, which may come without a machine-readable part).
	FailedHeader []string `json:"x_failed_recipients,omitempty"`
	// OriginalMessageID is the Message-ID of the returned message, when the
	// bounce includes it (for vigil's own messages it names the delivery's
	// idempotency key).
	OriginalMessageID string `json:"original_message_id,omitempty"`
}

// ErrNotDSN is returned for a message that is neither a delivery status
// notification nor carries X-Failed-Recipients.
var ErrNotDSN = errors.New("not a delivery status notification")

// maxDSNParts bounds the MIME parts walked, against hostile nesting.
const maxDSNParts = 64

// ParseDSN reads a bounce message: an RFC 3464 multipart/report with a
// message/delivery-status (or RFC 6533 message/global-delivery-status)
// part, nested anywhere in the MIME tree, and the X-Failed-Recipients
// header. Messages with LF, CRLF or bare CR line ends are accepted.
func ParseDSN(r io.Reader) (*DSN, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(raw, []byte("\n")) && bytes.Contains(raw, []byte("\r")) {
		raw = bytes.ReplaceAll(raw, []byte("\r"), []byte("\n")) // classic Mac line ends
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	d := &DSN{}
	for _, h := range msg.Header["X-Failed-Recipients"] {
		for _, a := range strings.Split(h, ",") {
			if a = cleanAddr(a); a != "" {
				d.FailedHeader = append(d.FailedHeader, a)
			}
		}
	}
	parts := 0
	if err := d.walk(textproto.MIMEHeader(msg.Header), msg.Body, &parts, 0); err != nil {
		return nil, err
	}
	if len(d.Recipients) == 0 && len(d.FailedHeader) == 0 {
		return nil, ErrNotDSN
	}
	return d, nil
}

func (d *DSN) walk(h textproto.MIMEHeader, body io.Reader, parts *int, depth int) error {
	*parts++
	if *parts > maxDSNParts || depth > 8 {
		return fmt.Errorf("dsn: more than %d MIME parts or too deeply nested", maxDSNParts)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt = "text/plain"
	}
	body = decodeBody(h.Get("Content-Transfer-Encoding"), body)
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if params["boundary"] == "" {
			return nil
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				// A truncated or malformed tail: keep what was read.
				return nil
			}
			if err := d.walk(p.Header, p, parts, depth+1); err != nil {
				return err
			}
		}
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		return d.parseStatus(body)
	case mt == "message/rfc822" || mt == "text/rfc822-headers" || mt == "message/global" || mt == "message/global-headers":
		if d.OriginalMessageID == "" {
			tr := textproto.NewReader(bufio.NewReader(io.LimitReader(body, 1<<20)))
			if hdr, err := tr.ReadMIMEHeader(); err == nil || len(hdr) > 0 {
				d.OriginalMessageID = strings.Trim(strings.TrimSpace(hdr.Get("Message-Id")), "<>")
			}
		}
	}
	return nil
}

func decodeBody(cte string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &stripSpace{r: body})
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	}
	return body
}

// stripSpace drops the line breaks inside base64 bodies.
type stripSpace struct{ r io.Reader }

func (s *stripSpace) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
			p[j] = c
			j++
		}
	}
	if j == 0 && n > 0 && err == nil {
		return s.Read(p)
	}
	return j, err
}

// parseStatus reads the field groups of a delivery-status body: the
// per-message group, then one group per recipient, separated by blank
// lines.
func (d *DSN) parseStatus(body io.Reader) error {
	br := bufio.NewReader(io.LimitReader(body, 1<<20))
	for {
		// Skip blank lines between groups.
		for {
			b, err := br.Peek(1)
			if err != nil {
				return nil
			}
			if b[0] != '\n' && b[0] != '\r' {
				break
			}
			_, _ = br.ReadByte()
		}
		hdr, err := textproto.NewReader(br).ReadMIMEHeader()
		if len(hdr) > 0 {
			if v := hdr.Get("Reporting-Mta"); v != "" && d.ReportingMTA == "" {
				d.ReportingMTA = typedValue(v)
			}
			if fr := hdr.Get("Final-Recipient"); fr != "" {
				d.Recipients = append(d.Recipients, DSNRecipient{
					FinalRecipient:    cleanAddr(typedValue(fr)),
					OriginalRecipient: cleanAddr(typedValue(hdr.Get("Original-Recipient"))),
					Action:            strings.ToLower(strings.TrimSpace(hdr.Get("Action"))),
					Status:            firstField(hdr.Get("Status")),
					DiagnosticCode:    strings.Join(strings.Fields(typedValue(hdr.Get("Diagnostic-Code"))), " "),
					RemoteMTA:         typedValue(hdr.Get("Remote-Mta")),
				})
			}
		}
		if err != nil {
			return nil // end of the body, or a malformed line: keep what was read
		}
	}
}

// typedValue strips the address or diagnostic type of a field value:
// "rfc822; user@example.com" is "user@example.com".
func typedValue(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(after)
	}
	return strings.TrimSpace(v)
}

// firstField returns the first whitespace-separated word of s ("5.1.1"
// of "5.1.1 (user unknown)"), or "".
func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

func cleanAddr(a string) string {
	a = strings.TrimSpace(a)
	if ad, err := mail.ParseAddress(a); err == nil {
		return ad.Address
	}
	return strings.Trim(a, "<> \t")
}

// FailedAddresses returns the addresses whose delivery failed for good:
// the failed recipients of the report and the X-Failed-Recipients
// addresses, without duplicates (compared case-insensitively).
func (d *DSN) FailedAddresses() []string {
	var out []string
	seen := map[string]bool{}
	add := func(a string) {
		k := strings.ToLower(a)
		if a != "" && strings.Contains(a, "@") && !seen[k] {
			seen[k] = true
			out = append(out, a)
		}
	}
	for _, r := range d.Recipients {
		if r.Failed() {
			add(r.FinalRecipient)
		}
	}
	for _, a := range d.FailedHeader {
		add(a)
	}
	return out
}
