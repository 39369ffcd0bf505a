// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"vigil/internal/text"
)

// ReadFTPReply reads one FTP reply (RFC 959 4.2), single-line ("230 OK") or
// multi-line ("230-..." up to a line starting with the same code and a
// space), and returns its code and text (lines joined by "\n", codes
// stripped). It reads at most 64 lines of at most 4 KiB.
func ReadFTPReply(r *bufio.Reader) (int, string, error) {
	var lines []string
	code := 0
	for n := 0; n < 64; n++ {
		line, err := readLine(r, 4096)
		if err != nil {
			if errors.Is(err, io.EOF) && len(lines) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, strings.Join(lines, "\n"), err
		}
		if code == 0 {
			if len(line) < 3 {
				return 0, line, fmt.Errorf("ftp: bad reply line %q", text.Truncate(line, 80))
			}
			c, err := strconv.Atoi(line[:3])
			if err != nil || c < 100 || c > 599 {
				return 0, line, fmt.Errorf("ftp: bad reply code in %q", text.Truncate(line, 80))
			}
			code = c
			if len(line) == 3 || line[3] == ' ' {
				return code, strings.TrimSpace(line[3:]), nil
			}
			if line[3] != '-' {
				return 0, line, fmt.Errorf("ftp: bad reply line %q", text.Truncate(line, 80))
			}
			lines = append(lines, strings.TrimSpace(line[4:]))
			continue
		}
		if len(line) >= 4 && line[:3] == strconv.Itoa(code) && line[3] == ' ' {
			lines = append(lines, strings.TrimSpace(line[4:]))
			return code, strings.Join(lines, "\n"), nil
		}
		if len(line) == 3 && line == strconv.Itoa(code) {
			return code, strings.Join(lines, "\n"), nil
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	return 0, strings.Join(lines, "\n"), errors.New("ftp: reply longer than 64 lines")
}

// readLine reads one CRLF- or LF-terminated line of at most max bytes.
func readLine(r *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		frag, err := r.ReadSlice('\n')
		b = append(b, frag...)
		if len(b) > max {
			return "", fmt.Errorf("line longer than %d bytes", max)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if len(b) > 0 && errors.Is(err, io.EOF) {
			break
		}
		return "", err
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// ftpLogin logs in with one credential on a fresh connection and returns
// whether it was accepted and the greeting.
func (r *runner) ftpLogin(ctx context.Context, p Port, cred Credential) (bool, string, error) {
	c, err := r.dial(ctx, "tcp", p.Number)
	if err != nil {
		return false, "", err
	}
	defer c.Close()
	br := bufio.NewReader(c)
	code, greeting, err := ReadFTPReply(br)
	if err != nil {
		return false, "", fmt.Errorf("ftp greeting: %w", err)
	}
	if code != 220 {
		return false, greeting, fmt.Errorf("ftp greeting: code %d %q", code, text.Truncate(greeting, 80))
	}
	cmd := func(line string) (int, error) {
		if _, err := io.WriteString(c, line+"\r\n"); err != nil {
			return 0, err
		}
		code, _, err := ReadFTPReply(br)
		return code, err
	}
	code, err = cmd("USER " + cred.User)
	if err != nil {
		return false, greeting, fmt.Errorf("ftp USER: %w", err)
	}
	if code == 331 || code == 332 {
		code, err = cmd("PASS " + cred.Password)
		if err != nil {
			return false, greeting, fmt.Errorf("ftp PASS: %w", err)
		}
	}
	_, _ = io.WriteString(c, "QUIT\r\n")
	return code == 230, greeting, nil
}

// checkFTPAnonymous tries the anonymous login; its greeting feeds the
// banner check.
func (r *runner) checkFTPAnonymous(ctx context.Context, p Port) error {
	ok, greeting, err := r.ftpLogin(ctx, p, Credential{User: "anonymous", Password: "probe@vigil.invalid"})
	if err != nil {
		return err
	}
	r.addBanner(p, "FTP greeting", greeting)
	res := Result{Check: CheckFTPAnonymous, Port: p.Number, Service: p.Service, Severity: High}
	if ok {
		res.Evidence = "anonymous FTP login accepted"
	} else {
		res.Passed = true
		res.Evidence = "anonymous FTP login refused"
	}
	r.add(res)
	return nil
}

// checkFTPCredentials tries the built-in credentials, one connection each.
func (r *runner) checkFTPCredentials(ctx context.Context, p Port) error {
	if len(r.opts.Credentials) == 0 {
		return nil
	}
	for _, cred := range r.opts.Credentials {
		ok, _, err := r.ftpLogin(ctx, p, cred)
		if err != nil {
			return err
		}
		if ok {
			r.add(credResult(p, cred, "FTP login"))
			return nil
		}
	}
	r.add(credRefused(p, len(r.opts.Credentials), "FTP login"))
	return nil
}
