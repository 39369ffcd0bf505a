// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package inbound_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/inbound"
)

// TestAttachments reads the files attached to messages of the shapes
// report mail takes.
func TestAttachments(t *testing.T) {
	for _, tc := range []struct {
		name string
		raw  string
		id   string
		want []inbound.Attachment
	}{
		{"base64_attachment", "Message-ID: <a@x>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
			"--b\r\nContent-Disposition: attachment; filename=\"r.csv\"\r\nContent-Transfer-Encoding: base64\r\n\r\naXAKMTkyLjAuMi4xCg==\r\n--b--\r\n",
			"<a@x>", []inbound.Attachment{{Name: "r.csv", Body: []byte("ip\n192.0.2.1\n")}}},
		{"nested_name_only_quoted_printable", "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: multipart/alternative; boundary=i\r\n\r\n" +
			"--i\r\nContent-Type: text/csv; name=\"C:\\\\reports\\\\x.csv\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=3Db\r\n--i--\r\n--o--\r\n",
			"", []inbound.Attachment{{Name: "x.csv", Body: []byte("a=b")}}},
		{"no_attachment", "Subject: hi\r\n\r\njust text\r\n", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, got, err := inbound.Attachments([]byte(tc.raw))
			if err != nil || id != tc.id {
				t.Fatalf("Attachments = %q, %v", id, err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("attachments (-want +got):\n%s", d)
			}
		})
	}
	if _, _, err := inbound.Attachments([]byte("\x00 not mail")); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("not mail = %v; want invalid", err)
	}
}
