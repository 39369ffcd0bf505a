// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// checkSSH tries each credential (password and keyboard-interactive) on a
// fresh SSH connection and stops at the first that authenticates.
func (r *runner) checkSSH(ctx context.Context, p Port) error {
	if len(r.opts.Credentials) == 0 {
		return nil
	}
	for _, cred := range r.opts.Credentials {
		ok, err := r.sshLogin(ctx, p, cred)
		if err != nil {
			return err
		}
		if ok {
			r.add(credResult(p, cred, "SSH login"))
			return nil
		}
	}
	r.add(credRefused(p, len(r.opts.Credentials), "SSH login"))
	return nil
}

func (r *runner) sshLogin(ctx context.Context, p Port, cred Credential) (bool, error) {
	c, err := r.dial(ctx, "tcp", p.Number)
	if err != nil {
		return false, err
	}
	defer c.Close()
	pass := cred.Password
	cfg := &ssh.ClientConfig{
		User: cred.User,
		Auth: []ssh.AuthMethod{
			ssh.Password(pass),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pass
				}
				return answers, nil
			}),
		},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), //nolint:gosec // probing: the host key is not what is judged
		Timeout:         r.opts.ConnTimeout,
	}
	sc, chans, reqs, err := ssh.NewClientConn(c, c.RemoteAddr().String(), cfg)
	if err != nil {
		// x/crypto/ssh has no typed error for a refused login.
		if strings.Contains(err.Error(), "unable to authenticate") {
			return false, nil
		}
		return false, fmt.Errorf("ssh: %w", err)
	}
	go ssh.DiscardRequests(reqs)
	go func() {
		for ch := range chans {
			_ = ch.Reject(ssh.Prohibited, "probe")
		}
	}()
	sc.Close()
	return true, nil
}
