// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"vigil/internal/errs"
)

// TLSMode is how an SMTP connection is encrypted.
type TLSMode string

// The TLS modes.
const (
	// STARTTLSRequired upgrades with STARTTLS and fails without it.
	STARTTLSRequired TLSMode = "required"
	// STARTTLSOpportunistic upgrades when the server offers STARTTLS.
	STARTTLSOpportunistic TLSMode = "opportunistic"
	// TLSNone never encrypts (loopback relays and tests only).
	TLSNone TLSMode = "none"
	// TLSImplicit connects with TLS from the start (smtps, port 465).
	TLSImplicit TLSMode = "implicit"
)

// SMTPConfig configures the SMTP sender. Username and Password are never
// logged; String redacts them.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      TLSMode
	// TLSConfig overrides the TLS client configuration (tests set RootCAs).
	TLSConfig *tls.Config
	// From is the sender address; FromName its display name.
	From     string
	FromName string
	// HELO is the name given in EHLO (default: the local host name).
	HELO string
	// Timeout bounds connecting and each command (default 30s).
	Timeout time.Duration
	// Connections is the number of connections kept open (default 4).
	Connections int
	// OpenPGP signs every message as PGP/MIME when set, before DKIM.
	OpenPGP MIMESigner
	// DKIM signs every message when set.
	DKIM *DKIMConfig
}

// MIMESigner signs a whole message, returning the signed message (the
// service's OpenPGP key: PGP/MIME, RFC 3156). at is the signature time,
// the message's date.
type MIMESigner interface {
	Sign(raw []byte, at time.Time) ([]byte, error)
}

// DKIMConfig is a DKIM signing key (RFC 6376).
type DKIMConfig struct {
	Domain   string
	Selector string
	Signer   crypto.Signer // *rsa.PrivateKey or ed25519.PrivateKey
}

// ParseSMTPURL reads an SMTP URL: smtp://[user[:password]@]host[:port] or
// smtps://… for implicit TLS, with query parameters starttls
// (required, opportunistic or none; default required), from, from_name,
// helo, timeout (a Go duration) and connections. The default port is 587
// for smtp and 465 for smtps.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return c, errs.Field("smtp_url", redactURL(raw), "must be smtp://[user:password@]host[:port][?starttls=required|opportunistic|none]")
	}
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = STARTTLSRequired, 587
	case "smtps":
		c.TLS, c.Port = TLSImplicit, 465
	default:
		return c, errs.Field("smtp_url", redactURL(raw), "scheme must be smtp or smtps")
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, errs.Field("smtp_url", redactURL(raw), "no host name")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, errs.Field("smtp_url", redactURL(raw), "bad port")
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	q := u.Query()
	if v := q.Get("starttls"); v != "" {
		if c.TLS == TLSImplicit {
			return c, errs.Field("smtp_url", redactURL(raw), "starttls does not apply to smtps")
		}
		switch m := TLSMode(v); m {
		case STARTTLSRequired, STARTTLSOpportunistic, TLSNone:
			c.TLS = m
		default:
			return c, errs.Field("starttls", v, "must be required, opportunistic or none")
		}
	}
	c.From, c.FromName, c.HELO = q.Get("from"), q.Get("from_name"), q.Get("helo")
	if v := q.Get("timeout"); v != "" {
		if c.Timeout, err = time.ParseDuration(v); err != nil || c.Timeout <= 0 {
			return c, errs.Field("timeout", v, "must be a positive Go duration such as 30s")
		}
	}
	if v := q.Get("connections"); v != "" {
		if c.Connections, err = strconv.Atoi(v); err != nil || c.Connections < 1 || c.Connections > 64 {
			return c, errs.Field("connections", v, "must be 1 to 64")
		}
	}
	return c, nil
}

