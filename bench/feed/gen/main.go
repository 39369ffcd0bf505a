// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Command gen writes the feed benchmark's data: a Shadowserver-style
// scan_http_vulnerable report with N rows, and a registry of organisations
// with their IP ranges, both deterministic for a seed.
//
//	gen -out bench/out/feed -rows 1000000 -orgs 20000 -ranges 100000
//
// It writes, in -out:
//
//	2025-06-01-scan_http_vulnerable-bench-asn.csv  the report (real 2026 header)
//	orgs.csv    organisations in the registry's CSV form (vigil org import)
//	ranges.csv  org_id,cidr: the same ranges, for the baseline
//
// About 60 % of the rows fall into registered ranges. Ranges are mostly
// disjoint IPv4 /20–/29 and IPv6 /48; 2 % are nested in another
// organisation's range and 0.5 % duplicate one (ties), as in a real registry.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// header is Shadowserver's scan_http_vulnerable header (report_schema,
// 2026-03-24).
const header = `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","http","http_code","http_reason","content_type","connection","www_authenticate","set_cookie","server","content_length","transfer_encoding","http_date","version","build_date","detail","build_branch"`

type rng struct {
	prefix netip.Prefix
	org    int
}

func main() {
	out := flag.String("out", "bench/out/feed", "output directory")
	rows := flag.Int("rows", 1_000_000, "report rows")
	orgs := flag.Int("orgs", 20_000, "organisations")
	ranges := flag.Int("ranges", 100_000, "IP ranges over all organisations")
	seed := flag.Uint64("seed", 42, "random seed")
	name := flag.String("name", "2025-06-01-scan_http_vulnerable-bench-asn.csv", "report file name")
	flag.Parse()
	if err := run(*out, *name, *rows, *orgs, *ranges, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, name string, rows, orgs, ranges int, seed uint64) error {
	if orgs <= 0 || ranges < orgs {
		return fmt.Errorf("need 0 < orgs <= ranges")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, seed))
	rs := makeRanges(r, orgs, ranges)
	if err := writeOrgs(filepath.Join(out, "orgs.csv"), filepath.Join(out, "ranges.csv"), rs, orgs); err != nil {
		return err
	}
	return writeReport(filepath.Join(out, name), r, rs, rows)
}

// makeRanges allocates ranges: walking up from 11.0.0.0 with random gaps,
// one organisation after another; every tenth range is an IPv6 /48.
func makeRanges(r *rand.Rand, orgs, n int) []rng {
	rs := make([]rng, 0, n)
	next := uint32(11) << 24
	v6 := uint64(0)
	for i := 0; i < n; i++ {
		org := i % orgs
		if i >= orgs { // spread the extra ranges over the organisations
			org = r.IntN(orgs)
		}
		switch x := r.IntN(1000); {
		case x < 20 && len(rs) > 0: // nested in someone else's range
			outer := rs[r.IntN(len(rs))]
			if outer.prefix.Bits() < outer.prefix.Addr().BitLen()-2 {
				rs = append(rs, rng{netip.PrefixFrom(outer.prefix.Addr(), outer.prefix.Bits()+2), org})
				continue
			}
		case x < 25 && len(rs) > 0: // identical to someone else's: a tie
			rs = append(rs, rng{rs[r.IntN(len(rs))].prefix, org})
			continue
		case x < 125:
			v6++
			a := netip.AddrFrom16([16]byte{0x2a, 0x02, byte(v6 >> 24), byte(v6 >> 16), byte(v6 >> 8), byte(v6)})
			rs = append(rs, rng{netip.PrefixFrom(a, 48), org})
			continue
		}
		bits := 20 + r.IntN(10) // /20 … /29
		size := uint32(1) << (32 - bits)
		next = (next + size - 1) &^ (size - 1) // align
		next += size * uint32(r.IntN(3))       // a gap
		rs = append(rs, rng{netip.PrefixFrom(addr4(next), bits), org})
		next += size
	}
	return rs
}

