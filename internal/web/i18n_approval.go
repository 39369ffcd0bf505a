// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// approvalMessages are the texts of the approval of registered
// organisations: the analysts' pending page (approve, reject with a
// reason), a rejected organisation's notice and new request on its
// members' pages, the e-mail telling them, and an analyst's manual check
// of an asset's ownership.
func approvalMessages() map[string][2]string {
	return map[string][2]string{
		"pending.intro": {"Organisations registered through the portal wait here until they prove a domain or range or an analyst approves them; until then they draw findings only through what they proved. A rejected organisation draws none; its members read the reason and may ask again.",
			"Organisaties die zich via het portaal aanmeldden wachten hier tot ze een domein of reeks bewijzen of een analist ze goedkeurt; tot dan krijgen ze alleen bevindingen over wat ze bewezen. Een afgewezen organisatie krijgt er geen; haar leden lezen de reden en mogen het opnieuw vragen."},
		"pending.registered":   {"Registered", "Aangemeld"},
		"pending.note":         {"Asked again:", "Opnieuw gevraagd:"},
		"pending.alike":        {"Name reads as:", "Naam lijkt op:"},
		"pending.reason":       {"Reason for the members", "Reden voor de leden"},
		"pending.reject":       {"Reject", "Afwijzen"},
		"pending.rejected":     {"The organisation is rejected; its members are told by e-mail.", "De organisatie is afgewezen; haar leden krijgen bericht per e-mail."},
		"pending.rejectedlist": {"Rejected", "Afgewezen"},
		"pending.by":           {"Rejected by", "Afgewezen door"},
		"pending.show":         {"Show", "Toon"},
		"pending.all":          {"all", "alle"},
		"pending.waiting":      {"waiting", "wachtend"},
		"pending.onlyrejected": {"rejected", "afgewezen"},
		"pending.nonerejected": {"No rejected organisations.", "Geen afgewezen organisaties."},
		"org.rejected":         {"An analyst rejected this organisation, so it receives no findings. The reason:", "Een analist heeft deze organisatie afgewezen, dus ze krijgt geen bevindingen. De reden:"},
		"org.reapply":          {"Change what is asked and ask again", "Pas aan wat gevraagd wordt en vraag het opnieuw"},
		"reapply.title":        {"Ask again for approval", "Opnieuw om goedkeuring vragen"},
		"reapply.intro":        {"Change what the reason asks for (domains, ranges, contacts on this page), then say what you changed. The organisation waits for an analyst again; proving a domain or range does not approve it by itself after a rejection.", "Pas aan waar de reden om vraagt (domeinen, reeksen, contactpersonen op deze pagina) en zeg wat u veranderde. De organisatie wacht dan weer op een analist; na een afwijzing keurt het bewijzen van een domein of reeks haar niet vanzelf goed."},
		"reapply.note":         {"What changed", "Wat er veranderde"},
		"reapply.submit":       {"Ask again", "Opnieuw vragen"},
		"registry.reapplied":   {"Asked again: the organisation waits for an analyst.", "Opnieuw gevraagd: de organisatie wacht op een analist."},
		"registry.how":         {"How ownership was checked", "Hoe het eigendom is nagegaan"},
		"registry.how.example": {"RIR contact confirmed by telephone", "RIR-contact telefonisch bevestigd"},
		"registry.confirm":     {"Verify by hand", "Handmatig verifiëren"},
		"registry.confirmed":   {"The asset is verified by hand.", "Het onderdeel is handmatig geverifieerd."},
		"mail.reject.subject":  {"vigil: the registration of %s was not approved", "vigil: de aanmelding van %s is niet goedgekeurd"},
		"mail.reject.text": {"An analyst did not approve the registration of %s with vigil, so it receives no warnings or findings for now. The reason:\n\n%s\n\nChange what is asked and ask again on the organisation's registry page:\n%s\n",
			"Een analist heeft de aanmelding van %s bij vigil niet goedgekeurd, dus ze krijgt voorlopig geen waarschuwingen of bevindingen. De reden:\n\n%s\n\nPas aan wat gevraagd wordt en vraag het opnieuw op de registratiepagina van de organisatie:\n%s\n"},
	}
}
