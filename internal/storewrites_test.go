// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package internal_test

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// The adapters (the portal's pages and API in internal/web, the commands in
// cmd/) change stored data only through internal/app's services, which
// validate, audit who did what and when, and keep a change and its entry in
// one transaction, so that a page, its API twin and a command cannot
// differ. TestAdaptersWriteThroughApp holds them to it.

// adapterPkgs are the packages (with their subpackages) held to it.
var adapterPkgs = []string{webPkg + "/...", cmdPkg + "/..."}

// writeWords are the words (a store method's name split at its capitals:
// AssetMarkVerified is Asset, Mark, Verified) that make it a write.
var writeWords = words("Create Update Delete Insert Set Patch Add Put Upsert Replace Revoke Resolve Register Approve Reject " +
	"Reapply Ack Decide Mark Erase Purge Import Save Escalate Suppress Supersede Claim Finish Start Started Checkpoint " +
	"Bounce Change Confirm Use Failed OK Remove Raise Clear Pause Ensure Mail Fallback Compose Synced Reset Soon Drop " +
	// The raw ways in: SQL, statements, the pool and transactions.
	"Exec Query Prepare DB Tx")

// readWords are the words that make a method a read, when it has no
// write word.
var readWords = words("Get List Count Exists Name Names Find Scan Status Days Stats Rows Grades Figures Current Files Content " +
	"Versions Products Recent Credentials Verify Authenticate Refs By Changes Stale Cursor Held Seen Unfinished Bounced " +
	"Suppressed Export Approvals Pending Runs All")

// methodKinds overrides the words for the store methods they get wrong or
// do not cover: true is a write, false is not, each with why.
var methodKinds = map[string]bool{
	"NoticeAckDays":     false, // counts the times to acknowledge ("Ack" is the noun here)
	"AuditQuery":        false, // reads the audit log ("Query" is the filter here, not SQL)
	"SessionGet":        false, // reads a session (noting its seen time at most once a minute: bookkeeping)
	"TokenAuthenticate": false, // checks a secret (noting the token's last use at most once a minute: bookkeeping)
	"UserLockedUntil":   false, // when a client's lock on an account ends
	"RunDone":           false, // returns the latest finished run of a source
	"OrgMembers":        false, // lists an organisation's memberships
	"OrgInvitations":    false, // lists an organisation's open invitations
	"RunPartDone":       true,  // marks a part of a split run done
	"OutboxDue":         false, // lists the deliveries due
	"SourceDue":         true,  // moves the due sources' next run one interval on
	"SettingSecret":     false, // the installation's secret, made once on first use: plumbing, nobody's data
	"RDAPCache":         false, // the look-up cache a lookup fills: plumbing
	"Backup":            false, // copies the database to a file
	"Close":             false, // closes the pool
	"Dialect":           false,
	"Now":               false,
	"Ping":              false,
	"Rebind":            false,

	"UserTOTPLockedUntil": false, // when the lock on an account's second factor ends
	"OrgNameIndex":        false, // every organisation's name, for the analysts' look for names alike
	"OrgInvitationsSince": false, // counts the invitations of an organisation and an account (daily limits)
}

// adapterWrites are the store writes the adapters may call, each with
// why it needs no service, by "package.Function: Method".
var adapterWrites = map[string]string{
	"vigil/internal/web.Server.requestReset: AccountMail": "queues the password-reset e-mail in the page's language (the messages are the portal's); the account service made and audited the reset",
	"vigil/internal/web.Server.invite: AccountMail":       "queues the invitation e-mail in the page's language; the account service made and audited the invitation",
	"vigil/internal/web.Server.mailLocked: AccountMail":   "queues the notice of a lock-out to the account's owner in their language (account.Service.OnLock: the account service made the lock)",
	"vigil/internal/web.Server.totpLocked: AccountMail":   "queues the notice of a locked second factor to the account's owner in their language (account.Service.OnTOTPLock: the account service made the lock; the adapter audits it)",
	"vigil/internal/web.Server.mailChanged: AccountMail":  "queues the notice of a changed password or second factor to the account's owner in their language, after the account service made the change",
	"vigil/internal/web.Server.signUp: AccountMail":       "queues the sign-up e-mail (confirmation link, or word that the address has an account) in the page's language; audited as account.signup beside it",
}

