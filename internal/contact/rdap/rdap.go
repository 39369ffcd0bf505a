// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package rdap finds the abuse contact of an IP address, AS number or domain
// through RDAP (RFC 9082, RFC 9083): the IANA bootstrap registries
// (RFC 9224, bundled and refreshable) name the registry's server, whose
// answer holds a tree of entities with roles and vCards. The contact chosen
// is the one the regional registries' own abuse finders choose: an entity
// with the abuse role, else technical, registrant, administrative.
//
// Parse and Abuse are pure; Client.Lookup does the I/O through the guarded
// HTTP client and caches results behind the Cache interface.
package rdap

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxEntityDepth bounds the nesting of entities that Parse follows. Real
// answers nest two or three levels.
const maxEntityDepth = 16

// Object is the part of an RDAP answer (an IP network, autnum or domain
// object) that contact lookup needs. Unknown members are ignored, as RFC
// 9083 requires of clients.
type Object struct {
	ObjectClassName string   `json:"objectClassName,omitempty"`
	Handle          string   `json:"handle,omitempty"`
	Name            string   `json:"name,omitempty"`
	LDHName         string   `json:"ldhName,omitempty"`
	Country         string   `json:"country,omitempty"`
	Type            string   `json:"type,omitempty"`
	IPVersion       string   `json:"ipVersion,omitempty"`
	StartAddress    string   `json:"startAddress,omitempty"`
	EndAddress      string   `json:"endAddress,omitempty"`
	StartAutnum     uint32   `json:"startAutnum,omitempty"`
	EndAutnum       uint32   `json:"endAutnum,omitempty"`
	ParentHandle    string   `json:"parentHandle,omitempty"`
	Port43          string   `json:"port43,omitempty"`
	Entities        []Entity `json:"entities,omitempty"`
	// ErrorCode is set when the answer is an RDAP error object.
	ErrorCode int `json:"errorCode,omitempty"`
	// Problems lists the members that had an unexpected shape and were
	// skipped ("entities[1].roles: want a list of strings").
	Problems []string `json:"problems,omitempty"`
}

