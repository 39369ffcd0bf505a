// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
)

// mqttBroker is a minimal MQTT 3.1.1 broker: it answers CONNECT with
// CONNACK, SUBSCRIBE with SUBACK granting QoS 0, PINGREQ with PINGRESP and
// ends at DISCONNECT. With user set, CONNECT needs exactly user/pass
// (anonymous: return code 5, wrong credentials: 4); otherwise anyone may
// connect.
func mqttBroker(user, pass string) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		typ, body, err := readPacket(br)
		if err != nil || typ != 1 {
			return
		}
		code := connectCode(body, user, pass)
		if _, err := c.Write([]byte{0x20, 2, 0, code}); err != nil || code != 0 {
			return
		}
		for {
			typ, body, err := readPacket(br)
			if err != nil {
				return
			}
			switch typ {
			case 8: // SUBSCRIBE: grant QoS 0 to each filter
				if len(body) < 2 {
					return
				}
				n := 0
				for rest := body[2:]; len(rest) >= 3; n++ {
					l := int(binary.BigEndian.Uint16(rest))
					if len(rest) < 2+l+1 {
						return
					}
					rest = rest[2+l+1:]
				}
				resp := []byte{0x90, byte(2 + n), body[0], body[1]}
				resp = append(resp, make([]byte, n)...)
				if _, err := c.Write(resp); err != nil {
					return
				}
			case 12: // PINGREQ
				if _, err := c.Write([]byte{0xd0, 0}); err != nil {
					return
				}
			case 14: // DISCONNECT
				return
			}
		}
	}
}

// connectCode checks a CONNECT body's protocol and credentials.
func connectCode(body []byte, user, pass string) byte {
	name, rest, ok := mqttString(body)
	if !ok || name != "MQTT" || len(rest) < 4 {
		return 1
	}
	if rest[0] != 4 {
		return 1
	}
	flags := rest[1]
	rest = rest[4:]
	if _, rest, ok = mqttString(rest); !ok { // client id
		return 2
	}
	var u, p string
	if flags&0x80 != 0 {
		if u, rest, ok = mqttString(rest); !ok {
			return 4
		}
	}
	if flags&0x40 != 0 {
		if p, _, ok = mqttString(rest); !ok {
			return 4
		}
	}
	switch {
	case user == "":
		return 0
	case flags&0x80 == 0:
		return 5
	case u == user && p == pass:
		return 0
	}
	return 4
}

func mqttString(b []byte) (string, []byte, bool) {
	if len(b) < 2 {
		return "", nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return "", nil, false
	}
	return string(b[2 : 2+n]), b[2+n:], true
}

func readPacket(br *bufio.Reader) (byte, []byte, error) {
	h, err := br.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, mult := 0, 1
	for i := 0; ; i++ {
		if i == 4 {
			return 0, nil, errors.New("bad remaining length")
		}
		d, err := br.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		n += int(d&0x7f) * mult
		mult *= 128
		if d&0x80 == 0 {
			break
		}
	}
	if n > 64<<10 {
		return 0, nil, errors.New("packet too large")
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		return 0, nil, err
	}
	return h >> 4, body, nil
}
