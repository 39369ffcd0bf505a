// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// publicMessages are the texts of the public label registry and the
// security.txt checker: key → {English, Dutch}.
func publicMessages() map[string][2]string {
	return map[string][2]string{
		"nav.sectxt":              {"security.txt", "security.txt"},
		"nav.pubreg":              {"Label registry", "Labelregister"},
		"labels.title":            {"Label registry", "Labelregister"},
		"labels.intro":            {"Every security label vigil has issued, newest first. Search by the device's vendor, model or grade, open a label or check its signature.", "Alle beveiligingslabels die vigil heeft uitgegeven, nieuwste eerst. Zoek op fabrikant, model of klasse van het apparaat, open een label of controleer de handtekening."},
		"labels.search":           {"Search labels", "Labels zoeken"},
		"labels.vendor":           {"Vendor", "Fabrikant"},
		"labels.model":            {"Model", "Model"},
		"labels.grade":            {"Grade", "Klasse"},
		"labels.anygrade":         {"any grade", "elke klasse"},
		"labels.submit":           {"Search", "Zoeken"},
		"labels.caption":          {"Labels, newest first", "Labels, nieuwste eerst"},
		"labels.caption.search":   {"Labels that match the search, newest first", "Labels die bij de zoekopdracht passen, nieuwste eerst"},
		"labels.device":           {"Device", "Apparaat"},
		"labels.firmware":         {"firmware", "firmware"},
		"labels.id":               {"Label", "Label"},
		"labels.issued":           {"Issued", "Uitgegeven"},
		"labels.expires":          {"Valid until", "Geldig tot"},
		"labels.state":            {"State", "Status"},
		"labels.state.valid":      {"valid", "geldig"},
		"labels.state.revoked":    {"revoked", "ingetrokken"},
		"labels.state.superseded": {"superseded", "vervangen"},
		"labels.state.expired":    {"expired", "verlopen"},
		"labels.check":            {"Check", "Controle"},
		"labels.verify":           {"Verify", "Controleren"},
		"labels.verify.for":       {"Verify label %s", "Label %s controleren"},
		"labels.next":             {"Older labels", "Oudere labels"},
		"labels.none":             {"No labels have been issued yet.", "Er zijn nog geen labels uitgegeven."},
		"labels.nomatch":          {"No label matches the search.", "Geen label past bij de zoekopdracht."},
		"labels.api":              {"The registry as JSON (API)", "Het register als JSON (API)"},
		"sectxt.title":            {"Check a security.txt", "Een security.txt controleren"},
		"sectxt.intro":            {"Give a domain or an https URL. The file is fetched from /.well-known/security.txt (and /security.txt) and checked against RFC 9116: required fields, expiry, canonical URLs, the signature.", "Vul een domein of een https-URL in. Het bestand wordt opgehaald van /.well-known/security.txt (en /security.txt) en gecontroleerd volgens RFC 9116: verplichte velden, vervaldatum, canonieke URL's, de handtekening."},
		"sectxt.target":           {"Domain or URL", "Domein of URL"},
		"sectxt.submit":           {"Check", "Controleren"},
		"sectxt.result":           {"Result", "Uitkomst"},
		"sectxt.valid":            {"valid", "geldig"},
		"sectxt.invalid":          {"not valid", "niet geldig"},
		"sectxt.read":             {"Read from", "Gelezen van"},
		"sectxt.signed":           {"signed", "ondertekend"},
		"sectxt.errors":           {"Errors", "Fouten"},
		"sectxt.recommendations":  {"Recommendations", "Aanbevelingen"},
		"sectxt.notifications":    {"Notes", "Opmerkingen"},
		"sectxt.line":             {"line", "regel"},
		"sectxt.fields":           {"Fields", "Velden"},
	}
}
