// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// assessMessages are the texts of assessments and their questionnaire: key → {English, Dutch}.
func assessMessages() map[string][2]string {
	return map[string][2]string{
		"assessments.title":        {"Assessments and labels", "Beoordelingen en labels"},
		"assessments.intro":        {"Assess a device against EN 303 645: answer the questionnaire, submit it, and an analyst reviews it and issues the label.", "Beoordeel een apparaat volgens EN 303 645: beantwoord de vragenlijst en dien die in; een analist beoordeelt haar en geeft het label uit."},
		"assessments.caption":      {"Assessments of %s", "Beoordelingen van %s"},
		"assessments.no":           {"No.", "Nr."},
		"assessments.state":        {"State", "Stand"},
		"assessments.updated":      {"Changed", "Gewijzigd"},
		"assessments.label":        {"Label", "Label"},
		"assessments.none":         {"No assessments yet.", "Nog geen beoordelingen."},
		"assessments.start":        {"Start an assessment", "Beoordeling starten"},
		"assessments.nodevices":    {"Add a device first.", "Voeg eerst een apparaat toe."},
		"astate.draft":             {"draft", "concept"},
		"astate.submitted":         {"submitted for review", "ingediend"},
		"astate.reviewed":          {"reviewed", "beoordeeld"},
		"astate.labelled":          {"labelled", "gelabeld"},
		"astate.expired":           {"expired", "verlopen"},
		"astate.revoked":           {"revoked", "ingetrokken"},
		"assessment.title":         {"Assessment", "Beoordeling"},
		"assessment.started":       {"The assessment was started: answer the questionnaire.", "De beoordeling is gestart: beantwoord de vragenlijst."},
		"assessment.saved":         {"Your answers were saved.", "Uw antwoorden zijn bewaard."},
		"assessment.submitted":     {"Submitted: an analyst reviews it.", "Ingediend: een analist beoordeelt haar."},
		"assessment.labelled":      {"Label issued:", "Label uitgegeven:"},
		"assessment.download":      {"download", "downloaden"},
		"assessment.trail":         {"Review trail", "Verloop"},
		"assessment.questions":     {"Questionnaire", "Vragenlijst"},
		"assessment.help":          {"Answer each provision. A provision that does not apply, or a recommended one not met, needs a justification.", "Beantwoord elke bepaling. Een bepaling die niet van toepassing is, of een aanbevolen bepaling waaraan niet wordt voldaan, vraagt een toelichting."},
		"assessment.support":       {"Security updates until (date)", "Beveiligingsupdates tot (datum)"},
		"assessment.provision":     {"Provision", "Bepaling"},
		"assessment.answer":        {"Answer", "Antwoord"},
		"assessment.justification": {"Justification", "Toelichting"},
		"assessment.save":          {"Save", "Bewaren"},
		"assessment.submit":        {"Save and submit for review", "Bewaren en indienen"},
		"answer.met":               {"met", "voldaan"},
		"answer.not_met":           {"not met", "niet voldaan"},
		"answer.not_applicable":    {"not applicable", "niet van toepassing"},
	}
}
