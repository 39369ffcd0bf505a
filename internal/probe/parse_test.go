// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// corpusBanners returns the distinct telnet banners of the Shadowserver
// scan_telnet sample in testdata (see testdata/SOURCES.md), with the
// report's "|" separators and escaped CR/LF turned back into line breaks.
func corpusBanners(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/2025-06-01-scan_telnet-vigil_test-asn.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if h == "banner" {
			col = i
		}
	}
	if col < 0 {
		tb.Fatal("no banner column")
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range rows[1:] {
		b := strings.NewReplacer("|", "\r\n", `\r\n`, "\r\n").Replace(r[col])
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

func TestParseBannerCorpus(t *testing.T) {
	t.Parallel()
	want := map[string][]Software{
		"\r\nMikroTik v6.49.7\r\nLogin:":            {{"MikroTik", "6.49.7"}},
		"\r\nBusyBox v1.19.4\r\nlogin:":             {{"BusyBox", "1.19.4"}},
		"\r\nUbuntu 18.04 LTS\r\nhost login:":       {{"Ubuntu", "18.04"}},
		"\r\nUser Access Verification\r\nUsername:": nil,
		"": nil,
	}
	banners := corpusBanners(t)
	if len(banners) != len(want) {
		t.Fatalf("corpus has %d distinct banners %q; the table knows %d", len(banners), banners, len(want))
	}
	for _, b := range banners {
		w, ok := want[b]
		if !ok {
			t.Errorf("banner %q not in table", b)
			continue
		}
		if diff := cmp.Diff(w, ParseBanner(b)); diff != "" {
			t.Errorf("ParseBanner(%q) (-want +got):\n%s", b, diff)
		}
	}
}

func TestParseBanner(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []Software
	}{
		{"lighttpd/1.4.35", []Software{{"lighttpd", "1.4.35"}}},
		{"Apache/2.4.41 (Ubuntu) PHP/7.4.3", []Software{{"Apache", "2.4.41"}, {"PHP", "7.4.3"}}},
		{"nginx", nil},
		{"Microsoft-IIS/10.0", []Software{{"Microsoft-IIS", "10.0"}}},
		{"Boa/0.94.14rc21", []Software{{"Boa", "0.94.14rc21"}}},
		{"GoAhead-Webs", nil},
		{"mini_httpd/1.19 19dec2003", []Software{{"mini_httpd", "1.19"}}},
		{"(vsFTPd 2.3.4)", []Software{{"vsFTPd", "2.3.4"}}},
		{"ProFTPD 1.3.5e Server (Debian) [::ffff:192.0.2.1]", []Software{{"ProFTPD", "1.3.5e"}}},
		{"Linux/2.6.36 UPnP/1.0 miniupnpd/1.9", []Software{{"Linux", "2.6.36"}, {"UPnP", "1.0"}, {"miniupnpd", "1.9"}}},
		{"BusyBox v1.19.4 (2014-03-26 09:27:53 CST)", []Software{{"BusyBox", "1.19.4"}}},
		{"Welcome to FTP server version 2.1", []Software{{"server", "2.1"}}},
		{"Server at 192.0.2.1 port 80", nil},
		{"IPCam v2 ready", nil},
		{"uhttpd", nil},
		{"Date 2014-03-26", nil},
		{"1.2.3", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ParseBanner(tt.in)); diff != "" {
			t.Errorf("ParseBanner(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestTelnetNegotiator(t *testing.T) {
	t.Parallel()
	const (
		IAC, WILL, WONT, DO, DONT, SB, SE, NOP = 255, 251, 252, 253, 254, 250, 240, 241
	)
	tests := []struct {
		name      string
		in        []byte
		data      string
		reply     []byte
		splitting bool // also fed byte by byte
	}{
		{"plain", []byte("(none) login: "), "(none) login: ", nil, true},
		{"will_echo_accepted", []byte{IAC, WILL, 1}, "", []byte{IAC, DO, 1}, true},
		{"will_sga_do_naws", []byte{IAC, WILL, 3, IAC, DO, 31, 'x'}, "x", []byte{IAC, DO, 3, IAC, WONT, 31}, true},
		{"will_ttype_refused", []byte{IAC, WILL, 24}, "", []byte{IAC, DONT, 24}, true},
		{"repeat_answered_once", []byte{IAC, DO, 31, IAC, DO, 31}, "", []byte{IAC, WONT, 31}, true},
		{"wont_acknowledged", []byte{IAC, WONT, 1}, "", []byte{IAC, DONT, 1}, true},
		{"escaped_ff", []byte{'a', IAC, IAC, 'b'}, "a\xffb", nil, true},
		{"subnegotiation_skipped", []byte{IAC, SB, 24, 1, IAC, IAC, 7, IAC, SE, 'o', 'k'}, "ok", nil, true},
		{"nop", []byte{IAC, NOP, 'a'}, "a", nil, true},
		{"mikrotik_like", append([]byte{IAC, DO, 24, IAC, DO, 32, IAC, DO, 35, IAC, DO, 39}, "Login: "...), "Login: ",
			[]byte{IAC, WONT, 24, IAC, WONT, 32, IAC, WONT, 35, IAC, WONT, 39}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n telnetNegotiator
			data, reply := n.Feed(tt.in)
			if string(data) != tt.data || !bytes.Equal(reply, tt.reply) {
				t.Errorf("Feed(%v) = %q, %v; want %q, %v", tt.in, data, reply, tt.data, tt.reply)
			}
			var m telnetNegotiator
			var d2, r2 []byte
			for _, b := range tt.in {
				d, r := m.Feed([]byte{b})
				d2, r2 = append(d2, d...), append(r2, r...)
			}
			if !bytes.Equal(d2, data) || !bytes.Equal(r2, reply) {
				t.Errorf("byte-by-byte Feed = %q, %v; want %q, %v", d2, r2, data, reply)
			}
		})
	}
}

func TestReadFTPReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		code    int
		text    string
		wantErr bool
	}{
		{"single", "220 (vsFTPd 3.0.3)\r\n", 220, "(vsFTPd 3.0.3)", false},
		{"lf_only", "230 Login successful.\n", 230, "Login successful.", false},
		{"code_only", "221\r\n", 221, "", false},
		// RFC 959 section 4.2's multi-line example.
		{"multiline_rfc959", "123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n",
			123, "First line\nSecond line\n234 A line beginning with numbers\nThe last line", false},
		{"multiline_proftpd", "220-Welcome\r\n220-Authorized users only\r\n220 ProFTPD Server ready.\r\n", 220,
			"Welcome\n220-Authorized users only\nProFTPD Server ready.", false},
		{"no_final_newline", "530 Login incorrect.", 530, "Login incorrect.", false},
		{"bad_code", "ABC hello\r\n", 0, "", true},
		{"code_out_of_range", "999 no\r\n", 0, "", true},
		{"short", "22\r\n", 0, "", true},
		{"bad_separator", "220+x\r\n", 0, "", true},
		{"eof_in_multiline", "220-one\r\ntwo\r\n", 0, "", true},
		{"empty", "", 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, text, err := ReadFTPReply(bufio.NewReader(strings.NewReader(tt.in)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v; wantErr %v", err, tt.wantErr)
			}
			if err == nil && (code != tt.code || text != tt.text) {
				t.Errorf("got %d %q; want %d %q", code, text, tt.code, tt.text)
			}
		})
	}
}

func TestReadMQTTPacket(t *testing.T) {
	t.Parallel()
	big := mqttPacket(mqttPUBLISH, 0, bytes.Repeat([]byte{'x'}, 321))
	tests := []struct {
		name    string
		in      []byte
		typ     byte
		flags   byte
		bodyLen int
		err     error
	}{
		{"connack_accepted", []byte{0x20, 2, 0, 0}, mqttCONNACK, 0, 2, nil},
		{"suback", []byte{0x90, 3, 0, 1, 0}, mqttSUBACK, 0, 3, nil},
		{"subscribe_flags", mqttSubscribePacket(1, "#"), mqttSUBSCRIBE, 2, 6, nil},
		{"two_byte_length", big, mqttPUBLISH, 0, 321, nil},
		{"disconnect", []byte{0xe0, 0}, mqttDISCONNECT, 0, 0, nil},
		{"truncated_body", []byte{0x20, 2, 0}, 0, 0, 0, io.ErrUnexpectedEOF},
		{"truncated_length", []byte{0x30, 0x80}, 0, 0, 0, io.ErrUnexpectedEOF},
		{"empty", nil, 0, 0, 0, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, flags, body, err := ReadMQTTPacket(bufio.NewReader(bytes.NewReader(tt.in)), 1024)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v; want %v", err, tt.err)
			}
			if typ != tt.typ || flags != tt.flags || len(body) != tt.bodyLen {
				t.Errorf("got type %d flags %d body %d; want %d %d %d", typ, flags, len(body), tt.typ, tt.flags, tt.bodyLen)
			}
		})
	}
	for _, bad := range [][]byte{{0x30, 0xff, 0xff, 0xff, 0xff, 0x01}, {0x30, 0xff, 0xff, 0x7f}} {
		if _, _, _, err := ReadMQTTPacket(bufio.NewReader(bytes.NewReader(bad)), 1024); err == nil {
			t.Errorf("ReadMQTTPacket(%x) = nil error; want malformed or too large", bad)
		}
	}
}

