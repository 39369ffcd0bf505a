// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"vigil/internal/registry"
	"vigil/internal/tlp"
)

// UndeliverableNotice is a notice composed for an organisation that could
// be sent to nobody: the fallback chain looks for a contact for it.
type UndeliverableNotice struct {
	ID      int64
	OrgID   int64
	Reason  string
	Content Content
	// Domains are the organisation's registered domains.
	Domains []string
}

// FallbackStore is the storage the fallback chain needs.
type FallbackStore interface {
	// NoticeUndeliverableList returns those of ids that could be sent to
	// nobody and wait on the call list, with their organisations' domains.
	NoticeUndeliverableList(ctx context.Context, ids []int64) ([]UndeliverableNotice, error)
	// AddressSuppressed returns how address is on the suppression list
	// (it bounced, opted out, or an analyst listed it), "" if not.
	AddressSuppressed(ctx context.Context, address string) (string, error)
	// NoticeFallback settles notice id: with a delivery it gets that
	// outbox row, source as its contact source, and leaves the call list;
	// without one the call list's reason gains why.
	NoticeFallback(ctx context.Context, id int64, d *Delivery, source, why string, now time.Time) error
}

// Fallback is the chain a notice to an organisation without a usable
// contact goes through before it stays on the call list: the security.txt
// of the organisation's registered domains, the RDAP abuse contact of the
// findings' address, then of its domains — as for addresses nobody
// registered. (Host names a feed reports are not the organisation's word
// and are not asked.)
type Fallback struct {
	Store      FallbackStore
	Discoverer *Discoverer
	// Languages are those the templates exist in.
	Languages []string
	Now       func() time.Time
}

// FallbackResult counts what the chain did: notices sent to a discovered
// contact, and notices that stay undeliverable.
type FallbackResult struct {
	Found    int `json:"found"`
	NotFound int `json:"not_found"`
}

// Run passes the undeliverable ones of notices ids through the chain.
func (f *Fallback) Run(ctx context.Context, ids []int64) (FallbackResult, error) {
	var res FallbackResult
	if len(ids) == 0 {
		return res, nil
	}
	ns, err := f.Store.NoticeUndeliverableList(ctx, ids)
	if err != nil {
		return res, err
	}
	now := time.Now
	if f.Now != nil {
		now = f.Now
	}
	for _, n := range ns {
		if n.Content.Marking() >= tlp.Red {
			// Withheld at composition (tlp.Red.Why is its reason on the
			// call list): no discovered contact may have it either.
			res.NotFound++
			continue
		}
		c, err := f.discover(ctx, n)
		if err != nil && ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err == nil {
			d := &Delivery{Channel: Email, Recipient: c.Email, Lang: ChooseLang(f.languages(), c.Languages, n.Content.Languages)}
			if err := f.Store.NoticeFallback(ctx, n.ID, d, describeSource(c), "", now().UTC()); err != nil {
				return res, err
			}
			res.Found++
			continue
		}
		if err := f.Store.NoticeFallback(ctx, n.ID, nil, "", err.Error(), now().UTC()); err != nil {
			return res, err
		}
		res.NotFound++
	}
	return res, nil
}

func (f *Fallback) languages() []string {
	if len(f.Languages) == 0 {
		return []string{FallbackLang}
	}
	return f.Languages
}

// suppressedWhy says why an address on the suppression list is not used.
func suppressedWhy(how string) string {
	switch how {
	case SuppressBounce, "":
		return "bounced before"
	case SuppressLink:
		return "opted out"
	}
	return "is on the suppression list"
}

// discover walks the chain for notice n and returns the first usable
// address that is not on the suppression list (never bounced, never opted
// out).
func (f *Fallback) discover(ctx context.Context, n UndeliverableNotice) (Discovered, error) {
	if f.Discoverer == nil {
		return Discovered{}, ErrNoContact
	}
	var ip netip.Addr
	hosts := n.Domains
	mark := n.Content.Marking()
	for _, it := range n.Content.Items {
		if a, err := netip.ParseAddr(it.IP); err == nil && !ip.IsValid() {
			ip = a
		}
	}
	seen := map[string]bool{}
	var last error
	// excluded are the contacts found that the notice's marking keeps
	// out; the call list says so.
	var excluded []string
	try := func(c Discovered, err error) (Discovered, bool) {
		if err != nil {
			if msg := strings.TrimPrefix(err.Error(), ErrNoContact.Error()); msg != "" {
				last = errors.New(strings.TrimPrefix(msg, ": "))
			}
			return c, false
		}
		email, err := registry.NormalizeEmail(c.Email)
		if err != nil || seen[email] {
			return c, false
		}
		seen[email] = true
		c.Email = email
		if why := mark.Why(c.Audience()); why != "" {
			excluded = append(excluded, fmt.Sprintf("%s (%s) not asked: %s", email, c.Source, why))
			return c, false
		}
		if how, err := f.Store.AddressSuppressed(ctx, email); err != nil || how != "" {
			last = fmt.Errorf("%s %s", email, suppressedWhy(how))
			return c, false
		}
		c.Email = email
		return c, true
	}
	sec := Discoverer{SecurityTxt: f.Discoverer.SecurityTxt}
	for _, h := range hosts {
		if c, ok := try(sec.Discover(ctx, netip.Addr{}, h)); ok {
			return c, nil
		}
	}
	rd := Discoverer{RDAP: f.Discoverer.RDAP}
	if c, ok := try(rd.Discover(ctx, ip, "")); ok {
		return c, nil
	}
	if f.Discoverer.RDAP != nil {
		for _, h := range n.Domains {
			r, err := f.Discoverer.RDAP.Lookup(ctx, h)
			if err == nil && r.AbuseEmail == "" {
				err = ErrNoContact
			}
			c := Discovered{Email: r.AbuseEmail, Source: "rdap", Detail: "RDAP abuse contact of " + h + " at " + r.Source, Domain: h}
			if c, ok := try(c, err); ok {
				return c, nil
			}
		}
	}
	if ctx.Err() != nil {
		return Discovered{}, ctx.Err()
	}
	if len(excluded) > 0 {
		return Discovered{}, fmt.Errorf("%w that the marking allows: %s", ErrNoContact, strings.Join(excluded, "; "))
	}
	if last != nil {
		return Discovered{}, fmt.Errorf("%w (%v)", ErrNoContact, last)
	}
	return Discovered{}, ErrNoContact
}
