// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"

	"vigil/internal/registry"
	"vigil/internal/tenant"

	"vigil/internal/assess"
	"vigil/internal/probe"
)

// AttachProbe records a probe report with draft or submitted assessment id
// of sc: the report is stored, and its failed results replace the
// assessment's earlier findings for the same address (findings of other
// targets stay).
func (s *Service) AttachProbe(ctx context.Context, sc tenant.Scope, id int64, rep probe.Report, actor string) (assess.Assessment, assess.ProbeRun, error) {
	raw, err := json.Marshal(rep)
	if err != nil {
		return assess.Assessment{}, assess.ProbeRun{}, err
	}
	run := assess.ProbeRun{AssessmentID: id, Target: rep.Target, Failed: len(rep.Failed()), Actor: actor, Report: raw}
	var out assess.Assessment
	err = s.st.RatingTx(ctx, func(tx Store) error {
		a, err := tx.AssessmentUpdate(ctx, sc, id, func(a *assess.Assessment) error {
			var keep []assess.Finding
			for _, f := range a.Findings {
				if !sameAddress(f.Target, rep.Address) {
					keep = append(keep, f)
				}
			}
			return a.SetFindings(append(keep, rep.Findings()...), s.clock())
		})
		if err != nil {
			return err
		}
		out = a
		return tx.ProbeRunAdd(ctx, sc, &run)
	})
	return out, run, err
}

// sameAddress reports whether a finding target ("ip:port" or "ip") is on addr.
func sameAddress(target string, addr netip.Addr) bool {
	if ap, err := netip.ParseAddrPort(target); err == nil {
		return ap.Addr().Unmap() == addr.Unmap()
	}
	if a, err := netip.ParseAddr(target); err == nil {
		return a.Unmap() == addr.Unmap()
	}
	return false
}

// VerifiedOwner returns a probe.AllowFunc that admits an address only when
// it lies in an IP range whose ownership was verified (registry
// Asset.Verified) of scope sc: one organisation's, or any organisation's
// for the operator. Domains do not count: controlling a name does not make
// its addresses yours.
func VerifiedOwner(st AssetLister, sc tenant.Scope) probe.AllowFunc {
	return func(ctx context.Context, _ string, addr netip.Addr) error {
		assets, err := st.AssetAll(ctx, sc, registry.KindCIDR)
		if err != nil {
			return err
		}
		a := addr.Unmap()
		unverified := ""
		for _, as := range assets {
			p, err := netip.ParsePrefix(as.Value)
			if err != nil || !p.Contains(a) {
				continue
			}
			if as.Verified() {
				return nil
			}
			unverified = as.Value
		}
		if unverified != "" {
			return fmt.Errorf("%s is in %s, whose ownership has not been verified", a, unverified)
		}
		return fmt.Errorf("%s is in no registered IP range", a)
	}
}

// AssetLister is the storage VerifiedOwner needs.
type AssetLister interface {
	AssetAll(ctx context.Context, sc tenant.Scope, kind registry.AssetKind) ([]registry.Asset, error)
}

// AnyOf returns an AllowFunc that admits what any of fs admits; the
// refusal names every reason.
func AnyOf(fs ...probe.AllowFunc) probe.AllowFunc {
	return func(ctx context.Context, host string, addr netip.Addr) error {
		var why []error
		for _, f := range fs {
			err := f(ctx, host, addr)
			if err == nil {
				return nil
			}
			why = append(why, err)
		}
		if len(why) == 0 {
			return fmt.Errorf("no ownership or allow-list check")
		}
		return errors.Join(why...)
	}
}
