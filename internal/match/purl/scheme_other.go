// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"errors"
	"fmt"
	"strings"
)

// ---- Maven (org.apache.maven.artifact.versioning.ComparableVersion) ----

type mvnKind uint8

const (
	mvnInt mvnKind = iota
	mvnString
	mvnList
)

type mvnItem struct {
	kind mvnKind
	num  string // canonical digits, "" for zero
	str  string // qualifier after aliasing
	list []*mvnItem
}

// mvnQualifiers are the well-known qualifiers in order; "" is the release.
func mvnQualifierIndex(q string) (int, bool) {
	for i, w := range []string{"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"} {
		if q == w {
			return i, true
		}
	}
	return 0, false
}

const mvnReleaseIndex = 5

// comparableQualifier orders qualifiers: known ones by index, unknown ones
// after all known ones, lexically (Maven compares "7-foo" strings).
func mvnComparableQualifier(q string) string {
	if i, ok := mvnQualifierIndex(q); ok {
		return fmt.Sprint(i)
	}
	return "7-" + q
}

func newMvnString(s string, followedByDigit bool) *mvnItem {
	if followedByDigit && len(s) == 1 {
		switch s[0] {
		case 'a':
			s = "alpha"
		case 'b':
			s = "beta"
		case 'm':
			s = "milestone"
		}
	}
	switch s {
	case "ga", "final", "release":
		s = ""
	case "cr":
		s = "rc"
	}
	return &mvnItem{kind: mvnString, str: s}
}

func newMvnInt(digits string) *mvnItem {
	return &mvnItem{kind: mvnInt, num: strings.TrimLeft(digits, "0")}
}

func (it *mvnItem) isNull() bool {
	switch it.kind {
	case mvnInt:
		return it.num == ""
	case mvnString:
		return it.str == ""
	}
	return len(it.list) == 0
}

