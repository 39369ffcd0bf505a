// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
)

// Telnet protocol bytes (RFC 854, 855).
const (
	telnetSE   = 240
	telnetSB   = 250
	telnetWILL = 251
	telnetWONT = 252
	telnetDO   = 253
	telnetDONT = 254
	telnetIAC  = 255

	telnetOptEcho = 1
	telnetOptSGA  = 3
)

// telnetNegotiator separates the data of a telnet stream from its commands
// and produces the replies a minimal client sends: it agrees to the server
// echoing and suppressing go-ahead, refuses every other option, skips
// subnegotiations, and answers each option request at most once per state so
// that negotiation cannot loop. Its state carries across Feed calls, so input
// may be split anywhere.
type telnetNegotiator struct {
	state   int // one of the tn* states
	cmd     byte
	replied [256]byte // last verb replied per option (0: none)
}

const (
	tnData = iota
	tnIAC
	tnOption // after WILL/WONT/DO/DONT, waiting for the option byte
	tnSB     // inside a subnegotiation
	tnSBIAC  // IAC inside a subnegotiation
)

// Feed consumes in and returns the data bytes it carried and the bytes to
// send back.
func (t *telnetNegotiator) Feed(in []byte) (data, reply []byte) {
	for _, b := range in {
		switch t.state {
		case tnData:
			if b == telnetIAC {
				t.state = tnIAC
			} else {
				data = append(data, b)
			}
		case tnIAC:
			switch b {
			case telnetIAC: // escaped 0xFF data byte
				data = append(data, b)
				t.state = tnData
			case telnetWILL, telnetWONT, telnetDO, telnetDONT:
				t.cmd = b
				t.state = tnOption
			case telnetSB:
				t.state = tnSB
			default: // NOP, GA, AYT, ... carry no option
				t.state = tnData
			}
		case tnOption:
			reply = append(reply, t.answer(t.cmd, b)...)
			t.state = tnData
		case tnSB:
			if b == telnetIAC {
				t.state = tnSBIAC
			}
		case tnSBIAC:
			switch b {
			case telnetSE:
				t.state = tnData
			default: // IAC IAC inside SB, or a stray byte: stay inside
				t.state = tnSB
			}
		}
	}
	return data, reply
}

// answer returns the reply to "IAC cmd opt", or nothing when the same
// answer was already sent for opt.
func (t *telnetNegotiator) answer(cmd, opt byte) []byte {
	var verb byte
	switch cmd {
	case telnetWILL:
		verb = telnetDONT
		if opt == telnetOptEcho || opt == telnetOptSGA {
			verb = telnetDO
		}
	case telnetDO:
		verb = telnetWONT
	default: // WONT, DONT: acknowledge with the matching negative once
		if cmd == telnetWONT {
			verb = telnetDONT
		} else {
			verb = telnetWONT
		}
	}
	if t.replied[opt] == verb {
		return nil
	}
	t.replied[opt] = verb
	return []byte{telnetIAC, verb, opt}
}

// Prompts and outcomes recognised on a telnet login. Anchored to the end of
// what has been received so far.
var (
	reLoginPrompt    = regexp.MustCompile(`(?i)(login|username|user name|user)\s*:\s*$`)
	rePasswordPrompt = regexp.MustCompile(`(?i)password\s*:\s*$`)
	reShellPrompt    = regexp.MustCompile(`[#$>%]\s*$`)
	reLoginFailed    = regexp.MustCompile(`(?i)(incorrect|invalid|failed|denied|bad password|wrong|error)`)
)

// telnetSession reads a telnet connection, answering negotiation.
type telnetSession struct {
	c   net.Conn
	neg telnetNegotiator
	buf []byte // data since the last expect match
	all strings.Builder
}

// expect reads until one of res matches the end of the data received since
// the last match and returns its index.
func (s *telnetSession) expect(res ...*regexp.Regexp) (int, error) {
	chunk := make([]byte, 2048)
	for {
		for i, re := range res {
			if re.Match(s.buf) {
				s.buf = s.buf[:0]
				return i, nil
			}
		}
		if len(s.buf) > 64<<10 {
			return -1, errors.New("telnet: no prompt in 64 KiB")
		}
		n, err := s.c.Read(chunk)
		if n > 0 {
			data, reply := s.neg.Feed(chunk[:n])
			s.buf = append(s.buf, data...)
			if s.all.Len() < 4096 {
				s.all.Write(data)
			}
			if len(reply) > 0 {
				if _, werr := s.c.Write(reply); werr != nil {
					return -1, werr
				}
			}
		}
		if err != nil {
			return -1, err
		}
	}
}

func (s *telnetSession) send(line string) error {
	_, err := io.WriteString(s.c, line+"\r\n")
	return err
}

// telnetLogin tries one credential on a fresh connection. It returns
// whether it was accepted and the text seen before the first prompt.
func (r *runner) telnetLogin(ctx context.Context, p Port, cred Credential) (ok bool, banner string, err error) {
	c, err := r.dial(ctx, "tcp", p.Number)
	if err != nil {
		return false, "", err
	}
	defer c.Close()
	s := &telnetSession{c: c}
	which, err := s.expect(reLoginPrompt, rePasswordPrompt)
	if err != nil {
		return false, "", fmt.Errorf("telnet: waiting for login prompt: %w", err)
	}
	banner = s.all.String()
	if which == 0 {
		if err := s.send(cred.User); err != nil {
			return false, banner, err
		}
		if _, err := s.expect(rePasswordPrompt); err != nil {
			return false, banner, fmt.Errorf("telnet: waiting for password prompt: %w", err)
		}
	}
	if err := s.send(cred.Password); err != nil {
		return false, banner, err
	}
	// A failure message or a new login prompt means refused; a shell
	// prompt means accepted. Check failure first: "Login incorrect\nlogin:".
	which, err = s.expect(reLoginFailed, reLoginPrompt, rePasswordPrompt, reShellPrompt)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return false, banner, nil // closed on us: refused
		}
		return false, banner, fmt.Errorf("telnet: waiting for login outcome: %w", err)
	}
	if which == 3 {
		_ = s.send("exit")
		return true, banner, nil
	}
	return false, banner, nil
}

// checkTelnet tries the credentials in order and stops at the first that
// logs in; the pre-login text of the first connection feeds the banner
// check.
func (r *runner) checkTelnet(ctx context.Context, p Port) error {
	if len(r.opts.Credentials) == 0 {
		return nil
	}
	for i, cred := range r.opts.Credentials {
		ok, banner, err := r.telnetLogin(ctx, p, cred)
		if err != nil {
			return err
		}
		if i == 0 {
			r.addBanner(p, "telnet pre-login banner", telnetBannerLine(banner))
		}
		if ok {
			r.add(credResult(p, cred, "telnet login"))
			return nil
		}
	}
	r.add(credRefused(p, len(r.opts.Credentials), "telnet login"))
	return nil
}

// telnetBannerLine drops the trailing prompt from pre-login text.
func telnetBannerLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return "" // only the prompt itself
}

func credResult(p Port, cred Credential, how string) Result {
	return Result{Check: CheckDefaultCredentials, Port: p.Number, Service: p.Service, Severity: Critical,
		Evidence: fmt.Sprintf("%s accepted default credential %s", how, cred)}
}

func credRefused(p Port, n int, how string) Result {
	return Result{Check: CheckDefaultCredentials, Port: p.Number, Service: p.Service, Severity: Critical,
		Evidence: fmt.Sprintf("%s refused all %d built-in credentials", how, n), Passed: true}
}
