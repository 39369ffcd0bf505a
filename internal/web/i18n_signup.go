// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// signupMessages are the texts of self-service sign-up and the
// confirmation of its e-mail address: key → {English, Dutch}.
func signupMessages() map[string][2]string {
	return map[string][2]string{
		"signup.title":            {"Sign up", "Account aanmaken"},
		"signup.link":             {"No account yet? Sign up", "Nog geen account? Maak er een aan"},
		"signup.intro":            {"Make an account to register your organisation and see the warnings about its networks. We send a link to your e-mail address; the account works once you follow it.", "Maak een account aan om uw organisatie aan te melden en de waarschuwingen over haar netwerken te zien. We sturen een link naar uw e-mailadres; het account werkt zodra u die volgt."},
		"signup.name":             {"Your name", "Uw naam"},
		"signup.submit":           {"Sign up", "Account aanmaken"},
		"signup.have":             {"Have an account already?", "Hebt u al een account?"},
		"signup.closed":           {"Signing up is closed on this service. Ask an administrator of the service for an account, or ask a colleague who has one to invite you.", "Aanmelden is op deze dienst gesloten. Vraag een beheerder van de dienst om een account, of vraag een collega met een account om u uit te nodigen."},
		"signup.sent":             {"Thank you. If the address can be used, a message with a link to confirm it is on its way; the link works once, for 24 hours. Follow it, then register your organisation.", "Dank u. Als het adres gebruikt kan worden, is een bericht met een link om het te bevestigen onderweg; de link werkt één keer, 24 uur lang. Volg die en meld daarna uw organisatie aan."},
		"signup.again":            {"Sign up again", "Opnieuw aanmelden"},
		"signup.confirm.title":    {"Confirm your e-mail address", "Bevestig uw e-mailadres"},
		"signup.confirm.intro":    {"Confirm your e-mail address to activate your account; you are signed in at once and can register your organisation.", "Bevestig uw e-mailadres om uw account te activeren; u bent meteen ingelogd en kunt uw organisatie aanmelden."},
		"signup.confirm.submit":   {"Confirm and sign in", "Bevestigen en inloggen"},
		"signup.confirm.password": {"The password you chose when signing up", "Het wachtwoord dat u bij het aanmelden koos"},
		"signup.confirmed":        {"Your e-mail address is confirmed. Register the organisation you act for.", "Uw e-mailadres is bevestigd. Meld de organisatie aan waarvoor u handelt."},
		"mail.signup.subject":     {"vigil: confirm your e-mail address", "vigil: bevestig uw e-mailadres"},
		"mail.signup.text": {"Someone (we hope you) made a vigil account for %s.\n\nConfirm the address here to activate it:\n%s\n\nThe link works once, for %d hours. If you did not sign up, ignore this message; the account stays inactive.\n",
			"Iemand (hopelijk u) maakte een vigil-account aan voor %s.\n\nBevestig het adres hier om het te activeren:\n%s\n\nDe link werkt één keer, %d uur lang. Hebt u zich niet aangemeld, negeer dan dit bericht; het account blijft inactief.\n"},
		"mail.signup.exists.subject": {"vigil: someone tried to sign up with your address", "vigil: iemand probeerde zich met uw adres aan te melden"},
		"mail.signup.exists.text": {"Someone (perhaps you) tried to make a vigil account for %s, which has an account already. Nothing was changed.\n\nSign in here:\n%s\n\nForgot your password? Choose a new one here:\n%s\n\nIf it was not you, ignore this message.\n",
			"Iemand (misschien u) probeerde een vigil-account aan te maken voor %s, dat al een account heeft. Er is niets gewijzigd.\n\nLog hier in:\n%s\n\nWachtwoord vergeten? Kies hier een nieuw:\n%s\n\nWas u het niet, negeer dan dit bericht.\n"},
	}
}
