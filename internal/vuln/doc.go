// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package vuln matches vulnerability intelligence against the inventory of
// registered organisations: devices (vendor, model, firmware, CPE, purl) and
// the components of their SBOMs. It turns matches into findings of type
// "vulnerable", one per (device or component, vulnerability), grouped under
// a trigger per advisory or KEV entry.
//
// Matching rules (every match records its rule, evidence and a confidence):
//
//   - cpe: NVD configurations (AND/OR nodes, running-on platforms, version
//     ranges) and CPE identification helpers against the registered CPE and
//     the firmware/hardware CPE inferred from it;
//   - cpe-name: NVD configurations against devices known only by vendor,
//     model and firmware strings, through CPEs synthesised in the
//     advisory's vocabulary when vendor and product names agree;
//   - purl: OSV and CSAF packages against SBOM components, with vers /
//     ecosystem version ranges;
//   - product: CSAF product trees (product_version, product_version_range,
//     model_numbers, relationships such as installed_on, product_status)
//     and CVE 5 affected entries against vendor/model/firmware strings
//     (package match/product for names, a vendor-tolerant version scheme
//     for firmware).
//
// Fixed and known-not-affected statements as specific as an affected one
// win: fixed versions never match. KEV entries do not match on their own
// (the catalog names no versions); they, EPSS and CVSS enrich the findings
// of the other sources.
//
// The Engine keeps matches incremental: a new or changed advisory re-checks
// only inventory that shares an index key with it (vendor, product name,
// CPE vendor:product, package), a new or changed device or SBOM is checked
// against all advisories sharing a key, and reloading an advisory with an
// unchanged digest does nothing.
package vuln
