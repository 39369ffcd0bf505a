// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:generate sh -c "go run ./gen -o words.tsv -leads leads.tsv -csaf ${VIGIL_CORPUS}/csaf-cisa/train -years 17-20"

// wordsTSV holds, for each word of the product names of the CISA
// advisories of 2017–2020, the number of distinct product names that hold
// it (gen/main.go; words of fewer than three names are left out).
//
//go:embed words.tsv
var wordsTSV string

// wordCounts parses wordsTSV: the number of names and each word's count.
var wordCounts = sync.OnceValues(func() (map[string]int, int) {
	df := map[string]int{}
	total := 0
	for _, line := range strings.Split(wordsTSV, "\n") {
		w, n, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		c, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if w == "names" {
			total = c
			continue
		}
		df[w] = c
	}
	return df, total
})

// WordNames returns how many distinct product names of the 2017–2020
// advisories hold the normalised word (0 for fewer than three).
func WordNames(w string) int {
	df, _ := wordCounts()
	return df[w]
}

// commonNames is the number of product names a word must be in to be a
// common word: one that says little about which product is meant
// ("simatic", "industrial", "classic"), unlike a rare one ("rslinx").
const commonNames = 8

// ConfWeighted is the confidence of rule "weighted-tokens", the last of
// the word rules.
const ConfWeighted = 0.6

// commonWord reports whether a word is a class word or one many product
// names share. A word of one or two letters is a variant's designation
// ("Series B", "PN ST"), and a role word ("client", "server", "viewer")
// tells a product's parts apart: neither is common.
func commonWord(t string) bool {
	if len(t) < 3 || companionWord(t) || t == "server" || t == "servers" {
		return false
	}
	return genericWord(t) || !hasDigit(t) && WordNames(t) >= commonNames
}

// weight is a word's inverse document frequency over the product names.
func weight(t string) float64 {
	_, total := wordCounts()
	return math.Log(float64(total+1) / float64(WordNames(t)+1))
}

// MatchWeighted compares words weighted by how rare they are among
// product names (rule "weighted-tokens", ConfWeighted), when no other rule
// matched. The model and the name (leading vendor words of the model
// dropped as MatchTokens does) must
//   - hold the same words with digits, save that one code of a list of
//     codes of one shape stands for the list ("PageWriter TC50" /
//     "PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs");
//   - differ only in common words (class words, or words of eight product
//     names or more: "SIMATIC WinCC"; never a designation of one or two
//     letters or a role word such as "client") the model leaves out, at most
//     one class word the model adds, or words of letters after the name's last code
//     where the model ends with that code ("CareLink 2090" / "CareLink 2090
//     Programmer");
//   - share a rare word, and the shared words weigh at least half of all.
func MatchWeighted(name, model string, o TokenOptions) Result {
	nt := tokens(name)
	mt, dropped := dropLead(tokens(model), nt, o)
	mt, nt = joinRuns(mt, nt), joinRuns(nt, mt)
	if len(nt) == 0 || len(mt) == 0 {
		return Result{Why: "no words to compare"}
	}
	nt, list := oneOfList(nt, mt)
	for _, t := range mt {
		if hasDigit(t) && !slices.Contains(nt, t) {
			return Result{Why: fmt.Sprintf("the model's number %q is not in the name", t)}
		}
	}
	for _, t := range nt {
		if hasDigit(t) && !slices.Contains(mt, t) {
			return Result{Why: fmt.Sprintf("the name's number %q is not in the model", t)}
		}
	}
	// Words of letters after the name's last code, when the model ends
	// with that code, describe the product.
	tail := map[string]bool{}
	last := len(nt) - 1
	for last >= 0 && !hasDigit(nt[last]) {
		last--
	}
	if last >= 0 && mt[len(mt)-1] == nt[last] {
		for _, t := range nt[last+1:] {
			tail[t] = true
		}
	}
	var shared, missing, extra []string
	for _, t := range mt {
		if slices.Contains(nt, t) {
			shared = append(shared, t)
		} else {
			extra = append(extra, t)
		}
	}
	for _, t := range nt {
		if !slices.Contains(mt, t) {
			missing = append(missing, t)
		}
	}
	if len(missing)+len(extra) == 0 {
		return Result{Why: "same words"}
	}
	if len(extra) > 1 {
		return Result{Why: fmt.Sprintf("the model adds %q", strings.Join(extra, " "))}
	}
	for _, t := range extra {
		if !genericWord(t) || !commonWord(t) {
			// An added word that is no class word names an edition or
			// another product ("RSLinx Enterprise" of "RSLinx").
			return Result{Why: fmt.Sprintf("the model adds the word %q", t)}
		}
	}
	for _, t := range missing {
		if otherEdition(t) && !tail[t] {
			// The name's edition word the model leaves out names another
			// edition ("FactoryTalk Linx" of "FactoryTalk Linx Enterprise
			// software"): rule "edition", a refusal.
			return Result{Why: fmt.Sprintf("the model lacks the edition word %q (rule edition)", t)}
		}
		if !commonWord(t) && !tail[t] {
			return Result{Why: fmt.Sprintf("the model lacks the rare word %q", t)}
		}
	}
	if !slices.ContainsFunc(shared, func(t string) bool { return len(t) >= 3 && !commonWord(t) && !companionWord(t) }) {
		return Result{Why: "no rare word shared"}
	}
	var s, u float64
	for _, t := range shared {
		s += weight(t)
	}
	u = s
	for _, t := range append(missing, extra...) {
		u += weight(t)
	}
	if s < u/2 {
		return Result{Why: fmt.Sprintf("the shared words weigh %.2f of %.2f", s, u)}
	}
	var how []string
	if len(dropped) > 0 {
		how = append(how, fmt.Sprintf("%q leading the model dropped", strings.Join(dropped, " ")))
	}
	if list != "" {
		how = append(how, list)
	}
	if len(missing) > 0 {
		how = append(how, fmt.Sprintf("the name's words %q left out", strings.Join(missing, " ")))
	}
	if len(extra) > 0 {
		how = append(how, fmt.Sprintf("the common word %q added", extra[0]))
	}
	return Result{OK: true, Conf: ConfWeighted, Rule: "weighted-tokens",
		Why: fmt.Sprintf("model %q shares the rare words of %q (%.0f%% of the words' weight): %s", model, name, 100*s/u, strings.Join(how, "; "))}
}

// oneOfList drops from a name's words the other codes of a run of two or
// more codes of one shape (same letters, same number of digits: "tc10 tc20
// tc30") when the model holds exactly one of them, and says so.
func oneOfList(nt, mt []string) ([]string, string) {
	shape := func(t string) string {
		var b strings.Builder
		for i := 0; i < len(t); i++ {
			if isDigit(t[i]) {
				b.WriteByte('9')
			} else {
				b.WriteByte(t[i])
			}
		}
		return b.String()
	}
	for i := 0; i < len(nt); i++ {
		if !hasDigit(nt[i]) {
			continue
		}
		j := i + 1
		for j < len(nt) && hasDigit(nt[j]) && shape(nt[j]) == shape(nt[i]) {
			j++
		}
		if j-i < 2 {
			continue
		}
		var in []string
		for _, t := range nt[i:j] {
			if slices.Contains(mt, t) {
				in = append(in, t)
			}
		}
		if len(in) != 1 {
			i = j - 1
			continue
		}
		out := append(slices.Clone(nt[:i]), in[0])
		out = append(out, nt[j:]...)
		return out, fmt.Sprintf("%q one of the list %q", in[0], strings.Join(nt[i:j], " "))
	}
	return nt, ""
}
