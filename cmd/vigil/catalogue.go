// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"vigil/internal/assess"
	"vigil/internal/errs"
)

func (a *cmdline) catalogueCmd() *cobra.Command {
	var framework, edition string
	var raw bool
	cmd := &cobra.Command{
		Use:   "catalogue [--framework X] [--edition v3]",
		Short: "Show the ETSI EN 303 645 provision catalogue, or its mapping to a framework",
		Long: `Without --framework: every provision of the edition (id, kind and condition, section,
summary, how it can be evidenced). With --framework (cra, uk_psti, uk_cop, enisa,
nist_8259a, nist_8259b): the framework's references and the provisions mapped to each.
--raw prints the embedded catalogue file unchanged.`,
		Args: usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if raw {
				return assess.WriteYAML(a.stdout)
			}
			c, err := assess.Load()
			if err != nil {
				return err
			}
			ed := assess.Edition(edition)
			if !ed.Valid() {
				return errs.Field("edition", edition, "want v2 or v3")
			}
			if framework != "" {
				fw, err := c.ByFramework(framework)
				if err != nil {
					return err
				}
				if a.asJSON {
					return a.printJSON(map[string]any{"catalogue": c.Version, "framework": fw})
				}
				fmt.Fprintf(a.stdout, "%s (catalogue %s)\n", fw.Title, c.Version)
				w := a.table()
				fmt.Fprintln(w, "REF\tTITLE\tPROVISIONS")
				for _, r := range fw.Refs {
					fmt.Fprintf(w, "%s\t%s\t%s\n", r.Ref, fitText(r.Title, 60), strings.Join(r.Provisions, " "))
				}
				return w.Flush()
			}
			ps := c.Provisions(ed)
			if a.asJSON {
				return a.printJSON(map[string]any{"catalogue": c.Version, "standard": c.Standard, "edition": ed,
					"sections": c.Sections(), "frameworks": c.Frameworks(), "provisions": ps})
			}
			fmt.Fprintf(a.stdout, "%s, edition %s (catalogue %s): %d provisions\n", c.Standard, ed, c.Version, len(ps))
			w := a.table()
			fmt.Fprintln(w, "ID\tKIND\tSTATUS\tTEST\tSUMMARY")
			for _, p := range ps {
				req, _ := p.In(ed)
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.ID, req.Kind, req.Raw, p.Test, fitText(p.Summary, 80))
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&framework, "framework", "", "show the mapping to this framework")
	cmd.Flags().StringVar(&edition, "edition", string(assess.DefaultEdition), "edition: v2 or v3")
	cmd.Flags().BoolVar(&raw, "raw", false, "print the embedded catalogue YAML unchanged")
	return cmd
}
