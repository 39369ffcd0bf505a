// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"

	"golang.org/x/text/language"

	"vigil/internal/account"
)

// Languages are the portal's interface languages; the first is the
// fallback.
func Languages() []string { return []string{"en", "nl"} }

// pageLang picks a page's language: the signed-in user's choice, then the
// language cookie (a visitor's choice), then Accept-Language, then English.
func (s *Server) pageLang(r *http.Request, u *account.User) string {
	if u != nil && u.Lang != "" {
		return u.Lang
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "nl" || c.Value == "en") {
		return c.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "en"
	}
	_, i, conf := s.matcher.Match(tags...)
	if conf == language.No {
		return "en"
	}
	return Languages()[i]
}

func newMatcher() language.Matcher {
	return language.NewMatcher([]language.Tag{language.English, language.Dutch})
}

// messageTables builds the message table per language from catalogue,
// whose rows hold the English and the Dutch text, so that no key can lack
// a translation.
func messageTables() map[string]map[string]string {
	out := map[string]map[string]string{"en": {}, "nl": {}}
	for k, v := range catalogue() {
		out["en"][k], out["nl"][k] = v[0], v[1]
	}
	return out
}

// messages returns the message table of lang.
func (s *Server) messages(lang string) map[string]string {
	if m, ok := s.msgs[lang]; ok {
		return m
	}
	return s.msgs["en"]
}

