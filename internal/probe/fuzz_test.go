// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

// FuzzTelnetNegotiation checks that the negotiator's output does not
// depend on how the input is split, that every reply is a well-formed
// three-byte refusal or acceptance, and that no option is answered twice
// with the same verb in a row.
func FuzzTelnetNegotiation(f *testing.F) {
	for _, b := range corpusBanners(f) {
		f.Add([]byte(b), uint(3))
	}
	f.Add([]byte{255, 251, 1, 255, 251, 3, 255, 253, 31, 'l', 'o', 'g', 'i', 'n', ':', ' '}, uint(4))
	f.Add([]byte{255, 250, 24, 1, 255, 255, 255, 240, 'x', 255, 255}, uint(1))
	f.Add([]byte{255, 253, 24, 255, 253, 24, 255, 254, 24}, uint(7))
	f.Fuzz(func(t *testing.T, in []byte, split uint) {
		var whole telnetNegotiator
		data, reply := whole.Feed(in)
		if len(data) > len(in) {
			t.Fatalf("data %d bytes from %d input bytes", len(data), len(in))
		}
		var parts telnetNegotiator
		var d2, r2 []byte
		step := int(split%16) + 1
		for i := 0; i < len(in); i += step {
			d, r := parts.Feed(in[i:min(i+step, len(in))])
			d2, r2 = append(d2, d...), append(r2, r...)
		}
		if !bytes.Equal(data, d2) || !bytes.Equal(reply, r2) {
			t.Fatalf("split by %d changes output: %q/%v vs %q/%v", step, data, reply, d2, r2)
		}
		if len(reply)%3 != 0 {
			t.Fatalf("reply %v not in triples", reply)
		}
		last := map[byte]byte{}
		for i := 0; i < len(reply); i += 3 {
			if reply[i] != telnetIAC || reply[i+1] < telnetWILL || reply[i+1] > telnetDONT {
				t.Fatalf("bad reply triple %v", reply[i:i+3])
			}
			if v, ok := last[reply[i+2]]; ok && v == reply[i+1] {
				t.Fatalf("option %d answered %d twice in a row", reply[i+2], v)
			}
			last[reply[i+2]] = reply[i+1]
		}
	})
}

// FuzzParseBanner checks that every software found is a real substring
// pair of the banner: a product with a letter and a version starting with a
// digit.
func FuzzParseBanner(f *testing.F) {
	for _, b := range corpusBanners(f) {
		f.Add(b)
	}
	for _, s := range []string{"lighttpd/1.4.35", "Apache/2.4.41 (Ubuntu) PHP/7.4.3", "(vsFTPd 2.3.4)",
		"Linux/2.6.36 UPnP/1.0 miniupnpd/1.9", "Server at 192.0.2.1 port 80", "version v1.2 Version 3.4", "v.1.", "a 1.", "x/1.2.3.4.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, sw := range ParseBanner(s) {
			if !hasLetter(sw.Product) || !strings.Contains(s, sw.Product) {
				t.Fatalf("product %q of %q", sw.Product, s)
			}
			if sw.Version == "" || !isDigit(sw.Version[0]) || !strings.Contains(s, sw.Version) || !strings.Contains(sw.Version, ".") {
				t.Fatalf("version %q of %q", sw.Version, s)
			}
		}
	})
}

// FuzzReadFTPReply checks that a reply either fails or has a valid code,
// and never reads past the limits.
func FuzzReadFTPReply(f *testing.F) {
	for _, s := range []string{"220 (vsFTPd 2.3.4)\r\n", "123-First line\r\nSecond line\r\n  234 A line\r\n123 The last line\r\n",
		"230-\r\n230 \r\n", "530", "220-x\n", "\r\n", "220 " + strings.Repeat("a", 5000)} {
		f.Add([]byte(s))
	}
	for _, b := range corpusBanners(f) {
		f.Add([]byte("220 " + b))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		code, text, err := ReadFTPReply(bufio.NewReader(bytes.NewReader(in)))
		if err == nil && (code < 100 || code > 599) {
			t.Fatalf("code %d without error", code)
		}
		if len(text) > len(in) {
			t.Fatalf("text %d bytes from %d", len(text), len(in))
		}
	})
}

// FuzzReadMQTTPacket checks that a decoded packet's body respects the
// limit and that the decoder consumed exactly header, length and body.
func FuzzReadMQTTPacket(f *testing.F) {
	f.Add([]byte{0x20, 2, 0, 0})
	f.Add([]byte{0x90, 3, 0, 1, 0x80})
	f.Add(mqttConnectPacket("vigil", &Credential{User: "admin", Password: "admin"}))
	f.Add(mqttSubscribePacket(1, "#"))
	f.Add(mqttPacket(mqttPUBLISH, 0, bytes.Repeat([]byte{1}, 200)))
	f.Add([]byte{0x30, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, in []byte) {
		const max = 256
		r := bytes.NewReader(in)
		typ, flags, body, err := ReadMQTTPacket(r, max)
		if err != nil {
			return
		}
		if len(body) > max || typ > 15 || flags > 15 {
			t.Fatalf("type %d flags %d body %d", typ, flags, len(body))
		}
		// Header byte, 1-4 length bytes (a non-minimal encoding is legal to
		// read), then exactly the body.
		lenBytes := len(in) - r.Len() - 1 - len(body)
		if lenBytes < len(appendRemainingLength(nil, len(body))) || lenBytes > 4 {
			t.Fatalf("consumed %d length bytes for a %d-byte body", lenBytes, len(body))
		}
	})
}
