// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// verifyMessages are the texts of label verification: key → {English, Dutch}.
func verifyMessages() map[string][2]string {
	return map[string][2]string{
		"verify.title":   {"Verify a security label", "Beveiligingslabel controleren"},
		"verify.intro":   {"Give the id printed on the label (VL-…), or upload the label document (JSON). The signature, the signing key, the validity dates and the registry (revoked, superseded) are checked.", "Vul het id in dat op het label staat (VL-…), of upload het labeldocument (JSON). De handtekening, de sleutel, de geldigheid en het register (ingetrokken, vervangen) worden gecontroleerd."},
		"verify.id":      {"Label id", "Label-id"},
		"verify.file":    {"or a label document (JSON)", "of een labeldocument (JSON)"},
		"verify.submit":  {"Verify", "Controleren"},
		"verify.result":  {"Result", "Uitkomst"},
		"verify.valid":   {"This label is valid.", "Dit label is geldig."},
		"verify.invalid": {"This label is NOT valid", "Dit label is NIET geldig"},
		"verify.grade":   {"Grade", "Klasse"},
		"verify.device":  {"Device", "Apparaat"},
		"verify.issued":  {"Issued", "Uitgegeven"},
		"verify.expires": {"Valid until", "Geldig tot"},
		"verify.key":     {"Signing key", "Sleutel"},
	}
}
