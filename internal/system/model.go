// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package system rates a connected product as a whole system, not only its
// device: the product system model (components from the device hardware to
// the mobile app, with their assets, interfaces and data flows), the risk
// register built on it from a threat catalogue, and the product's update
// posture and external test evidence. Documents are versioned per product
// (vendor and model) through the small Store interface the package
// declares; internal/store implements it.
package system

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"vigil/internal/errs"
)

// ModelFormat is the value of a system model's "format" member.
const ModelFormat = "vigil-system/1"

// Kind is the kind of a component of a connected product.
type Kind string

// Component kinds, from the device to the app.
const (
	Hardware     Kind = "hardware"      // device hardware: board, debug ports, secure element
	Firmware     Kind = "firmware"      // firmware image and its update mechanism
	LocalService Kind = "local-service" // network services the device offers on its LAN (web UI, telnet, MQTT broker)
	CloudChannel Kind = "device-cloud"  // the device–cloud channel (MQTT/TLS, HTTPS polling)
	CloudAPI     Kind = "cloud-api"     // cloud backend and its API
	Database     Kind = "database"      // the backend's data store
	App          Kind = "app"           // mobile or web app of the user
)

// Kinds returns every component kind in the order of the product's layers.
func Kinds() []Kind {
	return []Kind{Hardware, Firmware, LocalService, CloudChannel, CloudAPI, Database, App}
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Product names a product by vendor and model; it is the key under which
// system documents are versioned (compared without case).
type Product struct {
	Vendor string `json:"vendor" yaml:"vendor"`
	Model  string `json:"model" yaml:"model"`
}

// String returns "vendor model".
func (p Product) String() string { return p.Vendor + " " + p.Model }

// Key is the case-folded identity of p.
func (p Product) Key() string {
	return strings.ToLower(strings.TrimSpace(p.Vendor)) + "\t" + strings.ToLower(strings.TrimSpace(p.Model))
}

// Asset is something of value a component holds or handles.
type Asset struct {
	Name string `json:"name" yaml:"name"`
	// Kind is one of credential, key, personal-data, firmware-image,
	// configuration, telemetry.
	Kind string `json:"kind" yaml:"kind"`
}

// AssetKinds returns the asset kinds a model may name.
func AssetKinds() []string {
	return []string{"credential", "key", "personal-data", "firmware-image", "configuration", "telemetry"}
}

// Interface is a way into a component.
type Interface struct {
	Name     string `json:"name" yaml:"name"`
	Protocol string `json:"protocol" yaml:"protocol"`
	Port     int    `json:"port,omitempty" yaml:"port,omitempty"`
	// Exposure is physical, local (the user's network) or internet.
	Exposure string `json:"exposure" yaml:"exposure"`
	// Auth names the authentication the interface demands ("none" when
	// it demands none).
	Auth string `json:"auth" yaml:"auth"`
}

// Exposures returns the exposures an interface may have.
func Exposures() []string { return []string{"physical", "local", "internet"} }

// Component is one part of the system.
type Component struct {
	ID         string      `json:"id" yaml:"id"`
	Kind       Kind        `json:"kind" yaml:"kind"`
	Name       string      `json:"name" yaml:"name"`
	Assets     []Asset     `json:"assets,omitempty" yaml:"assets,omitempty"`
	Interfaces []Interface `json:"interfaces,omitempty" yaml:"interfaces,omitempty"`
}

// Flow is data moving between two components.
type Flow struct {
	From string `json:"from" yaml:"from"`
	To   string `json:"to" yaml:"to"`
	Data string `json:"data" yaml:"data"`
	// Protocol carries it, e.g. "MQTT over TLS 1.3".
	Protocol  string `json:"protocol" yaml:"protocol"`
	Encrypted bool   `json:"encrypted" yaml:"encrypted"`
}

// Model is a product system model.
type Model struct {
	Format     string      `json:"format" yaml:"format"`
	Product    Product     `json:"product" yaml:"product"`
	Components []Component `json:"components" yaml:"components"`
	Flows      []Flow      `json:"flows,omitempty" yaml:"flows,omitempty"`
	// Identify says how feed rows recognise the product's units besides
	// naming its vendor and model.
	Identify *Identify `json:"identify,omitempty" yaml:"identify,omitempty"`
}

// Identify lists what the product's units show scanners.
type Identify struct {
	// CertSubjects are subject names (common name or organisation) of
	// the units' TLS certificates.
	CertSubjects []string `json:"cert_subjects,omitempty" yaml:"cert_subjects,omitempty"`
	// Fingerprints are SHA-256 fingerprints (hex, colons allowed) of
	// certificates or SSH host keys of the product's units.
	Fingerprints []string `json:"fingerprints,omitempty" yaml:"fingerprints,omitempty"`
	// Banners are texts the banners of the units' services contain.
	Banners []string `json:"banners,omitempty" yaml:"banners,omitempty"`
}

// Target returns what the fleet aggregator recognises the product by.
func (m Model) Target() Target {
	t := Target{Product: m.Product}
	if m.Identify != nil {
		t.CertSubjects, t.Fingerprints, t.Banners = m.Identify.CertSubjects, m.Identify.Fingerprints, m.Identify.Banners
	}
	return t
}

// Component returns the component with id.
func (m Model) Component(id string) (Component, bool) {
	for _, c := range m.Components {
		if c.ID == id {
			return c, true
		}
	}
	return Component{}, false
}

var (
	idRE       = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	fpRE       = regexp.MustCompile(`^[0-9a-f]{64}$`)
	yamlLineRE = regexp.MustCompile(`^(yaml: )?line (\d+): `)
)

// ParseModel reads a system model (YAML or JSON; JSON is YAML) from r; name
// is the file name used in errors. Unknown keys are refused. Every problem
// comes back as a row error naming the file, the line where known, the
// field path (e.g. "components[2].interfaces[0].exposure") and the reason;
// a model with problems is not returned.
func ParseModel(r io.Reader, name string) (Model, []errs.RowError) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Model{}, []errs.RowError{{File: name, Reason: fmt.Sprintf("read: %v", err)}}
	}
	var m Model
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return Model{}, []errs.RowError{{File: name, Reason: "empty file"}}
		}
		return Model{}, yamlErrors(name, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	var probs []errs.RowError
	bad := func(path, format string, args ...any) {
		probs = append(probs, errs.RowError{File: name, Line: lineOf(&root, path), Field: path, Reason: fmt.Sprintf(format, args...)})
	}
	m.validate(bad)
	if len(probs) > 0 {
		return Model{}, probs
	}
	return m, nil
}

