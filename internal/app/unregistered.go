// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"cmp"
	"context"
	"slices"

	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/finding"
	"vigil/internal/netguard"
	"vigil/internal/notify"
)

// unregisteredSet collects the unmatched sightings of one feed, one per
// address, keeping the most severe, bounded so that a feed of a million
// unregistered rows does not become a million lookups.
type unregisteredSet struct {
	max int
	by  map[string]finding.Sighting
}

func newUnregisteredSet(max int) *unregisteredSet {
	return &unregisteredSet{max: max, by: map[string]finding.Sighting{}}
}

func (u *unregisteredSet) add(sg finding.Sighting) {
	k := sg.IP.String()
	if old, ok := u.by[k]; ok {
		if sg.Severity > old.Severity {
			u.by[k] = sg
		}
		return
	}
	u.by[k] = sg
}

// top returns up to max sightings, most severe first, then by address.
func (u *unregisteredSet) top() []finding.Sighting {
	all := make([]finding.Sighting, 0, len(u.by))
	for _, sg := range u.by {
		all = append(all, sg)
	}
	slices.SortFunc(all, func(a, b finding.Sighting) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		return a.IP.Compare(b.IP)
	})
	return all[:min(len(all), u.max)]
}

// warnUnregistered composes notices to the security.txt or RDAP abuse
// contacts of the addresses in u, and returns how many notices it made and
// why the others were not made.
func (a *App) warnUnregistered(ctx context.Context, trigger string, u *unregisteredSet, allowPrivate bool) (map[string]int, error) {
	s := a.st
	out := map[string]int{}
	if len(u.by) == 0 {
		return out, nil
	}
	disc, err := a.discoverer(ctx, allowPrivate)
	if err != nil {
		return nil, err
	}
	// The operator's default policy (minimum severity, quiet interval):
	// an owner that never registered has no policy of its own.
	pol, err := a.defaultPolicy()
	if err != nil {
		return nil, err
	}
	cfg := notify.UnregisteredConfig{Store: s, Discoverer: disc, Now: s.Now, Policy: pol}
	trigID, err := s.TriggerEnsure(ctx, finding.Trigger{Name: trigger})
	if err != nil {
		return nil, err
	}
	t := finding.Trigger{ID: trigID, Name: trigger, Kind: "feed", NotifyUnregistered: true}
	for _, sg := range u.top() {
		res, err := notify.NotifyUnregistered(ctx, cfg, t, sg)
		if err != nil && ctx.Err() != nil {
			return out, ctx.Err()
		}
		if err != nil {
			out["error"]++
			a.log.Warn("unregistered notice", "ip", sg.IP, "err", err)
			continue
		}
		out[res.Reason]++
	}
	return out, nil
}

// discoverer finds the security.txt or RDAP abuse contact of an address or
// domain through the guarded client (loopback and private addresses only
// with allowPrivate), RDAP answers cached in the store.
func (a *App) discoverer(ctx context.Context, allowPrivate bool) (*notify.Discoverer, error) {
	s := a.st
	client := netguard.New(netguard.Options{AllowPrivate: allowPrivate, MaxBytes: 4 << 20})
	boot, err := a.rdapBootstrap(ctx)
	if err != nil {
		return nil, err
	}
	rd, err := rdap.New(client, rdap.Options{Bootstrap: boot, Cache: s.RDAPCache(), Now: s.Now, Logger: a.log})
	if err != nil {
		return nil, err
	}
	return &notify.Discoverer{
		SecurityTxt: func(ctx context.Context, host string) (securitytxt.Report, error) {
			return securitytxt.Check(ctx, client, host, securitytxt.Options{Now: s.Now})
		},
		RDAP: rd,
	}, nil
}
