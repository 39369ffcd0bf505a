// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package inbound

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"path"
	"strings"

	"vigil/internal/errs"
	"vigil/internal/text"
)

// Attachment is a file attached to a message (a report e-mailed to a
// mail drop).
type Attachment struct {
	// Name is the file name the message gives it (base name only).
	Name string
	Body []byte
}

// Attachments returns a message's Message-ID and the files attached to
// it, in order: every MIME part, at any depth up to 8, with a file name
// (Content-Disposition's filename or Content-Type's name), decoded from
// base64 or quoted-printable. A message that is not mail is errs.Invalid.
func Attachments(raw []byte) (string, []Attachment, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", nil, errs.Field("message", "", "not an e-mail message: "+err.Error())
	}
	id := text.Clean(strings.TrimSpace(msg.Header.Get("Message-Id")))
	var out []Attachment
	walkParts(msg.Header, msg.Body, 0, &out)
	return id, out, nil
}

// header is what walkParts reads of a message's or a part's header.
type header interface{ Get(string) string }

func walkParts(h header, body io.Reader, depth int, out *[]Attachment) {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= 8 {
			return
		}
		mr := multipart.NewReader(body, params["boundary"])
		for i := 0; i < 64; i++ {
			p, err := mr.NextRawPart()
			if err != nil {
				return
			}
			walkParts(p.Header, p, depth+1, out)
		}
		return
	}
	name := params["name"]
	if _, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "" || name == "." || name == "/" {
		return
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64Reader(body)
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxMessageBytes))
	if err != nil {
		return
	}
	*out = append(*out, Attachment{Name: name, Body: b})
}
