#!/usr/bin/env python3
# Writes the synthetic-row samples "2025-06-01-<type>-vigil_synth-asn.csv" for report
# types the staged corpus has no sample of. Headers come from Shadowserver's
# report_schema reports.json (commit 8e06fb9); every value is made up, from
# documentation ranges and example names only.
#   python3 make_synthetic.py /path/to/reports.json
import csv, io, json, sys

TYPES = {
    "scan_rdp": ("medium", "tcp", 3389, "rdp"),
    "scan_smb": ("medium", "tcp", 445, "smb"),
    "scan_snmp": ("medium", "udp", 161, "snmp"),
    "scan_ftp": ("medium", "tcp", 21, "ftp"),
    "scan_vnc": ("high", "tcp", 5900, "vnc"),
    "scan_ntp": ("medium", "udp", 123, "ntp"),
    "scan_dns": ("medium", "udp", 53, "dns;openresolver"),
    "scan_ssh": ("info", "tcp", 22, "ssh"),
    "scan6_ssh": ("info", "tcp", 22, "ssh"),
    "scan_cwmp": ("medium", "tcp", 7547, "cwmp;cve-2014-9222"),
    "event4_sinkhole_dns": ("high", "udp", 53, "dns"),
    "event4_honeypot_brute_force": ("high", "tcp", 22, "ssh-brute-force"),
    "compromised_account": ("high", "", 0, "stealer"),
}
V4 = ["192.0.2.17", "192.0.2.140", "198.51.100.23", "198.51.100.201", "203.0.113.55", "203.0.113.77"]
V6 = ["2001:db8:1::17", "2001:db8:1:2::140", "2001:db8:2::23", "2001:db8:2:5::201", "2001:db8:9::55", "2001:db8:9::77"]
ASN = {"192.0.2.17": 64496, "192.0.2.140": 64497, "198.51.100.23": 64498, "198.51.100.201": 64499}
GEO = {64496: ("NL", "NOORD-HOLLAND", "AMSTERDAM"), 64497: ("NL", "ZUID-HOLLAND", "DEN HAAG"),
       64498: ("NL", "UTRECHT", "UTRECHT"), 64499: ("NL", "NOORD-BRABANT", "EINDHOVEN"), 64500: ("BE", "ANTWERPEN", "ANTWERPEN")}

def value(col, typ, i, sev, proto, port, tag):
    six = typ.startswith("scan6_")
    ip = (V6 if six else V4)[i]
    asn = ASN.get(ip, 64496 if six and i < 2 else 64498 if six and i < 4 else 64500)
    geo = GEO[asn]
    base = col.removeprefix("src_")
    v = {
        "timestamp": f"2025-06-01 {i:02d}:{(i*7)%60:02d}:{(i*13)%60:02d}", "severity": sev, "ip": ip,
        "protocol": proto, "port": port + (i if typ == "event4_honeypot_brute_force" else 0),
        "hostname": f"host-{i}.example.nl" if i % 2 else "", "tag": tag, "asn": asn,
        "geo": geo[0], "region": geo[1], "city": geo[2], "naics": 517311, "sector": "Communications, Service Provider, and Hosting Service",
        "hostname_source": "ptr" if i % 2 else "",
    }
    if col.startswith("src_"):
        if base == "port":
            return 40000 + i
        return v.get(base, "")
    if col.startswith("dst_"):
        return {"dst_ip": "203.0.113.250", "dst_port": port, "dst_asn": 64511, "dst_geo": "US"}.get(col, "")
    extra = {
        "device_vendor": "MikroTik" if typ == "scan_snmp" else "", "device_model": "RouterOS" if typ == "scan_snmp" else "",
        "banner": "|SSH-2.0-OpenSSH_8.9|" if "ssh" in typ else "", "dns_version": "9.11.4", "product": "RealVNC",
        "infection": "avalanche-andromeda" if typ == "event4_sinkhole_dns" else "redline" if typ == "compromised_account" else "",
        "query": "c2-andromeda.example.com", "query_type": "A", "count": 3,
        "application": "ssh", "username": "root" if typ != "compromised_account" else f"user{i}", "password": "123456",
        "email": f"user{i}@example.nl" if i % 2 else f"user{i}@sub.example.com", "service": "webmail",
        "source_url": "https://mail.example.nl/login", "status": "new", "http": "HTTP/1.1", "http_code": 401,
        "version": "3" if typ == "scan_ntp" else "", "sysdesc": "RouterOS RB750Gr3", "community": "public",
    }
    if col in v:
        return v[col]
    return extra.get(col, "")

def main():
    reports = json.load(open(sys.argv[1]))
    for typ, (sev, proto, port, tag) in TYPES.items():
        fields = reports[typ]["fields"]
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        w.writerow(fields)
        for i in range(6):
            row = [value(c, typ, i, sev, proto, port, tag) for c in fields]
            w.writerow(row)
        # Shadowserver leaves empty fields bare (,,), not "".
        text = buf.getvalue().replace(',""', ',').replace('"",', ',')
        open(f"2025-06-01-{typ}-vigil_synth-asn.csv", "w").write(text)

main()