// Validate checks a model built in code (the portal, tests) with the rules
// of ParseModel; it returns errs.Invalid naming the first bad field.
func (m Model) Validate() error {
	var first error
	m.validate(func(path, format string, args ...any) {
		if first == nil {
			first = errs.Field(path, "", fmt.Sprintf(format, args...))
		}
	})
	return first
}

func (m *Model) validate(bad func(path, format string, args ...any)) {
	if m.Format != ModelFormat {
		bad("format", "want %q", ModelFormat)
	}
	if strings.TrimSpace(m.Product.Vendor) == "" {
		bad("product.vendor", "required")
	}
	if strings.TrimSpace(m.Product.Model) == "" {
		bad("product.model", "required")
	}
	if len(m.Components) == 0 {
		bad("components", "a system needs at least one component")
	}
	seen := map[string]bool{}
	for i, c := range m.Components {
		p := fmt.Sprintf("components[%d]", i)
		switch {
		case !idRE.MatchString(c.ID):
			bad(p+".id", "%q is not an id (lower-case letters, digits, - and _, at most 64)", c.ID)
		case seen[c.ID]:
			bad(p+".id", "duplicate component id %q", c.ID)
		}
		seen[c.ID] = true
		if !c.Kind.Valid() {
			bad(p+".kind", "unknown kind %q (want one of %s)", c.Kind, kindList())
		}
		if strings.TrimSpace(c.Name) == "" {
			bad(p+".name", "required")
		}
		for j, a := range c.Assets {
			ap := fmt.Sprintf("%s.assets[%d]", p, j)
			if strings.TrimSpace(a.Name) == "" {
				bad(ap+".name", "required")
			}
			if !slices.Contains(AssetKinds(), a.Kind) {
				bad(ap+".kind", "unknown asset kind %q (want one of %s)", a.Kind, strings.Join(AssetKinds(), ", "))
			}
		}
		for j, f := range c.Interfaces {
			ip := fmt.Sprintf("%s.interfaces[%d]", p, j)
			if strings.TrimSpace(f.Name) == "" {
				bad(ip+".name", "required")
			}
			if !slices.Contains(Exposures(), f.Exposure) {
				bad(ip+".exposure", "unknown exposure %q (want one of %s)", f.Exposure, strings.Join(Exposures(), ", "))
			}
			if f.Port < 0 || f.Port > 65535 {
				bad(ip+".port", "%d is not a port (0–65535)", f.Port)
			}
			if strings.TrimSpace(f.Auth) == "" {
				bad(ip+".auth", `required (name the authentication, or "none")`)
			}
		}
	}
	if m.Identify != nil {
		for i, f := range m.Identify.Fingerprints {
			if !fpRE.MatchString(normFP(f)) {
				bad(fmt.Sprintf("identify.fingerprints[%d]", i), "%q is not a SHA-256 fingerprint (64 hex digits)", f)
			}
		}
	}
	for i, f := range m.Flows {
		p := fmt.Sprintf("flows[%d]", i)
		if !seen[f.From] {
			bad(p+".from", "no component with id %q", f.From)
		}
		if !seen[f.To] {
			bad(p+".to", "no component with id %q", f.To)
		}
		if f.From == f.To && f.From != "" {
			bad(p+".to", "a flow joins two different components")
		}
		if strings.TrimSpace(f.Data) == "" {
			bad(p+".data", "required (what the flow carries)")
		}
	}
}

func kindList() string {
	s := make([]string, 0, len(Kinds()))
	for _, k := range Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// yamlErrors turns a decoder error into row errors with their lines.
func yamlErrors(name string, err error) []errs.RowError {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	out := make([]errs.RowError, 0, len(msgs))
	for _, m := range msgs {
		re := errs.RowError{File: name, Reason: strings.TrimPrefix(m, "yaml: ")}
		if g := yamlLineRE.FindStringSubmatch(re.Reason); g != nil {
			re.Line, _ = strconv.Atoi(g[2])
			re.Reason = strings.TrimPrefix(re.Reason, g[0])
		}
		out = append(out, re)
	}
	return out
}

// lineOf finds the line of a field path such as "components[2].kind" in
// a parsed document, or of its nearest existing parent; 0 when unknown.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 {
			key = part[:i]
			idx, _ = strconv.Atoi(strings.TrimSuffix(part[i+1:], "]"))
		}
		next := mapValue(n, key)
		if next == nil {
			return line
		}
		n, line = next, next.Line
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n, line = n.Content[idx], n.Content[idx].Line
		}
	}
	return line
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
