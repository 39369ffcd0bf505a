// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt_test

import (
	"fmt"
	"strings"
	"time"

	"vigil/internal/contact/securitytxt"
)

func ExampleValidate() {
	file := "Contact: mailto:security@example.com\n" +
		"Contact: https://example.com/report\n" +
		"Expires: 2025-12-31T23:00:00Z\n" +
		"Preferred-Languages: nl, en\n"
	now := func() time.Time { return time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC) }
	r := securitytxt.Validate([]byte(file), securitytxt.Options{Now: now})
	fmt.Println("valid:", r.Valid)
	for _, is := range r.Errors {
		fmt.Println("error:", is.Code, "line", is.Line)
	}
	for _, is := range r.Recommendations {
		fmt.Println("recommendation:", is.Code)
	}
	fmt.Println("emails:", r.Emails(), "languages:", r.Languages())
	// Output:
	// valid: false
	// error: expired line 3
	// recommendation: no_encryption
	// recommendation: not_signed
	// emails: [security@example.com] languages: [nl en]
}

func ExampleValidateReader() {
	r, err := securitytxt.ValidateReader(strings.NewReader(strings.Repeat("#\n", 40000)), securitytxt.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Codes())
	// Output: [too_large]
}
