// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package internal_test holds the import rules of the whole module.
package internal_test

import (
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const (
	module   = "vigil"
	storePkg = module + "/internal/store"
	webPkg   = module + "/internal/web"
	cmdPkg   = module + "/cmd"
)

// storeImporter reports whether pkg may import internal/store: the store
// itself and its test helpers (internal/store/...), the job queue
// (internal/jobs, River on the store's database), the one application
// layer that wires services to the store (internal/app), the CLI
// (cmd/vigil), the demo loader (internal/demo) and the bench programs
// (bench/...).
func storeImporter(pkg string) bool {
	switch pkg {
	case module + "/internal/jobs", module + "/internal/app", module + "/cmd/vigil", module + "/internal/demo":
		return true
	}
	return under(pkg, storePkg) || under(pkg, module+"/bench")
}

// importProblem says why pkg may not import imp directly, or returns "".
// Besides the store rule: no internal package imports internal/web (web's
// own subpackages aside: the label registry and the browser suite are
// parts of it) or a command.
func importProblem(pkg, imp string) string {
	switch {
	case imp == storePkg && !storeImporter(pkg):
		return "only the store and its test helpers, internal/jobs, internal/app, cmd/vigil, internal/demo and bench/ may import " + storePkg + "; declare the interface the package needs and let internal/app wire the store to it"
	case under(pkg, module+"/internal") && under(imp, webPkg) && !under(pkg, webPkg):
		return "internal packages never import the web layer"
	case under(pkg, module+"/internal") && under(imp, cmdPkg):
		return "internal packages never import the commands"
	}
	return ""
}

// TestImportRulesRefuse checks the rules themselves on the imports they
// must refuse and those they must allow, so that TestImportRules cannot
// pass by allowing everything.
func TestImportRulesRefuse(t *testing.T) {
	for _, c := range []struct {
		pkg, imp string
		ok       bool
	}{
		{module + "/internal/store/storetest", storePkg, true},
		{module + "/internal/jobs", storePkg, true},
		{module + "/internal/app", storePkg, true},
		{module + "/cmd/vigil", storePkg, true},
		{module + "/internal/demo", storePkg, true},
		{module + "/bench/vuln", storePkg, true},
		{module + "/internal/web/labels", webPkg, true},
		{module + "/cmd/vigil", webPkg, true},
		{module + "/internal/web", storePkg, false},
		{module + "/internal/ingest", storePkg, false},
		{module + "/internal/vuln", storePkg, false},
		{module + "/internal/rating", storePkg, false},
		{module + "/internal/notify", storePkg, false},
		{module + "/internal/app/sub", storePkg, false}, // one application layer
		{module + "/cmd/other", storePkg, false},
		{module + "/internal/jobsx", storePkg, false},
		{module + "/internal/app", webPkg, false},
		{module + "/internal/demo", module + "/internal/web/labels", false},
		{module + "/internal/app", module + "/cmd/vigil", false},
	} {
		if got := importProblem(c.pkg, c.imp) == ""; got != c.ok {
			t.Errorf("%s importing %s: allowed %v, want %v", c.pkg, c.imp, got, c.ok)
		}
	}
}

// TestImportRules checks the direct imports of every package of the module
// (go list's Imports, test files aside) against importProblem: only the
// packages storeImporter names import internal/store, and no internal
// package imports internal/web (its own subpackages aside) or the
// commands.
func TestImportRules(t *testing.T) {
	imports := moduleImports(t)
	if len(imports) < 20 {
		t.Fatalf("go list found %d packages; the listing is broken", len(imports))
	}
	for _, pkg := range sortedKeys(imports) {
		for _, imp := range imports[pkg] {
			if why := importProblem(pkg, imp); why != "" {
				t.Errorf("%s imports %s: %s", pkg, imp, why)
			}
		}
	}
}

// moduleImports maps every package of the module to its direct imports.
func moduleImports(t *testing.T) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the imports: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-e", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	return m
}

// under reports whether pkg is path or below it.
func under(pkg, path string) bool { return pkg == path || strings.HasPrefix(pkg, path+"/") }

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestArchitectureTable keeps the package table of docs/ARCHITECTURE.md
// complete: every package of the module has its row, and every row names
// a package that exists.
func TestArchitectureTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if name, _, ok := strings.Cut(rest, "` |"); ok {
				rows[name] = true
			}
		}
	}
	pkgs := moduleImports(t)
	for _, pkg := range sortedKeys(pkgs) {
		name := strings.TrimPrefix(pkg, module+"/")
		if !rows[name] {
			t.Errorf("docs/ARCHITECTURE.md has no row for %s: add one line saying what it is", name)
		}
		delete(rows, name)
	}
	for name := range rows {
		t.Errorf("docs/ARCHITECTURE.md has a row for %s, which is not a package of the module", name)
	}
}
