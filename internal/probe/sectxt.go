// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
)

// sectxtState gathers the security.txt fetches of all HTTP(S) ports into
// one target-wide result.
type sectxtState struct {
	tried   bool
	found   bool
	port    int
	service Service
	contact string
}

// fetchSecurityTxt GETs /.well-known/security.txt on one port. Presence
// with a Contact field is enough here; the RFC 9116 validator lives in
// internal/contact/securitytxt.
func (r *runner) fetchSecurityTxt(ctx context.Context, p Port) error {
	resp, err := r.httpGet(ctx, p, r.baseURL(p, "/.well-known/security.txt"), nil)
	if err != nil {
		return err
	}
	contact := ""
	if resp.StatusCode == http.StatusOK {
		contact = securityTxtContact(resp.body)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sectxt.tried = true
	if contact != "" && (!r.sectxt.found || p.Number < r.sectxt.port) {
		r.sectxt = sectxtState{tried: true, found: true, port: p.Number, service: p.Service, contact: contact}
	}
	return nil
}

// securityTxtContact returns the first Contact value of a security.txt
// body, or "" when there is none. Lines of an OpenPGP signature armour are
// read like any other (the Contact line is inside the signed text).
func securityTxtContact(body []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 4096), maxBody)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Contact") && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// finishSecurityTxt turns the per-port fetches into the target-wide
// result: found on any port passes; absent everywhere fails, unless some
// fetch did not run (then it is listed as incomplete by the pipeline).
func (r *runner) finishSecurityTxt() {
	r.mu.Lock()
	st := r.sectxt
	pending := false
	for _, s := range r.incomplete {
		if s.Check == CheckSecurityTxt {
			pending = true
		}
	}
	r.mu.Unlock()
	switch {
	case st.found:
		r.add(Result{Check: CheckSecurityTxt, Port: st.port, Service: st.service, Severity: Medium, Passed: true,
			Evidence: fmt.Sprintf("/.well-known/security.txt served with Contact %s", st.contact)})
	case st.tried && !pending:
		r.add(Result{Check: CheckSecurityTxt, Severity: Medium,
			Evidence: "no /.well-known/security.txt with a Contact field on any HTTP(S) port (the maker may publish its policy elsewhere)"})
	}
}
