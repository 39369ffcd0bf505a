// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/assess"
	"vigil/internal/auth"
	"vigil/internal/finding"
	"vigil/internal/registry"
	"vigil/internal/verify"
)

// schemaSet names the Go types that travel as JSON and generates their JSON
// Schemas (OpenAPI 3.1 components) by reflection, so that the document
// describes exactly what the handlers decode and encode.
type schemaSet struct {
	byName   map[string]reflect.Type
	names    map[reflect.Type]string
	order    []string
	examples map[string]any
	enums    map[reflect.Type][]string
	extra    map[string]map[string]any // "Schema.field" → extra keywords
}

// newSchemas registers every named schema. Nested struct types that are
// not registered here are added under their Go type name.
func newSchemas() (*schemaSet, error) {
	ss := &schemaSet{
		byName:   map[string]reflect.Type{},
		names:    map[reflect.Type]string{},
		examples: map[string]any{},
		enums: map[reflect.Type][]string{
			reflect.TypeFor[auth.Scope]():         scopeNames(),
			reflect.TypeFor[registry.AssetKind](): {string(registry.KindCIDR), string(registry.KindASN), string(registry.KindDomain)},
			reflect.TypeFor[finding.Severity]():   severityNames(),
			reflect.TypeFor[account.Role]():       {"", string(account.RoleAdmin), string(account.RoleAnalyst), string(account.RoleMember), string(account.RoleMaker)},
			reflect.TypeFor[assess.Grade]():       gradeNames(),
		},
		extra: map[string]map[string]any{
			"Policy.mode":           {"enum": []string{"immediate", "daily", "weekly"}},
			"Policy.min_severity":   {"enum": []string{"info", "low", "medium", "high", "critical"}},
			"Policy.renotify_after": {"description": "a Go duration such as 168h"},
			"ContactCreate.role":    {"enum": []string{"security", "technical", "management", "abuse", "other"}},
			"ContactCreate.email":   {"format": "email"},
			"Contact.email":         {"format": "email"},
			"DeviceCreate.cpe":      {"description": "CPE 2.3 formatted string"},
			"DeviceCreate.purl":     {"description": "package URL"},
			"AssetCreate.value":     {"description": "an IP address or CIDR range, an AS number (64500 or AS64500) or a domain"},
			"Problem.type":          {"format": "uri"},
			"TokenCreate.expires_days": {"minimum": 0, "maximum": auth.MaxTokenDays, "default": auth.DefaultTokenDays,
				"description": "days until the token expires; 0: never"},
		},
	}
	var err error
	add := func(name string, v, example any) {
		if err == nil {
			err = ss.add(name, reflect.TypeOf(v), example)
		}
	}
	exampleDevice := DeviceInput{Vendor: "Unitronics", Model: "Vision1210", Firmware: "4.3.3",
		CPE: "cpe:2.3:h:unitronics:vision1210:-:*:*:*:*:*:*:*", Location: "pumping station 3"}
	add("Org", registry.Org{}, nil)
	add("OrgCreate", OrgInput{}, OrgInput{
		Name: "Drinkwaterbedrijf Oost", Sector: "water", Country: "NL", Languages: []string{"nl", "en"},
		Policy:   registry.Policy{Mode: "daily", MinSeverity: "medium"},
		Contacts: []ContactInput{{Email: "security@drinkwater-oost.example", Role: "security", Lang: "nl"}},
		Assets:   []AssetInput{{Kind: registry.KindCIDR, Value: "198.51.100.128/28"}, {Value: "AS64505"}, {Value: "Drinkwater-Oost.example"}},
		Devices:  []DeviceInput{exampleDevice},
	})
	sector := "water"
	add("OrgUpdate", OrgPatch{}, OrgPatch{Sector: &sector, Policy: &registry.Policy{Mode: "immediate"}})
	add("OrgPage", Page[registry.Org]{}, nil)
	add("Policy", registry.Policy{}, nil)
	add("Contact", registry.Contact{}, nil)
	add("ContactCreate", ContactInput{}, ContactInput{Name: "CERT desk", Email: "cert@drinkwater-oost.example", Phone: "+31 70 123 4567", Role: "security", Lang: "nl"})
	add("ContactUpdate", app.ContactPatch{}, app.ContactPatch{Name: new("CERT desk (24/7)"), Phone: new("+31 70 123 4568")})
	add("ContactPage", Page[registry.Contact]{}, nil)
	add("Asset", registry.Asset{}, nil)
	add("AssetCreate", AssetInput{}, AssetInput{Kind: registry.KindCIDR, Value: "198.51.100.0/24"})
	add("AssetPage", Page[registry.Asset]{}, nil)
	add("Device", registry.Device{}, nil)
	add("DeviceCreate", DeviceInput{}, exampleDevice)
	add("DevicePage", Page[registry.Device]{}, nil)
	notifySchemas(add)
	add("VerifyRequest", VerifyInput{}, VerifyInput{Ticket: "VGL-7K3P-Q9XD", Code: "H6TF3-GHSZW"})
	add("Verification", verify.Result{}, nil)
	findingSchemas(add)
	userSchemas(add)
	opsSchemas(add)
	registrySchemas(add)
	analystSchemas(add)
	registerSchemas(add)
	signupSchemas(add)
	disputeSchemas(add)
	deviceSchemas(add)
	assessSchemas(add)
	publicSchemas(add)
	labelSchemas(add)
	accountAPISchemas(add)
	ingestSchemas(add)
	makerSchemas(add)
	tokenPageSchemas(add)
	settingsSchemas(add)
	sourceSchemas(add)
	privacySchemas(add)
	add("Overlap", registry.Overlap{}, nil)
	add("OverlapList", List[registry.Overlap]{}, nil)
	add("Token", auth.Token{}, nil)
	add("TokenCreate", TokenInput{}, TokenInput{OrgID: 1, Name: "ticketing system", Scopes: []auth.Scope{auth.ScopeRead}})
	add("TokenCreated", TokenCreated{}, nil)
	add("Me", Me{}, nil)
	add("Problem", Problem{}, Problem{Type: ProblemType + "invalid", Title: "Invalid input", Status: 422,
		Detail: `value: "192.0.2.300/24": not a CIDR range`, Instance: "/api/v1/orgs/1/assets", Field: "value"})
	return ss, err
}

