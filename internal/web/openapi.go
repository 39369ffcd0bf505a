// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// pathParamDoc describes the path parameters by name.
func pathParamDoc(name string) string {
	switch name {
	case "id":
		return "organisation id"
	case "cid":
		return "contact id"
	case "aid":
		return "asset id"
	case "did":
		return "device id"
	case "tid":
		return "token id"
	case "hash":
		return "z-base-32 SHA-1 of the lowercased local part of an address (the WKD layout)"
	}
	return name
}

// problemResponse is a reusable error response of the document.
type problemResponse struct {
	name   string
	status int
	desc   string
}

// problemResponses lists the reusable error responses.
func problemResponses() []problemResponse {
	return []problemResponse{
		{"BadRequest", http.StatusBadRequest, "Malformed request: bad JSON, an unknown field, a bad path or query parameter."},
		{"Unauthorized", http.StatusUnauthorized, "Missing, unknown or revoked token."},
		{"Forbidden", http.StatusForbidden, "The token lacks the scope, or the route is for operator tokens only."},
		{"NotFound", http.StatusNotFound, "No such object, or it belongs to an organisation the token cannot see."},
		{"Conflict", http.StatusConflict, "The object exists already."},
		{"TooLarge", http.StatusRequestEntityTooLarge, "The request body is over the limit."},
		{"UnsupportedMediaType", http.StatusUnsupportedMediaType, "The request body is not application/json."},
		{"Invalid", http.StatusUnprocessableEntity, "A field failed validation; field names it."},
		{"Internal", http.StatusInternalServerError, "Internal error; details are logged, not shown."},
		{"Unavailable", http.StatusServiceUnavailable, "The database does not answer."},
	}
}

// buildOpenAPI generates the OpenAPI 3.1 document from the route table and
// the schema set.
func (s *Server) buildOpenAPI() ([]byte, error) {
	schemas, err := s.schemas.components()
	if err != nil {
		return nil, err
	}
	responses := map[string]any{}
	for _, pr := range problemResponses() {
		responses[pr.name] = map[string]any{
			"description": pr.desc,
			"content": map[string]any{
				ProblemContentType: map[string]any{"schema": ref("Problem")},
			},
		}
	}
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		if rt.IsPage() {
			continue // HTML pages are not part of the API
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = s.operation(rt)
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "vigil API",
			"version":     s.version,
			"description": "Registry of organisations, their contacts, assets and devices, for a national CERT. Errors are RFC 9457 problem details. An organisation's token sees only that organisation; other organisations' objects answer 404.",
			"license":     map[string]any{"name": "Apache-2.0", "identifier": "Apache-2.0"},
		},
		"paths": paths,
		"components": map[string]any{
			"schemas":   schemas,
			"responses": responses,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{
					"type":        "http",
					"scheme":      "bearer",
					"description": "An API token (vigil_…) from POST /api/v1/tokens or `vigil token create`.",
				},
			},
		},
		"security": []any{map[string]any{"bearer": []string{}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func problemRef(name string) map[string]any {
	return map[string]any{"$ref": "#/components/responses/" + name}
}

func (s *Server) operation(rt Route) map[string]any {
	op := map[string]any{
		"operationId": rt.ID,
		"summary":     rt.Summary,
	}
	if rt.Tag != "" {
		op["tags"] = []string{rt.Tag}
	}
	var params []any
	for _, name := range rt.PathParams() {
		sch := map[string]any{"type": "integer", "format": "int64", "minimum": 1}
		if name == "token" || name == "hash" { // not ids
			sch = map[string]any{"type": "string"}
		}
		params = append(params, map[string]any{
			"name": name, "in": "path", "required": true, "description": pathParamDoc(name), "schema": sch,
		})
	}
	for _, p := range rt.Query {
		sch := map[string]any{"type": p.Type}
		if p.Type == "integer" {
			sch["format"] = "int64"
		}
		if len(p.Enum) > 0 {
			sch["enum"] = p.Enum
		}
		if p.Multi {
			sch = map[string]any{"type": "array", "items": sch}
		}
		params = append(params, map[string]any{"name": p.Name, "in": "query", "description": p.Description, "schema": sch})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.Request != "" {
		op["requestBody"] = map[string]any{
			"required": true,
			"content":  map[string]any{"application/json": map[string]any{"schema": ref(rt.Request)}},
		}
	}
	success := map[string]any{"description": http.StatusText(rt.successStatus())}
	switch {
	case rt.Response != "":
		content := map[string]any{"application/json": map[string]any{"schema": ref(rt.Response)}}
		if rt.CSV {
			content["text/csv"] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		success["content"] = content
	case rt.ContentType != "":
		success["content"] = map[string]any{rt.ContentType: map[string]any{"schema": map[string]any{"type": "string"}}}
	}
	resp := map[string]any{strconv.Itoa(rt.successStatus()): success}
	if len(params) > 0 || rt.Request != "" {
		resp["400"] = problemRef("BadRequest")
	}
	if len(rt.PathParams()) > 0 {
		resp["404"] = problemRef("NotFound")
	}
	if rt.Request != "" {
		resp["413"] = problemRef("TooLarge")
		resp["415"] = problemRef("UnsupportedMediaType")
		resp["422"] = problemRef("Invalid")
		resp["409"] = problemRef("Conflict")
	}
	if rt.Public {
		op["security"] = []any{}
	} else {
		op["security"] = []any{map[string]any{"bearer": []string{}}}
		resp["401"] = problemRef("Unauthorized")
		resp["403"] = problemRef("Forbidden")
		scope := string(rt.Scope)
		switch {
		case rt.OperatorOnly():
			scope = "operator tokens only"
		case scope == "":
			scope = "any"
		}
		op["x-vigil-scope"] = scope
		op["x-vigil-operator-scope"] = string(rt.OperatorScope())
		opScope := "Operator tokens need the " + string(rt.OperatorScope()) + " scope."
		op["description"] = "Scope: " + scope + ". " + opScope
		if rt.OrgScoped() {
			roles := make([]string, 0, 2)
			for _, r := range rt.OrgRoles() {
				roles = append(roles, string(r))
			}
			op["x-vigil-roles"] = roles
			who := "Members only: a maker's token answers 403."
			if rt.Makers {
				who = "Members and makers (a maker's token may use it)."
			}
			op["description"] = "Scope: " + scope + ". " + opScope + " An organisation's token may use only its own organisation id; others answer 404. " + who
		}
	}
	if rt.Path == "/readyz" {
		resp["503"] = problemRef("Unavailable")
	}
	resp["500"] = problemRef("Internal")
	op["responses"] = resp
	return op
}
