// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package feed reads threat feeds as streams of typed Observations:
// Shadowserver reports (all 170 report types of Shadowserver's report
// schema, recognised by file name or header), generic CSV files with a
// column mapping, plain IP/CIDR blocklists and leaked-credential lists.
//
// A Reader takes any io.Reader (gzip is unpacked when its magic bytes are
// seen) and yields one observation per good row and one *errs.RowError per
// bad row (file, line, column, reason and the raw row, truncated); a bad row
// never stops the good ones. Memory stays bounded by the longest record,
// whatever the size of the input, and a row costs no allocation beyond its
// share of a 64 KiB string block.
//
// Classification follows the IntelMQ taxonomy as Shadowserver's published
// IntelMQ mapping assigns it per report type (see shadowserver_gen.go,
// generated from The-Shadowserver-Foundation/report_schema).
package feed
