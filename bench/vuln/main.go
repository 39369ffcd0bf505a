// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command vuln benchmarks vulnerability matching (issue 5): it loads the
// bundled advisory corpus (internal/vuln/testdata) into a fresh database,
// adds a synthetic inventory (devices and SBOM components) and synthetic
// NVD-style CVE configurations, and times, in the same run:
//
//   - read: streaming every advisory (JSON decode), device and component
//     out of the store, nothing else — the baseline;
//   - full match: vuln.Engine.MatchAll (compile advisories, match every
//     target, replace matches, reconcile findings);
//   - incremental: one new advisory for a product with many installations,
//     against reading that advisory's candidate targets.
//
// Data are deterministic (seed 42).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

func main() {
	var (
		dsn        = flag.String("db", "sqlite:bench/out/vuln/bench.db", "database (recreated when SQLite)")
		corpus     = flag.String("corpus", "internal/vuln/testdata", "directory with csaf/, nvd/, cve5/, kev/")
		components = flag.Int("components", 1_000_000, "synthetic SBOM components")
		devices    = flag.Int("devices", 20_000, "synthetic devices")
		configs    = flag.Int("configs", 300_000, "synthetic CVE configurations (two per CVE)")
		orgs       = flag.Int("orgs", 200, "organisations")
		out        = flag.String("json", "", "write the figures as JSON to this file too")
		cpuprofile = flag.String("cpuprofile", "", "write a CPU profile of the full match to this file")
		reuse      = flag.Bool("reuse", false, "reuse a loaded SQLite database from an earlier run (skips loading and indexing)")
		memprofile = flag.String("memprofile", "", "write a heap profile of the full match, taken when its heap in use was highest, to this file")
		matchMem   = flag.Int64("match-memory", 0, "the full re-match's memory budget in MiB (0: vuln.DefaultMatchMemory, 900; -1: none, the collector's target lowered to 25 % instead)")
		allocs     = flag.String("allocprofile", "", "write heap profiles to FILE.before and FILE.after the full match (go tool pprof -sample_index=alloc_space -base FILE.before BIN FILE.after)")
	)
	flag.Parse()
	ctx := context.Background()
	p, isSQLite := strings.CutPrefix(*dsn, "sqlite:")
	_, statErr := os.Stat(p)
	loaded := *reuse && isSQLite && statErr == nil
	if isSQLite && !loaded {
		for _, suf := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(p + suf)
		}
		_ = os.MkdirAll(filepath.Dir(p), 0o750)
	}
	s, err := store.Open(ctx, *dsn, store.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	budget := *matchMem << 20
	if *matchMem < 0 {
		budget = -1
	}
	e, err := vuln.New(vuln.Options{Store: s, Logger: logger, MatchMemory: budget})
	if err != nil {
		log.Fatal(err)
	}
	fig := map[string]any{"components": *components, "devices": *devices, "configs": *configs, "gomaxprocs": runtime.GOMAXPROCS(0)}
	rng := rand.New(rand.NewPCG(42, 42))

	const vendors, perVendor = 2000, 25
	for _, k := range []string{"corpus_advisories", "corpus_load_s", "synthetic_load_s", "inventory_load_s", "index_and_match_s", "matches", "findings"} {
		fig[k] = 0
	}
	if !loaded {
		// 1. The bundled corpus.
		t0 := time.Now()
		nCorpus := loadCorpus(ctx, e, *corpus)
		fig["corpus_advisories"], fig["corpus_load_s"] = nCorpus, time.Since(t0).Seconds()
		log.Printf("corpus: %d advisories in %.2fs", nCorpus, time.Since(t0).Seconds())

		// 2. Synthetic CVE configurations.
		t0 = time.Now()
		nCVE := *configs / 2
		var batch []advisory.Advisory
		for i := 0; i < nCVE; i++ {
			batch = append(batch, synthCVE(rng, i, vendors, perVendor))
			if len(batch) == 1000 || i == nCVE-1 {
				if _, err := e.Advisories(ctx, batch, "synthetic"); err != nil {
					log.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		fig["synthetic_load_s"] = time.Since(t0).Seconds()
		log.Printf("synthetic: %d CVEs (%d configurations) in %.2fs", nCVE, 2*nCVE, time.Since(t0).Seconds())

		// 3. Inventory: organisations with devices, then components.
		t0 = time.Now()
		var os_ []registry.Org
		for o := 0; o < *orgs; o++ {
			os_ = append(os_, registry.Org{Name: fmt.Sprintf("Org %d", o)})
		}
		for d := 0; d < *devices; d++ {
			v, p := rng.IntN(vendors), rng.IntN(perVendor)
			dev := registry.Device{Vendor: fmt.Sprintf("Vendor%04d", v), Model: fmt.Sprintf("HW-%05d", v*perVendor+p), Firmware: fmt.Sprintf("%d.%d.%d", 1+rng.IntN(20), rng.IntN(10), rng.IntN(10))}
			if d%2 == 0 {
				dev.CPE = fmt.Sprintf("cpe:2.3:o:vendor%04d:hw-%05d_firmware:%s:*:*:*:*:*:*:*", v, v*perVendor+p, dev.Firmware)
			}
			os_[d%*orgs].Devices = append(os_[d%*orgs].Devices, dev)
		}
		if _, _, err := s.OrgImport(ctx, tenant.Operator(), os_); err != nil {
			log.Fatal(err)
		}
		var devIDs []int64
		for after := int64(0); ; {
			page, err := s.VulnDeviceScan(ctx, tenant.Operator(), after, 1000)
			if err != nil {
				log.Fatal(err)
			}
			for _, d := range page {
				devIDs = append(devIDs, d.ID)
			}
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].ID
		}
		var comps []vuln.Component
		for c := 0; c < *components; c++ {
			v, p := rng.IntN(vendors), rng.IntN(perVendor)
			ver := fmt.Sprintf("%d.%d.%d", 1+rng.IntN(20), rng.IntN(10), rng.IntN(10))
			comps = append(comps, vuln.Component{DeviceID: devIDs[c%len(devIDs)], Name: fmt.Sprintf("lib-%05d", v*perVendor+p), Version: ver,
				CPE: fmt.Sprintf("cpe:2.3:a:vendor%04d:lib-%05d:%s:*:*:*:*:*:*:*", v, v*perVendor+p, ver), Supplier: fmt.Sprintf("Vendor%04d", v)})
			if len(comps) == 50000 || c == *components-1 {
				if err := s.VulnComponentInsert(ctx, tenant.Operator(), comps); err != nil {
					log.Fatal(err)
				}
				comps = comps[:0]
			}
		}
		fig["inventory_load_s"] = time.Since(t0).Seconds()
		log.Printf("inventory: %d devices, %d components in %.2fs", *devices, *components, time.Since(t0).Seconds())

		// 4. Index every target once (what SBOM imports and device syncs do
		// incrementally), matching as it goes.
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile + ".index")
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
		}
		log.Printf("loaded: peak RSS so far %d MiB", hwmMiB())
		idxProfile := ""
		if *memprofile != "" {
			idxProfile = *memprofile + ".index"
		}
		stopIdx := peakHeap(idxProfile)
		t0 = time.Now()
		first, err := e.MatchAll(ctx, true)
		pprof.StopCPUProfile()
		fig["index_peak_heap_mib"] = stopIdx() >> 20
		if err != nil {
			log.Fatal(err)
		}
		fig["index_and_match_s"] = time.Since(t0).Seconds()
		fig["matches"], fig["findings"] = first.Matches, first.FindingsNew
		log.Printf("index + first match: %.2fs, %d matches, %d findings; peak RSS so far %d MiB", time.Since(t0).Seconds(), first.Matches, first.FindingsNew, hwmMiB())

	}

	// 5. Baseline: read everything the full match reads.
	runtime.GC()
	cpu0, ms0 := cpuSeconds(), memStats()
	t0 := time.Now()
	nRead := readAll(ctx, s)
	read := time.Since(t0).Seconds()
	readCPU, readMS := cpuSeconds()-cpu0, memStats()
	fig["read_s"], fig["read_records"], fig["read_cpu_s"] = read, nRead, readCPU
	fig["read_alloc_mib"], fig["read_gcs"] = (readMS.TotalAlloc-ms0.TotalAlloc)>>20, readMS.NumGC-ms0.NumGC
	log.Printf("read baseline: %d records in %.2fs (CPU %.2fs, %d MiB allocated, %d GCs)", nRead, read, readCPU,
		(readMS.TotalAlloc-ms0.TotalAlloc)>>20, readMS.NumGC-ms0.NumGC)

	// 6. Full match (inventory already indexed; findings exist, so this
	// is the steady-state re-match).
	runtime.GC()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	writeHeap(*allocs, ".before")
	stopPeak := peakHeap(*memprofile)
	cpu0, ms0 = cpuSeconds(), memStats()
	t0 = time.Now()
	res, err := e.MatchAll(ctx, false)
	pprof.StopCPUProfile()
	full := time.Since(t0).Seconds()
	fullCPU, fullMS := cpuSeconds()-cpu0, memStats()
	peak := stopPeak()
	writeHeap(*allocs, ".after")
	fig["full_match_peak_heap_mib"] = peak >> 20
	if err != nil {
		log.Fatal(err)
	}
	fig["full_match_s"], fig["full_match_ratio"] = full, full/read
	fig["full_match_cpu_s"], fig["full_match_cpu_ratio"] = fullCPU, fullCPU/readCPU
	fig["full_match_alloc_mib"], fig["full_match_gcs"] = (fullMS.TotalAlloc-ms0.TotalAlloc)>>20, fullMS.NumGC-ms0.NumGC
	if loaded {
		fig["matches"] = res.Matches
	}
	log.Printf("full match: %.2fs (%.2fx read), CPU %.2fs (%.2fx read's), %d MiB allocated, %d GCs, %d targets, %d matches; peak heap in use %d MiB; peak RSS so far %d MiB",
		full, full/read, fullCPU, fullCPU/readCPU, (fullMS.TotalAlloc-ms0.TotalAlloc)>>20, fullMS.NumGC-ms0.NumGC, res.Targets, res.Matches, peak>>20, hwmMiB())

	// 7. Incremental: a new advisory for the most installed library.
	popular := fmt.Sprintf("cpe:2.3:a:vendor%04d:lib-%05d", 7, 7*perVendor+3)
	a := advisory.Advisory{ID: "CVE-2031-000001", Source: advisory.SourceNVD, CVEs: []string{"CVE-2031-000001"}, Vulns: []advisory.Vuln{{
		CVE: "CVE-2031-000001", CVSS: []advisory.Score{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Base: 9.8, Severity: "CRITICAL"}},
		Configurations: []advisory.Config{{Nodes: []advisory.Node{{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: true,
			Criteria: popular + ":*:*:*:*:*:*:*:*", VersionStartIncluding: "1.0", VersionEndExcluding: "10.0"}}}}}},
	}}}
	keys := vuln.AdvisoryKeys(&a)
	t0 = time.Now()
	ds, cs, err := s.VulnTargetsByKeys(ctx, tenant.Operator(), keys)
	if err != nil {
		log.Fatal(err)
	}
	incRead := time.Since(t0).Seconds()
	t0 = time.Now()
	ir, err := e.Advisories(ctx, []advisory.Advisory{a}, "bench")
	if err != nil {
		log.Fatal(err)
	}
	inc := time.Since(t0).Seconds()
	fig["incremental_s"], fig["incremental_read_s"], fig["incremental_ratio"] = inc, incRead, inc/incRead
	fig["incremental_targets"], fig["incremental_findings"] = len(ds)+len(cs), ir.FindingsNew
	log.Printf("new advisory: %.3fs (%.1fx reading its %d candidate targets in %.3fs), %d findings", inc, inc/incRead, len(ds)+len(cs), incRead, ir.FindingsNew)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fig["heap_sys_mib"] = ms.HeapSys >> 20
	b, _ := json.MarshalIndent(fig, "", "  ")
	fmt.Println(string(b))
	if *out != "" {
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// writeHeap writes a heap profile to file+suffix, nothing without a file.
func writeHeap(file, suffix string) {
	if file == "" {
		return
	}
	f, err := os.Create(file + suffix)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}

// cpuSeconds returns the CPU time (user and system) the process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// memStats returns the runtime's memory statistics (total allocated, collections).
func memStats() runtime.MemStats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms
}

