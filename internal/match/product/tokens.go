// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	"fmt"
	"slices"
	"strings"
)

// Confidences of the token rules (MatchTokens), below every named rule:
// they compare words, not the shapes of names.
const (
	// ConfTokens: the model's words are the name's words once the
	// vendor's words, its initials or a brand the title puts before the
	// name lead the model ("ODA Drawings SDK" / "Drawings SDK").
	ConfTokens = 0.7
	// ConfTokenOmitted: the model leaves out one word of letters inside
	// the name, its first and last words kept ("X-STREAM XEXF" /
	// "X-STREAM enhanced XEXF").
	ConfTokenOmitted = 0.6
	// ConfSeriesDigits: a series written with its model number's last
	// digits as zeros ("UC-8100 Series") and a model with the same
	// leading digits ("UC-8112-LX").
	ConfSeriesDigits = 0.6
)

// TokenOptions are the words MatchTokens may drop from the head of a
// model: the vendor's names and initials (Lead), and a brand the
// advisory's title writes directly before the product name (Title).
type TokenOptions struct {
	Lead  [][]string // word runs that may lead the model (vendor names, initials)
	Title string     // the advisory's title
}

// MatchTokens is the fallback comparison of an advisory product name
// with a device model when no named rule matched: by normalised words.
// It matches when
//   - the model, once leading vendor words, vendor initials or a brand the
//     title writes before the name are dropped, has the same words as the
//     name, generic class words aside (rule "tokens", ConfTokens);
//   - or it lacks one word of letters inside the name, the name's first and
//     last words present and at least two words aligned (rule
//     "token-omitted", ConfTokenOmitted);
//   - or the name is a series ("series", "family") whose model number ends
//     in two or more zeros and the model has the same words with a number of
//     the same length starting with the series' leading digits, variant
//     words after it allowed (rule "series-digits", ConfSeriesDigits).
//
// A word with a digit is never left out or added on either side (save a
// series member's variant words), so a sibling model is not matched.
func MatchTokens(name, model string, o TokenOptions) Result {
	nt := withoutGeneric(tokens(name))
	series := slices.ContainsFunc(tokens(name), func(t string) bool {
		return t == "series" || t == "family" || t == "families"
	})
	series = series || strings.Contains(strings.ToLower(name), "all models")
	mAll := tokens(model)
	mt, dropped := dropLead(withoutGeneric(mAll), nt, o)
	// Words one side writes together and the other apart ("TBoxLT2" /
	// "TBox LT2") are one word.
	mt, nt = joinRuns(mt, nt), joinRuns(nt, mt)
	if len(nt) == 0 || len(mt) == 0 {
		return Result{Why: "no words to compare"}
	}
	if !slices.ContainsFunc(mt, distinctiveToken) {
		return Result{Why: "only class words"}
	}
	lead := ""
	if len(dropped) > 0 {
		lead = fmt.Sprintf(" once %q leading the model is dropped", strings.Join(dropped, " "))
	}
	if series {
		if ok, why := seriesDigits(nt, mt); ok {
			return Result{OK: true, Conf: ConfSeriesDigits, Rule: "series-digits",
				Why: fmt.Sprintf("model %q is a member of the series %q%s: %s", model, name, lead, why)}
		}
		// "TBoxLT2 (All models)" / "TBox LT2-532": the series' words,
		// then one or two variant words, the first with a digit.
		if extra := len(mt) - len(nt); extra >= 1 && extra <= 2 && hasPrefix(mt, nt) && hasDigitToken(nt) && hasDigit(mt[len(nt)]) {
			return Result{OK: true, Conf: ConfSeriesDigits, Rule: "series-member",
				Why: fmt.Sprintf("model %q is %q with the variant %q%s", model, name, strings.Join(mt[len(nt):], " "), lead)}
		}
	}
	// One word misspelt on one side ("IPSoft" / "ISPSoft"): letters only,
	// six or more, one letter added, dropped, changed or two swapped.
	respelt := ""
	for i, t := range mt {
		if slices.Contains(nt, t) {
			continue
		}
		for _, w := range nt {
			if respelt == "" && !slices.Contains(mt, w) && oneEdit(t, w) {
				respelt = fmt.Sprintf("%q written %q", w, t)
				mt = slices.Clone(mt)
				mt[i] = w
				break
			}
		}
		if mt[i] != t {
			continue
		}
		return Result{Why: fmt.Sprintf("the model's word %q is not in the name", t)}
	}
	var missing []string
	for _, t := range nt {
		if !slices.Contains(mt, t) {
			missing = append(missing, t)
		}
	}
	switch {
	case respelt != "" && len(missing) == 0:
		return Result{OK: true, Conf: ConfTokenOmitted, Rule: "spelling",
			Why: fmt.Sprintf("model %q is %q but for one word, %s%s", model, name, respelt, lead)}
	case respelt != "":
		return Result{Why: "a word misspelt and others missing"}
	case len(missing) == 0 && len(dropped) > 0:
		return Result{OK: true, Conf: ConfTokens, Rule: "tokens",
			Why: fmt.Sprintf("model %q has the words of %q%s", model, name, lead)}
	case len(missing) == 0:
		// Same words, other order or other separators: the named rules
		// compare those; the token rule adds nothing.
		return Result{Why: "same words"}
	case len(missing) == 1 && len(mt) >= 2 && !codeLike(missing[0]) && len(missing[0]) >= 3 &&
		!companionWord(missing[0]) && nt[0] != missing[0] && nt[len(nt)-1] != missing[0]:
		return Result{OK: true, Conf: ConfTokenOmitted, Rule: "token-omitted",
			Why: fmt.Sprintf("model %q has the words of %q but the word %q inside it%s", model, name, missing[0], lead)}
	}
	return Result{Why: fmt.Sprintf("the model lacks %q of the name", strings.Join(missing, " "))}
}

