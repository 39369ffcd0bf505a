// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rdap_test

import (
	"fmt"
	"os"

	"vigil/internal/contact/rdap"
)

func ExampleAbuse() {
	f, err := os.Open("testdata/apnic-ip-210.107.73.73.json")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	o, err := rdap.Parse(f)
	if err != nil {
		panic(err)
	}
	a, ok := rdap.Abuse(o.Contacts())
	fmt.Println(ok, a.Handle, a.Roles, a.Emails[0])
	// Output: true IRT-KRNIC-KR [abuse] hostmaster@nic.or.kr
}
