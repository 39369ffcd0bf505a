// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// unkeyedErrorSites finds, in the portal (internal/web) and the
// application services it calls (internal/app), tests aside, every place
// that makes a user-facing error without a message key: errs.Field,
// errs.Errorf and badRequest calls, and errs.Error literals without a Key
// (unless keepKey gives them their cause's). A page shows such an error
// in English whatever the reader's language. Each site is named by its
// message (the format, or the source of a non-literal one), so that code
// moving between the portal and the services keeps its name.
func unkeyedErrorSites(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	fset := token.NewFileSet()
	for _, dir := range []string{".", "../app"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			text := func(e ast.Expr) string {
				if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING {
					if s, err := strconv.Unquote(bl.Value); err == nil {
						return s
					}
				}
				return string(src[fset.Position(e.Pos()).Offset:fset.Position(e.End()).Offset])
			}
			kept := map[ast.Node]bool{} // literals keepKey keys
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "keepKey" && len(n.Args) > 0 {
						if u, ok := n.Args[0].(*ast.UnaryExpr); ok {
							kept[u.X] = true
						}
					}
					var msg ast.Expr
					switch fn := n.Fun.(type) {
					case *ast.Ident:
						if fn.Name == "badRequest" && len(n.Args) >= 2 {
							msg = n.Args[1]
						}
					case *ast.SelectorExpr:
						if x, ok := fn.X.(*ast.Ident); ok && x.Name == "errs" {
							switch {
							case fn.Sel.Name == "Field" && len(n.Args) == 3:
								msg = n.Args[2]
							case fn.Sel.Name == "Errorf" && len(n.Args) >= 2:
								msg = n.Args[1]
							}
						}
					}
					if msg != nil {
						out[text(msg)] = true
					}
				case *ast.CompositeLit:
					typ, ok := n.Type.(*ast.SelectorExpr)
					if !ok || typ.Sel.Name != "Error" || kept[n] {
						return true
					}
					if x, ok := typ.X.(*ast.Ident); !ok || x.Name != "errs" {
						return true
					}
					var key, message ast.Expr
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							switch kv.Key.(*ast.Ident).Name {
							case "Key":
								key = kv.Value
							case "Message":
								message = kv.Value
							}
						}
					}
					if key == nil && message != nil {
						out[text(message)] = true
					}
				}
				return true
			})
		}
	}
	return out
}

// TestErrorsKeyed: every error the portal or the services it calls make
// for a person to read has a message key (and so a Dutch text, which
// TestErrorKeysTranslated checks), except those listed in
// unkeyedErrors: the ones still to key. A new unkeyed error fails here;
// a listed one that is keyed or gone must leave the list.
func TestErrorsKeyed(t *testing.T) {
	t.Parallel()
	sites := unkeyedErrorSites(t)
	if len(sites) < 10 {
		t.Fatalf("found only %d unkeyed errors: the scan is broken", len(sites))
	}
	var missing []string
	for s := range sites {
		if !unkeyedErrors[s] {
			missing = append(missing, s)
		}
	}
	slices.Sort(missing)
	for _, s := range missing {
		t.Errorf("error without a message key (give it one with errs.Keyed or errs.FieldKeyed and its English and Dutch texts in i18n_errors.go): %q", s)
	}
	for s := range unkeyedErrors {
		if !sites[s] {
			t.Errorf("unkeyedErrors lists %q, which the code no longer makes: take it off the list", s)
		}
	}
}
