// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"

	"golang.org/x/crypto/ssh"
)

// sshServer accepts exactly user/pass by password and rejects every
// channel.
func sshServer(user, pass string) (func(net.Conn), error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, err
	}
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(m ssh.ConnMetadata, p []byte) (*ssh.Permissions, error) {
			if eq(m.User(), user) && eq(string(p), pass) {
				return &ssh.Permissions{}, nil
			}
			return nil, errPasswordRejected
		},
	}
	cfg.AddHostKey(signer)
	return func(c net.Conn) {
		sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
		if err != nil {
			return
		}
		defer sc.Close()
		go ssh.DiscardRequests(reqs)
		for ch := range chans {
			_ = ch.Reject(ssh.Prohibited, "no shell on this device")
		}
	}, nil
}