// cmp compares it with other; other may be nil (the "null" item Maven pads
// shorter lists with).
func (it *mvnItem) cmp(other *mvnItem) int {
	switch it.kind {
	case mvnInt:
		if other == nil {
			if it.num == "" {
				return 0
			}
			return 1
		}
		switch other.kind {
		case mvnInt:
			return cmpDigits(it.num, other.num)
		default:
			return 1
		}
	case mvnString:
		if other == nil {
			return strings.Compare(mvnComparableQualifier(it.str), fmt.Sprint(mvnReleaseIndex))
		}
		switch other.kind {
		case mvnString:
			return strings.Compare(mvnComparableQualifier(it.str), mvnComparableQualifier(other.str))
		default:
			return -1
		}
	}
	// list
	if other == nil {
		for _, x := range it.list {
			if c := x.cmp(nil); c != 0 {
				return c
			}
		}
		return 0
	}
	switch other.kind {
	case mvnInt:
		return -1
	case mvnString:
		return 1
	}
	for i := 0; i < len(it.list) || i < len(other.list); i++ {
		var l, r *mvnItem
		if i < len(it.list) {
			l = it.list[i]
		}
		if i < len(other.list) {
			r = other.list[i]
		}
		var c int
		switch {
		case l == nil && r == nil:
			c = 0
		case l == nil:
			c = -r.cmp(nil)
		default:
			c = l.cmp(r)
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func (it *mvnItem) normalize() {
	for i := len(it.list) - 1; i >= 0; i-- {
		last := it.list[i]
		if last.isNull() {
			it.list = append(it.list[:i], it.list[i+1:]...)
		} else if last.kind != mvnList {
			break
		}
	}
}

func parseMaven(v string) *mvnItem {
	v = strings.ToLower(v)
	root := &mvnItem{kind: mvnList}
	list := root
	stack := []*mvnItem{root}
	isDigit := false
	start := 0
	parseItem := func(digit bool, buf string) *mvnItem {
		if digit {
			return newMvnInt(buf)
		}
		return newMvnString(buf, false)
	}
	push := func() {
		l := &mvnItem{kind: mvnList}
		list.list = append(list.list, l)
		list = l
		stack = append(stack, l)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.':
			if i == start {
				list.list = append(list.list, newMvnInt(""))
			} else {
				list.list = append(list.list, parseItem(isDigit, v[start:i]))
			}
			start = i + 1
		case c == '-':
			if i == start {
				list.list = append(list.list, newMvnInt(""))
			} else {
				list.list = append(list.list, parseItem(isDigit, v[start:i]))
			}
			start = i + 1
			push()
		case c >= '0' && c <= '9':
			if !isDigit && i > start {
				list.list = append(list.list, newMvnString(v[start:i], true))
				start = i
				push()
			}
			isDigit = true
		default:
			if isDigit && i > start {
				list.list = append(list.list, parseItem(true, v[start:i]))
				start = i
				push()
			}
			isDigit = false
		}
	}
	if len(v) > start {
		list.list = append(list.list, parseItem(isDigit, v[start:]))
	}
	for i := len(stack) - 1; i >= 0; i-- {
		stack[i].normalize()
	}
	return root
}

func compareMaven(a, b string) int {
	return parseMaven(a).cmp(parseMaven(b))
}

// ---- Conan (conans.model.version.Version, Conan 2) ----

type conanVersion struct {
	items []string // trailing zeros removed
	pre   *conanVersion
	build *conanVersion
}

func parseConan(v string) *conanVersion {
	out := &conanVersion{}
	if i := strings.LastIndexByte(v, '+'); i >= 0 {
		out.build = parseConan(v[i+1:])
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		out.pre = parseConan(v[i+1:])
		v = v[:i]
	}
	out.items = strings.Split(v, ".")
	for len(out.items) > 0 && allDigits(out.items[len(out.items)-1]) && cmpDigits(out.items[len(out.items)-1], "0") == 0 {
		out.items = out.items[:len(out.items)-1]
	}
	return out
}

// conanItemCmp compares two items: numbers numerically, otherwise as
// strings (Python's fallback to str comparison).
func conanItemCmp(a, b string) int {
	if allDigits(a) && allDigits(b) {
		return cmpDigits(a, b)
	}
	return strings.Compare(a, b)
}

func (a *conanVersion) cmp(b *conanVersion) int {
	for i := 0; i < len(a.items) && i < len(b.items); i++ {
		if c := conanItemCmp(a.items[i], b.items[i]); c != 0 {
			return c
		}
	}
	if c := sign(len(a.items) - len(b.items)); c != 0 {
		return c
	}
	switch {
	case a.pre != nil && b.pre != nil:
		if c := a.pre.cmp(b.pre); c != 0 {
			return c
		}
	case a.pre != nil:
		return -1
	case b.pre != nil:
		return 1
	}
	switch {
	case a.build != nil && b.build != nil:
		return a.build.cmp(b.build)
	case a.build != nil:
		return 1
	case b.build != nil:
		return -1
	}
	return 0
}

func compareConan(a, b string) int { return parseConan(a).cmp(parseConan(b)) }

// ---- OpenSSL ("1.0.2k", "1.1.1ak", "3.0.1") ----

type opensslVersion struct {
	nums   []string
	letter string
}

func parseOpenSSL(v string) (opensslVersion, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	var o opensslVersion
	i := len(s)
	for i > 0 && s[i-1] >= 'a' && s[i-1] <= 'z' {
		i--
	}
	o.letter = s[i:]
	for _, n := range strings.Split(s[:i], ".") {
		if !allDigits(n) {
			return opensslVersion{}, errors.New("invalid openssl version")
		}
		o.nums = append(o.nums, n)
	}
	return o, nil
}

func compareOpenSSL(a, b opensslVersion) int {
	for i := 0; i < len(a.nums) || i < len(b.nums); i++ {
		x, y := "0", "0"
		if i < len(a.nums) {
			x = a.nums[i]
		}
		if i < len(b.nums) {
			y = b.nums[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	// Letters count like a base-26 number: "z" < "za".
	if c := sign(len(a.letter) - len(b.letter)); c != 0 {
		return c
	}
	return strings.Compare(a.letter, b.letter)
}
