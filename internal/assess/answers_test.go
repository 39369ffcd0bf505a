// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"vigil/internal/errs"
)

func loadFile(t *testing.T, c *Catalogue, name string) Answers {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, problems := c.LoadAnswers(f, name)
	if len(problems) > 0 {
		t.Fatalf("LoadAnswers(%s) problems: %v", name, problems)
	}
	return a
}

func TestLoadAnswersTestdata(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	good := loadFile(t, c, "answers-good.yaml")
	if got, want := good.Device, (Device{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2", Firmware: "3.4.1"}); got != want {
		t.Errorf("device = %+v; want %+v", got, want)
	}
	if len(good.Items) != 72 || len(good.Conditions) != 32 || good.Support.End != "2031-12-31" || good.Edition != EditionV3 {
		t.Errorf("good: %d answers, %d conditions, support %+v, edition %s", len(good.Items), len(good.Conditions), good.Support, good.Edition)
	}
	poor := loadFile(t, c, "answers-poor.yaml")
	if len(poor.Items) != 63 || poor.Support.End != "" {
		t.Errorf("poor: %d answers, support %+v", len(poor.Items), poor.Support)
	}

	// Every evidence hash in the good file is the hash of the file it names.
	n := 0
	for id, a := range good.Items {
		for _, e := range a.Evidence {
			b, err := os.ReadFile(filepath.Join("testdata", "evidence", "lumencam", e.File))
			if err != nil {
				t.Errorf("%s: evidence %s: %v", id, e.File, err)
				continue
			}
			sum := sha256.Sum256(b)
			if got := hex.EncodeToString(sum[:]); got != e.SHA256 {
				t.Errorf("%s: evidence %s sha256 = %s; file has %s", id, e.File, e.SHA256, got)
			}
			n++
		}
	}
	if n < 30 {
		t.Errorf("only %d evidence references checked", n)
	}
}

// TestLoadAnswersJSON: the JSON encoding of Answers is the file format, so a
// stored copy reloads to the same value.
func TestLoadAnswersJSON(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	for _, name := range []string{"answers-good.yaml", "answers-poor.yaml"} {
		a := loadFile(t, c, name)
		b, err := json.MarshalIndent(a, "", "\t") // tabs: JSON is read as YAML, tabs must still work
		if err != nil {
			t.Fatal(err)
		}
		back, problems := c.LoadAnswers(bytes.NewReader(b), name+".json")
		if len(problems) > 0 {
			t.Fatalf("%s: reload problems: %v", name, problems)
		}
		if diff := cmp.Diff(a, back, cmpopts.IgnoreFields(Answer{}, "Line")); diff != "" {
			t.Errorf("%s: JSON round trip (-want +got):\n%s", name, diff)
		}
	}
}

const goodHash = "8311a0a6b1b7aa13008e949fe89e86a51c0325577567c5addfb27b260bae2a3c"

func TestLoadAnswersProblems(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	head := "format: vigil-answers/1\nedition: v3\ndevice: {vendor: Acme, model: Cam}\n"
	tests := []struct {
		name      string
		doc       string
		want      []errs.RowError // File is filled in; Raw ignored
		wantItems []string
	}{
		{
			name:      "ok",
			doc:       head + "answers:\n  \"5.1-1\": {status: met}\n",
			wantItems: []string{"5.1-1"},
		},
		{
			name: "unknown_id",
			doc:  head + "answers:\n  \"5.1-1\": {status: met}\n  \"5.99-1\": {status: met}\n",
			want: []errs.RowError{{Line: 6, Field: "answers.5.99-1", Reason: "unknown provision id"}}, wantItems: []string{"5.1-1"},
		},
		{
			name: "not_in_edition",
			doc:  head + "answers:\n  \"5.3-4\": {status: met}\n",
			want: []errs.RowError{{Line: 5, Field: "answers.5.3-4", Reason: "provision not in edition v3 (split into 5.3-4A / 5.3-4B in V3.1.3.)"}},
		},
		{
			name: "bad_status",
			doc:  head + "answers:\n  \"5.1-1\":\n    status: yes\n",
			want: []errs.RowError{{Line: 6, Field: "answers.5.1-1.status", Reason: "bad status, want met, not_met or not_applicable"}},
		},
		{
			name: "missing_status",
			doc:  head + "answers:\n  \"5.1-1\":\n    justification: x\n",
			want: []errs.RowError{{Line: 6, Field: "answers.5.1-1.status", Reason: "required"}},
		},
		{
			name: "na_without_justification",
			doc:  head + "answers:\n  \"5.1-1\":\n    status: not_applicable\n",
			want: []errs.RowError{{Line: 6, Field: "answers.5.1-1.justification", Reason: "required for not_applicable (EN 303 645 5.0-1)"}},
		},
		{
			name:      "recommended_not_met_without_justification",
			doc:       head + "answers:\n  \"5.2-2\": {status: not_met}\n  \"5.2-1\": {status: not_met}\n",
			want:      []errs.RowError{{Line: 5, Field: "answers.5.2-2.justification", Reason: "required for a recommended provision that is not met (EN 303 645 5.0-1)"}},
			wantItems: []string{"5.2-1"},
		},
		{
			name: "unconditional_mandatory_not_applicable",
			doc:  head + "answers:\n  \"5.2-1\": {status: not_applicable, justification: we are small}\n",
			want: []errs.RowError{{Line: 5, Field: "answers.5.2-1.status", Reason: "a mandatory provision without condition cannot be not_applicable in edition v3"}},
		},
		{
			name:      "conditional_mandatory_not_applicable",
			doc:       head + "answers:\n  \"5.1-1\": {status: not_applicable, justification: no passwords at all}\n",
			wantItems: []string{"5.1-1"},
		},
		{
			name: "bad_evidence",
			doc:  head + "answers:\n  \"5.2-1\":\n    status: met\n    evidence:\n      - {file: vdp.pdf, sha256: abc}\n      - {sha256: " + goodHash + "}\n",
			want: []errs.RowError{
				{Line: 8, Field: "answers.5.2-1.evidence[0].sha256", Reason: "must be the file's SHA-256, 64 hex digits"},
				{Line: 9, Field: "answers.5.2-1.evidence[1].file", Reason: "required"},
			},
		},
		{
			name:      "evidence_uppercase_hash",
			doc:       head + "answers:\n  \"5.2-1\":\n    status: met\n    evidence: [{file: vdp.pdf, sha256: " + strings.ToUpper(goodHash) + "}]\n",
			wantItems: []string{"5.2-1"},
		},
		{
			name: "duplicate_answer",
			doc:  head + "answers:\n  \"5.2-1\": {status: met}\n  \"5.2-1\": {status: not_met}\n",
			want: []errs.RowError{{Line: 6, Field: "answers.5.2-1", Reason: "duplicate key"}}, wantItems: []string{"5.2-1"},
		},
		{
			name: "unknown_keys",
			doc:  head + "colour: red\nanswers:\n  \"5.2-1\": {status: met, evidance: []}\n",
			want: []errs.RowError{
				{Line: 4, Field: "colour", Reason: "unknown key"},
				{Line: 6, Field: "answers.5.2-1.evidance", Reason: "unknown key"},
			},
		},
		{
			name: "conditions",
			doc: head + "conditions:\n  Fa: maybe\n  Fzz: true\n  C1: true\n  C14: false\n" +
				"answers:\n  \"5.2-1\": {status: met}\n",
			want: []errs.RowError{
				{Line: 5, Field: "conditions.Fa", Reason: "not a boolean (true or false)"},
				{Line: 6, Field: "conditions.Fzz", Reason: "unknown condition (want C1…C16 or Fa…Faa, see `vigil catalogue`)"},
				{Line: 7, Field: "conditions.C1", Reason: "condition not used by edition v3"},
			},
			wantItems: []string{"5.2-1"},
		},
		{
			name: "contradicting_constraint",
			doc:  "format: vigil-answers/1\nedition: v2\ndevice: {vendor: Acme, model: Cam}\nconditions: {C4: true, C5: true}\nanswers: {}\n",
			want: []errs.RowError{{Line: 4, Field: "conditions.C5", Reason: "C4 (constrained) and C5 (not constrained) contradict each other"}},
		},
		{
			name: "header",
			doc:  "format: vigil-answers/9\nedition: v4\ndevice: {vendor: Acme}\nsupport: {end: 31.12.2030, url: ftp://x}\nanswers: {}\n",
			want: []errs.RowError{
				{Line: 1, Field: "format", Reason: `unsupported format, want "vigil-answers/1"`},
				{Line: 2, Field: "edition", Reason: "unknown edition, want v2 or v3"},
				{Line: 3, Field: "device.model", Reason: "required"},
				{Line: 4, Field: "support.end", Reason: "not a date (YYYY-MM-DD)"},
				{Line: 4, Field: "support.url", Reason: "not an http(s) URL"},
			},
		},
		{
			name: "missing_format_and_answers",
			doc:  "device: {vendor: Acme, model: Cam}\n",
			want: []errs.RowError{{Line: 1, Field: "format", Reason: `missing, want "vigil-answers/1"`}, {Line: 1, Field: "answers", Reason: "missing"}},
		},
		{
			name: "syntax_error",
			doc:  head + "answers:\n  \"5.2-1\": {status: met\n",
			want: []errs.RowError{{Line: 4, Reason: "yaml: line 4: did not find expected ',' or '}'"}},
		},
		{
			name: "not_a_mapping",
			doc:  "- 1\n- 2\n",
			want: []errs.RowError{{Line: 1, Reason: "top level must be a mapping"}},
		},
		{
			name: "answers_not_mapping",
			doc:  head + "answers:\n  - \"5.2-1\"\n",
			want: []errs.RowError{{Line: 5, Field: "answers", Reason: "must be a mapping"}},
		},
		{
			name: "empty",
			doc:  "",
			want: []errs.RowError{{Reason: "empty file"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, got := c.LoadAnswers(strings.NewReader(tt.doc), "in.yaml")
			for i := range tt.want {
				tt.want[i].File = "in.yaml"
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(errs.RowError{}, "Raw"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			var ids []string
			for id := range a.Items {
				ids = append(ids, id)
			}
			if diff := cmp.Diff(tt.wantItems, ids, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSupportEndTime(t *testing.T) {
	t.Parallel()
	end, ok := Support{End: "2030-12-31"}.EndTime()
	if !ok || !end.Equal(mustTime("2031-01-01")) {
		t.Errorf("EndTime = %v, %v; want start of 2031-01-01", end, ok)
	}
	if _, ok := (Support{}).EndTime(); ok {
		t.Error("empty support has an end")
	}
}

func FuzzLoadAnswers(f *testing.F) {
	for _, name := range []string{"answers-good.yaml", "answers-poor.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"format":"vigil-answers/1","device":{"vendor":"a","model":"b"},"answers":{"5.1-1":{"status":"met"}}}`))
	c := mustLoad(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, problems := c.LoadAnswers(bytes.NewReader(b), "fuzz")
		for id, ans := range a.Items {
			p, ok := c.Provision(id)
			if !ok {
				t.Fatalf("unknown id %q accepted", id)
			}
			if _, ok := p.In(a.Edition); !ok {
				t.Fatalf("%s not in %s accepted", id, a.Edition)
			}
			switch ans.Status {
			case Met, NotMet, NotApplicable:
			default:
				t.Fatalf("%s: status %q accepted", id, ans.Status)
			}
			if ans.Status == NotApplicable && ans.Justification == "" {
				t.Fatalf("%s: not_applicable without justification accepted", id)
			}
		}
		for _, p := range problems {
			if p.Reason == "" {
				t.Fatalf("problem without reason: %+v", p)
			}
		}
		// Whatever was accepted reloads unchanged from its JSON form.
		if len(problems) == 0 {
			j, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			back, problems := c.LoadAnswers(bytes.NewReader(j), "fuzz.json")
			if len(problems) > 0 {
				t.Fatalf("reload of %s: %v", j, problems)
			}
			if diff := cmp.Diff(a, back, cmpopts.IgnoreFields(Answer{}, "Line"), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("reload (-want +got):\n%s", diff)
			}
		}
	})
}

func loadBytes(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func BenchmarkLoadAnswers(b *testing.B) {
	c := mustLoad(b)
	data := loadBytes(b, "answers-good.yaml")
	b.ReportAllocs()
	for b.Loop() {
		if _, p := c.LoadAnswers(bytes.NewReader(data), "good"); len(p) > 0 {
			b.Fatal(p)
		}
	}
}
