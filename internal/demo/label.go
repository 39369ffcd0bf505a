// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"path"
	"time"

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/probe"
	"vigil/internal/probe/fakedevice"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// LabelOptions configure LoadLabels.
type LabelOptions struct {
	// KeyDir is the label signing key directory (created if missing).
	KeyDir string
	// BaseURL is the public registry URL printed on the labels.
	BaseURL string
	// SkipProbes leaves out the probes against fake devices on loopback.
	SkipProbes bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives progress (default: discard).
	Logger *slog.Logger
}

// DemoLabel is one demo device with its label.
type DemoLabel struct {
	Org        string `json:"org"`
	DeviceID   int64  `json:"device_id"`
	Device     string `json:"device"`
	Assessment string `json:"assessment"`
	Label      string `json:"label"`
	Grade      string `json:"grade"`
	// Weaknesses counts what the probe found on the fake device.
	Weaknesses int    `json:"probe_weaknesses"`
	VerifyURL  string `json:"verify_url"`
}

// LabelSummary is what LoadLabels did.
type LabelSummary struct {
	Labels []DemoLabel `json:"labels"`
	// Probed is false when the probes were skipped.
	Probed bool `json:"probed"`
}

// demoDevice is one bundled assessment.
type demoDevice struct {
	org     string
	device  registry.Device
	answers string
	weak    bool // probe the weak fake device (else the hardened one)
}

func demoDevices() []demoDevice {
	return []demoDevice{
		{org: "Hotel Grachtenzicht", device: registry.Device{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2", Firmware: "3.4.1", Location: "lobby"},
			answers: "answers-good.yaml"},
		{org: "Camping De Duinen", device: registry.Device{Vendor: "Voltaro", Model: "SmartPlug Mini WP-10", Firmware: "1.0.7", Location: "reception"},
			answers: "answers-poor.yaml", weak: true},
	}
}

// LoadLabels adds two demo devices to the demo organisations, assesses them
// from the bundled answers (a well-built camera and a cheap smart plug that
// claims to have no default password), probes a hardened and a weak fake
// device started on loopback (allowed through a --lab style allow-list of
// 127.0.0.1/32), has the assessments reviewed and issues their labels: the
// camera gets an A or B, the plug (whose probe finds the default Telnet
// password its maker denied) a D or worse. Call it after Load.
func LoadLabels(ctx context.Context, s *store.Store, opt LabelOptions) (LabelSummary, error) {
	sum := LabelSummary{Labels: []DemoLabel{}, Probed: !opt.SkipProbes}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	keys, err := label.OpenKeyStore(opt.KeyDir, opt.Now, nil)
	if err != nil {
		return sum, err
	}
	svc, err := rating.New(rating.Config{Store: s, System: s, Keys: keys, BaseURL: opt.BaseURL, Issuer: "vigil demo trust center", Now: opt.Now, Logger: opt.Logger})
	if err != nil {
		return sum, err
	}
	const maker, reviewer = "maker (demo)", "reviewer (demo)"
	for _, dd := range demoDevices() {
		orgID, err := s.OrgGetByName(ctx, tenant.Operator(), dd.org)
		if err != nil {
			return sum, fmt.Errorf("demo labels: %w", err)
		}
		d := dd.device
		d.OrgID = orgID
		if err := s.DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
			return sum, err
		}
		a, err := svc.Start(ctx, tenant.Operator(), assess.Request{DeviceID: d.ID, Actor: maker})
		if err != nil {
			return sum, err
		}
		id, _ := assess.ParseID(a.ID)
		raw, err := data.ReadFile("data/assess/" + dd.answers)
		if err != nil {
			return sum, err
		}
		if _, bad, err := svc.SetAnswers(ctx, tenant.Operator(), id, bytes.NewReader(raw), dd.answers, maker); err != nil {
			return sum, err
		} else if len(bad) > 0 {
			return sum, fmt.Errorf("bundled demo answers are invalid: %s", bad[0].Error())
		}
		ev, err := fs.ReadDir(data, "data/assess/evidence")
		if err != nil {
			return sum, err
		}
		if !dd.weak {
			for _, e := range ev {
				b, err := data.ReadFile(path.Join("data/assess/evidence", e.Name()))
				if err != nil {
					return sum, err
				}
				if _, err := svc.AddEvidence(ctx, tenant.Operator(), id, e.Name(), "text/plain", b, maker); err != nil {
					return sum, err
				}
			}
		}
		dl := DemoLabel{Org: dd.org, DeviceID: d.ID, Device: a.Device.String(), Assessment: a.ID}
		if !opt.SkipProbes {
			if dl.Weaknesses, err = probeFake(ctx, svc, id, dd.weak, opt.Now); err != nil {
				return sum, err
			}
		}
		if _, err := svc.Submit(ctx, tenant.Operator(), id, maker); err != nil {
			return sum, err
		}
		if _, err := svc.Review(ctx, tenant.Operator(), id, reviewer, "demo review", ""); err != nil {
			return sum, err
		}
		is, err := svc.Issue(ctx, tenant.Operator(), id, reviewer)
		if err != nil {
			return sum, err
		}
		dl.Label, dl.Grade, dl.VerifyURL = is.Label.ID, is.Label.Grade.String(), is.Label.VerifyURL
		sum.Labels = append(sum.Labels, dl)
	}
	return sum, nil
}

// probeFake starts a fake device on loopback, probes it and attaches the
// report to the assessment; it returns the number of weaknesses found.
func probeFake(ctx context.Context, svc *rating.Service, id int64, weak bool, now func() time.Time) (int, error) {
	start := fakedevice.StartHardened
	if weak {
		start = fakedevice.StartWeak
	}
	dev, err := start(now())
	if err != nil {
		return 0, fmt.Errorf("demo fake device: %w", err)
	}
	defer dev.Close()
	rep, err := probe.Run(ctx, probe.Target{Host: dev.Host}, probe.Options{
		Allow:          probe.AllowPrefixes(netip.MustParsePrefix("127.0.0.1/32")),
		Ports:          dev.Ports(),
		RootCAs:        dev.RootCAs,
		ConnsPerSecond: 200,
		Burst:          20,
		Budget:         time.Minute,
		ConnTimeout:    3 * time.Second,
		UDPWait:        300 * time.Millisecond,
		Now:            now,
	})
	if err != nil {
		return 0, fmt.Errorf("demo probe: %w", err)
	}
	if _, _, err := svc.AttachProbe(ctx, tenant.Operator(), id, rep, "demo lab"); err != nil {
		return 0, err
	}
	return len(rep.Failed()), nil
}