// String describes the configuration without credentials.
func (c SMTPConfig) String() string {
	auth := ""
	if c.Username != "" {
		auth = c.Username + ":***@"
	}
	return fmt.Sprintf("smtp://%s%s starttls=%s from=%s", auth, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.TLS, c.From)
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// MessageID returns the Message-ID (without angle brackets) of the
// delivery with idempotency key key from sender address from.
func MessageID(key, from string) string {
	domain := "vigil.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	return key + "@" + domain
}

// TicketHeader carries the notice's ticket in every warning e-mail, so
// that replies and returned messages (bounces quote the headers) can be
// matched to their notice.
const TicketHeader = "X-Vigil-Ticket"

// BuildMessage writes the MIME message of delivery m rendered as r: a
// multipart/mixed message whose first part is multipart/alternative (text,
// then HTML), whose second is the evidence CSV and whose others are the
// attachments att (the machine-readable documents). The Message-ID is
// derived from the idempotency key and the Date is the outbox row's, so
// every attempt produces the same message.
func BuildMessage(m Outgoing, r Rendered, from, fromName string, att ...Attachment) ([]byte, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	var err error
	if fromName != "" {
		err = msg.FromFormat(fromName, from)
	} else {
		err = msg.From(from)
	}
	if err != nil {
		return nil, &SendError{Permanent: true, Err: fmt.Errorf("sender address: %w", err)}
	}
	if err := msg.To(m.Recipient); err != nil {
		return nil, &SendError{Permanent: true, Bounce: true, Err: fmt.Errorf("recipient address: %w", err)}
	}
	msg.Subject(r.Subject)
	msg.SetMessageIDWithValue(MessageID(m.Key, from))
	msg.SetDateWithValue(m.Date)
	msg.SetGenHeader(mail.HeaderContentLang, r.Lang)
	msg.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	if m.Ticket != "" {
		msg.SetGenHeader(TicketHeader, string(m.Ticket))
	}
	if m.OptOutURL != "" {
		// RFC 2369 and RFC 8058: mail clients offer the opt-out, and a
		// POST of "List-Unsubscribe=One-Click" to the link records it.
		msg.SetGenHeader("List-Unsubscribe", "<"+m.OptOutURL+">")
		msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	if r.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	}
	if r.CSVName != "" {
		if err := msg.AttachReader(r.CSVName, bytes.NewReader(r.CSV), mail.WithFileContentType("text/csv")); err != nil {
			return nil, fmt.Errorf("attach evidence: %w", err)
		}
	}
	for _, a := range att {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("write message: %w", err)
	}
	return buf.Bytes(), nil
}

// dkimHeaders are the header fields DKIM signs (RFC 6376 §5.4.1).
var dkimHeaders = []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Language", "Auto-Submitted"}

// SignDKIM returns raw with a DKIM-Signature header (relaxed/relaxed,
// SHA-256).
func SignDKIM(raw []byte, c DKIMConfig) ([]byte, error) {
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain: c.Domain, Selector: c.Selector, Signer: c.Signer, Hash: crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: dkimHeaders,
	})
	if err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	return out.Bytes(), nil
}

// SMTPSender renders notices and sends them over a small pool of SMTP
// connections made with go-mail (STARTTLS policy, authentication,
// timeouts). It is safe for concurrent use; Close closes the connections.
type SMTPSender struct {
	cfg      SMTPConfig
	renderer *Renderer
	sender   string // the trust center's name in the texts
	client   *mail.Client
	pool     chan *smtp.Client
	slots    chan struct{}
}

// NewSMTPSender returns a sender for cfg. renderer renders the texts;
// sender is the trust center's name used in them.
func NewSMTPSender(cfg SMTPConfig, renderer *Renderer, sender string) (*SMTPSender, error) {
	if cfg.From == "" {
		return nil, errs.Field("smtp from", "", "a sender address is needed (from=… in the SMTP URL)")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Connections <= 0 {
		cfg.Connections = 4
	}
	if cfg.TLS == "" {
		cfg.TLS = STARTTLSRequired
	}
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case STARTTLSRequired:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case STARTTLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL())
	default:
		return nil, errs.Field("starttls", cfg.TLS, "must be required, opportunistic, none or implicit")
	}
	if cfg.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(cfg.TLSConfig))
	}
	if cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	client, err := mail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return &SMTPSender{cfg: cfg, renderer: renderer, sender: sender, client: client,
		pool: make(chan *smtp.Client, cfg.Connections), slots: make(chan struct{}, cfg.Connections)}, nil
}

// Render renders m as the message the sender would send (for previews
// and tests).
func (s *SMTPSender) Render(m Outgoing) ([]byte, error) {
	r, err := s.renderer.Render(m.Lang, View{Content: m.Content, NoticeID: m.NoticeID, Sender: s.sender,
		Recipient: m.Recipient, AckURL: m.AckURL, OptOutURL: m.OptOutURL, Ticket: m.Ticket, AccessCode: m.AccessCode, VerifyURL: m.VerifyURL,
		SchemaURL: m.SchemaURL, ContactSource: m.ContactSource})
	if err != nil {
		return nil, &SendError{Permanent: true, Err: err}
	}
	att, err := MachineAttachments(m, Reporter(s.sender, s.cfg.From))
	if err != nil {
		return nil, &SendError{Permanent: true, Err: err}
	}
	raw, err := BuildMessage(m, r, s.cfg.From, s.cfg.FromName, att...)
	if err != nil {
		return nil, err
	}
	if s.cfg.OpenPGP != nil {
		if raw, err = s.cfg.OpenPGP.Sign(raw, m.Date); err != nil {
			return nil, &SendError{Permanent: true, Err: err}
		}
	}
	if s.cfg.DKIM != nil {
		if raw, err = SignDKIM(raw, *s.cfg.DKIM); err != nil {
			return nil, &SendError{Permanent: true, Err: err}
		}
	}
	return raw, nil
}

