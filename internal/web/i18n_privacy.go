// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// privacyMessages are the texts of the administrators' privacy page: key
// → {English, Dutch}.
func privacyMessages() map[string][2]string {
	return map[string][2]string{
		"nav.privacy":              {"Privacy", "Privacy"},
		"privacy.title":            {"Personal data", "Persoonsgegevens"},
		"privacy.intro":            {"Look up what the service holds about a person by e-mail address, download it as JSON for them, or erase it: contact rows are deleted and the address elsewhere is replaced by a pseudonym, so counts stay. Every lookup, download and erasure is written to the audit log.", "Zoek op wat de dienst over een persoon bewaart aan de hand van het e-mailadres, download het als JSON voor die persoon, of wis het: contactregels worden verwijderd en het adres elders wordt vervangen door een pseudoniem, zodat tellingen blijven. Elke opzoeking, download en wissing komt in het auditlog."},
		"privacy.contact":          {"E-mail address", "E-mailadres"},
		"privacy.lookup":           {"Look up", "Opzoeken"},
		"privacy.held":             {"Held about %s", "Bewaard over %s"},
		"privacy.logged":           {"This lookup was written to the audit log.", "Deze opzoeking is in het auditlog geschreven."},
		"privacy.caption":          {"Personal data by kind", "Persoonsgegevens per soort"},
		"privacy.kind":             {"Kind", "Soort"},
		"privacy.count":            {"Rows", "Regels"},
		"privacy.where":            {"Where", "Waar"},
		"privacy.contacts":         {"Contact of organisations", "Contactpersoon van organisaties"},
		"privacy.contacts.deleted": {"Contact rows deleted", "Contactregels verwijderd"},
		"privacy.notices":          {"Deliveries of warnings and mail", "Bezorgingen van waarschuwingen en mail"},
		"privacy.replies":          {"Replies received", "Ontvangen antwoorden"},
		"privacy.bounces":          {"Bounce records", "Bounceregistraties"},
		"privacy.suppressed":       {"on the suppression list", "op de blokkeerlijst"},
		"privacy.accounts":         {"Portal accounts", "Portaalaccounts"},
		"privacy.disabled":         {"disabled", "uitgeschakeld"},
		"privacy.audit":            {"Audit entries", "Auditregels"},
		"privacy.calls":            {"Calls on the call list (outcome and note)", "Telefoontjes van de bellijst (uitkomst en notitie)"},
		"privacy.calls.erased":     {"Calls anonymised (note emptied or caller pseudonymised)", "Telefoontjes geanonimiseerd (notitie leeggemaakt of beller gepseudonimiseerd)"},
		"privacy.download":         {"Download the export (JSON)", "Export downloaden (JSON)"},
		"privacy.erase":            {"Erase", "Wissen"},
		"privacy.erase.help":       {"Erasure cannot be undone. Contact rows are deleted; deliveries, replies (subject and body emptied), bounce records, accounts (disabled), calls the person made and audit entries keep their counts under a random pseudonym; notes of calls about the person's warnings are emptied.", "Wissen kan niet ongedaan worden gemaakt. Contactregels worden verwijderd; bezorgingen, antwoorden (onderwerp en tekst leeggemaakt), bounceregistraties, accounts (uitgeschakeld), telefoontjes die de persoon pleegde en auditregels houden hun tellingen onder een willekeurig pseudoniem; notities van telefoontjes over de waarschuwingen van de persoon worden leeggemaakt."},
		"privacy.confirm":          {"Type %s again to confirm", "Typ %s nogmaals ter bevestiging"},
		"privacy.erase.button":     {"Erase this person's data", "Gegevens van deze persoon wissen"},
		"privacy.erased":           {"The person's data was erased", "De gegevens van de persoon zijn gewist"},
		"privacy.pseudonym":        {"Pseudonym", "Pseudoniem"},
	}
}
