// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// errorMessages are the texts of coded errors (errs.Error.Key, prefixed
// with errKeyPrefix) that pages show: the English format is the one the
// error is made with (for errs.FieldKeyed the reason after the quoted
// value), so the API's message and the English page agree;
// TestErrorKeysTranslated checks it against the code. The Dutch format
// takes the same arguments (it may leave trailing ones out with explicit
// indexes, %[1]s).
func errorMessages() map[string][2]string {
	return map[string][2]string{
		// Accounts and signing in.
		"err.login.wrong":          {"the e-mail address or password is wrong", "het e-mailadres of het wachtwoord klopt niet"},
		"err.login.unconfirmed":    {"confirm your e-mail address first: follow the link in the message we sent you (or sign up again for a new one)", "bevestig eerst uw e-mailadres: volg de link in het bericht dat we u stuurden (of meld u opnieuw aan voor een nieuwe)"},
		"err.email.invalid":        {"not an e-mail address", "geen e-mailadres"},
		"err.password.short":       {"must have at least %d characters", "moet minstens %d tekens hebben"},
		"err.password.long":        {"must have at most %d bytes", "mag hoogstens %d bytes hebben"},
		"err.password.spaces":      {"must not be only spaces", "mag niet alleen uit spaties bestaan"},
		"err.account.role":         {"must be admin, analyst or member (maker is a role in an organisation)", "moet beheerder, analist of lid zijn (maker is een rol binnen een organisatie)"},
		"err.totp.none":            {"no second factor is enrolled", "er is geen tweede factor ingesteld"},
		"err.totp.digits":          {"must be the 6 digits your authenticator app shows", "moet de 6 cijfers zijn die uw authenticator-app toont"},
		"err.totp.wrong":           {"the code is wrong or has expired", "de code klopt niet of is verlopen"},
		"err.signup.confirm.wrong": {"this is not the password given when signing up; use the link of your own sign-up", "dit is niet het wachtwoord dat bij het aanmelden is gekozen; gebruik de link van uw eigen aanmelding"},
		"err.signup.link":          {"the confirmation link is unknown, used or expired; sign up again for a new one", "de bevestigingslink is onbekend, gebruikt of verlopen; meld u opnieuw aan voor een nieuwe"},
		"err.reset.link":           {"the reset link is unknown, used or expired; ask for a new one", "de herstellink is onbekend, gebruikt of verlopen; vraag een nieuwe aan"},
		"err.invite.link":          {"the invitation is unknown, used or expired; ask for a new one", "de uitnodiging is onbekend, gebruikt of verlopen; vraag een nieuwe aan"},
		"err.totp.again":           {"three wrong codes: sign in again with your password", "drie foute codes: meld u opnieuw aan met uw wachtwoord"},
		"err.totp.locked":          {"too many wrong codes were given for this account; its second factor is locked until %s UTC", "voor dit account zijn te veel foute codes gegeven; de tweede factor is geblokkeerd tot %s UTC"},
		"err.totp.enrolled":        {"a second factor is enrolled already: give your current password and code to replace it", "er is al een tweede factor ingesteld: geef uw huidige wachtwoord en code om die te vervangen"},
		"err.account.current":      {"the current password is wrong", "het huidige wachtwoord klopt niet"},
		"err.invite.password":      {"this address has an account: give the password of that account", "dit adres heeft een account: geef het wachtwoord van dat account"},
		"err.member.last":          {"this is the organisation's last member; invite a colleague first", "dit is het laatste lid van de organisatie; nodig eerst een collega uit"},
		"err.settings.box":         {"tick the box or leave it empty", "vink het vakje aan of laat het leeg"},
		"err.token.maker.org":      {"a maker's token belongs to an organisation: give its org_id", "een token voor een maker hoort bij een organisatie: geef haar nummer"},
		"err.token.name":           {"give the token a name (what uses it)", "geef het token een naam (wat het gebruikt)"},
		"err.token.scope":          {"must be read, write, operate or admin", "moet read, write, operate of admin zijn"},
		"err.token.operatorscope":  {"an operator token (no organisation) takes read, operate or admin", "een operatortoken (zonder organisatie) krijgt read, operate of admin"},
		"err.token.orgscope":       {"an organisation's token cannot have the %s scope (read and write only)", "een token van een organisatie kan de scope %s niet krijgen (alleen read en write)"},
		"err.token.lifetime":       {"a number of days such as 90d (1d to 3650d), or never", "een aantal dagen zoals 90d (1d tot 3650d), of never"},
		"err.token.expires":        {"a number of days from 1 to 3650, or 0 for a token that never expires", "een aantal dagen van 1 tot 3650, of 0 voor een token dat nooit verloopt"},
		"err.org.membersonly":      {"only the organisation's members may do this; a maker or test lab may use its products, devices, assessments and labels", "alleen leden van de organisatie mogen dit; een maker of testlab kan haar producten, apparaten, beoordelingen en labels gebruiken"},
		"err.privacy.confirm":      {"type %s again to confirm the erasure", "typ %s nogmaals om het wissen te bevestigen"},

		// Registry and registration.
		"err.cidr.invalid":     {"not a CIDR range", "geen CIDR-bereik"},
		"err.cidr.hostbits":    {"host bits set; did you mean %s?", "er staan hostbits aan; bedoelde u %s?"},
		"err.asset.unproven":   {"ownership of %s not proven: %s", "eigendom van %[1]s is niet bewezen: het TXT-record of het bestand met het token is niet gevonden"},
		"err.register.asset":   {"give a domain or IP range that you can prove you hold", "geef een domein of IP-bereik waarvan u kunt bewijzen dat het van u is"},
		"err.register.name":    {"an organisation with this name is registered already", "er is al een organisatie met deze naam geregistreerd"},
		"err.device.vendor":    {"a device needs a vendor", "een apparaat heeft een fabrikant nodig"},
		"err.device.model":     {"a device needs a model", "een apparaat heeft een model nodig"},
		"err.cpe.invalid":      {"not a CPE 2.3 formatted string (cpe:2.3:part:vendor:product:version:…, 13 components)", "geen CPE 2.3-tekenreeks (cpe:2.3:part:vendor:product:version:…, 13 delen)"},
		"err.sbom.none":        {"choose an SBOM file (CycloneDX or SPDX)", "kies een SBOM-bestand (CycloneDX of SPDX)"},
		"err.sbom.format":      {"not a CycloneDX (JSON, XML) or SPDX (JSON, tag-value) document", "geen CycloneDX- (JSON, XML) of SPDX-document (JSON, tag-value)"},
		"err.policy.webhook":   {"give the https:// URL that receives the webhook", "geef de https://-URL die de webhook ontvangt"},
		"err.dispute.reason":   {"must be false_positive, fixed or not_ours", "moet false_positive (vals alarm), fixed (opgelost) of not_ours (niet van ons) zijn"},
		"err.outbox.outcome":   {"must be sent or resend", "moet sent (verzonden) of resend (opnieuw versturen) zijn"},
		"err.approval.state":   {"must be pending or rejected", "moet pending (wachtend) of rejected (afgewezen) zijn"},
		"err.call.outcome":     {"must be reached, no_answer, wrong_number or left_message", "moet reached (bereikt), no_answer (geen gehoor), wrong_number (verkeerd nummer) of left_message (bericht achtergelaten) zijn"},
		"err.dispute.decision": {"must be accept or reject", "moet accept (aanvaarden) of reject (afwijzen) zijn"},
		"err.reject.reason":    {"say why the organisation is rejected: its members read it", "zeg waarom de organisatie wordt afgewezen: haar leden lezen het"},
		"err.reapply.note":     {"say what changed since the rejection: an analyst reads it", "zeg wat er sinds de afwijzing veranderde: een analist leest het"},
		"err.asset.taken":      {"%q: is registered already", "%q: is al geregistreerd"},
		"err.contact.taken":    {"a contact with this email and phone already exists", "er is al een contactpersoon met dit e-mailadres en telefoonnummer"},
		"err.lang.invalid":     {"not a language tag (e.g. nl, en)", "geen taalcode (bijv. nl, en)"},
		"err.policy.channels":  {"choose e-mail, a webhook or both", "kies e-mail, een webhook of beide"},
		"err.asset.how":        {"say how ownership was checked (e.g. the RIR's contact confirmed by telephone)", "zeg hoe het eigendom is nagegaan (bijv. het RIR-contact telefonisch bevestigd)"},
		"err.text.long":        {"at most %d characters", "hoogstens %d tekens"},
		"err.text.invalid":     {"not text that can be stored (a NUL byte or invalid UTF-8)", "geen tekst die bewaard kan worden (een NUL-byte of ongeldige UTF-8)"},

		// Assessments, labels, public tools, analysts.
		"err.assess.device":   {"choose a device", "kies een apparaat"},
		"err.assess.nodevice": {"no such device of this organisation", "deze organisatie heeft zo'n apparaat niet"},
		"err.assess.status":   {"must be met, not met or not applicable", "moet voldaan, niet voldaan of niet van toepassing zijn"},
		"err.review.decision": {"must be accept or return", "moet accept (aanvaarden) of return (terugsturen) zijn"},
		"err.revoke.confirm":  {"confirm that the label is to be revoked; this cannot be undone", "bevestig dat het label ingetrokken moet worden; dit kan niet ongedaan worden"},
		"err.file.none":       {"choose a file", "kies een bestand"},
		"err.file.large":      {"the file is larger than %d MiB", "het bestand is groter dan %d MiB"},
		"err.label.unknown":   {"no label with this id in the registry", "het register heeft geen label met dit id"},
		"err.grade.invalid":   {"must be one of A to G", "moet een van A tot en met G zijn"},
		"err.sectxt.target":   {"give a domain or an https URL", "geef een domein of een https-URL"},
		"err.feed.type":       {"must be one of %s", "moet een van %s zijn"},
		"err.source.kind":     {"a watched directory or maildir is registered on the server with `vigil source add`", "een bewaakte map of maildir wordt op de server geregistreerd met `vigil source add`"},

		// Portal requests, sign-in limits, uploads and public tools.
		"err.request.crossorigin":  {"cross-origin request refused", "verzoek van een andere herkomst geweigerd"},
		"err.form.expired":         {"the form has expired; reload the page and try again", "het formulier is verlopen; laad de pagina opnieuw en probeer het nog eens"},
		"err.page.role":            {"this page is for %s accounts", "deze pagina is voor accounts met de rol %s"},
		"err.org.notfound":         {"organisation %d not found", "organisatie %d niet gevonden"},
		"err.form.large":           {"the form exceeds %d bytes", "het formulier is groter dan %d bytes"},
		"err.lang.nlen":            {"must be nl or en", "moet nl of en zijn"},
		"err.login.toomany":        {"too many sign-in attempts from your address; wait a minute", "te veel aanmeldpogingen vanaf uw adres; wacht een minuut"},
		"err.attempts.toomany":     {"too many attempts from your address; wait a minute", "te veel pogingen vanaf uw adres; wacht een minuut"},
		"err.totp.first":           {"give your current second factor first", "geef eerst uw huidige tweede factor"},
		"err.ingest.file":          {"choose a feed file to upload", "kies een feedbestand om te uploaden"},
		"err.upload.empty":         {"the uploaded file is empty", "het geüploade bestand is leeg"},
		"err.upload.unreadable":    {"the upload could not be read", "de upload kon niet gelezen worden"},
		"err.label.large":          {"a label document is at most 64 KiB", "een labeldocument is hoogstens 64 KiB"},
		"err.label.none":           {"give a label id or upload a label document", "geef een label-id of upload een labeldocument"},
		"err.review.comments":      {"say what the maker must change", "zeg wat de fabrikant moet veranderen"},
		"err.revoke.reason":        {"say why the label is revoked: every verification shows it", "zeg waarom het label wordt ingetrokken: elke verificatie toont het"},
		"err.signup.closed":        {"sign-up is closed here; ask an administrator for an account", "aanmelden is hier gesloten; vraag een beheerder om een account"},
		"err.signup.nomail":        {"sign-up by e-mail is not set up here; ask an administrator for an account", "aanmelden per e-mail is hier niet ingesteld; vraag een beheerder om een account"},
		"err.invite.unapproved":    {"an organisation can invite colleagues once an analyst has approved it or it has proven a domain or range", "een organisatie kan collega's uitnodigen zodra een analist haar heeft goedgekeurd of zij een domein of reeks heeft aangetoond"},
		"err.invite.limit.org":     {"this organisation has sent %d invitations in the last 24 hours, its daily limit; try again tomorrow", "deze organisatie heeft in de afgelopen 24 uur %d uitnodigingen verstuurd, haar daglimiet; probeer het morgen opnieuw"},
		"err.invite.limit.account": {"you have sent %d invitations in the last 24 hours, the daily limit of an account; try again tomorrow", "u heeft in de afgelopen 24 uur %d uitnodigingen verstuurd, de daglimiet van een account; probeer het morgen opnieuw"},
		"err.invite.nomail":        {"invitations by e-mail are not set up here; ask an administrator", "uitnodigingen per e-mail zijn hier niet ingesteld; vraag het een beheerder"},
		"err.reset.nomail":         {"password reset by e-mail is not set up here; ask an administrator", "wachtwoordherstel per e-mail is hier niet ingesteld; vraag het een beheerder"},
		"err.sectxt.invalid":       {"not a domain, host:port or https URL", "geen domein, host:poort of https-URL"},
		"err.sectxt.private":       {"this address is not on the public internet", "dit adres is niet op het openbare internet"},
		"err.limit.range":          {"must be a number from 1 to %d", "moet een getal van 1 tot en met %d zijn"},
		"err.duration.invalid":     {"not a duration (e.g. 1h, 24h, 36h)", "geen tijdsduur (bijv. 1h, 24h, 36h)"},
		"err.source.key":           {"a secret needs its key", "een geheim heeft zijn sleutel nodig"},
		"err.evidence.empty":       {"the file is empty", "het bestand is leeg"},
	}
}
