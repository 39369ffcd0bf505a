// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"bufio"
	"io"
	"net"
	"strings"
)

// Telnet bytes the fake server uses.
const (
	iac  = 255
	will = 251
	wont = 252
	do   = 253
	dont = 254
	sb   = 250
	se   = 240
)

// telnetServer logs in user/pass and then shows a BusyBox shell prompt;
// three wrong logins close the connection.
func telnetServer(banner, user, pass string) func(net.Conn) {
	return func(c net.Conn) {
		// Offer echo and SGA, ask for window size: the client must negotiate.
		if _, err := c.Write([]byte{iac, will, 1, iac, will, 3, iac, do, 31}); err != nil {
			return
		}
		br := bufio.NewReader(c)
		if _, err := io.WriteString(c, banner); err != nil {
			return
		}
		for range 3 {
			if _, err := io.WriteString(c, "(none) login: "); err != nil {
				return
			}
			u, err := readTelnetLine(br)
			if err != nil {
				return
			}
			if _, err := io.WriteString(c, u+"\r\nPassword: "); err != nil { // echo the name, not the password
				return
			}
			p, err := readTelnetLine(br)
			if err != nil {
				return
			}
			if u == user && p == pass {
				_, _ = io.WriteString(c, "\r\n\r\nBusyBox v1.19.4 (2014-03-26 09:27:53 CST) built-in shell (ash)\r\n"+
					"Enter 'help' for a list of built-in commands.\r\n\r\n# ")
				_, _ = readTelnetLine(br)
				return
			}
			if _, err := io.WriteString(c, "\r\nLogin incorrect\r\n"); err != nil {
				return
			}
		}
	}
}

// readTelnetLine reads one line, dropping telnet commands and CR/NUL.
func readTelnetLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		ch, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		switch ch {
		case iac:
			cmd, err := br.ReadByte()
			if err != nil {
				return "", err
			}
			switch cmd {
			case will, wont, do, dont:
				if _, err := br.ReadByte(); err != nil {
					return "", err
				}
			case sb:
				for {
					x, err := br.ReadByte()
					if err != nil {
						return "", err
					}
					if x == iac {
						if y, err := br.ReadByte(); err != nil || y == se {
							break
						}
					}
				}
			case iac:
				b.WriteByte(iac)
			}
		case '\n':
			return b.String(), nil
		case '\r', 0:
		default:
			if b.Len() > 256 {
				return "", io.ErrShortBuffer
			}
			b.WriteByte(ch)
		}
	}
}
