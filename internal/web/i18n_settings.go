// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// settingsMessages are the texts of the administrators' settings page.
func settingsMessages() map[string][2]string {
	return map[string][2]string{
		"nav.settings":           {"Settings", "Instellingen"},
		"nav.admin":              {"Administration", "Beheer"},
		"settings.title":         {"Settings", "Instellingen"},
		"settings.intro":         {"What administrators change while the service runs. Every node reads these from the database, so a change holds everywhere at once, and each change is written to the audit log with the value before and after.", "Wat beheerders wijzigen terwijl de dienst draait. Elke node leest dit uit de database, dus een wijziging geldt meteen overal, en elke wijziging komt in het auditlog met de waarde ervoor en erna."},
		"settings.signup":        {"Self-service sign-up", "Zelf aanmelden"},
		"settings.signup.open":   {"Anyone may sign up for an account", "Iedereen mag zich aanmelden voor een account"},
		"settings.signup.help":   {"People confirm their e-mail address before they can sign in; their organisation stays pending until it proves a domain or range or an analyst approves it. Closed, accounts come only from an administrator or an invitation.", "Mensen bevestigen hun e-mailadres voordat ze kunnen inloggen; hun organisatie blijft in afwachting tot die een domein of reeks bewijst of een analist haar goedkeurt. Gesloten komen accounts alleen van een beheerder of via een uitnodiging."},
		"settings.save":          {"Save settings", "Instellingen opslaan"},
		"settings.saved":         {"The settings were saved.", "De instellingen zijn opgeslagen."},
		"settings.started":       {"Set when the service starts", "Ingesteld bij het starten van de dienst"},
		"settings.started.intro": {"These come from the configuration file or the command line of each node and change with a restart.", "Deze komen uit het configuratiebestand of de opdrachtregel van elke node en veranderen bij een herstart."},
		"settings.version":       {"Version", "Versie"},
		"settings.baseurl":       {"Public address (links in e-mail)", "Openbaar adres (links in e-mail)"},
		"settings.baseurl.none":  {"not set: links in e-mail and sign-up by e-mail are off", "niet ingesteld: links in e-mail en aanmelden per e-mail staan uit"},
	}
}
