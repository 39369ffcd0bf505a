// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package vrange reads the version ranges advisories write — vers URIs and
// the free-text shapes of CSAF product_version_range names ("< V4.1.3",
// "All versions < V5.2 SP3 HF13", ">= 1.0 | <= 1.32", "<= 1.12.0.25 |
// 1.12.13.2", "vers:all/>=V1.80<V2.20", "All versions with Ethernet
// interface") — into constraints a version can be checked against, and
// keeps beside them the conditions a version comparison cannot check
// (serial numbers, production dates, installed options, other software).
//
// A range that is not understood is never read as "every version": Parse
// says why in Range.Unparsed and Contains reports it cannot compare.
//
// Constraints are read in the order written: a lower bound directly
// followed by an upper bound is one interval, every other constraint
// stands alone ("<" and "<=" from the bottom, ">" and ">=" to the top, "="
// one version), and the range is their union. Several upper bounds
// ("<= 4.2.21 | <= 5.0.27") are one per release line: the lowest covers
// everything below it, each other one starts at its line. Vendor versions
// compare in the order of package match/version (SP / Update / HF nested,
// builds ignored by bounds that name none); an "x" in a bound stands for
// any value ("=1.5.x", "<= 12.2.x.x", "< V3.X.17": the compared version's
// own component), and a bound "FW14" compares with the firmware index in
// parentheses of a WAGO version ("03.02.02(14)").
//
// All functions are pure and safe for concurrent use.
package vrange