// TestAdaptersWriteThroughApp type-checks the non-test files of the
// adapters and fails on every call of a write method of the store (a
// method of *store.Store, or of an interface the store implements, such
// as internal/web's Store, named by writeWords or methodKinds) that
// adapterWrites does not allow with its reason; a method value or
// expression ((*store.Store).DeviceDelete handed to a helper) counts as a
// call.
func TestAdaptersWriteThroughApp(t *testing.T) {
	pkgs := loadTyped(t, adapterPkgs)
	storeT := lookupStore(t, pkgs)
	kinds := storeMethodKinds(t, storeT)
	used := map[string]bool{}
	for _, p := range pkgs {
		if !p.own {
			continue
		}
		for _, f := range p.files {
			var fn string
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncDecl:
					fn = funcName(n)
				case *ast.SelectorExpr:
					sel := p.info.Selections[n]
					if sel == nil || (sel.Kind() != types.MethodVal && sel.Kind() != types.MethodExpr) {
						return true
					}
					name := sel.Obj().Name()
					if !kinds[name] || !isStore(sel.Recv(), storeT) {
						return true
					}
					key := p.path + "." + fn + ": " + name
					if _, ok := adapterWrites[key]; ok {
						used[key] = true
						return true
					}
					t.Errorf("%s: %s writes through the store (%s) and not through an internal/app service; move the change into one (or allow it in adapterWrites as %q, saying why)",
						p.fset.Position(n.Pos()), fn, name, key)
				}
				return true
			})
		}
	}
	for key := range adapterWrites {
		if !used[key] {
			t.Errorf("adapterWrites allows %q, which no adapter calls any more", key)
		}
	}
}

// TestWriteWordsClassify checks the classification itself on methods it
// must call writes and reads, so that the rule cannot pass by calling
// nothing a write.
func TestWriteWordsClassify(t *testing.T) {
	for name, want := range map[string]bool{
		"DeviceCreate": true, "DeviceUpdate": true, "OrgPatch": true, "ContactDelete": true, "TokenRevoke": true,
		"AssetMarkVerified": true, "UserSetPassword": true, "UserLoginOK": true, "RunPartDone": true, "SourceDue": true,
		"Exec": true, "IngestTx": true, "OutboxStarted": true,
		"DeviceGet": false, "OrgList": false, "NoticeAckDays": false, "FindingListBySeen": false, "OrgVerifyToken": false,
		"RunDone": false, "TokenAuthenticate": false,
	} {
		got, ok := classify(name)
		if !ok || got != want {
			t.Errorf("classify(%s) = %v, %v; want %v", name, got, ok, want)
		}
	}
	if _, ok := classify("OrgFrobnicate"); ok {
		t.Error("a method of unknown words is classified; it must be named in methodKinds")
	}
}

// classify says whether the store method name writes; ok is false when
// neither its words nor methodKinds say.
func classify(name string) (write, ok bool) {
	if w, ok := methodKinds[name]; ok {
		return w, true
	}
	ws := camelWords(name)
	for _, w := range ws {
		if writeWords[w] {
			return true, true
		}
	}
	for _, w := range ws {
		if readWords[w] {
			return false, true
		}
	}
	return false, false
}

// storeMethodKinds classifies every method of *store.Store, failing on
// one that is not classified (a new method needs a word or an entry).
func storeMethodKinds(t *testing.T, storeT *types.Named) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	ms := types.NewMethodSet(types.NewPointer(storeT))
	writes := 0
	for i := range ms.Len() {
		name := ms.At(i).Obj().Name()
		if !ast.IsExported(name) {
			continue
		}
		w, ok := classify(name)
		if !ok {
			t.Errorf("store method %s is neither a read nor a write by its words; add its word to writeWords or readWords, or it to methodKinds", name)
		}
		out[name] = w
		if w {
			writes++
		}
	}
	if writes < 50 || len(out)-writes < 50 {
		t.Fatalf("%d of %d store methods classified as writes; the classification is broken", writes, len(out))
	}
	return out
}

