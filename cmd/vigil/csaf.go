// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"vigil/internal/advisory/csafvalidate"
	"vigil/internal/errs"
)

func (a *cmdline) csafCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "csaf", Short: "Work with CSAF 2.0 documents"}
	cmd.AddCommand(a.csafValidateCmd())
	return cmd
}

// csafResult is the validation of one file.
type csafResult struct {
	File     string                 `json:"file"`
	Valid    bool                   `json:"valid"`
	Error    string                 `json:"error,omitempty"` // not readable or not JSON
	Failures []csafvalidate.Failure `json:"failures"`
	Warnings []csafvalidate.Failure `json:"warnings,omitempty"`
}

func (a *cmdline) csafValidateCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check CSAF 2.0 documents against the JSON schema and the mandatory tests (section 6.1)",
		Long: `Validate CSAF 2.0 documents: the OASIS JSON schema and every mandatory test of section 6.1 of
the standard. Each failure names the test id ("schema", "6.1.1", "6.1.27.9", ...) and the JSON path.
Exits 1 when any document is invalid (or not JSON), 0 when all are valid.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errs.Errorf(errs.Invalid, "%s needs at least one file (usage: %s)", cmd.CommandPath(), cmd.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := csafvalidate.New(csafvalidate.Options{Strict: strict})
			if err != nil {
				return err
			}
			var results []csafResult
			invalid := 0
			for _, name := range args {
				r := csafResult{File: name, Failures: []csafvalidate.Failure{}}
				data, err := os.ReadFile(name)
				if err != nil {
					r.Error = err.Error()
				} else if rep, err := v.Validate(data); err != nil {
					r.Error = err.Error()
				} else {
					r.Valid, r.Failures, r.Warnings = rep.Valid, rep.Failures, rep.Warnings
				}
				if !r.Valid {
					invalid++
				}
				results = append(results, r)
			}
			if a.asJSON {
				if err := a.printJSON(results); err != nil {
					return err
				}
			} else {
				for _, r := range results {
					switch {
					case r.Error != "":
						fmt.Fprintf(a.stdout, "%s: invalid: %s\n", r.File, r.Error)
					case r.Valid:
						fmt.Fprintf(a.stdout, "%s: valid\n", r.File)
					default:
						fmt.Fprintf(a.stdout, "%s: invalid (%d failures)\n", r.File, len(r.Failures))
					}
					for _, f := range r.Failures {
						fmt.Fprintf(a.stdout, "  %s %s: %s\n", f.Test, f.Path, f.Message)
					}
					for _, f := range r.Warnings {
						fmt.Fprintf(a.stdout, "  warning %s %s: %s\n", f.Test, f.Path, f.Message)
					}
				}
			}
			if invalid > 0 {
				return silentError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "use the strict schema variants of the OASIS test suite (no additional properties)")
	return cmd
}