// distinctiveToken reports whether a word can identify a product: it
// holds a digit, or it is three letters or more and no class word.
func distinctiveToken(t string) bool {
	return hasDigit(t) || len(t) >= 3 && !genericWord(t) && !companionWord(t)
}

// dropLead removes from the head of model the word runs of o.Lead and a
// brand word the title writes directly before the name's first word, when
// the name does not start with them; it returns the rest and what it
// dropped.
func dropLead(model, name []string, o TokenOptions) ([]string, []string) {
	var dropped []string
	title := tokens(o.Title)
	for changed := true; changed && len(model) > 1; {
		changed = false
		for _, run := range o.Lead {
			// A run may be written together ("allenbradley", a brand
			// key) where the model writes it apart ("Allen-Bradley").
			k := joinedPrefix(model, strings.Join(run, ""))
			if len(run) == 0 || k == 0 || k >= len(model) || joinedPrefix(name, strings.Join(run, "")) > 0 {
				continue
			}
			dropped = append(dropped, model[:k]...)
			model, changed = model[k:], true
			break
		}
		if changed || len(name) == 0 || hasDigit(model[0]) || model[0] == name[0] {
			continue
		}
		// "Rosemount X-STREAM XEGP" / "X-STREAM enhanced XEGP" under the
		// title "Emerson Rosemount X-STREAM".
		for i := 0; i+1 < len(title); i++ {
			if title[i] == model[0] && title[i+1] == name[0] && model[1] == name[0] {
				dropped = append(dropped, model[0])
				model, changed = model[1:], true
				break
			}
		}
	}
	return model, dropped
}

// joinedPrefix returns how many leading words of ts, written together,
// are s (up to three; 0 when none).
func joinedPrefix(ts []string, s string) int {
	j := ""
	for i := 0; i < len(ts) && i < 3 && len(j) < len(s); i++ {
		j += ts[i]
		if j == s {
			return i + 1
		}
	}
	return 0
}

func hasPrefix(ts, run []string) bool {
	return len(ts) >= len(run) && slices.Equal(ts[:len(run)], run)
}

// seriesDigits aligns a series name's words with a model's: the same words
// in order, the series' number ("8100", two or more trailing zeros)
// standing for any number of its length with its leading digits ("8112"),
// and variant words ("lx", "t") after the number allowed. The number may
// follow the series' letters in one word ("Micro800 family" / "Micro850"),
// the model writing the same letters.
func seriesDigits(name, model []string) (bool, string) {
	if len(model) < len(name) {
		return false, ""
	}
	why := ""
	for i, t := range name {
		m := model[i]
		if t == m {
			continue
		}
		head := strings.TrimRightFunc(t, func(r rune) bool { return r >= '0' && r <= '9' })
		if !strings.HasPrefix(m, head) {
			return false, ""
		}
		t, m = t[len(head):], m[len(head):]
		lead := strings.TrimRight(t, "0")
		if !allDigits(t) || !allDigits(m) || len(t) != len(m) || len(t)-len(lead) < 2 || lead == "" || !strings.HasPrefix(m, lead) {
			return false, ""
		}
		if why != "" {
			return false, "" // one number only
		}
		why = fmt.Sprintf("%s is %s with its last %d digits free", m, t, len(t)-len(lead))
	}
	return why != "", why
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// joinRuns replaces each run of two or three adjacent words of ts that
// written together is a word of other ("tbox", "lt2" → "tboxlt2").
func joinRuns(ts, other []string) []string {
	var out []string
	for i := 0; i < len(ts); i++ {
		joined := false
		for n := 3; n >= 2 && !joined; n-- {
			if i+n <= len(ts) && slices.Contains(other, strings.Join(ts[i:i+n], "")) {
				out = append(out, strings.Join(ts[i:i+n], ""))
				i += n - 1
				joined = true
			}
		}
		if !joined {
			out = append(out, ts[i])
		}
	}
	return out
}

// codeLike reports whether a word may be a model number: it holds a digit
// and does not start and end with a letter ("x200", "4", "lt2"; not
// "p2p").
func codeLike(w string) bool {
	if !hasDigit(w) {
		return false
	}
	letter := func(c byte) bool { return c >= 'a' && c <= 'z' }
	return !letter(w[0]) || !letter(w[len(w)-1])
}

// oneEdit reports whether two words of six letters or more, letters only,
// differ by one letter added, dropped or changed, or two adjacent letters
// swapped.
func oneEdit(a, b string) bool {
	if len(a) < 6 || len(b) < 6 || a == b || hasDigit(a) || hasDigit(b) {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		var diff []int
		for i := 0; i < len(a); i++ {
			if a[i] != b[i] {
				diff = append(diff, i)
			}
		}
		return len(diff) == 1 || len(diff) == 2 && diff[1] == diff[0]+1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]]
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}
