// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package sbom reads software bills of materials into a flat list of
// components (name, version, purl, CPE, supplier) that vigil attaches to a
// device and matches against advisories. It reads CycloneDX JSON and XML
// (github.com/CycloneDX/cyclonedx-go) and SPDX 2.x JSON and tag-value
// (github.com/spdx/tools-golang), recognising the format from the content.
//
// A component with a malformed purl or CPE is kept without that identifier
// and the problem is returned as an errs.RowError; a component without a name
// is dropped and reported. Only input that is not an SBOM at all fails the
// whole parse.
package sbom

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/tagvalue"

	"vigil/internal/advisory"
	"vigil/internal/errs"
	"vigil/internal/text"
)

// Format is an SBOM serialisation.
type Format string

// Supported formats.
const (
	CycloneDXJSON Format = "cyclonedx-json"
	CycloneDXXML  Format = "cyclonedx-xml"
	SPDXJSON      Format = "spdx-json"
	SPDXTagValue  Format = "spdx-tag-value"
)

// ErrUnknownFormat is returned (wrapped) when the content is none of the
// supported formats.
var ErrUnknownFormat = errors.New("not a CycloneDX (JSON, XML) or SPDX (JSON, tag-value) document")

// maxSBOM bounds the size of a document.
const maxSBOM = 128 << 20

// Component is one component of a bill of materials.
type Component struct {
	Name     string `json:"name"`
	Group    string `json:"group,omitempty"` // CycloneDX group (Maven groupId, npm scope)
	Version  string `json:"version,omitempty"`
	PURL     string `json:"purl,omitempty"`
	CPE      string `json:"cpe,omitempty"`
	Supplier string `json:"supplier,omitempty"`
	// Type is the CycloneDX component type (library, firmware, device, ...)
	// or the lower-cased SPDX primaryPackagePurpose.
	Type string `json:"type,omitempty"`
	// BOMRef is the CycloneDX bom-ref or the SPDX SPDXID.
	BOMRef string `json:"bom_ref,omitempty"`
}

// BOM is a parsed bill of materials.
type BOM struct {
	Format      Format `json:"format"`
	SpecVersion string `json:"spec_version"` // "1.4", "SPDX-2.3"
	// Subject is what the BOM describes (CycloneDX metadata.component, the
	// SPDX package named by documentDescribes when there is exactly one);
	// nil when the document does not say. It is not repeated in Components.
	Subject    *Component  `json:"subject,omitempty"`
	Components []Component `json:"components"`
}