// isStore reports whether a call on recv reaches the store: recv is
// (a pointer to) store.Store, or an interface that *store.Store
// implements (internal/web's Store and the domain's store interfaces).
func isStore(recv types.Type, storeT *types.Named) bool {
	if p, ok := recv.(*types.Pointer); ok {
		recv = p.Elem()
	}
	if n, ok := recv.(*types.Named); ok && n.Obj() == storeT.Obj() {
		return true
	}
	iface, ok := recv.Underlying().(*types.Interface)
	return ok && iface.NumMethods() > 0 && types.Implements(types.NewPointer(storeT), iface)
}

// funcName is a function's name, with its receiver's type for a method
// (Server.requestReset).
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	typ := d.Recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	if id, ok := typ.(*ast.Ident); ok {
		return id.Name + "." + d.Name.Name
	}
	return d.Name.Name
}

// typedPkg is a package type-checked from its non-test files.
type typedPkg struct {
	path  string
	own   bool // one of the patterns', not a dependency
	fset  *token.FileSet
	files []*ast.File
	info  *types.Info
	types *types.Package
}

// loadTyped type-checks the packages of patterns from source, their
// dependencies from the compiler's export data (go list -export).
func loadTyped(t *testing.T, patterns []string) []*typedPkg {
	t.Helper()
	exports := map[string]string{}
	out, err := exec.Command("go", append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}} {{.Export}}"}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if path, file, ok := strings.Cut(sc.Text(), " "); ok && file != "" {
			exports[path] = file
		}
	}
	type listed struct {
		path, dir string
		files     []string
	}
	var own []listed
	out, err = exec.Command("go", append([]string{"list", "-f", "{{.ImportPath}}|{{.Dir}}|{{join .GoFiles \",\"}}"}, patterns...)...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "|", 3)
		if len(f) == 3 && f[2] != "" {
			own = append(own, listed{f[0], f[1], strings.Split(f[2], ",")})
		}
	}
	if len(own) < 2 {
		t.Fatalf("found %d adapter packages", len(own))
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	var pkgs []*typedPkg
	for _, l := range own {
		p := &typedPkg{path: l.path, own: true, fset: fset, info: &types.Info{Selections: map[*ast.SelectorExpr]*types.Selection{}}}
		for _, name := range l.files {
			f, err := parser.ParseFile(fset, filepath.Join(l.dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			p.files = append(p.files, f)
		}
		conf := types.Config{Importer: imp}
		if p.types, err = conf.Check(l.path, fset, p.files, p.info); err != nil {
			t.Fatalf("type-checking %s: %v", l.path, err)
		}
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].path < pkgs[j].path })
	return pkgs
}

// lookupStore finds store.Store among the adapters' imports.
func lookupStore(t *testing.T, pkgs []*typedPkg) *types.Named {
	t.Helper()
	for _, p := range pkgs {
		for _, imp := range p.types.Imports() {
			if imp.Path() == storePkg {
				if n, ok := imp.Scope().Lookup("Store").Type().(*types.Named); ok {
					return n
				}
			}
		}
	}
	t.Fatalf("no adapter imports %s", storePkg)
	return nil
}

// camelWords splits an identifier at its capitals, keeping an acronym
// whole: UserLoginOK is User, Login, OK; RDAPBootstrapSave is RDAP,
// Bootstrap, Save.
func camelWords(s string) []string {
	var out []string
	r := []rune(s)
	start := 0
	for i := 1; i < len(r); i++ {
		lowerThenUpper := unicode.IsLower(r[i-1]) && unicode.IsUpper(r[i])
		acronymEnd := unicode.IsUpper(r[i-1]) && unicode.IsUpper(r[i]) && i+1 < len(r) && unicode.IsLower(r[i+1])
		digit := unicode.IsDigit(r[i]) != unicode.IsDigit(r[i-1])
		if lowerThenUpper || acronymEnd || digit {
			out = append(out, string(r[start:i]))
			start = i
		}
	}
	return append(out, string(r[start:]))
}

// words is the set of the space-separated words of s.
func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
