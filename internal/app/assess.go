// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"io"
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
			return nil, errs.Errorf(errs.Invalid, "evidence: %v", err)
		}
		if st.Size() > assess.MaxEvidenceBytes {
			return nil, errs.Field("file", path, fmt.Sprintf("larger than %d MiB", assess.MaxEvidenceBytes>>20))
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
			return added, errs.Errorf(errs.Invalid, "evidence: %v", err)
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