// hwmMiB returns the process's peak RSS so far (VmHWM), 0 when unknown.
func hwmMiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int
			_, _ = fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb >> 10
		}
	}
	return 0
}

// peakHeap samples the heap allocated (live and not yet collected) every 100 ms until the returned
// function is called, which returns the highest value seen. It reads runtime/metrics, which
// does not stop the world as runtime.ReadMemStats does, so the sampling stays out of the
// figures it samples. With a file name it writes a heap profile each time the heap has grown
// by a fifth since the last one, so the file holds the profile of the peak (within a fifth).
func peakHeap(file string) func() uint64 {
	done, stopped := make(chan struct{}), make(chan struct{})
	var high, written uint64
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			heap := sample[0].Value.Uint64()
			high = max(high, heap)
			if file != "" && (written == 0 || heap > written+written/5) {
				written = heap
				f, err := os.Create(file)
				if err != nil {
					log.Fatal(err)
				}
				if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
					log.Fatal(err)
				}
				_ = f.Close()
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); <-stopped; return high }
}

// synthCVE is a CVE with two configurations on product p of vendor v: a
// library range (OR) and a firmware range running on hardware (AND).
func synthCVE(rng *rand.Rand, i, vendors, perVendor int) advisory.Advisory {
	v, p := rng.IntN(vendors), rng.IntN(perVendor)
	major := 1 + rng.IntN(20)
	id := fmt.Sprintf("CVE-2030-%06d", i)
	id5 := v*perVendor + p
	lib := fmt.Sprintf("cpe:2.3:a:vendor%04d:lib-%05d:*:*:*:*:*:*:*:*", v, id5)
	fw := fmt.Sprintf("cpe:2.3:o:vendor%04d:hw-%05d_firmware:*:*:*:*:*:*:*:*", v, id5)
	hw := fmt.Sprintf("cpe:2.3:h:vendor%04d:hw-%05d:-:*:*:*:*:*:*:*", v, id5)
	end := fmt.Sprintf("%d.%d", major, 1+rng.IntN(5))
	return advisory.Advisory{ID: id, Source: advisory.SourceNVD, CVEs: []string{id}, Vulns: []advisory.Vuln{{
		CVE:  id,
		CVSS: []advisory.Score{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Base: 9.8, Severity: "CRITICAL"}},
		Configurations: []advisory.Config{
			{Nodes: []advisory.Node{{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: true, Criteria: lib,
				VersionStartIncluding: fmt.Sprintf("%d.0", major), VersionEndExcluding: end}}}}},
			{Operator: "AND", Nodes: []advisory.Node{
				{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: true, Criteria: fw, VersionStartIncluding: fmt.Sprintf("%d.0", major), VersionEndExcluding: end}}},
				{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: false, Criteria: hw}}},
			}},
		},
	}}}
}

