// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// MQTT 3.1.1 control packet types (OASIS MQTT 3.1.1, 2.2.1).
const (
	mqttCONNECT    = 1
	mqttCONNACK    = 2
	mqttPUBLISH    = 3
	mqttSUBSCRIBE  = 8
	mqttSUBACK     = 9
	mqttDISCONNECT = 14
)

// mqttConnackText names CONNACK return codes (3.2.2.3).
func mqttConnackText(code byte) string {
	switch code {
	case 0:
		return "accepted"
	case 1:
		return "unacceptable protocol version"
	case 2:
		return "identifier rejected"
	case 3:
		return "server unavailable"
	case 4:
		return "bad user name or password"
	case 5:
		return "not authorized"
	}
	return "unknown"
}

// appendMQTTString appends a length-prefixed UTF-8 string (1.5.3).
func appendMQTTString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// appendRemainingLength appends the variable-length encoding (2.2.3).
func appendRemainingLength(b []byte, n int) []byte {
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

func mqttPacket(typ, flags byte, body []byte) []byte {
	b := []byte{typ<<4 | flags}
	b = appendRemainingLength(b, len(body))
	return append(b, body...)
}

// mqttConnectPacket builds a clean-session CONNECT, with credentials when
// cred is not nil.
func mqttConnectPacket(clientID string, cred *Credential) []byte {
	body := appendMQTTString(nil, "MQTT")
	body = append(body, 4) // protocol level 3.1.1
	flags := byte(0x02)    // clean session
	if cred != nil {
		flags |= 0x80 | 0x40
	}
	body = append(body, flags, 0, 30) // keep alive 30 s
	body = appendMQTTString(body, clientID)
	if cred != nil {
		body = appendMQTTString(body, cred.User)
		body = appendMQTTString(body, cred.Password)
	}
	return mqttPacket(mqttCONNECT, 0, body)
}

func mqttSubscribePacket(id uint16, filter string) []byte {
	body := binary.BigEndian.AppendUint16(nil, id)
	body = appendMQTTString(body, filter)
	body = append(body, 0) // QoS 0
	return mqttPacket(mqttSUBSCRIBE, 0x02, body)
}

// ReadMQTTPacket reads one MQTT control packet and returns its type, flags
// and body. Bodies longer than max are refused without reading them.
func ReadMQTTPacket(r io.ByteReader, max int) (typ, flags byte, body []byte, err error) {
	h, err := r.ReadByte()
	if err != nil {
		return 0, 0, nil, err
	}
	n, mult := 0, 1
	for i := 0; ; i++ {
		if i == 4 {
			return 0, 0, nil, errors.New("mqtt: malformed remaining length")
		}
		d, err := r.ReadByte()
		if err != nil {
			return 0, 0, nil, unexpectedEOF(err)
		}
		n += int(d&0x7f) * mult
		mult *= 128
		if d&0x80 == 0 {
			break
		}
	}
	if n > max {
		return 0, 0, nil, fmt.Errorf("mqtt: packet of %d bytes exceeds %d", n, max)
	}
	body = make([]byte, n)
	for i := range body {
		if body[i], err = r.ReadByte(); err != nil {
			return 0, 0, nil, unexpectedEOF(err)
		}
	}
	return h >> 4, h & 0x0f, body, nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// mqttSession is one probe connection to a broker.
type mqttSession struct {
	c  net.Conn
	br *bufio.Reader
}

// connect sends CONNECT and returns the CONNACK return code.
func (s *mqttSession) connect(cred *Credential) (byte, error) {
	if _, err := s.c.Write(mqttConnectPacket("vigil-probe-"+randomHex(4), cred)); err != nil {
		return 0, err
	}
	typ, _, body, err := ReadMQTTPacket(s.br, 1024)
	if err != nil {
		return 0, fmt.Errorf("mqtt: reading CONNACK: %w", err)
	}
	if typ != mqttCONNACK || len(body) != 2 {
		return 0, fmt.Errorf("mqtt: expected CONNACK, got packet type %d (%d bytes)", typ, len(body))
	}
	return body[1], nil
}

// subscribe asks for filter and returns the SUBACK return code (0-2
// granted QoS, 0x80 failure), skipping PUBLISH packets that may come first.
func (s *mqttSession) subscribe(filter string) (byte, error) {
	const id = 1
	if _, err := s.c.Write(mqttSubscribePacket(id, filter)); err != nil {
		return 0, err
	}
	for range 64 {
		typ, _, body, err := ReadMQTTPacket(s.br, 1<<20)
		if err != nil {
			return 0, fmt.Errorf("mqtt: reading SUBACK: %w", err)
		}
		if typ == mqttPUBLISH {
			continue
		}
		if typ != mqttSUBACK || len(body) < 3 || binary.BigEndian.Uint16(body) != id {
			return 0, fmt.Errorf("mqtt: expected SUBACK, got packet type %d", typ)
		}
		return body[2], nil
	}
	return 0, errors.New("mqtt: no SUBACK after 64 packets")
}

func (s *mqttSession) close() {
	_, _ = s.c.Write(mqttPacket(mqttDISCONNECT, 0, nil))
	s.c.Close()
}

func (r *runner) mqttDial(ctx context.Context, p Port) (*mqttSession, error) {
	c, err := r.dialService(ctx, p)
	if err != nil {
		return nil, err
	}
	return &mqttSession{c: c, br: bufio.NewReader(c)}, nil
}

// checkMQTT connects without credentials and, when accepted, subscribes to
// "#"; when refused, it tries the built-in credentials.
func (r *runner) checkMQTT(ctx context.Context, p Port) error {
	s, err := r.mqttDial(ctx, p)
	if err != nil {
		return err
	}
	code, err := s.connect(nil)
	if err != nil {
		s.c.Close()
		return err
	}
	res := Result{Check: CheckMQTTAnonymous, Port: p.Number, Service: p.Service, Severity: High}
	if code == 0 {
		sub, err := s.subscribe("#")
		s.close()
		if err != nil {
			return err
		}
		if sub <= 2 {
			res.Evidence = fmt.Sprintf("anonymous CONNECT accepted; SUBSCRIBE to # granted (QoS %d)", sub)
		} else {
			res.Severity = Medium
			res.Evidence = fmt.Sprintf("anonymous CONNECT accepted; SUBSCRIBE to # refused (0x%02x)", sub)
		}
		r.add(res)
		return nil // credentials are moot when anyone may connect
	}
	s.c.Close()
	if code == 1 {
		return fmt.Errorf("mqtt: broker refused protocol level 4 (MQTT 3.1.1)")
	}
	res.Passed = true
	res.Evidence = fmt.Sprintf("anonymous CONNECT refused (CONNACK %d: %s)", code, mqttConnackText(code))
	r.add(res)

	if len(r.opts.Credentials) == 0 {
		return nil
	}
	for _, cred := range r.opts.Credentials {
		s, err := r.mqttDial(ctx, p)
		if err != nil {
			return err
		}
		code, err := s.connect(&cred)
		if err != nil {
			s.c.Close()
			return err
		}
		if code == 0 {
			s.close()
			r.add(credResult(p, cred, "MQTT CONNECT"))
			return nil
		}
		s.c.Close()
	}
	r.add(credRefused(p, len(r.opts.Credentials), "MQTT CONNECT"))
	return nil
}
