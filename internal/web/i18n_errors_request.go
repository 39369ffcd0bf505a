// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// requestErrorMessages are the texts of the coded errors that refuse a
// request itself rather than what a form asked: its path, query, body,
// token or method. Pages meet few of them (a bad query parameter, a link
// to no page), the API all; like errorMessages, each English text is the
// format the error is made with (TestErrorKeysTranslated).
func requestErrorMessages() map[string][2]string {
	return map[string][2]string{
		"err.int.range":       {"%q: must be an integer from 1 to %d", "%q: moet een geheel getal van 1 tot en met %d zijn"},
		"err.int.invalid":     {"%q: must be an integer", "%q: moet een geheel getal zijn"},
		"err.enum.invalid":    {"%q: must be one of %s", "%q: moet een van %s zijn"},
		"err.id.invalid":      {"%q: not an id (a positive integer)", "%q: geen id (een positief geheel getal)"},
		"err.id.nonneg":       {"%q: must be an id (a non-negative integer)", "%q: moet een id zijn (een geheel getal van 0 of meer)"},
		"err.cursor.invalid":  {"cursor %q: want the next value of a previous answer (digits.digits)", "cursor %q: geef de waarde next van een eerder antwoord (cijfers.cijfers)"},
		"err.changes.limit":   {"%s: must be 1–%d", "%s: moet 1–%d zijn"},
		"err.time.date":       {"%q: must be a date (2025-06-01) or an RFC 3339 time", "%q: moet een datum (2025-06-01) of een RFC 3339-tijd zijn"},
		"err.time.rfc3339":    {"%q: must be an RFC 3339 time", "%q: moet een RFC 3339-tijd zijn"},
		"err.seen.both":       {"give before_seen or after_seen, not both", "geef before_seen of after_seen, niet beide"},
		"err.seen.id":         {"give %s_id with %s_seen", "geef %s_id samen met %s_seen"},
		"err.form.malformed":  {"malformed form", "onleesbaar formulier"},
		"err.query.malformed": {"malformed query string", "onleesbare querystring"},
		"err.query.unknown":   {"unknown query parameter %q", "onbekende queryparameter %q"},
		"err.query.repeated":  {"query parameter %q given %d times", "queryparameter %q is %d keer gegeven"},
		"err.route.none":      {"no route for %s %s", "geen route voor %s %s"},
		"err.route.method":    {"%s is not allowed on %s (allowed: %s)", "%s is niet toegestaan op %s (toegestaan: %s)"},
		"err.ready.not":       {"not ready: %s", "niet gereed: %s"},
		"err.db.down":         {"the database does not answer", "de database antwoordt niet"},
		"err.token.operator":  {"only operator tokens may %s %s", "alleen operatortokens mogen %s %s"},
		"err.token.lacks":     {"the token lacks the %s scope", "het token mist de scope %s"},
		"err.token.missing":   {"missing token: send Authorization: Bearer %s…", "token ontbreekt: stuur Authorization: Bearer %s…"},
		"err.token.scheme":    {"the Authorization scheme must be Bearer", "het schema van Authorization moet Bearer zijn"},
		"err.token.unknown":   {"unknown or revoked token", "onbekend of ingetrokken token"},
		"err.body.type":       {"the request body must be application/json (Content-Type: %s)", "de inhoud van het verzoek moet application/json zijn (Content-Type: %s)"},
		"err.body.utf8":       {"the request body is not valid UTF-8", "de inhoud van het verzoek is geen geldige UTF-8"},
		"err.body.large":      {"the request body exceeds %d bytes", "de inhoud van het verzoek is groter dan %d bytes"},
		"err.body.empty":      {"the request body is empty; send a JSON object", "de inhoud van het verzoek is leeg; stuur een JSON-object"},
		"err.body.bad":        {"bad request body: %s", "ongeldige inhoud van het verzoek: %s"},
		"err.json.trailing":   {"unexpected data after the JSON value", "onverwachte gegevens na de JSON-waarde"},
		"err.json.short":      {"the JSON request body ends early", "de JSON in het verzoek houdt te vroeg op"},
		"err.json.malformed":  {"malformed JSON at byte %d: %s", "ongeldige JSON bij byte %d: %s"},
		"err.json.bodytype":   {"the request body must be a JSON %s, not %s", "de inhoud van het verzoek moet een JSON-%s zijn, geen %s"},
		"err.json.fieldtype":  {"must be a JSON %s, not %s", "moet een JSON-%s zijn, geen %s"},
		"err.json.unknown":    {"unknown field %q", "onbekend veld %q"},
	}
}
