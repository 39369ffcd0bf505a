// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"vigil/internal/feed"
)

// Fleet metrics kept per product: how many rows named it, which exposed
// management services and which firmware versions were seen. Certificate
// and host-key fingerprints are kept per network in FleetKey.
const (
	MetricRows     = "rows"
	MetricService  = "service"
	MetricFirmware = "firmware"
)

// Exposed management services counted by the fleet aggregates.
const (
	ServiceTelnet  = "telnet"
	ServiceMQTT    = "mqtt-anonymous"
	ServiceRDP     = "rdp"
	ServiceVNC     = "vnc"
	KeyCertificate = "certificate"
	KeySSHHost     = "ssh-host-key"
)

// SharedKeyNetworks is the number of distinct networks one certificate or
// host key must be seen in to count as a key shared across units. One
// organisation's addresses (a load balancer, one provider's range) are one
// network: the announcing AS, or the /16 (IPv4) or /32 (IPv6) without one.
const SharedKeyNetworks = 3

// FleetCount is one counter of a product's fleet aggregates.
type FleetCount struct {
	Source    string    `json:"source"`
	Metric    string    `json:"metric"`
	Value     string    `json:"value,omitempty"`
	Count     int64     `json:"count"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// FleetKey counts the sightings of one fingerprint in one network.
type FleetKey struct {
	Source      string    `json:"source"`
	Fingerprint string    `json:"fingerprint"`
	Kind        string    `json:"kind"` // KeyCertificate or KeySSHHost
	Network     string    `json:"network"`
	Addresses   int64     `json:"addresses"`
	FirstSeen   time.Time `json:"first_seen"`
	LastSeen    time.Time `json:"last_seen"`
}

// FleetBatch is what one ingest adds to a product's aggregates.
type FleetBatch struct {
	Product Product      `json:"product"`
	Counts  []FleetCount `json:"counts"`
	Keys    []FleetKey   `json:"keys"`
}

// KeySummary is one fingerprint of a product's fleet over every network.
type KeySummary struct {
	Source      string `json:"source"`
	Fingerprint string `json:"fingerprint"`
	Kind        string `json:"kind"`
	Networks    int    `json:"networks"`
	Addresses   int64  `json:"addresses"`
}

// Shared reports whether the key was seen in SharedKeyNetworks networks.
func (k KeySummary) Shared() bool { return k.Networks >= SharedKeyNetworks }

// Fleet is a product's stored fleet aggregates.
type Fleet struct {
	Product Product      `json:"product"`
	Counts  []FleetCount `json:"counts"`
	Keys    []KeySummary `json:"keys"`
}

// FleetEvidence is what the aggregates say about a product, per source.
type FleetEvidence struct {
	Sources []string `json:"sources"`
	// Rows counts the feed rows attributed to the product.
	Rows int64 `json:"rows"`
	// Services counts sightings of exposed management services.
	Services map[string]int64 `json:"services,omitempty"`
	// Firmware counts sightings per firmware version, most seen first.
	Firmware []FleetCount `json:"firmware,omitempty"`
	// SharedKeys are certificates and host keys seen in several networks.
	SharedKeys []KeySummary `json:"shared_keys,omitempty"`
	// UniqueKeys counts the fingerprints seen in fewer networks.
	UniqueKeys int `json:"unique_keys"`
}

// Evidence summarises the aggregates of the sources keep allows (nil:
// every source).
func (f Fleet) Evidence(keep func(source string) bool) FleetEvidence {
	ev := FleetEvidence{Services: map[string]int64{}}
	ok := func(s string) bool {
		if keep != nil && !keep(s) {
			return false
		}
		if !slices.Contains(ev.Sources, s) {
			ev.Sources = append(ev.Sources, s)
		}
		return true
	}
	fw := map[string]*FleetCount{}
	for _, c := range f.Counts {
		if !ok(c.Source) {
			continue
		}
		switch c.Metric {
		case MetricRows:
			ev.Rows += c.Count
		case MetricService:
			ev.Services[c.Value] += c.Count
		case MetricFirmware:
			if x := fw[c.Value]; x != nil {
				x.Count += c.Count
				x.LastSeen = maxTime(x.LastSeen, c.LastSeen)
			} else {
				cc := c
				cc.Source = ""
				fw[c.Value] = &cc
			}
		}
	}
	for _, c := range fw {
		ev.Firmware = append(ev.Firmware, *c)
	}
	slices.SortFunc(ev.Firmware, func(a, b FleetCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Value, b.Value)
	})
	for _, k := range f.Keys {
		if !ok(k.Source) {
			continue
		}
		if k.Shared() {
			ev.SharedKeys = append(ev.SharedKeys, k)
		} else {
			ev.UniqueKeys++
		}
	}
	slices.Sort(ev.Sources)
	if len(ev.Services) == 0 {
		ev.Services = nil
	}
	return ev
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Target is a product the aggregator attributes rows to, with the ways a
// row can name it besides its vendor and model.
type Target struct {
	Product Product `json:"product"`
	// CertSubjects are certificate subject names (common name or
	// organisation) its devices' certificates carry.
	CertSubjects []string `json:"cert_subjects,omitempty"`
	// Fingerprints are certificate or host-key SHA-256 fingerprints known
	// to be its (declared, or seen on rows naming it before).
	Fingerprints []string `json:"fingerprints,omitempty"`
	// Banners are texts its services' banners contain (compared without
	// case), e.g. "AcmeCam2 login:".
	Banners []string `json:"banners,omitempty"`
}

// Aggregator folds feed rows into per-product fleet aggregates: the rows
// that name a target product by vendor and model, carry one of its
// certificate subjects, banners or fingerprints, or come from an address a
// row named as the product's earlier in the ingest. It keeps counts, never
// rows. Observe is called from one goroutine (the ingest's reader); read
// Batches after the ingest returned.
type Aggregator struct {
	targets []Target
	fps     map[string]int     // fingerprint → target
	addrs   map[netip.Addr]int // address → target, from rows naming it
	names   map[string]int     // normalised "vendor\tmodel" → target
	subject map[string]int     // normalised certificate subject → target
	banners [][]string         // per target, lower-case banner texts
	header  []string
	col     map[string]int
	acc     map[int]*fleetAcc
}

type fleetAcc struct {
	counts map[[2]string]*FleetCount
	keys   map[[2]string]*FleetKey // fingerprint, network
}

// NewAggregator returns an aggregator of feed rows for targets.
func NewAggregator(targets []Target) *Aggregator {
	a := &Aggregator{targets: targets, fps: map[string]int{}, addrs: map[netip.Addr]int{}, acc: map[int]*fleetAcc{},
		names: map[string]int{}, subject: map[string]int{}, banners: make([][]string, len(targets))}
	for i, t := range targets {
		for _, f := range t.Fingerprints {
			a.fps[normFP(f)] = i
		}
		a.names[norm(t.Product.Vendor)+"\t"+norm(t.Product.Model)] = i
		for _, s := range t.CertSubjects {
			if s = norm(s); s != "" {
				a.subject[s] = i
			}
		}
		for _, b := range t.Banners {
			if b = strings.ToLower(strings.TrimSpace(b)); b != "" {
				a.banners[i] = append(a.banners[i], b)
			}
		}
	}
	return a
}

func normFP(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, ": ") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, ":", ""), " ", "")
	}
	return strings.ToLower(s)
}

// norm folds case and runs of white space; most names need no copy.
func norm(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "  ") || strings.ContainsAny(s, "\t\n") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

func (a *Aggregator) field(o *feed.Observation, header []string, name string) string {
	if len(header) != len(a.header) || (len(header) > 0 && &header[0] != &a.header[0]) {
		a.header, a.col = header, make(map[string]int, len(header))
		for i, h := range header {
			a.col[h] = i
		}
	}
	if i, ok := a.col[name]; ok && i < len(o.Fields) {
		return strings.TrimSpace(o.Fields[i])
	}
	return ""
}

// Observe folds one feed row into the aggregates.
func (a *Aggregator) Observe(o *feed.Observation, header []string) {
	if len(a.targets) == 0 {
		return
	}
	type fp struct{ v, kind string }
	var fps []fp
	if v := a.field(o, header, "sha256_fingerprint"); v != "" {
		fps = append(fps, fp{normFP(v), KeyCertificate})
	}
	if v := a.field(o, header, "server_host_key_sha256"); v != "" {
		fps = append(fps, fp{normFP(v), KeySSHHost})
	}
	ti := -1
	if o.DeviceVendor != "" && o.DeviceModel != "" {
		if i, ok := a.names[norm(o.DeviceVendor)+"\t"+norm(o.DeviceModel)]; ok {
			ti = i
		}
	}
	if ti < 0 {
		for _, f := range fps {
			if i, ok := a.fps[f.v]; ok {
				ti = i
				break
			}
		}
	}
	if ti < 0 && len(a.subject) > 0 {
		if i, ok := a.subject[norm(a.field(o, header, "subject_common_name"))]; ok {
			ti = i
		} else if i, ok := a.subject[norm(a.field(o, header, "subject_organization_name"))]; ok {
			ti = i
		}
	}
	if ti < 0 {
		if banner := a.field(o, header, "banner"); banner != "" {
			banner = strings.ToLower(banner)
			for i, bs := range a.banners {
				for _, b := range bs {
					if strings.Contains(banner, b) {
						ti = i
					}
				}
			}
		}
	}
	switch i, ok := a.addrs[o.IP]; {
	case ti >= 0 && o.IP.IsValid():
		a.addrs[o.IP] = ti
	case ti < 0 && ok:
		ti = i
	}
	if ti < 0 {
		return
	}
	acc := a.acc[ti]
	if acc == nil {
		acc = &fleetAcc{counts: map[[2]string]*FleetCount{}, keys: map[[2]string]*FleetKey{}}
		a.acc[ti] = acc
	}
	at := o.Time.UTC()
	count := func(metric, value string) {
		c := acc.counts[[2]string{metric, value}]
		if c == nil {
			c = &FleetCount{Metric: metric, Value: value, FirstSeen: at, LastSeen: at}
			acc.counts[[2]string{metric, value}] = c
		}
		c.Count++
		if at.Before(c.FirstSeen) {
			c.FirstSeen = at
		}
		c.LastSeen = maxTime(c.LastSeen, at)
	}
	count(MetricRows, "")
	if s := exposedService(o, a.field(o, header, "anonymous_access")); s != "" {
		count(MetricService, s)
	}
	if o.DeviceVersion != "" {
		count(MetricFirmware, o.DeviceVersion)
	}
	nw := networkOf(o)
	for _, f := range fps {
		a.fps[f.v] = ti // a fingerprint seen on the product's row is the product's
		if nw == "" {
			continue
		}
		k := acc.keys[[2]string{f.v, nw}]
		if k == nil {
			k = &FleetKey{Fingerprint: f.v, Kind: f.kind, Network: nw, FirstSeen: at, LastSeen: at}
			acc.keys[[2]string{f.v, nw}] = k
		}
		k.Addresses++
		if at.Before(k.FirstSeen) {
			k.FirstSeen = at
		}
		k.LastSeen = maxTime(k.LastSeen, at)
	}
}

// exposedService names the management service a row shows exposed, or "".
func exposedService(o *feed.Observation, anonymous string) string {
	rt := strings.TrimPrefix(strings.TrimPrefix(o.ReportType, "scan6_"), "scan_")
	switch rt {
	case "telnet":
		return ServiceTelnet
	case "mqtt_anon":
		return ServiceMQTT
	case "mqtt":
		if a := strings.ToLower(anonymous); a == "y" || a == "yes" || a == "true" || a == "1" {
			return ServiceMQTT
		}
	case "rdp":
		return ServiceRDP
	case "vnc":
		return ServiceVNC
	}
	return ""
}

// networkOf names the network of the row's address: its AS, or its /16
// (IPv4) or /32 (IPv6) prefix when the row names no AS; "" without an
// address.
func networkOf(o *feed.Observation) string {
	if o.ASN != 0 {
		return "AS" + strconv.FormatUint(uint64(o.ASN), 10)
	}
	if !o.IP.IsValid() {
		return ""
	}
	bits := 16
	if o.IP.Is6() {
		bits = 32
	}
	p, _ := o.IP.Prefix(bits)
	return netip.Prefix.String(p)
}

// Batches returns the aggregates per product gathered since the last call,
// in target order, as seen in source (the feed's format, e.g.
// "shadowserver"), and starts new ones; what identifies the products
// (addresses, fingerprints) is kept for the next feed.
func (a *Aggregator) Batches(source string) []FleetBatch {
	defer func() { a.acc = map[int]*fleetAcc{} }()
	var out []FleetBatch
	for i, t := range a.targets {
		acc := a.acc[i]
		if acc == nil {
			continue
		}
		b := FleetBatch{Product: t.Product}
		for _, c := range acc.counts {
			cc := *c
			cc.Source = source
			b.Counts = append(b.Counts, cc)
		}
		for _, k := range acc.keys {
			kk := *k
			kk.Source = source
			b.Keys = append(b.Keys, kk)
		}
		slices.SortFunc(b.Counts, func(x, y FleetCount) int { return strings.Compare(x.Metric+"\t"+x.Value, y.Metric+"\t"+y.Value) })
		slices.SortFunc(b.Keys, func(x, y FleetKey) int {
			return strings.Compare(x.Fingerprint+"\t"+x.Network, y.Fingerprint+"\t"+y.Network)
		})
		out = append(out, b)
	}
	return out
}
