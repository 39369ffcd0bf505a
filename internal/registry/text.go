// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the organisation as `vigil org show` prints it: its
// details and policy, then a line per contact, asset and device.
func (o Org) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Organisation %d\t%s\n", o.ID, o.Name)
	fmt.Fprintf(tw, "Sector\t%s\nCountry\t%s\nLanguages\t%s\n", o.Sector, o.Country, strings.Join(o.Languages, ", "))
	fmt.Fprintf(tw, "Policy\tmode=%s min_severity=%s\n", orDefault(o.Policy.Mode), orDefault(o.Policy.MinSeverity))
	for _, c := range o.Contacts {
		fmt.Fprintf(tw, "Contact %d\t%s %s %s %s\n", c.ID, c.Role, c.Email, c.Phone, c.Lang)
	}
	for _, as := range o.Assets {
		v := "unverified"
		if as.Verified() {
			v = "verified by " + as.VerifyMethod
		}
		fmt.Fprintf(tw, "Asset %d\t%s %s (%s)\n", as.ID, as.Kind, as.Value, v)
	}
	for _, d := range o.Devices {
		fmt.Fprintf(tw, "Device %d\t%s %s %s\n", d.ID, d.Vendor, d.Model, d.Firmware)
	}
	return tw.Flush()
}

func orDefault(s string) string {
	if s == "" {
		return "default"
	}
	return s
}