// catalogue is every text of the portal: key → {English, Dutch}.
func catalogue() map[string][2]string {
	return map[string][2]string{
		"app.name":               {"vigil", "vigil"},
		"app.tagline":            {"Warnings for organisations, security labels for devices", "Waarschuwingen voor organisaties, beveiligingslabels voor apparaten"},
		"nav.main":               {"Main", "Hoofdmenu"},
		"nav.home":               {"Home", "Start"},
		"nav.login":              {"Sign in", "Inloggen"},
		"nav.logout":             {"Sign out", "Uitloggen"},
		"nav.account":            {"My account", "Mijn account"},
		"nav.dashboard":          {"Dashboard", "Dashboard"},
		"nav.users":              {"Accounts", "Accounts"},
		"nav.labels":             {"Label registry", "Labelregister"},
		"nav.skip":               {"Skip to content", "Naar de inhoud"},
		"nav.org":                {"Organisation", "Organisatie"},
		"nav.findings":           {"Findings", "Bevindingen"},
		"nav.overview":           {"Overview", "Overzicht"},
		"lang.label":             {"Language", "Taal"},
		"lang.en":                {"English", "English"},
		"lang.nl":                {"Nederlands", "Nederlands"},
		"lang.switch":            {"Switch", "Wissel"},
		"form.save":              {"Save", "Opslaan"},
		"form.errors":            {"The form has a problem:", "Het formulier heeft een probleem:"},
		"form.required":          {"required", "verplicht"},
		"error.title":            {"Something went wrong", "Er ging iets mis"},
		"error.status":           {"Status", "Status"},
		"error.back":             {"Back to the start page", "Terug naar de startpagina"},
		"home.title":             {"Welcome", "Welkom"},
		"home.intro":             {"vigil warns organisations about vulnerable and misconfigured systems in their networks, and rates IoT devices against ETSI EN 303 645.", "vigil waarschuwt organisaties voor kwetsbare en verkeerd ingestelde systemen in hun netwerken, en beoordeelt IoT-apparaten volgens ETSI EN 303 645."},
		"home.signin":            {"Organisations, makers, test labs and analysts sign in to see their findings and labels.", "Organisaties, fabrikanten, testlabs en analisten loggen in om hun bevindingen en labels te zien."},
		"home.public":            {"Anyone can look up and verify a security label.", "Iedereen kan een beveiligingslabel opzoeken en controleren."},
		"home.yourorgs":          {"Your organisations", "Uw organisaties"},
		"home.noorgs":            {"Your account does not act for an organisation yet.", "Uw account handelt nog niet namens een organisatie."},
		"home.staff":             {"Trust center", "Trust center"},
		"home.role":              {"Role", "Rol"},
		"login.title":            {"Sign in", "Inloggen"},
		"login.email":            {"E-mail address", "E-mailadres"},
		"login.password":         {"Password", "Wachtwoord"},
		"login.submit":           {"Sign in", "Inloggen"},
		"login.forgot":           {"Forgot your password?", "Wachtwoord vergeten?"},
		"totp.title":             {"Second factor", "Tweede factor"},
		"totp.code":              {"Code from your authenticator app", "Code uit uw authenticator-app"},
		"totp.hint":              {"Six digits; a new code appears every 30 seconds.", "Zes cijfers; elke 30 seconden verschijnt een nieuwe code."},
		"totp.submit":            {"Verify", "Controleren"},
		"enrol.title":            {"Set up a second factor", "Tweede factor instellen"},
		"enrol.intro":            {"Scan the QR code with an authenticator app, or type in the key, then enter the code it shows.", "Scan de QR-code met een authenticator-app, of typ de sleutel over, en vul de getoonde code in."},
		"enrol.required":         {"Analysts and administrators must use a second factor.", "Analisten en beheerders moeten een tweede factor gebruiken."},
		"enrol.qr":               {"QR code for your authenticator app", "QR-code voor uw authenticator-app"},
		"enrol.key":              {"Key", "Sleutel"},
		"account.title":          {"My account", "Mijn account"},
		"account.email":          {"E-mail address", "E-mailadres"},
		"account.name":           {"Name", "Naam"},
		"account.role":           {"Staff role", "Rol in het trust center"},
		"account.totp":           {"Second factor", "Tweede factor"},
		"account.totp.on":        {"enabled", "ingeschakeld"},
		"account.totp.off":       {"not enabled", "niet ingeschakeld"},
		"account.totp.set":       {"Set up a second factor", "Tweede factor instellen"},
		"account.orgs":           {"Organisations", "Organisaties"},
		"account.pw":             {"Change password", "Wachtwoord wijzigen"},
		"account.pw.old":         {"Current password", "Huidig wachtwoord"},
		"account.pw.new":         {"New password (at least 12 characters)", "Nieuw wachtwoord (minstens 12 tekens)"},
		"account.pw.done":        {"Your password was changed; your other sessions were signed out.", "Uw wachtwoord is gewijzigd; uw andere sessies zijn uitgelogd."},
		"account.pw.wrong":       {"the current password is wrong", "het huidige wachtwoord klopt niet"},
		"role.admin":             {"administrator", "beheerder"},
		"role.analyst":           {"analyst", "analist"},
		"role.member":            {"member", "lid"},
		"role.maker":             {"maker / lab", "fabrikant / lab"},
		"org.title":              {"Overview", "Overzicht"},
		"org.open":               {"Open findings", "Open bevindingen"},
		"org.resolved":           {"Resolved findings", "Opgeloste bevindingen"},
		"org.assets":             {"Registered domains, ranges and AS numbers", "Geregistreerde domeinen, reeksen en AS-nummers"},
		"org.contacts":           {"Contacts", "Contactpersonen"},
		"org.devices":            {"Devices", "Apparaten"},
		"findings.title":         {"Findings", "Bevindingen"},
		"findings.filter":        {"Filter", "Filteren"},
		"findings.status":        {"Status", "Status"},
		"findings.any":           {"any", "alle"},
		"findings.open":          {"open", "open"},
		"findings.resolved":      {"resolved", "opgelost"},
		"findings.trigger":       {"Trigger", "Trigger"},
		"findings.none":          {"No findings match.", "Geen bevindingen gevonden."},
		"findings.what":          {"What", "Wat"},
		"findings.where":         {"Where", "Waar"},
		"findings.severity":      {"Severity", "Ernst"},
		"findings.first":         {"First seen", "Eerst gezien"},
		"findings.last":          {"Last seen", "Laatst gezien"},
		"findings.count":         {"Times seen", "Aantal keer gezien"},
		"findings.evidence":      {"Evidence", "Bewijs"},
		"findings.next":          {"Next page", "Volgende pagina"},
		"findings.caption":       {"Findings of %s", "Bevindingen van %s"},
		"dash.title":             {"Dashboard", "Dashboard"},
		"dash.triggers":          {"Triggers", "Triggers"},
		"dash.trigger":           {"Trigger", "Trigger"},
		"dash.orgs":              {"Organisations", "Organisaties"},
		"dash.open":              {"Open", "Open"},
		"dash.total":             {"Total", "Totaal"},
		"users.title":            {"Accounts", "Accounts"},
		"users.email":            {"E-mail address", "E-mailadres"},
		"users.role":             {"Staff role", "Rol"},
		"users.orgs":             {"Organisations", "Organisaties"},
		"users.totp":             {"Second factor", "Tweede factor"},
		"users.last":             {"Last sign-in", "Laatst ingelogd"},
		"users.add":              {"Add an account", "Account toevoegen"},
		"users.none":             {"none", "geen"},
		"users.password":         {"Initial password (at least 12 characters)", "Eerste wachtwoord (minstens 12 tekens)"},
		"users.org":              {"Organisation (optional)", "Organisatie (optioneel)"},
		"users.orgrole":          {"Role in the organisation", "Rol in de organisatie"},
		"users.created":          {"The account was created.", "Het account is aangemaakt."},
		"nav.notices":            {"Warnings", "Waarschuwingen"},
		"findings.download":      {"Download these findings", "Download deze bevindingen"},
		"notices.title":          {"Warnings", "Waarschuwingen"},
		"notices.intro":          {"Warnings sent to your organisation. Acknowledge one to tell the trust center you are handling it; the link in the e-mail does the same.", "Waarschuwingen die naar uw organisatie zijn gestuurd. Bevestig er een om het trust center te laten weten dat u ermee bezig bent; de link in de e-mail doet hetzelfde."},
		"notices.caption":        {"Warnings to %s", "Waarschuwingen aan %s"},
		"notices.id":             {"No.", "Nr."},
		"notices.created":        {"Sent", "Verstuurd"},
		"notices.state":          {"State", "Toestand"},
		"notices.action":         {"Action", "Actie"},
		"notices.ack":            {"Acknowledge", "Bevestigen"},
		"notices.done":           {"acknowledged", "bevestigd"},
		"notices.acked":          {"The warning is acknowledged. Thank you.", "De waarschuwing is bevestigd. Dank u."},
		"notices.none":           {"No warnings were sent.", "Er zijn geen waarschuwingen verstuurd."},
		"outbox.title":           {"Deliveries", "Bezorging"},
		"outbox.state":           {"State", "Toestand"},
		"outbox.recipient":       {"Recipient", "Ontvanger"},
		"outbox.attempts":        {"Attempts", "Pogingen"},
		"outbox.error":           {"Last error", "Laatste fout"},
		"outbox.sent":            {"It arrived", "Is aangekomen"},
		"outbox.resend":          {"Send again", "Opnieuw sturen"},
		"outbox.none":            {"No deliveries in this state.", "Geen bezorgingen in deze toestand."},
		"outbox.resolved":        {"The delivery is settled.", "De bezorging is afgehandeld."},
		"calls.title":            {"Call list", "Bellijst"},
		"calls.intro":            {"Serious warnings nobody acknowledged: call these organisations.", "Ernstige waarschuwingen die niemand bevestigde: bel deze organisaties."},
		"calls.escalated":        {"Escalated", "Geëscaleerd"},
		"notices.replies":        {"Replies", "Antwoorden"},
		"calls.reason":           {"Reason", "Reden"},
		"calls.unacknowledged":   {"not acknowledged in time", "niet op tijd bevestigd"},
		"calls.phones":           {"Telephone", "Telefoon"},
		"calls.emails":           {"E-mail", "E-mail"},
		"calls.none":             {"Nobody to call.", "Niemand te bellen."},
		"audit.title":            {"Audit log", "Auditlog"},
		"audit.when":             {"When", "Wanneer"},
		"audit.who":              {"Who", "Wie"},
		"audit.what":             {"Action", "Actie"},
		"audit.object":           {"Object", "Object"},
		"audit.detail":           {"Detail", "Detail"},
		"audit.none":             {"No staff actions yet.", "Nog geen acties van medewerkers."},
		"dash.more":              {"Operations", "Werkzaamheden"},
		"dash.plot.notices":      {"Warnings sent and acknowledged per day", "Waarschuwingen verstuurd en bevestigd per dag"},
		"dash.plot.triggers":     {"Open findings and organisations per trigger", "Open bevindingen en organisaties per trigger"},
		"dash.seetable":          {"the numbers are in the table beside it", "de getallen staan in de tabel ernaast"},
		"dash.day":               {"Day", "Dag"},
		"dash.sent":              {"Sent", "Verstuurd"},
		"dash.acked":             {"Acknowledged", "Bevestigd"},
		"dash.failed":            {"Failed", "Mislukt"},
		"dash.count":             {"number", "aantal"},
		"table.scroll":           {"Table (scrolls sideways)", "Tabel (schuift opzij)"},
		"forgot.title":           {"Forgot your password?", "Wachtwoord vergeten?"},
		"forgot.intro":           {"Give the e-mail address of your account; we send a link to choose a new password.", "Vul het e-mailadres van uw account in; we sturen een link om een nieuw wachtwoord te kiezen."},
		"forgot.submit":          {"Send the link", "Stuur de link"},
		"forgot.sent":            {"If the address has an account, a link to choose a new password is on its way. It works for one hour.", "Als het adres een account heeft, is een link om een nieuw wachtwoord te kiezen onderweg. Die werkt een uur."},
		"reset.title":            {"Choose a new password", "Kies een nieuw wachtwoord"},
		"reset.done":             {"Your password was changed; sign in with it.", "Uw wachtwoord is gewijzigd; log ermee in."},
		"mail.reset.subject":     {"vigil: choose a new password", "vigil: kies een nieuw wachtwoord"},
		"mail.reset.text":        {"Someone (we hope you) asked to reset the password of the vigil account %s.\n\nChoose a new password here:\n%s\n\nThe link works once, for %d minutes. If you did not ask, ignore this message; your password stays as it is.\n", "Iemand (hopelijk u) vroeg het wachtwoord van het vigil-account %s opnieuw in te stellen.\n\nKies hier een nieuw wachtwoord:\n%s\n\nDe link werkt één keer, %d minuten lang. Vroeg u het niet, negeer dan dit bericht; uw wachtwoord blijft zoals het is.\n"},
		"nav.registry":           {"Registry", "Registratie"},
		"registry.title":         {"Registry", "Registratie"},
		"registry.assets":        {"Domains, IP ranges and AS numbers", "Domeinen, IP-reeksen en AS-nummers"},
		"registry.proof":         {"Prove that you hold a domain or range: publish a DNS TXT record with the value below at the name shown beside it (or, for a domain, put the token in https://DOMAIN/.well-known/vigil-verify.txt), then press Check. AS numbers are checked by an analyst.", "Bewijs dat een domein of reeks van u is: publiceer een DNS TXT-record met de waarde hieronder op de naam ernaast (of zet voor een domein het token in https://DOMEIN/.well-known/vigil-verify.txt) en druk op Controleren. AS-nummers controleert een analist."},
		"registry.value":         {"TXT record value", "Waarde van het TXT-record"},
		"registry.asset":         {"Domain, range or AS number", "Domein, reeks of AS-nummer"},
		"registry.kind":          {"Kind", "Soort"},
		"registry.kind.guess":    {"recognise it", "herken het"},
		"registry.where":         {"Publish at", "Publiceer op"},
		"registry.state":         {"Ownership", "Eigendom"},
		"registry.verified":      {"The ownership is proven.", "Het eigendom is bewezen."},
		"registry.proven":        {"proven", "bewezen"},
		"registry.unproven":      {"not proven yet", "nog niet bewezen"},
		"registry.check":         {"Check", "Controleren"},
		"registry.byanalyst":     {"by an analyst", "door een analist"},
		"registry.add":           {"Register", "Registreren"},
		"registry.added":         {"Registered. Now prove that you hold it.", "Geregistreerd. Bewijs nu dat het van u is."},
		"registry.contacts":      {"Contacts", "Contactpersonen"},
		"registry.contact":       {"The contact was added.", "De contactpersoon is toegevoegd."},
		"registry.deleted":       {"The contact was deleted.", "De contactpersoon is verwijderd."},
		"registry.delete":        {"Delete", "Verwijderen"},
		"registry.phone":         {"Telephone", "Telefoon"},
		"registry.crole":         {"Role", "Rol"},
		"registry.addcontact":    {"Add a contact", "Contactpersoon toevoegen"},
		"registry.invite":        {"Invite a colleague", "Collega uitnodigen"},
		"registry.invited":       {"The invitation is on its way.", "De uitnodiging is onderweg."},
		"registry.send":          {"Send the invitation", "Stuur de uitnodiging"},
		"invitation.title":       {"Accept an invitation", "Uitnodiging aannemen"},
		"invitation.intro":       {"Choose your name and a password. If your address has an account already, give its password; the organisation is added to it.", "Kies uw naam en een wachtwoord. Heeft uw adres al een account, geef dan dat wachtwoord; de organisatie wordt eraan toegevoegd."},
		"invitation.accept":      {"Accept", "Aannemen"},
		"invitation.done":        {"Welcome. Sign in to see your organisation.", "Welkom. Log in om uw organisatie te zien."},
		"mail.invite.subject":    {"vigil: you are invited to act for %s", "vigil: u bent uitgenodigd namens %s"},
		"mail.invite.text":       {"You are invited to the vigil portal to act for %s: to see the warnings and findings about its networks and to keep its registry up to date.\n\nAccept the invitation here (the link works once, for seven days):\n%s\n", "U bent uitgenodigd voor het vigil-portaal om namens %s te handelen: de waarschuwingen en bevindingen over haar netwerken te zien en haar registratie bij te houden.\n\nNeem de uitnodiging hier aan (de link werkt één keer, zeven dagen lang):\n%s\n"},
		"nav.verify":             {"Verify a label", "Label controleren"},
		"verify.title":           {"Verify a security label", "Beveiligingslabel controleren"},
		"verify.intro":           {"Give the id printed on the label (VL-…), or upload the label document (JSON). The signature, the signing key, the validity dates and the registry (revoked, superseded) are checked.", "Vul het id in dat op het label staat (VL-…), of upload het labeldocument (JSON). De handtekening, de sleutel, de geldigheid en het register (ingetrokken, vervangen) worden gecontroleerd."},
		"verify.id":              {"Label id", "Label-id"},
		"verify.file":            {"or a label document (JSON)", "of een labeldocument (JSON)"},
		"verify.submit":          {"Verify", "Controleren"},
		"verify.result":          {"Result", "Uitkomst"},
		"verify.valid":           {"This label is valid.", "Dit label is geldig."},
		"verify.invalid":         {"This label is NOT valid", "Dit label is NIET geldig"},
		"verify.grade":           {"Grade", "Klasse"},
		"verify.device":          {"Device", "Apparaat"},
		"verify.issued":          {"Issued", "Uitgegeven"},
		"verify.expires":         {"Valid until", "Geldig tot"},
		"verify.key":             {"Signing key", "Sleutel"},
		"afindings.title":        {"All findings", "Alle bevindingen"},
		"findings.seen":          {"Last seen", "Laatst gezien"},
		"findings.since":         {"first", "eerst"},
		"findings.action":        {"Details", "Details"},
		"findings.details":       {"Details and dispute", "Details en bezwaar"},
		"finding.title":          {"Finding", "Bevinding"},
		"finding.back":           {"All findings", "Alle bevindingen"},
		"finding.type":           {"Type", "Soort"},
		"finding.resolved":       {"Resolved", "Opgelost"},
		"finding.noevidence":     {"The source gave no evidence for this finding.", "De bron gaf geen bewijs bij deze bevinding."},
		"finding.disputes":       {"Disputes", "Bezwaren"},
		"finding.dispute":        {"Is this finding wrong? Tell an analyst why", "Klopt deze bevinding niet? Vertel een analist waarom"},
		"finding.comment":        {"Explanation (optional)", "Toelichting (niet verplicht)"},
		"finding.send":           {"Send the dispute", "Bezwaar indienen"},
		"finding.waiting":        {"Your dispute waits for an analyst's decision.", "Uw bezwaar wacht op het besluit van een analist."},
		"finding.disputed":       {"Your dispute was sent to the analysts.", "Uw bezwaar is naar de analisten gestuurd."},
		"dispute.false_positive": {"False positive", "Vals alarm"},
		"dispute.fixed":          {"Already fixed", "Al verholpen"},
		"dispute.not_ours":       {"Not ours", "Niet van ons"},
		"dispute.state.pending":  {"Waiting", "In behandeling"},
		"dispute.state.accepted": {"Accepted", "Toegekend"},
		"dispute.state.rejected": {"Rejected", "Afgewezen"},
		"dispute.decision":       {"Decision", "Besluit"},
		"disputes.title":         {"Disputed findings", "Bezwaren tegen bevindingen"},
		"disputes.intro":         {"Organisations dispute findings; accepting one resolves the finding. The organisation reads your reason.", "Organisaties maken bezwaar tegen bevindingen; toekennen lost de bevinding op. De organisatie leest uw reden."},
		"disputes.states":        {"Disputes by state", "Bezwaren per stand"},
		"disputes.finding":       {"Finding", "Bevinding"},
		"disputes.reason":        {"Dispute", "Bezwaar"},
		"disputes.when":          {"Sent", "Ingediend"},
		"disputes.decide":        {"Decision", "Besluit"},
		"disputes.why":           {"Reason for the organisation", "Reden voor de organisatie"},
		"disputes.accept":        {"Accept", "Toekennen"},
		"disputes.reject":        {"Reject", "Afwijzen"},
		"disputes.none":          {"No disputes in this state.", "Geen bezwaren in deze stand."},
		"disputes.decided":       {"The decision was recorded and the organisation can read it.", "Het besluit is vastgelegd; de organisatie kan het lezen."},
		"afindings.caption":      {"Findings of every organisation, the most recently seen first", "Bevindingen van alle organisaties, de laatst geziene eerst"},
		"register.title":         {"Register an organisation", "Organisatie aanmelden"},
		"register.intro":         {"Register the organisation you act for. It waits until you prove that you hold one of its domains or IP ranges (a DNS record, on the next page) or an analyst approves it.", "Meld de organisatie aan waarvoor u handelt. Ze wacht tot u bewijst dat een van haar domeinen of IP-reeksen van u is (een DNS-record, op de volgende pagina) of een analist haar goedkeurt."},
		"register.name":          {"Name of the organisation", "Naam van de organisatie"},
		"register.country":       {"Country (two letters, optional)", "Land (twee letters, optioneel)"},
		"register.asset":         {"A domain or IP range it holds", "Een domein of IP-reeks van de organisatie"},
		"register.submit":        {"Register", "Aanmelden"},
		"register.done":          {"Registered. Prove that you hold the domain or range to have the organisation approved.", "Aangemeld. Bewijs dat het domein of de reeks van u is om de organisatie goed te laten keuren."},
		"org.pending":            {"This organisation waits for approval: prove a domain or range on the registry page, or wait for an analyst.", "Deze organisatie wacht op goedkeuring: bewijs een domein of reeks op de registratiepagina, of wacht op een analist."},
		"pending.title":          {"Waiting for approval", "Wacht op goedkeuring"},
		"pending.none":           {"No organisation waits.", "Geen organisatie wacht."},
		"pending.approve":        {"Approve", "Goedkeuren"},
		"pending.approved":       {"The organisation is approved.", "De organisatie is goedgekeurd."},
		"yes":                    {"yes", "ja"},
		"no":                     {"no", "nee"},
	}
}
