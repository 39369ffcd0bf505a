// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// inputErrorMessages are the texts of the coded errors that refuse what a
// person typed into a form (or sent in a request body): organisations,
// contacts, domains, ranges and AS numbers, devices, accounts,
// assessments and their evidence. Like errorMessages, each English text
// is the format the error is made with and the Dutch one takes the same
// arguments (TestErrorKeysTranslated).
func inputErrorMessages() map[string][2]string {
	return map[string][2]string{
		"err.text.nul":  {"contains a NUL byte", "bevat een NUL-byte"},
		"err.text.utf8": {"is not valid UTF-8", "is geen geldige UTF-8"},
		"err.csv.utf8":  {"not valid UTF-8", "geen geldige UTF-8"},

		// Registry: ranges, AS numbers, domains, contacts, policy.
		"err.cidr.notip":      {"not an IP address or CIDR range", "geen IP-adres of CIDR-bereik"},
		"err.cidr.mapped":     {"IPv4-mapped prefix shorter than ::ffff:0:0/96", "IPv4-in-IPv6-prefix korter dan ::ffff:0:0/96"},
		"err.cidr.all":        {"refusing a range covering the whole address space", "een bereik dat de hele adresruimte beslaat, wordt geweigerd"},
		"err.asn.invalid":     {"not an AS number (1–4294967295)", "geen AS-nummer (1–4294967295)"},
		"err.asn.reserved":    {"reserved AS number", "gereserveerd AS-nummer"},
		"err.domain.empty":    {"empty domain", "lege domeinnaam"},
		"err.domain.invalid":  {"not a valid domain name", "geen geldige domeinnaam"},
		"err.domain.fqdn":     {"not a fully qualified domain name", "geen volledige domeinnaam (met topleveldomein)"},
		"err.domain.label":    {"bad label %q", "ongeldig deel %q in de naam"},
		"err.domain.char":     {"character %q not allowed", "het teken %q is niet toegestaan"},
		"err.domain.numeric":  {"an all-numeric top-level domain (an IP address?) is not a domain", "een topleveldomein van alleen cijfers (een IP-adres?) is geen domein"},
		"err.domain.suffix":   {"a public suffix, not a registrable domain", "een publiek achtervoegsel (zoals co.uk), geen registreerbaar domein"},
		"err.email.domain":    {"the domain part is not a valid domain", "het deel na de @ is geen geldig domein"},
		"err.phone.invalid":   {"not an international phone number (+<country code> <number>)", "geen internationaal telefoonnummer (+<landnummer> <nummer>)"},
		"err.purl.invalid":    {"not a package URL (pkg:type/namespace/name@version): %s", "geen package-URL (pkg:type/namespace/name@version): %s"},
		"err.country.invalid": {"not an ISO 3166-1 alpha-2 country code", "geen landcode van twee letters (ISO 3166-1 alpha-2)"},
		"err.policy.mode":     {"must be immediate, daily or weekly", "moet immediate (meteen), daily (dagelijks) of weekly (wekelijks) zijn"},
		"err.policy.severity": {"must be info, low, medium, high or critical", "moet info, low (laag), medium (middel), high (hoog) of critical (kritiek) zijn"},
		"err.policy.channel":  {"must be email or webhook", "moet email (e-mail) of webhook zijn"},
		"err.policy.https":    {"must be an https:// URL", "moet een https://-URL zijn"},
		"err.policy.renotify": {"must be a duration such as 168h", "moet een duur zijn zoals 168h"},
		"err.policy.cap":      {"must be 0 (no cap) or more", "moet 0 (geen maximum) of meer zijn"},
		"err.org.name":        {"an organisation needs a name", "een organisatie heeft een naam nodig"},
		"err.text.toolong":    {"longer than %d characters", "langer dan %d tekens"},
		"err.contact.reach":   {"a contact needs an e-mail address or a phone number", "een contactpersoon heeft een e-mailadres of een telefoonnummer nodig"},
		"err.contact.role":    {"must be security, technical, management, abuse or other", "moet security (beveiliging), technical (techniek), management (directie), abuse (misbruikmeldingen) of other (anders) zijn"},
		"err.asset.kind":      {"must be cidr, asn or domain", "moet cidr (IP-bereik), asn (AS-nummer) of domain (domein) zijn"},

		// Accounts.
		"err.account.taken":             {"%q: an account with this address already exists", "%q: er is al een account met dit adres"},
		"err.account.lastadmin.role":    {"%s is the last active administrator; make another account administrator first", "%s is de laatste actieve beheerder; maak eerst een ander account beheerder"},
		"err.account.disable.self":      {"you cannot disable your own account", "u kunt uw eigen account niet uitschakelen"},
		"err.account.lastadmin.disable": {"is the last active administrator and cannot be disabled", "is de laatste actieve beheerder en kan niet worden uitgeschakeld"},
		"err.totp.reset.self":           {"you cannot reset your own second factor; another administrator can", "u kunt uw eigen tweede factor niet opnieuw instellen; een andere beheerder kan dat wel"},
		"err.attempts.later":            {"too many failed attempts from your address; try again later", "te veel mislukte pogingen vanaf uw adres; probeer het later opnieuw"},
		"err.totp.used":                 {"this code was used already; wait for the next one", "deze code is al gebruikt; wacht op de volgende"},
		"err.login.none":                {"not signed in", "niet aangemeld"},
		"err.account.none":              {"no account", "geen account"},
		"err.account.staffrole":         {"must be admin or analyst (or empty)", "moet admin (beheerder) of analyst (analist) zijn (of leeg)"},
		"err.account.orgrole":           {"must be member or maker", "moet member (lid) of maker (fabrikant) zijn"},

		// Assessments.
		"err.required":               {"required", "verplicht"},
		"err.assess.devicefields":    {"vendor and model are required", "fabrikant en model zijn verplicht"},
		"err.assess.edition":         {"want v2 or v3", "moet v2 of v3 zijn"},
		"err.assess.state":           {"assessment %s: cannot %s: state is %s, must be %s", "beoordeling %[1]s: dit kan niet in de status %[3]s (vereist: %[4]s)"},
		"err.assess.move":            {"assessment %s: %s → %s is not allowed", "beoordeling %s: %s → %s is niet toegestaan"},
		"err.assess.answers.edition": {"answers are for edition %s, the assessment for %s", "de antwoorden zijn voor editie %s, de beoordeling voor editie %s"},
		"err.assess.answers.device":  {"answers are for another device than %s", "de antwoorden zijn voor een ander apparaat dan %s"},
		"err.assess.unanswered":      {"assessment %s: cannot submit: %d applicable provisions unanswered: %s", "beoordeling %s: kan niet worden ingediend: %d toepasselijke bepalingen zijn niet beantwoord: %s"},
		"err.assess.selfreview":      {"assessment %s: %s submitted it and cannot also review it", "beoordeling %s: %s heeft haar ingediend en kan haar niet ook beoordelen"},
		"err.assess.reject.reason":   {"a rejection needs a reason for the maker", "een afwijzing heeft een reden voor de fabrikant nodig"},
		"err.assess.revoke.reason":   {"a revocation needs a reason", "een intrekking heeft een reden nodig"},

		// Settings read from the configuration.
		"err.duration.go":    {"must be a Go duration such as 2h", "moet een Go-tijdsduur zijn, zoals 2h"},
		"err.duration.lease": {"must be a Go duration of at least 1m, such as 5m", "moet een Go-tijdsduur van minstens 1m zijn, zoals 5m"},

		// Evidence files, assessments, labels.
		"err.evidence.type":      {"an evidence file must be a PDF, PNG, JPEG, GIF, WebP, plain text (CSV, JSON, Markdown) or ZIP file", "een bewijsbestand moet een PDF-, PNG-, JPEG-, GIF-, WebP-, tekst- (CSV, JSON, Markdown) of ZIP-bestand zijn"},
		"err.mediatype.invalid":  {"not a media type", "geen mediatype"},
		"err.evidence.mismatch":  {"the content is %s, not the declared %s", "de inhoud is %s, niet het opgegeven %s"},
		"err.evidence.name":      {"give the file's name in ?name=", "geef de naam van het bestand in ?name="},
		"err.evidence.large":     {"an evidence file is at most %d MiB", "een bewijsbestand is hoogstens %d MiB"},
		"err.evidence.notfound":  {"evidence file %d of assessment %d not found", "bewijsbestand %d van beoordeling %d niet gevonden"},
		"err.labels.off":         {"assessments and labels are not set up on this server", "beoordelingen en labels zijn op deze server niet ingesteld"},
		"err.assess.answers.bad": {"%d answers were not stored: %s", "%d antwoorden zijn niet bewaard: %s"},
		"err.label.missing":      {"no label %s", "geen label %s"},
		"err.verify.off":         {"label verification is not set up on this server", "het controleren van labels is op deze server niet ingesteld"},
		"err.revoke.none":        {"assessment %s has no valid label to revoke", "beoordeling %s heeft geen geldig label om in te trekken"},

		// Feeds, plots, sources, tokens, organisations.
		"err.feed.large":        {"the feed file exceeds %d bytes", "het feedbestand is groter dan %d bytes"},
		"err.bytes.max":         {"at most %d bytes", "hoogstens %d bytes"},
		"err.ingest.name":       {"the query parameter name (the file's name) is required", "de queryparameter name (de naam van het bestand) is verplicht"},
		"err.trend.many":        {"%d triggers chosen: the plot shows at most %d", "%d triggers gekozen: de grafiek toont er hoogstens %d"},
		"err.trigger.unknown":   {"%q: no such trigger", "%q: deze trigger bestaat niet"},
		"err.source.kinds":      {"one of %v", "een van %v"},
		"err.token.scopes":      {"choose at least one scope", "kies minstens één scope"},
		"err.token.org":         {"an organisation number, or empty for an operator token", "een organisatienummer, of leeg voor een operatortoken"},
		"err.device.assetlater": {"link devices to assets after the organisation exists", "koppel apparaten pas aan domeinen en reeksen als de organisatie bestaat"},
		"err.contact.verified":  {"only the operator may mark a contact verified", "alleen de operator mag een contactpersoon als geverifieerd markeren"},
		"err.org.none":          {"no such organisation", "deze organisatie bestaat niet"},
		"err.org.id":            {"%q: not an organisation id", "%q: geen organisatienummer"},
		"err.totp.enrol":        {"this account must enrol a second factor in the portal first", "dit account moet eerst in het portaal een tweede factor instellen"},

		// Limits on how often.
		"err.attempts.wait": {"too many attempts from your address; try again in %d seconds", "te veel pogingen vanaf uw adres; probeer het over %d seconden opnieuw"},
		"err.checks.wait":   {"too many checks from your address; try again in %d seconds", "te veel controles vanaf uw adres; probeer het over %d seconden opnieuw"},
		"err.lookups.wait":  {"too many lookups from your address; try again in a minute", "te veel opzoekingen vanaf uw adres; probeer het over een minuut opnieuw"},
	}
}
