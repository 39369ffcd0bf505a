// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// makerMessages are the texts of makers' and test labs' pages (evidence
// files, an organisation's labels): key → {English, Dutch}.
func makerMessages() map[string][2]string {
	return map[string][2]string{
		"nav.tokens":           {"API tokens", "API-tokens"},
		"tokens.title":         {"API tokens", "API-tokens"},
		"tokens.intro":         {"Tokens let programs use the REST API. An organisation's token reads (and with write, changes) that organisation's data; an operator token (no organisation) needs the admin scope. The secret is shown once, when the token is made.", "Met tokens gebruiken programma's de REST-API. Een token van een organisatie leest (en met write: wijzigt) de gegevens van die organisatie; een operatortoken (zonder organisatie) heeft de admin-scope nodig. Het geheim wordt één keer getoond, bij het aanmaken."},
		"tokens.caption":       {"Tokens, oldest first", "Tokens, oudste eerst"},
		"tokens.id":            {"No.", "Nr."},
		"tokens.name":          {"Name", "Naam"},
		"tokens.org":           {"Organisation", "Organisatie"},
		"tokens.operator":      {"operator", "operator"},
		"tokens.scopes":        {"Scopes", "Scopes"},
		"tokens.created":       {"Created", "Aangemaakt"},
		"tokens.state":         {"State", "Status"},
		"tokens.active":        {"active", "actief"},
		"tokens.revokedat":     {"revoked", "ingetrokken"},
		"tokens.revoke":        {"Revoke", "Intrekken"},
		"tokens.revoke.for":    {"Revoke token %d", "Token %d intrekken"},
		"tokens.none":          {"No tokens yet.", "Nog geen tokens."},
		"tokens.add":           {"Make a token", "Token aanmaken"},
		"tokens.org.help":      {"Its number; empty for an operator token.", "Het nummer; leeg voor een operatortoken."},
		"tokens.scope.read":    {"read", "read (lezen)"},
		"tokens.scope.write":   {"write", "write (wijzigen)"},
		"tokens.scope.admin":   {"admin (operator tokens only)", "admin (alleen operatortokens)"},
		"tokens.submit":        {"Make the token", "Token aanmaken"},
		"tokens.secret":        {"The new token's secret. Copy it now: it is not shown again.", "Het geheim van het nieuwe token. Kopieer het nu: het wordt niet opnieuw getoond."},
		"tokens.revoked":       {"The token was revoked.", "Het token is ingetrokken."},
		"nav.orglabels":        {"Labels", "Labels"},
		"evidence.title":       {"Evidence files", "Bewijsstukken"},
		"evidence.caption":     {"Files handed in with this assessment", "Bestanden bij deze beoordeling"},
		"evidence.name":        {"File", "Bestand"},
		"evidence.type":        {"Type", "Soort"},
		"evidence.size":        {"Bytes", "Bytes"},
		"evidence.added":       {"Added by", "Toegevoegd door"},
		"evidence.none":        {"No evidence files yet.", "Nog geen bewijsstukken."},
		"evidence.file":        {"Evidence file", "Bewijsstuk"},
		"evidence.help":        {"PDF, image (PNG, JPEG, GIF, WebP), plain text (CSV, JSON, Markdown) or ZIP; test reports, screenshots, policies.", "PDF, afbeelding (PNG, JPEG, GIF, WebP), platte tekst (CSV, JSON, Markdown) of ZIP; testrapporten, schermafdrukken, beleid."},
		"evidence.upload":      {"Upload", "Uploaden"},
		"evidence.uploaded":    {"The evidence file was added.", "Het bewijsstuk is toegevoegd."},
		"orglabels.title":      {"Labels", "Labels"},
		"orglabels.intro":      {"The security labels of your devices, newest first. Download a label or copy the snippet that shows it on your site, linked to its public page where anyone can verify it.", "De beveiligingslabels van uw apparaten, nieuwste eerst. Download een label of kopieer het fragment dat het op uw site toont, met een link naar de openbare pagina waar iedereen het kan controleren."},
		"orglabels.assessment": {"Assessment", "Beoordeling"},
		"orglabels.review":     {"assessment", "beoordeling"},
		"orglabels.download":   {"Download", "Downloaden"},
		"orglabels.embed":      {"Embed on your site (HTML)", "Op uw site plaatsen (HTML)"},
		"orglabels.none":       {"No labels yet: an analyst issues one when an assessment is accepted.", "Nog geen labels: een analist geeft er een uit wanneer een beoordeling is goedgekeurd."},
	}
}
