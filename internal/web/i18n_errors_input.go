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
	}
}
