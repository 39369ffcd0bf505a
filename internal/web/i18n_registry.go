// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// registryMessages are the texts of the registry of ranges, domains, ASNs and contacts: key → {English, Dutch}.
func registryMessages() map[string][2]string {
	return map[string][2]string{
		"registry.title":        {"Registry", "Registratie"},
		"registry.assets":       {"Domains, IP ranges and AS numbers", "Domeinen, IP-reeksen en AS-nummers"},
		"registry.proof":        {"Prove that you hold a domain or range: publish a DNS TXT record with the value below at the name shown beside it (or, for a domain, a file at the address shown beside it whose content is that value), then press Check. AS numbers are checked by an analyst.", "Bewijs dat een domein of reeks van u is: publiceer een DNS TXT-record met de waarde hieronder op de naam ernaast (of, voor een domein, een bestand op het adres ernaast met die waarde als inhoud) en druk op Controleren. AS-nummers controleert een analist."},
		"registry.value":        {"TXT record value (and content of the file)", "Waarde van het TXT-record (en inhoud van het bestand)"},
		"registry.orfile":       {"or the file", "of het bestand"},
		"registry.asset":        {"Domain, range or AS number", "Domein, reeks of AS-nummer"},
		"registry.kind":         {"Kind", "Soort"},
		"registry.kind.guess":   {"recognise it", "herken het"},
		"registry.where":        {"Publish at", "Publiceer op"},
		"registry.state":        {"Ownership", "Eigendom"},
		"registry.verified":     {"The ownership is proven.", "Het eigendom is bewezen."},
		"registry.proven":       {"proven", "bewezen"},
		"registry.unproven":     {"not proven yet", "nog niet bewezen"},
		"registry.nofindings":   {"Draws no findings until its ownership is proven.", "Levert geen bevindingen op tot het eigendom bewezen is."},
		"registry.check":        {"Check", "Controleren"},
		"registry.byanalyst":    {"by an analyst", "door een analist"},
		"registry.add":          {"Register", "Registreren"},
		"registry.added":        {"Registered. Now prove that you hold it.", "Geregistreerd. Bewijs nu dat het van u is."},
		"registry.contacts":     {"Contacts", "Contactpersonen"},
		"registry.contact":      {"The contact was added.", "De contactpersoon is toegevoegd."},
		"registry.deleted":      {"The contact was deleted.", "De contactpersoon is verwijderd."},
		"registry.delete":       {"Delete", "Verwijderen"},
		"registry.edit":         {"Edit", "Wijzigen"},
		"registry.save":         {"Save", "Opslaan"},
		"registry.contactsaved": {"The contact was saved.", "De contactpersoon is opgeslagen."},
		"registry.phone":        {"Telephone", "Telefoon"},
		"registry.crole":        {"Role", "Rol"},
		"registry.addcontact":   {"Add a contact", "Contactpersoon toevoegen"},
		"registry.invite":       {"Invite a colleague", "Collega uitnodigen"},
		"registry.invited":      {"The invitation is on its way.", "De uitnodiging is onderweg."},
		"members.title":         {"Members", "Leden"},
		"members.remove":        {"Remove", "Verwijderen"},
		"members.removed":       {"The membership was removed: that account no longer reaches the organisation.", "Het lidmaatschap is verwijderd: dat account komt niet meer bij de organisatie."},
		"members.left":          {"You have left the organisation.", "U hebt de organisatie verlaten."},
		"registry.send":         {"Send the invitation", "Stuur de uitnodiging"},
	}
}
