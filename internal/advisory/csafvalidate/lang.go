// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/language"
)

// langTagPattern is the well-formed syntax of RFC 5646 section 2.1 (without
// the irregular grandfathered tags, which checkLanguage lists).
const langTagPattern = `^(?i:` +
	`(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})` + // language, extlang
	`(?:-[a-z]{4})?` + // script
	`(?:-(?:[a-z]{2}|[0-9]{3}))?` + // region
	`((?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)` + // variants
	`((?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*)` + // extensions
	`(?:-x(?:-[a-z0-9]{1,8})+)?` + // private use
	`|x(?:-[a-z0-9]{1,8})+)$`

// langTagRe is compiled once; regexp.Regexp is immutable and safe for concurrent use.
var langTagRe = regexp.MustCompile(langTagPattern)

// irregular lists the irregular grandfathered tags of RFC 5646.
func irregular(tag string) bool {
	switch strings.ToLower(tag) {
	case "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux", "i-mingo",
		"i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de":
		return true
	}
	return false
}

// checkLanguage reports why tag is not a valid BCP 47 language tag: it must
// be well-formed (RFC 5646 2.1), have no repeated variant or extension
// singleton (2.2.5, 2.2.6) and use only subtags of the IANA registry
// (checked by golang.org/x/text/language).
func checkLanguage(tag string) error {
	if irregular(tag) {
		return nil
	}
	m := langTagRe.FindStringSubmatch(tag)
	if m == nil {
		return fmt.Errorf("not a well-formed language tag")
	}
	seen := map[string]bool{}
	for _, v := range strings.Split(strings.ToLower(m[1]), "-") {
		if v == "" {
			continue
		}
		if seen[v] {
			return fmt.Errorf("variant %q is repeated", v)
		}
		seen[v] = true
	}
	singletons := map[string]bool{}
	for _, p := range strings.Split(strings.ToLower(m[2]), "-") {
		if len(p) != 1 {
			continue
		}
		if singletons[p] {
			return fmt.Errorf("extension %q is repeated", p)
		}
		singletons[p] = true
	}
	if _, err := language.Parse(tag); err != nil {
		return err
	}
	return nil
}

// 6.1.12: document.lang and document.source_lang are valid language tags.
func test6112(c *checker) {
	for _, k := range []string{"lang", "source_lang"} {
		tag, ok := getStr(c.doc, "document", k)
		if !ok {
			continue
		}
		if err := checkLanguage(tag); err != nil {
			c.fail(root.k("document").k(k), "%q is not a valid language tag: %v", tag, err)
		}
	}
}

// 6.1.15: a translator's document states its source language.
func test6115(c *checker) {
	if cat, _ := getStr(c.doc, "document", "publisher", "category"); cat != "translator" {
		return
	}
	if s, _ := getStr(c.doc, "document", "source_lang"); s == "" {
		c.fail(root.k("document").k("source_lang"), "publisher category is translator but source_lang is missing")
	}
}

// 6.1.28: source and document language differ (tags compare case-insensitively).
func test6128(c *checker) {
	lang, ok1 := getStr(c.doc, "document", "lang")
	src, ok2 := getStr(c.doc, "document", "source_lang")
	if ok1 && ok2 && strings.EqualFold(lang, src) {
		c.fail(root.k("document").k("source_lang"), "source_lang %q is the same as lang %q", src, lang)
	}
}
