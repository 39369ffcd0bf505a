// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// makerMessages are the texts of makers' and test labs' pages (evidence
// files, an organisation's labels): key → {English, Dutch}.
func makerMessages() map[string][2]string {
	return map[string][2]string{
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
