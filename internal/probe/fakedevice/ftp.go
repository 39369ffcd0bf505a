// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"bufio"
	"io"
	"net"
	"strings"
)

// ftpServer speaks just enough FTP for logins: anonymous (with any
// password) when allowed, and user/pass when user is set; every other login
// is refused.
func ftpServer(greeting string, anonymous bool, user, pass string) func(net.Conn) {
	return func(c net.Conn) {
		reply := func(s string) bool {
			_, err := io.WriteString(c, s+"\r\n")
			return err == nil
		}
		if !reply(greeting) {
			return
		}
		br := bufio.NewReader(c)
		name := ""
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
			switch strings.ToUpper(verb) {
			case "USER":
				name = arg
				if !reply("331 Please specify the password.") {
					return
				}
			case "PASS":
				if name == "" {
					if !reply("503 Login with USER first.") {
						return
					}
					continue
				}
				ok := anonymous && (strings.EqualFold(name, "anonymous") || strings.EqualFold(name, "ftp"))
				if ok || (user != "" && name == user && arg == pass) {
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
