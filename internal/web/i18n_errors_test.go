// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// errorKeyUse is a place in the code that gives an error a key, with the
// English format when the call names it.
type errorKeyUse struct {
	pos    string
	key    string
	format string // "" when the key is set without a format
}

// errorKeyUses reads the module's code (tests aside) for the keys errors
// are given: errs.Keyed and errs.FieldKeyed calls and errs.Error literals
// with a Key (a key is always a literal, so that this finds it).
func errorKeyUses(t *testing.T) []errorKeyUse {
	t.Helper()
	var out []errorKeyUse
	fset := token.NewFileSet()
	str := func(e ast.Expr) (string, bool) {
		bl, ok := e.(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(bl.Value)
		return s, err == nil
	}
	for _, root := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "errs" || (sel.Sel.Name != "Keyed" && sel.Sel.Name != "FieldKeyed") || len(n.Args) < 4 {
						return true
					}
					key, ok1 := str(n.Args[2])
					format, ok2 := str(n.Args[3])
					if !ok1 || !ok2 {
						t.Errorf("%s: errs.%s needs a literal key and format", fset.Position(n.Pos()), sel.Sel.Name)
						return true
					}
					out = append(out, errorKeyUse{pos: fset.Position(n.Pos()).String(), key: key, format: format})
				case *ast.CompositeLit:
					typ, ok := n.Type.(*ast.SelectorExpr)
					if !ok || typ.Sel.Name != "Error" {
						return true
					}
					if x, ok := typ.X.(*ast.Ident); !ok || x.Name != "errs" {
						return true
					}
					for _, el := range n.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							continue
						}
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Key" {
							key, ok := str(kv.Value)
							if !ok {
								t.Errorf("%s: an errs.Error's Key must be a literal", fset.Position(kv.Pos()))
								continue
							}
							out = append(out, errorKeyUse{pos: fset.Position(kv.Pos()).String(), key: key})
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// sampleArgs returns arguments for the verbs of an English format.
func sampleArgs(format string) []any {
	var args []any
	for _, v := range verbRE.FindAllString(format, -1) {
		switch v[len(v)-1] {
		case '%':
		case 'd':
			args = append(args, 12)
		default:
			args = append(args, "x")
		}
	}
	return args
}

// TestErrorKeysTranslated checks every key an error is given in the code:
// the message tables have it in English and Dutch, the English text is
// the format the code makes the error's message with (so the English
// page says what the API says), both take the error's arguments, and the
// Dutch is not the English. A key no code gives is stale.
func TestErrorKeysTranslated(t *testing.T) {
	t.Parallel()
	cat := catalogue()
	uses := errorKeyUses(t)
	if len(uses) < 30 {
		t.Fatalf("found only %d keyed errors in the code", len(uses))
	}
	used := map[string]bool{}
	for _, u := range uses {
		used[errKeyPrefix+u.key] = true
		row, ok := cat[errKeyPrefix+u.key]
		if !ok {
			t.Errorf("%s: error key %q has no row %q in the message tables (i18n_errors.go)", u.pos, u.key, errKeyPrefix+u.key)
			continue
		}
		en, nl := row[0], row[1]
		if en == "" || nl == "" || en == nl {
			t.Errorf("%s: error key %q: English %q, Dutch %q; want both, each its own", u.pos, u.key, en, nl)
		}
		if u.format != "" && u.format != en {
			t.Errorf("%s: error key %q is made with %q but its English text is %q", u.pos, u.key, u.format, en)
		}
		args := sampleArgs(en)
		for lang, f := range map[string]string{"en": en, "nl": nl} {
			if got := fmt.Sprintf(f, args...); strings.Contains(got, "%!") {
				t.Errorf("error key %q in %s does not take the English arguments: %q", u.key, lang, got)
			}
		}
	}
	for k := range cat {
		if strings.HasPrefix(k, errKeyPrefix) && !used[k] {
			t.Errorf("message %q names no error the code makes", k)
		}
	}
}
