// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"bytes"
	"strings"
	"testing"
)

// TestWriteTemplate: the answers template of each edition loads as it is
// (every provision unanswered, every condition holding, nothing refused
// but a device it does not know), and filled in it loads every answer.
func TestWriteTemplate(t *testing.T) {
	t.Parallel()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []Edition{EditionV2, EditionV3} {
		t.Run(string(e), func(t *testing.T) {
			var buf bytes.Buffer
			st, err := c.WriteTemplate(&buf, e, Device{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2"})
			if err != nil {
				t.Fatal(err)
			}
			if st.Provisions != len(c.Provisions(e)) || st.Conditions != len(c.Conditions(e)) {
				t.Errorf("stats %+v; want %d provisions, %d conditions", st, len(c.Provisions(e)), len(c.Conditions(e)))
			}
			a, problems := c.LoadAnswers(bytes.NewReader(buf.Bytes()), "template.yaml")
			if len(problems) > 0 {
				t.Fatalf("template as written: %v", problems)
			}
			if len(a.Items) != 0 || len(a.Conditions) != st.Conditions || a.Edition != e {
				t.Errorf("template loads %d answers, %d conditions, edition %s", len(a.Items), len(a.Conditions), a.Edition)
			}
			filled := strings.ReplaceAll(buf.String(), `status: ""`, "status: met")
			a, problems = c.LoadAnswers(strings.NewReader(filled), "filled.yaml")
			if len(problems) > 0 {
				t.Fatalf("filled in: %v", problems)
			}
			if len(a.Items) != st.Provisions {
				t.Errorf("filled in: %d answers; want %d", len(a.Items), st.Provisions)
			}
		})
	}
	var buf bytes.Buffer
	if _, err := c.WriteTemplate(&buf, EditionV3, Device{}); err != nil {
		t.Fatal(err)
	}
	_, problems := c.LoadAnswers(&buf, "template.yaml")
	if len(problems) != 2 || problems[0].Field != "device.vendor" || problems[1].Field != "device.model" {
		t.Errorf("template without a device: %v; want device.vendor and device.model required", problems)
	}
	bad := "format: vigil-answers/1\ndevice: {vendor: A, model: B}\nanswers:\n  \"5.1-1\":\n    status: \"\"\n    justification: done\n"
	if _, problems := c.LoadAnswers(strings.NewReader(bad), "half.yaml"); len(problems) != 1 || problems[0].Field != "answers.5.1-1.status" || problems[0].Line != 5 {
		t.Errorf("empty status with a justification: %v; want half.yaml:5 answers.5.1-1.status", problems)
	}
	if _, err := c.WriteTemplate(&buf, "v9", Device{}); err == nil {
		t.Error("edition v9 written")
	}
}
