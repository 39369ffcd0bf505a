// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"io"

	"vigil/internal/advisory"
	"vigil/internal/vuln"
)

// SurveyRanges reads the CSAF documents of arg (a file, a directory of
// .json files, "-" for stdin) and returns every distinct
// product_version_range string with its count and interpretation. It
// needs no store. A document that cannot be read is a problem of the
// survey, not an error: the others are still counted.
func SurveyRanges(ctx context.Context, arg string, stdin io.Reader) (vuln.RangeSurvey, error) {
	var s vuln.RangeSurvey
	files, err := AdvisoryFiles(arg)
	if err != nil {
		return s, err
	}
	for _, name := range files {
		r, display, closeFn, err := open(name, stdin)
		if err != nil {
			return s, err
		}
		_, rows, err := advisory.ParseCSAF(ctx, r, display, func(a advisory.Advisory) error {
			s.Add(&a)
			return nil
		})
		closeFn()
		if err != nil {
			if ctx.Err() != nil {
				return s, ctx.Err()
			}
			s.Problems = append(s.Problems, fmt.Sprintf("%s: %v", display, err))
		}
		for _, row := range rows {
			s.Problems = append(s.Problems, row.Error())
		}
	}
	s.Done()
	return s, nil
}