// Send implements Sender.
func (s *SMTPSender) Send(ctx context.Context, m Outgoing) error {
	raw, err := s.Render(m)
	if err != nil {
		return err
	}
	return s.SendRaw(ctx, s.cfg.From, m.Recipient, raw)
}

// SendRaw sends a finished message. A connection that fails before DATA,
// or that the server closes with a 421 answer before DATA (an idle
// connection of the pool it timed out), is replaced and the message tried
// once more on a fresh one. A connection that fails after DATA began and
// before the server's final answer is a SendError with Unknown set: the
// message may have arrived, so it is never sent again by itself.
func (s *SMTPSender) SendRaw(ctx context.Context, from, to string, raw []byte) error {
	for try := 0; ; try++ {
		get := s.get
		if try > 0 {
			// Not another connection of the pool: the server may have
			// timed them all out.
			get = s.dial
		}
		c, err := get(ctx)
		if err != nil {
			return &SendError{Err: fmt.Errorf("connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err)}
		}
		sent, err := s.transaction(c, from, to, raw)
		if err == nil {
			s.put(c)
			return nil
		}
		var tp *textproto.Error
		if errors.As(err, &tp) && tp.Code == 421 && !sent && try == 0 {
			// The server is closing the channel (RFC 5321 §3.8): most
			// often an idle connection of the pool it timed out. Nothing
			// was sent; once more on a fresh connection.
			s.discard(c)
			continue
		}
		if errors.As(err, &tp) {
			// The server answered: the connection is fine after RSET.
			if c.Reset() == nil {
				s.put(c)
			} else {
				s.discard(c)
			}
			se := &SendError{Code: tp.Code, Permanent: tp.Code >= 500, Err: err}
			se.Bounce = se.Permanent && errors.Is(err, errRcpt)
			return se
		}
		s.discard(c)
		if sent {
			// The connection failed after the message began to leave and
			// before the server's final answer: it may have arrived.
			return &SendError{Unknown: true, Err: err}
		}
		if try > 0 {
			return &SendError{Err: err}
		}
	}
}

var errRcpt = errors.New("recipient refused")

// transaction runs MAIL, RCPT and DATA; sent reports whether the DATA
// phase began (after which a retry may duplicate the message).
func (s *SMTPSender) transaction(c *smtp.Client, from, to string, raw []byte) (sent bool, err error) {
	if err := c.UpdateDeadline(s.cfg.Timeout); err != nil {
		return false, err
	}
	if err := c.Mail(from); err != nil {
		return false, err
	}
	if err := c.Rcpt(to); err != nil {
		return false, fmt.Errorf("%w: %w", errRcpt, err)
	}
	w, err := c.Data()
	if err != nil {
		return false, err
	}
	if _, err := w.Write(raw); err != nil {
		return true, err
	}
	// After the final reply to DATA the session is ready for the next
	// MAIL (RFC 5321 §4.1.1.4); no RSET round trip is needed.
	return true, w.Close()
}

func (s *SMTPSender) get(ctx context.Context) (*smtp.Client, error) {
	select {
	case c := <-s.pool:
		return c, nil
	default:
	}
	select {
	case c := <-s.pool:
		return c, nil
	case s.slots <- struct{}{}:
		return s.dialSlot(ctx)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dial returns a new connection; when every slot is taken it closes an
// idle connection of the pool to free one.
func (s *SMTPSender) dial(ctx context.Context) (*smtp.Client, error) {
	for {
		select {
		case s.slots <- struct{}{}:
			return s.dialSlot(ctx)
		case c := <-s.pool:
			s.discard(c)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// dialSlot connects in a slot the caller took.
func (s *SMTPSender) dialSlot(ctx context.Context) (*smtp.Client, error) {
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		<-s.slots
		return nil, err
	}
	return c, nil
}

func (s *SMTPSender) put(c *smtp.Client) { s.pool <- c }

func (s *SMTPSender) discard(c *smtp.Client) {
	_ = c.Close()
	<-s.slots
}

// Close says QUIT on the idle connections and closes them.
func (s *SMTPSender) Close() error {
	var first error
	for {
		select {
		case c := <-s.pool:
			if err := c.Quit(); err != nil && first == nil && !errors.Is(err, io.EOF) {
				first = err
			}
			<-s.slots
		default:
			return first
		}
	}
}
