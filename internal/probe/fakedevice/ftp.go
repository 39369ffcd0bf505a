// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"bufio"
	"io"
	"net"
	"strings"
)

// ftpServer speaks just enough FTP for logins: anonymous is accepted with
// any password, every other login is refused.
func ftpServer(greeting string) func(net.Conn) {
	return func(c net.Conn) {
		reply := func(s string) bool {
			_, err := io.WriteString(c, s+"\r\n")
			return err == nil
		}
		if !reply(greeting) {
			return
		}
		br := bufio.NewReader(c)
		user := ""
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
			switch strings.ToUpper(verb) {
			case "USER":
				user = arg
				if !reply("331 Please specify the password.") {
					return
				}
			case "PASS":
				if user == "" {
					if !reply("503 Login with USER first.") {
						return
					}
					continue
				}
				if strings.EqualFold(user, "anonymous") || strings.EqualFold(user, "ftp") {
					if !reply("230 Login successful.") {
						return
					}
					continue
				}
				if !reply("530 Login incorrect.") {
					return
				}
			case "QUIT":
				reply("221 Goodbye.")
				return
			default:
				if !reply("530 Please login with USER and PASS.") {
					return
				}
			}
		}
	}
}
