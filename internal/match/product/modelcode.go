// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// ConfModelCode: the model is the name followed by a model code
// ("GateManager 8250" of "GateManager", "Modicon M340 BMX P34 2020" of
// "Modicon M340"), below every named rule: the name is a family and the
// model one of its members, which the advisory does not list.
const ConfModelCode = 0.6

var (
	// codeWordRE: a word of letters and digits, hyphens inside ("8250",
	// "P34", "TUC-1157", "IM157-1").
	codeWordRE = regexp.MustCompile(`^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$`)
	// versionWordRE: a word that is a version, a line, a service pack, an
	// update, a build or a revision, not a model code ("V8", "SP1", "R2",
	// "U3").
	versionWordRE = regexp.MustCompile(`(?i)^(?:v\d+|sp\d+|r\d{1,2}|u\d{1,2}|update\d*|build\d*)$`)
	// modelNumberRE: a run of three digits or more, a model number.
	modelNumberRE = regexp.MustCompile(`\d{3}`)
	// nameWordRE: a word of four letters or more, a product's name.
	nameWordRE = regexp.MustCompile(`^[A-Za-z]{4,}$`)
)

// MatchModelCode compares a model with an advisory product name as a
// member of the family the name is: the model's first words are the
// name's words (as written, word for word; a hyphen inside a word is no
// boundary, so "750-8207" is no member of "750"), and one to three words
// of a model code follow ("NPort 5110" of "NPort", "SIMOTION P320-4E" of
// "SIMOTION", "SINUMERIK ONE NCU 1740" of "SINUMERIK ONE"): letters and
// digits, one with a model number of three digits or more, a word of
// letters only in capitals ("BMX"). The name needs a word of four letters
// or more (a name, not a code alone). A version, a line, a service pack, a
// release or a year ("V8", "SP1", "2020" alone) is no model code: the line
// and release rules read those. Rule "model-code", ConfModelCode.
func MatchModelCode(name, model string) Result {
	nf, mf := strings.Fields(name), strings.Fields(model)
	if len(nf) == 0 || len(mf) <= len(nf) || len(mf)-len(nf) > 3 {
		return Result{Why: "not the name and one to three words"}
	}
	if !slices.ContainsFunc(nf, nameWordRE.MatchString) {
		return Result{Why: "the name has no word of letters"}
	}
	for i, w := range nf {
		if !slices.Equal(tokens(w), tokens(mf[i])) {
			return Result{Why: "the model does not start with the name"}
		}
	}
	extra := mf[len(nf):]
	if len(extra) == 1 && releaseToken(strings.ToLower(extra[0])) {
		return Result{Why: fmt.Sprintf("%q is a release", extra[0])}
	}
	number := false
	for _, w := range extra {
		switch {
		case !codeWordRE.MatchString(w), versionWordRE.MatchString(w):
			return Result{Why: fmt.Sprintf("%q is no model code", w)}
		case !hasDigit(strings.ToLower(w)) && w != strings.ToUpper(w):
			return Result{Why: fmt.Sprintf("%q is a word, not a code", w)}
		}
		number = number || modelNumberRE.MatchString(w)
	}
	if !number {
		return Result{Why: "no model number after the name"}
	}
	return Result{OK: true, Conf: ConfModelCode, Rule: "model-code",
		Why: fmt.Sprintf("model %q is %q with the model code %q after it: a member of the family it names", model, name, strings.Join(extra, " "))}
}
