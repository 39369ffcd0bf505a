// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/netip"
	"net/url"
	"strings"

	"vigil/internal/errs"
	txt "vigil/internal/text"
)

// lineFunc handles one non-empty, non-comment line of a line-based list:
// it fills and emits observations (a range may give several) or returns a
// problem. raw is what a row error should show of the line.
type lineFunc func(text string, emit func(*Observation) bool) (field, reason, raw string, cont bool)

// allLines yields the rows of a line-based list.
func (r *Reader) allLines(yield func(*Observation, error) bool, fn lineFunc) {
	lr := lineReader{br: r.br, max: r.opts.MaxRecordBytes}
	for {
		b, err := lr.readLine()
		if err == io.EOF {
			r.finish(yield)
			return
		}
		if err != nil {
			yield(nil, errs.BadInput(fmt.Errorf("read %s: %w", r.opts.Name, err)))
			return
		}
		if lr.line == 1 {
			b = trimBOM(b)
		}
		text := strings.TrimSpace(string(trimEOL(b)))
		if text == "" || isComment(text) {
			continue
		}
		if r.stats.Rows&0xfff == 0 {
			if cerr := r.ctx.Err(); cerr != nil {
				yield(nil, cerr)
				return
			}
		}
		r.stats.Rows++
		line := lr.line
		if lr.skipped {
			if !r.bad(yield, line, "", errRecordTooLong.Error(), r.redact(text)) {
				return
			}
			continue
		}
		if p := txt.Problem(text); p != "" {
			if !r.bad(yield, line, "", p, r.redact(text)) {
				return
			}
			continue
		}
		emit := func(o *Observation) bool {
			o.Line = line
			o.ReportType = r.reportType
			o.Classification = r.class
			o.Severity = r.severity
			if r.opts.Now != nil {
				o.Time = r.opts.Now()
			}
			r.stats.Observations++
			return yield(o, nil)
		}
		field, reason, raw, cont := fn(text, emit)
		if !cont {
			return
		}
		if reason != "" && !r.bad(yield, line, field, reason, raw) {
			return
		}
	}
}

// redact returns what may be shown of a line that failed to parse: the
// whole line for blocklists, only the first field for credential lists.
func (r *Reader) redact(text string) string {
	if r.format != FormatCredentials {
		return text
	}
	target, _, _, _ := splitCredential(text)
	if target == text {
		return text
	}
	return target + " <redacted>"
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return b[3:]
	}
	return b
}

// isComment reports whether a trimmed line is a comment in a list file.
func isComment(s string) bool {
	return s[0] == '#' || s[0] == ';' || strings.HasPrefix(s, "//")
}

// listEntry returns the address part of a blocklist line: text before a
// comment ("#", ";") or a further column (",", "|", tab, space), or a whole
// "a - b" range.
func listEntry(text string) string {
	if i := strings.IndexAny(text, "#;"); i >= 0 {
		text = text[:i]
	}
	text = strings.TrimSpace(text)
	if i := strings.IndexAny(text, ",|\t"); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	if i := strings.IndexByte(text, '-'); i >= 0 {
		return text // a range, possibly with spaces around the dash
	}
	if i := strings.IndexByte(text, ' '); i >= 0 {
		text = text[:i]
	}
	return text
}

// looksLikeListEntry reports whether a first line starts with an IP
// address, CIDR range or address range.
func looksLikeListEntry(line string) bool {
	e := listEntry(line)
	if _, err := netip.ParseAddr(e); err == nil {
		return true
	}
	if _, err := netip.ParsePrefix(e); err == nil {
		return true
	}
	_, err := parseRange(e)
	return err == nil
}

// looksLikeCredential reports whether a first line has the shape of a
// leaked-credential entry: "ip:port" or a URL followed by more fields.
func looksLikeCredential(line string) bool {
	target, user, _, _ := splitCredential(line)
	if user == "" {
		return false
	}
	if strings.Contains(target, "://") {
		return true
	}
	_, err := netip.ParseAddrPort(target)
	return err == nil
}