func addr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func writeOrgs(orgsPath, rangesPath string, rs []rng, n int) error {
	per := make([][]string, n)
	for _, x := range rs {
		per[x.org] = append(per[x.org], x.prefix.String())
	}
	f, err := os.Create(orgsPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "name,sector,country,languages,domains,cidrs,asns,emails")
	for i, cidrs := range per {
		fmt.Fprintf(w, "Bench org %d,energy,NL,nl,org%d.example,%s,,soc@org%d.example\n", i, i, strings.Join(cidrs, ";"), i)
	}
	if err := closeAll(w, f); err != nil {
		return err
	}
	f, err = os.Create(rangesPath)
	if err != nil {
		return err
	}
	w = bufio.NewWriter(f)
	fmt.Fprintln(w, "org_id,cidr")
	for _, x := range rs {
		fmt.Fprintf(w, "%d,%s\n", x.org, x.prefix)
	}
	return closeAll(w, f)
}

func writeReport(path string, r *rand.Rand, rs []rng, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, header)
	tags := []string{"cve-2024-3400;paloalto;globalprotect", "cve-2023-46805;cve-2024-21887;ivanti-connect-secure", "cve-2021-26855;exchange", "citrix;cve-2023-4966", "fortinet;cve-2024-21762", "http"}
	servers := []string{"nginx", "Apache", "Microsoft-IIS/10.0", "lighttpd/1.4.59"}
	geos := []string{`"NL","NOORD-HOLLAND","AMSTERDAM"`, `"NL","UTRECHT","UTRECHT"`, `"BE","ANTWERPEN","ANTWERPEN"`, `"DE","HESSEN","FRANKFURT AM MAIN"`}
	ports := []int{80, 443, 8080, 8443, 10443}
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, 512)
	for i := 0; i < rows; i++ {
		var ip netip.Addr
		if r.IntN(10) < 6 {
			p := rs[r.IntN(len(rs))].prefix
			ip = randomIn(r, p)
		} else {
			ip = addr4(uint32(101+r.IntN(100))<<24 | r.Uint32()&0xffffff)
		}
		ts := start.Add(time.Duration(r.IntN(86400)) * time.Second)
		port := ports[r.IntN(len(ports))]
		host := ""
		if r.IntN(3) == 0 {
			host = `"host-` + strings.NewReplacer(".", "-", ":", "-").Replace(ip.String()) + `.example.net"`
		}
		buf = buf[:0]
		buf = append(buf, '"')
		buf = ts.AppendFormat(buf, "2006-01-02 15:04:05")
		buf = append(buf, `","critical","`...)
		buf = ip.AppendTo(buf)
		buf = append(buf, `","tcp",`...)
		buf = strconv.AppendInt(buf, int64(port), 10)
		buf = append(buf, ',')
		buf = append(buf, host...)
		buf = append(buf, `,"`...)
		buf = append(buf, tags[r.IntN(len(tags))]...)
		buf = append(buf, `",`...)
		buf = strconv.AppendInt(buf, int64(64496+r.IntN(16)), 10)
		buf = append(buf, ',')
		buf = append(buf, geos[r.IntN(len(geos))]...)
		buf = append(buf, `,517311,,"Communications, Service Provider, and Hosting Service","HTTP/1.1",200,"OK","text/html; charset=utf-8","keep-alive",,,"`...)
		buf = append(buf, servers[r.IntN(len(servers))]...)
		buf = append(buf, `",`...)
		buf = strconv.AppendInt(buf, int64(500+r.IntN(5000)), 10)
		buf = append(buf, `,,"`...)
		buf = ts.AppendFormat(buf, time.RFC1123)
		buf = append(buf, `","10.2.9",,"bench row",`...)
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return closeAll(w, f)
}

// randomIn returns a random address inside p.
func randomIn(r *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	host := len(b)*8 - p.Bits()
	for i := len(b) - 1; i >= 0 && host > 0; i-- {
		n := min(host, 8)
		b[i] |= byte(r.IntN(1 << n))
		host -= n
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func closeAll(w *bufio.Writer, f *os.File) error {
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
