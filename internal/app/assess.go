// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"os"
	"path/filepath"

	"vigil/internal/advisory/csafvalidate"
	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// AddEvidenceFiles adds the files at paths to assessment id as evidence
// (stored by SHA-256, with the media type of the file name's extension).
// A file larger than assess.MaxEvidenceBytes is refused before any is
// stored.
func (a *App) AddEvidenceFiles(ctx context.Context, sc tenant.Scope, id int64, paths []string, actor string) ([]assess.Attachment, error) {
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			return nil, errs.Keyed(errs.Invalid, "", "evidence.bad", "evidence: %v", err)
		}
		if st.Size() > assess.MaxEvidenceBytes {
			return nil, errs.FieldKeyed("file", path, "file.mib", "larger than %d MiB", assess.MaxEvidenceBytes>>20)
		}
	}
	svc, err := a.Rating()
	if err != nil {
		return nil, err
	}
	var added []assess.Attachment
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return added, errs.Keyed(errs.Invalid, "", "evidence.bad", "evidence: %v", err)
		}
		e, err := svc.AddEvidence(ctx, sc, id, filepath.Base(path), mime.TypeByExtension(filepath.Ext(path)), b, actor)
		if err != nil {
			return added, err
		}
		added = append(added, e)
	}
	return added, nil
}

// CSAFResult is the validation of one CSAF document file.
type CSAFResult struct {
	File     string                 `json:"file"`
	Valid    bool                   `json:"valid"`
	Error    string                 `json:"error,omitempty"` // not readable or not JSON
	Failures []csafvalidate.Failure `json:"failures"`
	Warnings []csafvalidate.Failure `json:"warnings,omitempty"`
}

// ValidateCSAFFiles checks CSAF 2.0 documents against the JSON schema (the
// strict variants with strict) and the mandatory tests of section 6.1.
func ValidateCSAFFiles(files []string, strict bool) ([]CSAFResult, error) {
	v, err := csafvalidate.New(csafvalidate.Options{Strict: strict})
	if err != nil {
		return nil, err
	}
	var results []CSAFResult
	for _, name := range files {
		r := CSAFResult{File: name, Failures: []csafvalidate.Failure{}}
		data, err := os.ReadFile(name)
		if err != nil {
			r.Error = err.Error()
		} else if rep, err := v.Validate(data); err != nil {
			r.Error = err.Error()
		} else {
			r.Valid, r.Failures, r.Warnings = rep.Valid, rep.Failures, rep.Warnings
		}
		results = append(results, r)
	}
	return results, nil
}

// AnswersResult is what loading a maker's answers did.
type AnswersResult struct {
	Assessment string `json:"assessment"`
	Answers    int    `json:"answers"`
	// Unanswered are the applicable provisions still without an answer.
	Unanswered []string `json:"unanswered"`
	// Problems are the answers left out, with file, line and reason.
	Problems []errs.RowError `json:"problems"`
}

// LoadAnswers loads the maker's answers (YAML or JSON, format
// vigil-answers/1, at most 4 MiB) from r, named name, into draft
// assessment id. Answers with problems are left out and listed.
func (a *App) LoadAnswers(ctx context.Context, sc tenant.Scope, id int64, r io.Reader, name, actor string) (AnswersResult, error) {
	svc, err := a.Rating()
	if err != nil {
		return AnswersResult{}, err
	}
	as, bad, err := svc.SetAnswers(ctx, sc, id, io.LimitReader(r, 4<<20), name, actor)
	if err != nil {
		return AnswersResult{}, err
	}
	if bad == nil {
		bad = []errs.RowError{}
	}
	return AnswersResult{Assessment: as.ID, Answers: len(as.Answers.Items), Unanswered: as.Evaluate(svc.Catalogue()).Missing(), Problems: bad}, nil
}

// AssessCommands are the `vigil assess` commands built from rows: the
// answers template.
func AssessCommands() []Command {
	return []Command{{
		Use:   "template",
		Short: "Write an answers file to fill in: the device, conditions and every provision of the edition",
		Long: "Write an answers file (vigil-answers/1) for a maker to fill in offline: the device, the support period, every\n" +
			"condition of the edition with its text, and every provision with its kind, conditions and summary and an empty\n" +
			"answer. Load it with `vigil assess answer ASSESSMENT FILE`; a provision whose status is left empty is unanswered.\n" +
			"Without --output the file goes to standard output; an existing --output file is never overwritten.",
		NoStore: true,
		Flags: []Flag{
			{Name: "edition", Default: string(assess.DefaultEdition), Usage: "EN 303 645 edition: v2 (V2.1.1) or v3 (V3.1.3)"},
			{Name: "vendor", Usage: "the device's vendor"},
			{Name: "model", Usage: "the device's model"},
			{Name: "firmware", Usage: "the device's firmware version"},
			{Name: "output", Usage: "write to this file (not overwritten if it exists)"},
		},
		Run: func(_ context.Context, _ *App, in Input) (Output, error) {
			return AnswersTemplate(assess.Edition(in.Flags["edition"]), assess.Device{Vendor: in.Flags["vendor"], Model: in.Flags["model"], Firmware: in.Flags["firmware"]}, in.Flags["output"])
		},
	}}
}

// TemplateResult is what `assess template` wrote.
type TemplateResult struct {
	assess.TemplateStats
	// File is where it was written; empty for standard output, and then
	// Template holds it.
	File     string `json:"file,omitempty"`
	Template string `json:"template,omitempty"`
}

// Text implements Output: the template itself, or where it went.
func (r TemplateResult) Text() string {
	if r.File == "" {
		return r.Template
	}
	return fmt.Sprintf("wrote %s: %d provisions and %d conditions of edition %s to fill in; then vigil assess answer ASSESSMENT %s\n",
		r.File, r.Provisions, r.Conditions, r.Edition, r.File)
}

// AnswersTemplate makes the answers template of edition e for device d,
// written to the new file out (empty: returned in the result).
func AnswersTemplate(e assess.Edition, d assess.Device, out string) (TemplateResult, error) {
	if !e.Valid() {
		return TemplateResult{}, errs.FieldKeyed("edition", string(e), "assess.edition", "want v2 or v3")
	}
	c, err := assess.Load()
	if err != nil {
		return TemplateResult{}, err
	}
	var buf bytes.Buffer
	st, err := c.WriteTemplate(&buf, e, d)
	if err != nil {
		return TemplateResult{}, err
	}
	if out == "" {
		return TemplateResult{TemplateStats: st, Template: buf.String()}, nil
	}
	f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return TemplateResult{}, errs.Keyed(errs.Conflict, "", "file.exists.answers", "%s exists (answers filled in?): not overwritten; name another file", out)
	}
	if err != nil {
		return TemplateResult{}, errs.Field("output", out, err.Error())
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return TemplateResult{}, fmt.Errorf("write %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return TemplateResult{}, fmt.Errorf("write %s: %w", out, err)
	}
	return TemplateResult{TemplateStats: st, File: out}, nil
}
