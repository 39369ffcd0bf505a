// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteText writes the report for people: where the file came from and
// whether it is valid, each issue with its code and line, and the contact
// fields a warning would use.
func (r Report) WriteText(w io.Writer) error {
	where := r.URL
	if where == "" {
		where = "file"
	}
	verdict := "valid"
	if !r.Valid {
		verdict = "NOT valid"
	}
	fmt.Fprintf(w, "%s: %s\n", where, verdict)
	for _, red := range r.Redirects {
		fmt.Fprintf(w, "  redirected from %s\n", red)
	}
	for _, group := range []struct {
		name   string
		issues []Issue
	}{{"error", r.Errors}, {"recommendation", r.Recommendations}, {"notification", r.Notifications}} {
		for _, is := range group.issues {
			line := "-"
			if is.Line != 0 {
				line = fmt.Sprint(int(is.Line))
			}
			fmt.Fprintf(w, "  %-14s %-26s line %-4s %s\n", group.name, is.Code, line, is.Message)
		}
	}
	if emails := r.Emails(); len(emails) > 0 {
		fmt.Fprintf(w, "  contact e-mail: %s\n", strings.Join(emails, ", "))
	}
	if langs := r.Languages(); len(langs) > 0 {
		fmt.Fprintf(w, "  languages: %s\n", strings.Join(langs, ", "))
	}
	if exp, ok := r.Expires(); ok {
		fmt.Fprintf(w, "  expires: %s\n", exp.Format(time.RFC3339))
	}
	if r.Signed {
		fmt.Fprintf(w, "  signed by: %s\n", r.Signer)
	}
	return nil
}
