// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
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
