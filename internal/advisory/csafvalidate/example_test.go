// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate_test

import (
	"fmt"
	"os"

	"vigil/internal/advisory/csafvalidate"
)

func ExampleValidate() {
	doc, err := os.ReadFile("testdata/csaf-mandatory/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json")
	if err != nil {
		panic(err)
	}
	r, err := csafvalidate.Validate(doc)
	if err != nil {
		panic(err)
	}
	fmt.Println("valid:", r.Valid)
	for _, f := range r.Failures {
		fmt.Printf("%s %s: %s\n", f.Test, f.Path, f.Message)
	}
	// Output:
	// valid: false
	// 6.1.1 $.product_tree.product_groups[0].product_ids[0]: product_id "CSAFPID-9080700" is not defined in the product tree
	// 6.1.1 $.product_tree.product_groups[0].product_ids[1]: product_id "CSAFPID-9080701" is not defined in the product tree
}

func ExampleNew() {
	v, err := csafvalidate.New(csafvalidate.Options{Strict: true})
	if err != nil {
		panic(err)
	}
	r, err := v.Validate([]byte(`{"document": {"category": "csaf_base", "x": 1}}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Valid, r.Failures[0].Test)
	// Output: false schema
}
