// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"vigil/internal/errs"
)

// errKeyPrefix is the prefix of a coded error's key in the message
// tables: errs.Error.Key "auth.password" is the row "err.auth.password".
const errKeyPrefix = "err."

// errorText returns err's message in lang: the message table's text of
// its key with its arguments when it has one, else its English message
// (errs.Message; for a field error whose field the page names, the
// message alone).
func (s *Server) errorText(err error, lang string, withField bool) string {
	var e *errs.Error
	if !errors.As(err, &e) || e.Code == errs.Internal {
		return errs.Message(err)
	}
	if e.Key != "" {
		if f, ok := s.messages(lang)[errKeyPrefix+e.Key]; ok {
			msg := fmt.Sprintf(f, e.Args...)
			if withField && e.Field != "" {
				return e.Field + ": " + msg
			}
			return msg
		}
	}
	if !withField && e.Field != "" && e.Message != "" {
		return e.Message
	}
	return errs.Message(err)
}

// fieldError is a line of a form's error summary: the field's id, its
// visible label and the message.
type fieldError struct {
	ID, Label, Message string
}

// errorSummary lists the errors of a form for the summary at the top of
// the page, each field named by its label as the page shows it (main is
// the page's rendered body) and linked to by its id; "_" is an error of
// no one field. Fields come in the order of the page.
func errorSummary(main []byte, formErrs map[string]string, fallback string) []fieldError {
	if len(formErrs) == 0 {
		return nil
	}
	doc, err := html.Parse(bytes.NewReader(main))
	if err != nil {
		doc = nil
	}
	out := make([]fieldError, 0, len(formErrs))
	for id, msg := range formErrs {
		fe := fieldError{ID: id, Message: msg}
		if id != "_" {
			fe.Label = fieldLabel(doc, id)
			if fe.Label == "" {
				fe.Label = fallback
			}
		}
		out = append(out, fe)
	}
	pos := func(id string) int {
		if i := bytes.Index(main, []byte(`id="`+id+`"`)); i >= 0 {
			return i
		}
		return len(main)
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := pos(out[i].ID), pos(out[j].ID)
		if pi != pj {
			return pi < pj
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// fieldLabel returns the accessible name of the element with id in doc as
// a person reads it: its aria-label, the text of the elements its
// aria-labelledby names, its <label for>, the <label> around it, or the
// legend of its fieldset; "" when it has none.
func fieldLabel(doc *html.Node, id string) string {
	if doc == nil {
		return ""
	}
	el := findNode(doc, func(n *html.Node) bool { return attr(n, "id") == id })
	if el == nil {
		return ""
	}
	if l := attr(el, "aria-label"); l != "" {
		return clean(l)
	}
	if ids := attr(el, "aria-labelledby"); ids != "" {
		var parts []string
		for _, ref := range strings.Fields(ids) {
			if n := findNode(doc, func(n *html.Node) bool { return attr(n, "id") == ref }); n != nil {
				parts = append(parts, nodeText(n))
			}
		}
		if l := clean(strings.Join(parts, " ")); l != "" {
			return l
		}
	}
	if n := findNode(doc, func(n *html.Node) bool { return n.DataAtom == atom.Label && attr(n, "for") == id }); n != nil {
		if l := clean(nodeText(n)); l != "" {
			return l
		}
	}
	for p := el.Parent; p != nil; p = p.Parent {
		switch p.DataAtom {
		case atom.Label:
			if l := clean(nodeText(p)); l != "" {
				return l
			}
		case atom.Fieldset:
			if lg := findNode(p, func(n *html.Node) bool { return n.DataAtom == atom.Legend }); lg != nil {
				return clean(nodeText(lg))
			}
		}
	}
	if el.DataAtom == atom.Fieldset {
		if lg := findNode(el, func(n *html.Node) bool { return n.DataAtom == atom.Legend }); lg != nil {
			return clean(nodeText(lg))
		}
	}
	return ""
}

func attr(n *html.Node, name string) string {
	if n.Type != html.ElementNode {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func findNode(n *html.Node, match func(*html.Node) bool) *html.Node {
	if match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findNode(c, match); f != nil {
			return f
		}
	}
	return nil
}

// nodeText is the text of n and its descendants, without the error and
// help texts a field carries (<small>) and without hidden parts.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Small || n.DataAtom == atom.Script || attr(n, "aria-hidden") == "true") {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// keepKey gives ne, an error made from err for a page's field, the key
// and arguments of err's first *errs.Error, so that the page still shows
// it in the reader's language. It returns ne.
func keepKey(ne *errs.Error, err error) *errs.Error {
	var e *errs.Error
	if errors.As(err, &e) && ne.Key == "" {
		ne.Key, ne.Args = e.Key, e.Args
	}
	return ne
}
