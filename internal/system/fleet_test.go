// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/feed"
)

func acmeTarget() Target {
	return Target{Product: Product{Vendor: "Acme", Model: "Cam 2"}, CertSubjects: []string{"Acme Cam 2", "api.acme.example"}, Banners: []string{"AcmeCam2 login:"}}
}

// observe reads synthetic scan reports (testdata/fleet) through the feed
// reader into agg and returns the fleet of the target's product.
func observe(t *testing.T, agg *Aggregator, files ...string) Fleet {
	t.Helper()
	var fl Fleet
	for _, name := range files {
		f, err := os.Open(filepath.Join("testdata", "fleet", name))
		if err != nil {
			t.Fatal(err)
		}
		rd, err := feed.NewReader(context.Background(), f, feed.Options{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		for o, err := range rd.All() {
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			agg.Observe(o, rd.Header())
		}
		f.Close()
		for _, b := range agg.Batches(string(rd.Format())) {
			fl = merge(fl, b)
		}
	}
	return fl
}

// merge folds a batch into a fleet the way the store does: counts add up,
// keys are summarised over their networks.
func merge(fl Fleet, b FleetBatch) Fleet {
	fl.Product = b.Product
	fl.Counts = append(fl.Counts, b.Counts...)
	nets := map[string]map[string]bool{}
	for _, k := range b.Keys {
		if nets[k.Fingerprint] == nil {
			nets[k.Fingerprint] = map[string]bool{}
		}
		nets[k.Fingerprint][k.Network] = true
		found := false
		for i := range fl.Keys {
			if fl.Keys[i].Fingerprint == k.Fingerprint {
				fl.Keys[i].Addresses += k.Addresses
				found = true
			}
		}
		if !found {
			fl.Keys = append(fl.Keys, KeySummary{Source: k.Source, Fingerprint: k.Fingerprint, Kind: k.Kind, Addresses: k.Addresses})
		}
	}
	for i := range fl.Keys {
		if n := len(nets[fl.Keys[i].Fingerprint]); n > 0 {
			fl.Keys[i].Networks = n
		}
	}
	return fl
}

func TestFleetSharedCertificate(t *testing.T) {
	fl := observe(t, NewAggregator([]Target{acmeTarget()}), "2026-11-01-scan_ssl-vigil_test-asn-shared.csv")
	ev := fl.Evidence(nil)
	if ev.Rows != 6 || len(ev.SharedKeys) != 1 {
		t.Fatalf("evidence %+v; want 6 rows and one shared key", ev)
	}
	k := ev.SharedKeys[0]
	if k.Fingerprint != strings.Repeat("a1", 32) || k.Networks != 4 || k.Addresses != 6 || k.Kind != KeyCertificate || k.Source != "shadowserver" {
		t.Errorf("shared key %+v; want a1… on 6 addresses in 4 networks", k)
	}
}

func TestFleetUniqueCertificates(t *testing.T) {
	fl := observe(t, NewAggregator([]Target{acmeTarget()}), "2026-11-01-scan_ssl-vigil_test-asn-unique.csv")
	ev := fl.Evidence(nil)
	if ev.Rows != 6 || len(ev.SharedKeys) != 0 || ev.UniqueKeys != 6 {
		t.Errorf("evidence %+v; want 6 rows, 6 unique keys, none shared", ev)
	}
}

func TestFleetLoadBalancedCertificate(t *testing.T) {
	fl := observe(t, NewAggregator([]Target{acmeTarget()}), "2026-11-01-scan_ssl-vigil_test-asn-lb.csv")
	ev := fl.Evidence(nil)
	if ev.Rows != 8 || len(ev.SharedKeys) != 0 || len(fl.Keys) != 1 || fl.Keys[0].Networks != 1 || fl.Keys[0].Addresses != 8 {
		t.Errorf("evidence %+v, keys %+v; want one key on 8 addresses of one network, not shared", ev, fl.Keys)
	}
}

// TestFleetServicesAndFirmware: device identification names the units
// and their firmware; telnet rows count for the units by address, and for
// one more by its banner; other vendors' rows count for nothing.
func TestFleetServicesAndFirmware(t *testing.T) {
	agg := NewAggregator([]Target{acmeTarget(), {Product: Product{Vendor: "Nobody", Model: "X"}}})
	fl := observe(t, agg, "2026-11-01-device_id-vigil_test-asn.csv", "2026-11-01-scan_telnet-vigil_test-asn.csv")
	ev := fl.Evidence(nil)
	if ev.Rows != 8+6 || ev.Services[ServiceTelnet] != 6 || len(ev.Services) != 1 {
		t.Errorf("rows %d, services %v; want 14 rows and 6 telnet sightings", ev.Rows, ev.Services)
	}
	if len(ev.Firmware) != 2 || ev.Firmware[0].Value != "1.4.2" || ev.Firmware[0].Count != 5 || ev.Firmware[1].Value != "1.3.0" || ev.Firmware[1].Count != 3 {
		t.Errorf("firmware %+v; want 1.4.2 ×5, 1.3.0 ×3", ev.Firmware)
	}
	if got := fl.Evidence(func(string) bool { return false }); got.Rows != 0 || got.Services != nil {
		t.Errorf("evidence of no source: %+v", got)
	}
}