func (ss *schemaSet) add(name string, t reflect.Type, example any) error {
	if _, dup := ss.byName[name]; dup {
		return fmt.Errorf("web: schema %q registered twice", name)
	}
	if other, dup := ss.names[t]; dup {
		return fmt.Errorf("web: type %v registered as %q and %q", t, other, name)
	}
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("web: schema %q: %v is not a struct", name, t)
	}
	ss.byName[name], ss.names[t] = t, name
	ss.order = append(ss.order, name)
	if example != nil {
		ss.examples[name] = example
	}
	return nil
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

// components returns the JSON Schema of every registered type, keyed by
// name, adding nested types as it meets them.
func (ss *schemaSet) components() (map[string]any, error) {
	out := map[string]any{}
	for i := 0; i < len(ss.order); i++ { // ss.order grows while we walk it
		name := ss.order[i]
		sch, err := ss.objectSchema(name, ss.byName[name])
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		if ex, ok := ss.examples[name]; ok {
			sch["examples"] = []any{ex}
		}
		out[name] = sch
	}
	return out, nil
}

func (ss *schemaSet) objectSchema(name string, t reflect.Type) (map[string]any, error) {
	props := map[string]any{}
	var required []string
	if err := ss.addFields(name, t, props, &required); err != nil {
		return nil, err
	}
	sch := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		sch["required"] = required
	}
	return sch, nil
}

func (ss *schemaSet) addFields(name string, t reflect.Type, props map[string]any, required *[]string) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		jname, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && jname == "" && f.Type.Kind() == reflect.Struct {
			if err := ss.addFields(name, f.Type, props, required); err != nil {
				return err
			}
			continue
		}
		if jname == "" {
			jname = f.Name
		}
		optional := hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
		fs, err := ss.typeSchema(f.Type)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
		if f.Type.Kind() == reflect.Pointer && !optional {
			fs = nullable(fs)
		}
		for k, v := range ss.extra[name+"."+jname] {
			fs[k] = v
		}
		props[jname] = fs
		if !optional {
			*required = append(*required, jname)
		}
	}
	return nil
}

func hasOpt(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func nullable(s map[string]any) map[string]any {
	if t, ok := s["type"].(string); ok {
		s["type"] = []string{t, "null"}
		return s
	}
	return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
}

// typeSchema returns the schema of a field's type: a $ref for struct types.
func (ss *schemaSet) typeSchema(t reflect.Type) (map[string]any, error) {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case rawJSONType:
		return map[string]any{"description": "any JSON value"}, nil
	}
	if enum, ok := ss.enums[t]; ok {
		return map[string]any{"type": "string", "enum": enum}, nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		return ss.typeSchema(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}, nil
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int32"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.Slice, reflect.Array:
		items, err := ss.typeSchema(t.Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "array", "items": items}, nil
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key %v is not a string", t.Key())
		}
		vals, err := ss.typeSchema(t.Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{"type": "object", "additionalProperties": vals}, nil
	case reflect.Interface:
		return map[string]any{}, nil
	case reflect.Struct:
		name, ok := ss.names[t]
		if !ok {
			name = t.Name()
			if name == "" || strings.ContainsAny(name, "[]") {
				return nil, fmt.Errorf("type %v needs an explicit schema name", t)
			}
			if err := ss.add(name, t, nil); err != nil {
				return nil, err
			}
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}, nil
	}
	return nil, fmt.Errorf("type %v has no JSON schema", t)
}

// gradeNames are the label grades as their JSON spells them (A … G).
func gradeNames() []string {
	var out []string
	for _, g := range assess.Grades() {
		out = append(out, g.String())
	}
	return out
}

// scopeNames are the token scopes' names for the schemas' enum.
func scopeNames() []string {
	var out []string
	for _, sc := range auth.Scopes() {
		out = append(out, string(sc))
	}
	return out
}
