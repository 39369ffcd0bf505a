// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// codeMessages are the names of coded values a page shows (view.Code):
// severities, finding statuses, asset kinds and contact roles, under
// "code.<kind>.<value>". CSV, JSON and the API keep the codes themselves.
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

		"code.call.reached":      {"reached", "bereikt"},
		"code.call.no_answer":    {"no answer", "geen gehoor"},
		"code.call.wrong_number": {"wrong number", "verkeerd nummer"},
		"code.call.left_message": {"left a message", "bericht achtergelaten"},
	}
}