func loadCorpus(ctx context.Context, e *vuln.Engine, dir string) int {
	n := 0
	parsers := map[string]func(context.Context, *os.File, string, func(advisory.Advisory) error) ([]errs.RowError, error){
		"csaf": func(ctx context.Context, f *os.File, name string, y func(advisory.Advisory) error) ([]errs.RowError, error) {
			_, r, err := advisory.ParseCSAF(ctx, f, name, y)
			return r, err
		},
		"nvd": func(ctx context.Context, f *os.File, name string, y func(advisory.Advisory) error) ([]errs.RowError, error) {
			_, r, err := advisory.ParseNVD(ctx, f, name, y)
			return r, err
		},
		"cve5": func(ctx context.Context, f *os.File, name string, y func(advisory.Advisory) error) ([]errs.RowError, error) {
			_, r, err := advisory.ParseCVE5(ctx, f, name, y)
			return r, err
		},
		"kev": func(ctx context.Context, f *os.File, name string, y func(advisory.Advisory) error) ([]errs.RowError, error) {
			_, r, err := advisory.ParseKEV(ctx, f, name, y)
			return r, err
		},
	}
	for _, sub := range []string{"kev", "csaf", "nvd", "cve5"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*.json"))
		for _, fn := range files {
			f, err := os.Open(fn)
			if err != nil {
				log.Fatal(err)
			}
			var advs []advisory.Advisory
			if _, err := parsers[sub](ctx, f, fn, func(a advisory.Advisory) error { advs = append(advs, a); return nil }); err != nil {
				log.Fatal(err)
			}
			f.Close()
			if _, err := e.Advisories(ctx, advs, fn); err != nil {
				log.Fatal(err)
			}
			n += len(advs)
		}
	}
	return n
}

// readAll streams every advisory (decoding its JSON), device and component
// and returns how many records it read.
func readAll(ctx context.Context, s *store.Store) int {
	n := 0
	for after := int64(0); ; {
		page, err := s.VulnAdvisoryScan(ctx, after, 1000)
		if err != nil {
			log.Fatal(err)
		}
		for _, a := range page {
			if _, err := a.Decode(); err != nil {
				log.Fatal(err)
			}
		}
		n += len(page)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Ref
	}
	for after := int64(0); ; {
		page, err := s.VulnDeviceScan(ctx, tenant.Operator(), after, 1000)
		if err != nil {
			log.Fatal(err)
		}
		n += len(page)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	for after := int64(0); ; {
		page, err := s.VulnComponentScan(ctx, tenant.Operator(), after, 10000)
		if err != nil {
			log.Fatal(err)
		}
		n += len(page)
		if len(page) < 10000 {
			break
		}
		after = page[len(page)-1].ID
	}
	return n
}
