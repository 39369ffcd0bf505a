// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package advisory is vigil's common model of vulnerability intelligence and
// the streaming loaders that map each source onto it: CSAF 2.0 documents,
// the CISA KEV catalog, NVD CVE API 2.0 records and feeds, CVE JSON 5.x
// records (with ADP containers such as CISA vulnrichment), OSV records and
// EPSS score files.
//
// Every loader reads an io.Reader and calls yield once per good record. A bad
// record is returned as an errs.RowError (file, line, field, reason) and does
// not stop the others; only I/O failures, a cancelled context, a yield error
// or input that cannot be read as the format at all end a load early. Loaders
// are pure: the same input always gives the same Advisory values, so
// Advisory.Digest tells a re-load of unchanged data from a real change.
//
// Gzip-compressed input is recognised by its magic bytes and decompressed
// transparently by every loader.
package advisory
