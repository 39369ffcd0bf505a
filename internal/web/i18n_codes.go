// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// codeMessages are the names of coded values a page shows (view.Code):
// severities, finding statuses, asset kinds, contact roles, call
// outcomes, delivery states and channels, warning states, run kinds,
// source kinds and provision kinds, under "code.<kind>.<value>". CSV,
// JSON and the API keep the codes themselves.
func codeMessages() map[string][2]string {
	return map[string][2]string{
		"code.sev.unknown":  {"unknown", "onbekend"},
		"code.sev.info":     {"info", "informatief"},
		"code.sev.low":      {"low", "laag"},
		"code.sev.medium":   {"medium", "middel"},
		"code.sev.high":     {"high", "hoog"},
		"code.sev.critical": {"critical", "kritiek"},

		"code.status.open":     {"open", "open"},
		"code.status.resolved": {"resolved", "opgelost"},

		"code.asset.domain": {"domain", "domein"},
		"code.asset.cidr":   {"IP range", "IP-bereik"},
		"code.asset.asn":    {"AS number", "AS-nummer"},

		"code.contact.security":   {"security", "beveiliging"},
		"code.contact.technical":  {"technical", "techniek"},
		"code.contact.management": {"management", "directie"},
		"code.contact.abuse":      {"abuse", "misbruikmeldingen"},
		"code.contact.other":      {"other", "overig"},

		"code.outbox.pending":    {"pending", "wachtend"},
		"code.outbox.sending":    {"sending", "wordt verstuurd"},
		"code.outbox.sent":       {"sent", "verstuurd"},
		"code.outbox.failed":     {"failed (will retry)", "mislukt (volgt opnieuw)"},
		"code.outbox.dead":       {"given up", "opgegeven"},
		"code.outbox.unknown":    {"outcome unknown", "uitkomst onbekend"},
		"code.outbox.suppressed": {"suppressed (opted out or bounced)", "onderdrukt (afgemeld of onbestelbaar)"},

		"code.channel.email":   {"e-mail", "e-mail"},
		"code.channel.webhook": {"webhook", "webhook"},

		"code.notice.open":         {"open", "open"},
		"code.notice.acknowledged": {"acknowledged", "bevestigd"},
		"code.notice.resolved":     {"resolved", "opgelost"},
		"code.notice.escalated":    {"escalated", "geëscaleerd"},

		"code.run.feed":     {"feed", "feed"},
		"code.run.advisory": {"advisories", "adviezen"},
		"code.run.rematch":  {"inventory matched again", "inventaris opnieuw vergeleken"},
		"code.run.sync":     {"devices matched", "apparaten vergeleken"},

		"code.source.kev":          {"CISA KEV (JSON)", "CISA KEV (JSON)"},
		"code.source.epss":         {"FIRST EPSS (CSV)", "FIRST EPSS (CSV)"},
		"code.source.dir":          {"watched directory", "bewaakte map"},
		"code.source.shadowserver": {"Shadowserver Reports API", "Shadowserver Reports API"},
		"code.source.nvd":          {"NVD CVE API 2.0", "NVD CVE API 2.0"},
		"code.source.csaf":         {"CSAF provider", "CSAF-aanbieder"},
		"code.source.maildir":      {"mail drop (maildir)", "postbus (maildir)"},
		"code.source.osv":          {"OSV records", "OSV-records"},

		"code.provision.mandatory":   {"mandatory", "verplicht"},
		"code.provision.recommended": {"recommended", "aanbevolen"},

		"code.call.reached":      {"reached", "bereikt"},
		"code.call.acknowledged": {"acknowledged on the telephone", "telefonisch bevestigd"},
		"code.call.no_answer":    {"no answer", "geen gehoor"},
		"code.call.wrong_number": {"wrong number", "verkeerd nummer"},
		"code.call.left_message": {"left a message", "bericht achtergelaten"},
	}
}