// The CONNECT packet matches MQTT 3.1.1's own example layout (3.1.2).
func TestMQTTConnectPacket(t *testing.T) {
	t.Parallel()
	got := mqttConnectPacket("c", &Credential{User: "u", Password: "p"})
	want := []byte{0x10, 19, 0, 4, 'M', 'Q', 'T', 'T', 4, 0xc2, 0, 30, 0, 1, 'c', 0, 1, 'u', 0, 1, 'p'}
	if !bytes.Equal(got, want) {
		t.Errorf("CONNECT = % x; want % x", got, want)
	}
	anon := mqttConnectPacket("c", nil)
	if anon[9] != 0x02 {
		t.Errorf("anonymous CONNECT flags = %#x; want clean session only", anon[9])
	}
}

func TestHSTS(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{
		"max-age=31536000; includeSubDomains": true,
		`max-age="600"`:                       true,
		"includeSubDomains; MAX-AGE=1":        true,
		"max-age=0":                           false,
		"max-age=-5":                          false,
		"max-age=abc":                         false,
		"":                                    false,
		"preload":                             false,
	} {
		if got := hstsOK(in); got != want {
			t.Errorf("hstsOK(%q) = %v; want %v", in, got, want)
		}
	}
}

func TestSecurityTxtContact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Contact: mailto:psirt@example.com\nExpires: 2027-01-01T00:00:00Z\n":            "mailto:psirt@example.com",
		"# Contact: not this\r\ncontact: https://example.com/report\r\n":                "https://example.com/report",
		"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: tel:+31-20-555\n": "tel:+31-20-555",
		"Expires: 2027-01-01T00:00:00Z\n":                                               "",
		"Contact:\n":                                                                    "",
		"<html>404</html>":                                                              "",
	} {
		if got := securityTxtContact([]byte(in)); got != want {
			t.Errorf("securityTxtContact(%q) = %q; want %q", in, got, want)
		}
	}
}