// blocklistLine parses one blocklist entry: an address, a CIDR range or an
// address range "a-b" (emitted as the CIDR ranges covering it).
func (r *Reader) blocklistLine(text string, emit func(*Observation) bool) (field, reason, raw string, cont bool) {
	o := &r.obs
	e := listEntry(text)
	reset := func() { *o = Observation{CVEs: o.CVEs[:0], Raw: text} }
	if strings.IndexByte(e, '-') >= 0 {
		ps, err := parseRange(e)
		if err != nil {
			return "ip", fmt.Sprintf("%q: %v", e, err), text, true
		}
		for _, p := range ps {
			reset()
			o.Network, o.IP = p, p.Addr()
			if !emit(o) {
				return "", "", "", false
			}
		}
		return "", "", "", true
	}
	reset()
	if strings.IndexByte(e, '/') >= 0 {
		p, err := netip.ParsePrefix(e)
		if err != nil {
			return "ip", fmt.Sprintf("%q is not a CIDR range", e), text, true
		}
		o.Network = unmapPrefix(p)
		o.IP = o.Network.Addr()
	} else {
		a, why := parseIP(e)
		if why != "" {
			return "ip", fmt.Sprintf("%q: %s", e, why), text, true
		}
		o.IP = a
	}
	return "", "", "", emit(o)
}

// splitCredential splits a credential line into its target (ip[:port] or
// URL), user and password. Fields are separated by the first of ",", ";",
// tab or "|" found in the line, else by spaces; with spaces, "user:password"
// is one field. The password is the rest of the line after the user's
// separator, so it may contain the separator itself.
func splitCredential(line string) (target, user, password string, hasPassword bool) {
	sep := ""
	for _, s := range []string{",", ";", "\t", "|"} {
		if strings.Contains(line, s) {
			sep = s
			break
		}
	}
	if sep == "" {
		fs := strings.Fields(line)
		if len(fs) == 0 {
			return "", "", "", false
		}
		target = fs[0]
		if len(fs) > 1 {
			rest := strings.TrimSpace(line[strings.Index(line, fs[1]):])
			if u, p, ok := strings.Cut(rest, ":"); ok && len(fs) == 2 {
				return target, u, p, true
			}
			u, p, ok := strings.Cut(rest, " ")
			return target, u, strings.TrimSpace(p), ok
		}
		return target, "", "", false
	}
	target, rest, ok := strings.Cut(line, sep)
	target = strings.TrimSpace(target)
	if !ok {
		return target, "", "", false
	}
	user, password, hasPassword = strings.Cut(rest, sep)
	return target, strings.TrimSpace(user), password, hasPassword
}

// credentialLine parses "ip[:port][,user[,password]]" (also URLs and
// [IPv6]:port), keeping only an HMAC of the password.
func (r *Reader) credentialLine(hm hash.Hash) lineFunc {
	return func(text string, emit func(*Observation) bool) (field, reason, raw string, cont bool) {
		o := &r.obs
		target, user, password, hasPassword := splitCredential(text)
		safe := target
		if user != "" {
			safe += "," + user
		}
		if hasPassword {
			safe += ",<redacted>"
		}
		*o = Observation{CVEs: o.CVEs[:0], Raw: safe}
		if err := parseTarget(o, target); err != nil {
			return "ip", fmt.Sprintf("%q: %v", target, err), safe, true
		}
		r.cred = Credential{User: user, Count: 1}
		o.Account = user
		if hasPassword && password != "" {
			hm.Reset()
			hm.Write([]byte(password))
			r.cred.PasswordHMAC = hex.EncodeToString(hm.Sum(nil))
		}
		o.Credential = &r.cred
		return "", "", "", emit(o)
	}
}

// parseTarget reads "ip", "ip:port", "[ipv6]:port" or a URL into o.
func parseTarget(o *Observation, target string) error {
	if strings.Contains(target, "://") {
		u, err := url.Parse(target)
		if err != nil || u.Hostname() == "" {
			return errors.New("not a URL with a host")
		}
		o.URL = target
		if p := u.Port(); p != "" {
			port, ok := parsePort(p)
			if !ok {
				return errors.New("bad port")
			}
			o.Port = port
		}
		if a, why := parseIP(u.Hostname()); why == "" {
			o.IP = a
		} else {
			o.FQDN = strings.ToLower(u.Hostname())
		}
		return nil
	}
	if strings.HasPrefix(target, "[") || strings.Count(target, ":") == 1 {
		ap, err := netip.ParseAddrPort(target)
		if err != nil {
			return errors.New("not an IP address with port")
		}
		a, why := checkAddr(ap.Addr())
		if why != "" {
			return errors.New(why)
		}
		o.IP, o.Port = a, ap.Port()
		return nil
	}
	a, why := parseIP(target)
	if why != "" {
		return errors.New(why)
	}
	o.IP = a
	return nil
}
