// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package internal_test holds the import rules of the whole module.
package internal_test

import (
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

// storeImporters may import internal/store: the store itself and its test
// helpers, the job queue (River on the store's database), the application
// layer that wires services to the store, the CLI, the demo loader and
// the bench programs.
func storeImporter(pkg string) bool {
	return under(pkg, storePkg) || pkg == module+"/internal/jobs" || under(pkg, module+"/internal/app") ||
		under(pkg, cmdPkg) || pkg == module+"/internal/demo" || under(pkg, module+"/bench")
}

// TestImportRules checks the direct imports of every package of the module
// (go list's Imports, test files aside): only the packages above import
// internal/store, and no internal package imports internal/web (its own
// subpackages aside) or the commands.
func TestImportRules(t *testing.T) {
	imports := moduleImports(t)
	if len(imports) < 20 {
		t.Fatalf("go list found %d packages; the listing is broken", len(imports))
	}
	for _, pkg := range sortedKeys(imports) {
		for _, imp := range imports[pkg] {
			switch {
			case imp == storePkg && !storeImporter(pkg):
				t.Errorf("%s imports %s: only the store, its test helpers, internal/jobs, internal/app, cmd/, internal/demo and bench/ may; declare the interface the package needs and let internal/app wire the store to it", pkg, imp)
			case under(pkg, module+"/internal") && under(imp, webPkg) && !under(pkg, webPkg):
				t.Errorf("%s imports %s: internal packages never import the web layer", pkg, imp)
			case under(pkg, module+"/internal") && under(imp, cmdPkg):
				t.Errorf("%s imports %s: internal packages never import the commands", pkg, imp)
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
