// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/errs"
)

func (a *cmdline) csafCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "csaf", Short: "Work with CSAF 2.0 documents"}
	cmd.AddCommand(a.csafValidateCmd())
	return cmd
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
			results, err := app.ValidateCSAFFiles(args, strict)
			if err != nil {
				return err
			}
			err = a.print(results, func() error {
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
				return nil
			})
			for _, r := range results {
				if err == nil && !r.Valid {
					return silentError{code: 1}
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "use the strict schema variants of the OASIS test suite (no additional properties)")
	return cmd
}