// Detect returns the format of an SBOM from its first bytes (a few KiB are
// enough for JSON documents that start with their format member; the whole
// document always is).
func Detect(data []byte) (Format, error) {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff") // blanks and a UTF-8 byte order mark
	switch {
	case len(t) == 0:
		return "", fmt.Errorf("%w: empty input", ErrUnknownFormat)
	case t[0] == '{':
		var probe struct {
			BOMFormat   string `json:"bomFormat"`
			SPDXVersion string `json:"spdxVersion"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			// Possibly truncated: look for the members textually.
			s := string(t)
			switch {
			case strings.Contains(s, `"bomFormat"`) && strings.Contains(s, `"CycloneDX"`):
				return CycloneDXJSON, nil
			case strings.Contains(s, `"spdxVersion"`):
				return SPDXJSON, nil
			}
			return "", fmt.Errorf("%w: JSON: %v", ErrUnknownFormat, err)
		}
		switch {
		case probe.BOMFormat == "CycloneDX":
			return CycloneDXJSON, nil
		case strings.HasPrefix(probe.SPDXVersion, "SPDX-"):
			return SPDXJSON, nil
		}
		return "", fmt.Errorf("%w: JSON without bomFormat \"CycloneDX\" or spdxVersion", ErrUnknownFormat)
	case t[0] == '<':
		if bytes.Contains(t, []byte("cyclonedx.org/schema/bom")) {
			return CycloneDXXML, nil
		}
		return "", fmt.Errorf("%w: XML without the CycloneDX namespace (SPDX RDF/XML is not supported)", ErrUnknownFormat)
	}
	sc := bufio.NewScanner(bytes.NewReader(t))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "SPDXVersion:") {
			return SPDXTagValue, nil
		}
		break
	}
	return "", fmt.Errorf("%w", ErrUnknownFormat)
}

// Parse reads one SBOM of any supported format. name labels row errors.
func Parse(ctx context.Context, r io.Reader, name string) (*BOM, []errs.RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSBOM+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxSBOM {
		return nil, nil, fmt.Errorf("read %s: larger than %d bytes", name, maxSBOM)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f, err := Detect(data)
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	p := &parser{name: name}
	var bom *BOM
	switch f {
	case CycloneDXJSON, CycloneDXXML:
		bom, err = p.cyclonedx(data, f)
	default:
		bom, err = p.spdx(data, f)
	}
	if err != nil {
		return nil, p.rows, fmt.Errorf("parse %s as %s: %w", name, f, err)
	}
	return bom, p.rows, nil
}

type parser struct {
	name string
	rows []errs.RowError
}

func (p *parser) row(field, reason, raw string) {
	p.rows = append(p.rows, errs.RowError{File: p.name, Field: field, Reason: reason, Raw: text.Truncate(raw, 512)})
}

// check validates a component's identifiers and reports whether it is
// kept.
func (p *parser) check(c *Component, field string) bool {
	if c.PURL != "" {
		if err := advisory.CheckPURL(c.PURL); err != nil {
			p.row(field+".purl", "bad package URL, dropped: "+err.Error(), c.PURL)
			c.PURL = ""
		}
	}
	if c.CPE != "" {
		if err := advisory.CheckCPE(c.CPE); err != nil {
			p.row(field+".cpe", "bad CPE, dropped: "+err.Error(), c.CPE)
			c.CPE = ""
		}
	}
	if c.Name == "" {
		p.row(field+".name", "component without a name, skipped", c.BOMRef)
		return false
	}
	return true
}

func (p *parser) cyclonedx(data []byte, f Format) (*BOM, error) {
	format := cdx.BOMFileFormatJSON
	if f == CycloneDXXML {
		format = cdx.BOMFileFormatXML
	}
	var doc cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), format).Decode(&doc); err != nil {
		return nil, err
	}
	bom := &BOM{Format: f, SpecVersion: doc.SpecVersion.String(), Components: []Component{}}
	if doc.Metadata != nil && doc.Metadata.Component != nil {
		c := cdxComponent(doc.Metadata.Component)
		if p.check(&c, "metadata.component") {
			bom.Subject = &c
		}
		// Components nested in the subject belong to the BOM as well.
		if doc.Metadata.Component.Components != nil {
			p.cdxWalk(*doc.Metadata.Component.Components, "metadata.component.components", bom)
		}
	}
	if doc.Components != nil {
		p.cdxWalk(*doc.Components, "components", bom)
	}
	return bom, nil
}

func (p *parser) cdxWalk(cs []cdx.Component, field string, bom *BOM) {
	for i := range cs {
		f := fmt.Sprintf("%s[%d]", field, i)
		c := cdxComponent(&cs[i])
		if p.check(&c, f) {
			bom.Components = append(bom.Components, c)
		}
		if cs[i].Components != nil {
			p.cdxWalk(*cs[i].Components, f+".components", bom)
		}
	}
}

func cdxComponent(c *cdx.Component) Component {
	out := Component{
		Name:    strings.TrimSpace(c.Name),
		Group:   strings.TrimSpace(c.Group),
		Version: strings.TrimSpace(c.Version),
		PURL:    strings.TrimSpace(c.PackageURL),
		CPE:     strings.TrimSpace(c.CPE),
		Type:    string(c.Type),
		BOMRef:  c.BOMRef,
	}
	switch {
	case c.Supplier != nil && c.Supplier.Name != "":
		out.Supplier = c.Supplier.Name
	case c.Manufacturer != nil && c.Manufacturer.Name != "":
		out.Supplier = c.Manufacturer.Name
	case c.Publisher != "":
		out.Supplier = c.Publisher
	case c.Author != "":
		out.Supplier = c.Author
	}
	out.Supplier = strings.TrimSpace(out.Supplier)
	return out
}

func (p *parser) spdx(data []byte, f Format) (*BOM, error) {
	var doc *spdx.Document
	var err error
	if f == SPDXJSON {
		doc, err = spdxjson.Read(bytes.NewReader(data))
	} else {
		doc, err = tagvalue.Read(bytes.NewReader(data))
	}
	if err != nil {
		return nil, err
	}
	bom := &BOM{Format: f, SpecVersion: doc.SPDXVersion, Components: []Component{}}
	// The subject: the one package the document describes.
	var describes []string
	for _, r := range doc.Relationships {
		if r != nil && strings.EqualFold(r.Relationship, "DESCRIBES") && string(r.RefA.ElementRefID) == "DOCUMENT" {
			describes = append(describes, string(r.RefB.ElementRefID))
		}
	}
	for i, pkg := range doc.Packages {
		if pkg == nil {
			continue
		}
		f := fmt.Sprintf("packages[%d]", i)
		c := Component{
			Name:    strings.TrimSpace(pkg.PackageName),
			Version: strings.TrimSpace(pkg.PackageVersion),
			Type:    strings.ToLower(strings.ReplaceAll(pkg.PrimaryPackagePurpose, "-", "_")),
			BOMRef:  "SPDXRef-" + string(pkg.PackageSPDXIdentifier),
		}
		switch {
		case pkg.PackageSupplier != nil && !strings.EqualFold(pkg.PackageSupplier.Supplier, "NOASSERTION"):
			c.Supplier = pkg.PackageSupplier.Supplier
		case pkg.PackageOriginator != nil && !strings.EqualFold(pkg.PackageOriginator.Originator, "NOASSERTION"):
			c.Supplier = pkg.PackageOriginator.Originator
		}
		for _, ref := range pkg.PackageExternalReferences {
			if ref == nil {
				continue
			}
			loc := strings.TrimSpace(ref.Locator)
			switch strings.ToLower(ref.RefType) {
			case "purl":
				if c.PURL == "" {
					c.PURL = loc
				}
			case "cpe23type", "cpe22type":
				if c.CPE == "" {
					c.CPE = loc
				}
			}
		}
		if !p.check(&c, f) {
			continue
		}
		if len(describes) == 1 && string(pkg.PackageSPDXIdentifier) == describes[0] {
			cc := c
			bom.Subject = &cc
			continue
		}
		bom.Components = append(bom.Components, c)
	}
	return bom, nil
}
