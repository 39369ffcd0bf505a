// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// mailboxMessages are the texts of the demo mailbox and of the forms of an
// installation that sends no e-mail.
func mailboxMessages() map[string][2]string {
	return map[string][2]string{
		"nav.mailbox":           {"Demo mailbox", "Demo-postvak"},
		"mailbox.title":         {"Demo mailbox", "Demo-postvak"},
		"mailbox.intro":         {"This demo sends no e-mail out of the machine: what it sends (warnings, sign-up confirmations, password resets, invitations) leaves the outbox as on a real service and arrives here. The outbox is emptied every half minute; reload to see new mail.", "Deze demo stuurt geen e-mail buiten de machine: wat ze verstuurt (waarschuwingen, bevestigingen van aanmeldingen, wachtwoordherstel, uitnodigingen) verlaat de outbox zoals bij een echte dienst en komt hier aan. De outbox wordt elke halve minuut geleegd; laad opnieuw om nieuwe mail te zien."},
		"mailbox.reload":        {"Reload", "Opnieuw laden"},
		"mailbox.none":          {"No mail has arrived yet.", "Er is nog geen mail aangekomen."},
		"mailbox.list":          {"Messages, newest first", "Berichten, nieuwste eerst"},
		"mailbox.no":            {"No.", "Nr."},
		"mailbox.received":      {"Received", "Ontvangen"},
		"mailbox.to":            {"To", "Aan"},
		"mailbox.from":          {"From", "Van"},
		"mailbox.subject":       {"Subject", "Onderwerp"},
		"mailbox.nosubj":        {"(no subject)", "(geen onderwerp)"},
		"mailbox.message":       {"Message %d", "Bericht %d"},
		"mailbox.date":          {"Date", "Datum"},
		"mailbox.notext":        {"(the message has no plain text)", "(het bericht heeft geen platte tekst)"},
		"mailbox.back":          {"Back to the list", "Terug naar de lijst"},
		"mail.off.notice":       {"This installation sends no e-mail: no mail server is configured. Ask its administrator.", "Deze installatie verstuurt geen e-mail: er is geen mailserver ingesteld. Vraag het de beheerder."},
		"err.mailbox.nomessage": {"no message %d in the mailbox", "geen bericht %d in het postvak"},
		"err.mail.off":          {"this installation sends no e-mail (no SMTP relay is configured); ask its administrator", "deze installatie verstuurt geen e-mail (er is geen SMTP-relay ingesteld); vraag het de beheerder"},
	}
}
