// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/errs"
)

// mailboxRoutes are the demo mailbox's page: the mail the demo sent (the
// outbox delivers it to the App's mailbox instead of a relay), for an
// administrator to read. Served only when the App has a mailbox (vigil
// demo); elsewhere the path is not found.
func (s *Server) mailboxRoutes() []Route {
	if s.app.Mailbox() == nil {
		return nil
	}
	return []Route{
		{ID: "pageMailbox", Method: http.MethodGet, Path: "/admin/mailbox", Tag: "portal", Role: account.RoleAdmin,
			Query:   []Param{{Name: "m", Type: "integer", Description: "the message to show (its number in the list)"}},
			Summary: "The demo mailbox: the e-mail the demo sent, newest first, and one message's text", page: s.pageMailbox},
	}
}

// mailboxView is the mailbox page: the list and, when one is chosen, the
// message with its text cut into plain text and links.
type mailboxView struct {
	Messages []app.MailboxMessage
	Open     *app.MailboxMessage
	Body     []textPart
}

func (s *Server) pageMailbox(pc *pageCall) error {
	mb := s.app.Mailbox()
	v := mailboxView{Messages: mb.Messages()}
	if q := pc.query("m"); q != "" {
		id, _ := strconv.Atoi(q) // an integer (checkQuery); one out of range is no message
		m, err := mb.Message(id)
		if err != nil {
			return err
		}
		v.Open, v.Body = &m, linkify(m.Text)
	}
	return pc.page("mailbox", "mailbox.title", v)
}

// textPart is a piece of a plain text: text, or a link (URL set, Text
// what it shows).
type textPart struct {
	Text string
	URL  string
}

// linkRE finds the web links of a plain text.
var linkRE = regexp.MustCompile(`https?://[^\s<>"'\x60]+`)

// linkify cuts plain text into text and its http(s) links, so that the
// template escapes each and makes only the links clickable; punctuation
// that ends a sentence after a link stays text.
func linkify(t string) []textPart {
	var out []textPart
	for len(t) > 0 {
		loc := linkRE.FindStringIndex(t)
		if loc == nil {
			return append(out, textPart{Text: t})
		}
		link := strings.TrimRight(t[loc[0]:loc[1]], ".,;:!?)]")
		if loc[0] > 0 {
			out = append(out, textPart{Text: t[:loc[0]]})
		}
		out = append(out, textPart{Text: link, URL: link})
		t = t[loc[0]+len(link):]
	}
	return out
}

// mailOff refuses a form whose only effect is an e-mail when none can
// leave (app.SendsMail): the form would queue it in the outbox for ever.
// It answers 503, as the service lacks what the request needs.
func (s *Server) mailOff() error {
	if s.app.SendsMail() {
		return nil
	}
	return errs.Keyed(codeUnavailable, "", "mail.off", "this installation sends no e-mail (no SMTP relay is configured); ask its administrator")
}