// Entity is one entity of the tree, with the vCard members flattened.
type Entity struct {
	Handle   string   `json:"handle,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	Name     string   `json:"name,omitempty"` // vCard fn
	Org      string   `json:"org,omitempty"`  // vCard org
	Kind     string   `json:"kind,omitempty"` // vCard kind: individual, group, org, ...
	Emails   []string `json:"emails,omitempty"`
	Phones   []string `json:"phones,omitempty"` // voice numbers; fax numbers are left out
	Entities []Entity `json:"entities,omitempty"`
}

// Parse reads one RDAP JSON answer. It fails only when r does not hold a
// JSON object; members of an unexpected shape are skipped and listed in
// Object.Problems.
func Parse(r io.Reader) (*Object, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse RDAP answer: %w", err)
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse RDAP answer: not a JSON object")
	}
	o := &Object{}
	d := members{m: raw, problems: &o.Problems}
	d.str("objectClassName", &o.ObjectClassName)
	d.str("handle", &o.Handle)
	d.str("name", &o.Name)
	d.str("ldhName", &o.LDHName)
	d.str("country", &o.Country)
	d.str("type", &o.Type)
	d.str("ipVersion", &o.IPVersion)
	d.str("startAddress", &o.StartAddress)
	d.str("endAddress", &o.EndAddress)
	d.str("parentHandle", &o.ParentHandle)
	d.str("port43", &o.Port43)
	d.uint32("startAutnum", &o.StartAutnum)
	d.uint32("endAutnum", &o.EndAutnum)
	var code uint32
	d.uint32("errorCode", &code)
	o.ErrorCode = int(code)
	o.Entities = d.entities("entities", 1)
	return o, nil
}

// members reads the members of one decoded JSON object leniently.
type members struct {
	m        map[string]any
	path     string
	problems *[]string
}

func (d members) problem(key, want string) {
	*d.problems = append(*d.problems, fmt.Sprintf("%s%s: want %s", d.path, key, want))
}

func (d members) str(key string, dst *string) {
	v, ok := d.m[key]
	if !ok || v == nil {
		return
	}
	if s, ok := v.(string); ok {
		*dst = s
		return
	}
	d.problem(key, "a string")
}

func (d members) strs(key string, dst *[]string) {
	v, ok := d.m[key]
	if !ok || v == nil {
		return
	}
	list, ok := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, isStr := e.(string)
		if !isStr {
			ok = false
			break
		}
		out = append(out, s)
	}
	if !ok {
		d.problem(key, "a list of strings")
		return
	}
	*dst = out
}

func (d members) uint32(key string, dst *uint32) {
	v, ok := d.m[key]
	if !ok || v == nil {
		return
	}
	if n, ok := v.(json.Number); ok {
		if u, err := strconv.ParseUint(n.String(), 10, 32); err == nil {
			*dst = uint32(u)
			return
		}
	}
	d.problem(key, "a 32-bit unsigned number")
}

func (d members) entities(key string, depth int) []Entity {
	v, ok := d.m[key]
	if !ok || v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		d.problem(key, "a list of entities")
		return nil
	}
	if depth > maxEntityDepth {
		d.problem(key, fmt.Sprintf("at most %d levels of entities", maxEntityDepth))
		return nil
	}
	out := make([]Entity, 0, len(list))
	for i, item := range list {
		path := d.path + key + "[" + strconv.Itoa(i) + "]"
		m, ok := item.(map[string]any)
		if !ok {
			*d.problems = append(*d.problems, path+": want an entity object")
			continue
		}
		ed := members{m: m, path: path + ".", problems: d.problems}
		var e Entity
		ed.str("handle", &e.Handle)
		ed.strs("roles", &e.Roles)
		if vc, ok := m["vcardArray"]; ok && vc != nil {
			parseVCard(vc, &e, func(what string) { *d.problems = append(*d.problems, path+".vcardArray"+what) })
		}
		e.Entities = ed.entities("entities", depth+1)
		out = append(out, e)
	}
	return out
}

// parseVCard reads a jCard (RFC 7095): ["vcard", [[name, params, type,
// value], ...]]. Properties of another shape are reported and skipped.
func parseVCard(v any, e *Entity, problem func(string)) {
	top, ok := v.([]any)
	if !ok || len(top) < 2 || top[0] != "vcard" {
		problem(`: want ["vcard", [properties]]`)
		return
	}
	props, ok := top[1].([]any)
	if !ok {
		problem(": want a list of properties")
		return
	}
	type pref struct {
		v    string
		pref int
	}
	var emails, phones []pref
	for i, p := range props {
		parts, ok := p.([]any)
		var name string
		if ok && len(parts) >= 4 {
			name, ok = parts[0].(string)
		}
		if !ok || len(parts) < 4 {
			problem(fmt.Sprintf("[1][%d]: want [name, parameters, type, value]", i))
			continue
		}
		params, _ := parts[1].(map[string]any) // absent or odd parameters are harmless
		value, isText := textValue(parts[3])
		switch strings.ToLower(name) {
		case "fn":
			e.Name = value
		case "org":
			if isText {
				e.Org = value
			}
		case "kind":
			e.Kind = strings.ToLower(value)
		case "email":
			if value != "" {
				emails = append(emails, pref{value, prefOf(params)})
			}
		case "tel":
			if value != "" && !slices.Contains(paramList(params["type"]), "fax") {
				phones = append(phones, pref{strings.TrimPrefix(value, "tel:"), prefOf(params)})
			}
		}
	}
	byPref := func(a, b pref) int { return a.pref - b.pref }
	slices.SortStableFunc(emails, byPref)
	slices.SortStableFunc(phones, byPref)
	for _, m := range emails {
		if !slices.ContainsFunc(e.Emails, func(s string) bool { return strings.EqualFold(s, m.v) }) {
			e.Emails = append(e.Emails, m.v)
		}
	}
	for _, p := range phones {
		if !slices.Contains(e.Phones, p.v) {
			e.Phones = append(e.Phones, p.v)
		}
	}
}

// textValue returns a jCard value as text: a string as is, a structured
// value (a list) joined with ";" (RFC 7095 §3.3.1.3); false when it was not
// a plain string.
func textValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), true
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok && s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ";"), false
	}
	return "", false
}

// prefOf returns the vCard pref parameter (1 is most preferred, RFC 6350
// §5.3); absent or odd values rank last (101).
func prefOf(params map[string]any) int {
	var s string
	switch v := params["pref"].(type) {
	case json.Number:
		s = v.String()
	case string:
		s = v
	default:
		return 101
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 100 {
		return n
	}
	return 101
}

// paramList reads a parameter that may be a string or a list of strings,
// lower-cased.
func paramList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{strings.ToLower(v)}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, strings.ToLower(s))
			}
		}
		return out
	}
	return nil
}

// Contact is one entity of an answer, with what a warning needs.
type Contact struct {
	Handle string   `json:"handle,omitempty"`
	Name   string   `json:"name,omitempty"`
	Kind   string   `json:"kind,omitempty"`
	Emails []string `json:"emails,omitempty"`
	Phones []string `json:"phones,omitempty"`
	Roles  []string `json:"roles,omitempty"`
	// Depth is 1 for an entity of the queried object, 2 for one nested in
	// such an entity, and so on.
	Depth int `json:"depth"`
	// Source is the RDAP URL the answer came from (empty after Parse alone).
	Source string `json:"source,omitempty"`
	// Network is the name of the queried object: the network or autnum name,
	// or the domain's LDH name (its handle when it has no name).
	Network   string    `json:"network,omitempty"`
	Country   string    `json:"country,omitempty"`
	FetchedAt time.Time `json:"fetched_at,omitzero"`
}

// HasRole reports whether c has role (case-insensitive).
func (c Contact) HasRole(role string) bool {
	return slices.ContainsFunc(c.Roles, func(r string) bool { return strings.EqualFold(r, role) })
}

// Contacts flattens the entity tree depth first, in document order.
func (o *Object) Contacts() []Contact {
	network := o.Name
	if network == "" {
		network = o.LDHName
	}
	if network == "" {
		network = o.Handle
	}
	var out []Contact
	var walk func([]Entity, int)
	walk = func(es []Entity, depth int) {
		for _, e := range es {
			name := e.Name
			if name == "" {
				name = e.Org
			}
			out = append(out, Contact{
				Handle: e.Handle, Name: name, Kind: e.Kind,
				Emails: e.Emails, Phones: e.Phones, Roles: e.Roles, Depth: depth,
				Network: network, Country: o.Country,
			})
			walk(e.Entities, depth+1)
		}
	}
	walk(o.Entities, 1)
	return out
}

// AbuseRoles is the order in which Abuse looks for a contact.
func AbuseRoles() []string { return []string{"abuse", "technical", "registrant", "administrative"} }

// Abuse chooses the contact to send abuse reports to: the first role of
// AbuseRoles that some contact with an e-mail address has; among those, the
// least nested one, then the first in document order. Its first e-mail
// address (by vCard pref) is the abuse address.
func Abuse(contacts []Contact) (Contact, bool) {
	for _, role := range AbuseRoles() {
		best := -1
		for i, c := range contacts {
			if len(c.Emails) > 0 && c.HasRole(role) && (best < 0 || c.Depth < contacts[best].Depth) {
				best = i
			}
		}
		if best >= 0 {
			return contacts[best], true
		}
	}
	return Contact{}, false
}

// AddrRange returns the first and last address of an IP network object. It
// accepts the quirks of older registry answers: a "/32" suffix (RIPE) and
// zero-padded IPv4 octets such as 074.125.000.000 (ARIN).
func (o *Object) AddrRange() (start, end netip.Addr, ok bool) {
	s, ok1 := parseAddrLenient(o.StartAddress)
	e, ok2 := parseAddrLenient(o.EndAddress)
	if !ok1 || !ok2 || s.Is4() != e.Is4() || e.Less(s) {
		return netip.Addr{}, netip.Addr{}, false
	}
	return s, e, true
}

func parseAddrLenient(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}
