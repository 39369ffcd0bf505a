// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package text

import (
	"strconv"
	"strings"
)

// CSVCell defuses a spreadsheet formula (CSV injection, OWASP's advice):
// a cell that starts with =, +, -, @, a tab or a carriage return would be
// taken for a formula by a spreadsheet, so it gets a leading quote. A
// number ("-3", "+1.5") is left as it is: it runs nothing.
func CSVCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	return "'" + s
}
