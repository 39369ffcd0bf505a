// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"

	"golang.org/x/text/language"

	"vigil/internal/account"
)

// Languages are the portal's interface languages; the first is the
// fallback.
func Languages() []string { return []string{"en", "nl"} }

// pageLang picks a page's language: the signed-in user's choice, then the
// language cookie (a visitor's choice), then Accept-Language, then English.
func (s *Server) pageLang(r *http.Request, u *account.User) string {
	if u != nil && u.Lang != "" {
		return u.Lang
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "nl" || c.Value == "en") {
		return c.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, conf := s.matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return Languages()[i]
}

func newMatcher() language.Matcher {
	return language.NewMatcher([]language.Tag{language.English, language.Dutch})
}

// messageTables builds the message table per language from catalogue,
// whose rows hold the English and the Dutch text, so that no key can lack
// a translation.
func messageTables() map[string]map[string]string {
	out := map[string]map[string]string{"en": {}, "nl": {}}
	for k, v := range catalogue() {
		out["en"][k], out["nl"][k] = v[0], v[1]
	}
	return out
}

// messages returns the message table of lang.
func (s *Server) messages(lang string) map[string]string {
	if m, ok := s.msgs[lang]; ok {
		return m
	}
	return s.msgs["en"]
}

// catalogue is every text of the portal: key → {English, Dutch}. The texts
// live beside the pages in tables of their own (i18n_*.go); a key in two
// tables is a programming error.
func catalogue() map[string][2]string {
	out := map[string][2]string{}
	for _, table := range []map[string][2]string{
		coreMessages(),
		accountMessages(),
		signupMessages(),
		findingsMessages(),
		analystMessages(),
		devicesMessages(),
		assessMessages(),
		registryMessages(),
		verifyMessages(),
		publicMessages(),
		ingestMessages(),
		makerMessages(),
		productMessages(),
		sourceMessages(),
		privacyMessages(),
		settingsMessages(),
		mailboxMessages(),
		errorMessages(),
		inputErrorMessages(),
		requestErrorMessages(),
		approvalMessages(),
		linkMessages(),
		codeMessages(),
	} {
		for k, v := range table {
			if _, dup := out[k]; dup {
				panic("web: message key " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}
