// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/ticket"
	"vigil/internal/xarf"
)

// testTLS returns a server certificate for 127.0.0.1 and a client
// configuration that trusts it.
func testTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtp sink"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

func startSink(t testing.TB, opts smtpsink.Options) *smtpsink.Sink {
	t.Helper()
	s, err := smtpsink.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testOutgoing(t testing.TB, lang string) notify.Outgoing {
	items := corpusItems(t, "2025-06-01-scan_exchange-vigil_test-asn.csv", "scan_exchange", "Vulnerable Exchange servers", "vulnerable-system")
	c := notify.Content{Kind: notify.KindDigest, Mode: notify.Daily, OrgID: 7, OrgName: "Ziekenhuis Midden", Items: items[:3], Severity: items[0].Severity}
	return notify.Outgoing{OutboxID: 1, Key: notify.IdempotencyKey(42, notify.Email, "csirt@ziekenhuis.example"), NoticeID: 42, OrgID: 7,
		Channel: notify.Email, Recipient: "csirt@ziekenhuis.example", Lang: lang, Content: c, AckURL: "https://vigil.example.nl/ack/TOKEN",
		Ticket: "VGL-7K3P-Q9XD", AccessCode: ticket.AccessCode([]byte("test key"), "VGL-7K3P-Q9XD"), VerifyURL: "https://vigil.example.nl/verify",
		SchemaURL: "https://vigil.example.nl/schemas/notice.json",
		Date:      time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)}
}

func TestSMTPSendSTARTTLSAuthDKIM(t *testing.T) {
	t.Parallel()
	srvTLS, cliTLS := testTLS(t)
	sink := startSink(t, smtpsink.Options{TLS: srvTLS, Users: map[string]string{"vigil": "s3cret"}})
	dkimKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := notify.ParseSMTPURL("smtp://vigil:s3cret@127.0.0.1?starttls=required&from=cert@vigil.example.nl&from_name=vigil%20CERT&timeout=5s&connections=2")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = sink.Port()
	cfg.TLSConfig = cliTLS
	cfg.DKIM = &notify.DKIMConfig{Domain: "vigil.example.nl", Selector: "mail2025", Signer: dkimKey}
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := notify.NewSMTPSender(cfg, r, "vigil CERT")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m := testOutgoing(t, "nl")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	msgs := sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sink got %d messages", len(msgs))
	}
	got := msgs[0]
	if !got.TLS || got.User != "vigil" || got.From != "cert@vigil.example.nl" || !cmp.Equal(got.To, []string{m.Recipient}) {
		t.Errorf("envelope: tls=%v user=%q from=%q to=%v", got.TLS, got.User, got.From, got.To)
	}

	// DKIM verifies against the public key published for the selector.
	pub, _ := x509.MarshalPKIXPublicKey(&dkimKey.PublicKey)
	txt := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(got.Data), &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
		if domain != "mail2025._domainkey.vigil.example.nl" {
			return nil, errors.New("no such record: " + domain)
		}
		return []string{txt}, nil
	}})
	if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "vigil.example.nl" {
		t.Fatalf("DKIM verification = %+v, %v", vs, err)
	}
	// A changed byte breaks it.
	tampered := bytes.Replace(got.Data, []byte("Ziekenhuis Midden"), []byte("Ziekenhuis Oost"), 1)
	vs, _ = dkim.VerifyWithOptions(bytes.NewReader(tampered), &dkim.VerifyOptions{LookupTXT: func(string) ([]string, error) { return []string{txt}, nil }})
	if len(vs) != 1 || vs[0].Err == nil {
		t.Error("DKIM verified a tampered message")
	}

	// The MIME structure: mixed(alternative(text, html), csv).
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(h.Get("Subject"))
	wantHeaders := map[string]string{
		"Message-Id":       "<" + m.Key + "@vigil.example.nl>",
		"Content-Language": "nl",
		"Auto-Submitted":   "auto-generated",
		"X-Vigil-Ticket":   "VGL-7K3P-Q9XD",
		"To":               "<csirt@ziekenhuis.example>",
		"Subject":          "[vigil CERT] Dagelijks overzicht voor Ziekenhuis Midden: 3 bevindingen, hoogste ernst kritiek [VGL-7K3P-Q9XD]",
	}
	gotHeaders := map[string]string{"Subject": subject}
	for k := range wantHeaders {
		if k != "Subject" {
			gotHeaders[k] = h.Get(k)
		}
	}
	if diff := cmp.Diff(wantHeaders, gotHeaders); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if from, _ := dec.DecodeHeader(h.Get("From")); from != `"vigil CERT" <cert@vigil.example.nl>` {
		t.Errorf("From = %q", from)
	}
	if d, _ := h.Date(); !d.Equal(m.Date) {
		t.Errorf("Date = %v; want the outbox row's %v", d, m.Date)
	}
	parts := mimeParts(t, h.Get("Content-Type"), msg.Body)
	want := []string{"multipart/alternative", "text/plain", "text/html", "text/csv; vigil-evidence-VGL-7K3P-Q9XD.csv",
		"application/json; vigil-notice-VGL-7K3P-Q9XD.json", "application/json; vigil-xarf-VGL-7K3P-Q9XD-1.json",
		"application/json; vigil-xarf-VGL-7K3P-Q9XD-2.json", "application/json; vigil-xarf-VGL-7K3P-Q9XD-3.json"}
	var types []string
	for _, p := range parts {
		types = append(types, p.kind)
	}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Fatalf("MIME parts (-want +got):\n%s", diff)
	}
	if !strings.Contains(parts[1].body, "Wat we zagen:") || !strings.Contains(parts[2].body, "<html lang=\"nl\">") {
		t.Error("text or HTML part is not the Dutch rendering")
	}
	if !strings.HasPrefix(parts[3].body, "trigger,type,severity,key,") || strings.Count(parts[3].body, "\r\n") != 4 {
		t.Errorf("CSV attachment = %q", parts[3].body)
	}
	// The machine-readable attachments, as received, validate against
	// their schemas: the notice document (the webhook body) and one X-ARF
	// report per abuse-type finding (the three vulnerable Exchange servers).
	if err := notify.ValidateDocument([]byte(parts[4].body)); err != nil {
		t.Errorf("notice document: %v\n%s", err, parts[4].body)
	}
	var doc notify.Document
	if err := json.Unmarshal([]byte(parts[4].body), &doc); err != nil || doc.Ticket != m.Ticket || doc.ID != m.Key || len(doc.Items) != 3 ||
		doc.Schema != m.SchemaURL {
		t.Errorf("notice document = %+v, %v", doc, err)
	}
	for _, p := range parts[5:] {
		if err := xarf.Validate([]byte(p.body)); err != nil {
			t.Errorf("%s: %v\n%s", p.kind, err, p.body)
		}
		if !strings.Contains(p.body, `"category": "vulnerability"`) || !strings.Contains(p.body, `"contact": "cert@vigil.example.nl"`) {
			t.Errorf("%s = %s", p.kind, p.body)
		}
	}

	// A retry of the same delivery repeats Message-ID, Date and Subject
	// (MIME boundaries and the DKIM timestamp differ), so receivers can
	// drop the duplicate.
	a, _ := s.Render(m)
	b, _ := s.Render(m)
	ma, _ := mail.ReadMessage(bytes.NewReader(a))
	mb, _ := mail.ReadMessage(bytes.NewReader(b))
	for _, k := range []string{"Message-Id", "Date", "Subject"} {
		if ma.Header.Get(k) != mb.Header.Get(k) || ma.Header.Get(k) == "" {
			t.Errorf("two renderings differ in %s: %q, %q", k, ma.Header.Get(k), mb.Header.Get(k))
		}
	}
}

type part struct{ kind, body string }

// mimeParts flattens a MIME tree into its parts (multipart containers
// listed before their children), with transfer encodings decoded.
func mimeParts(t *testing.T, ct string, body io.Reader) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("not multipart: %s", mt)
	}
	var out []part
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if strings.HasPrefix(pt, "multipart/") {
			out = append(out, part{kind: pt})
			out = append(out, mimeParts(t, p.Header.Get("Content-Type"), p)...)
			continue
		}
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, _ := io.ReadAll(r)
		kind := pt
		if _, dp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
			kind += "; " + dp["filename"]
		} else if pp["name"] != "" {
			kind += "; " + pp["name"]
		}
		out = append(out, part{kind: kind, body: string(b)})
	}
}

func TestSMTPFailures(t *testing.T) {
	t.Parallel()
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	sender := func(t *testing.T, sink *smtpsink.Sink, tlsMode notify.TLSMode) *notify.SMTPSender {
		s, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), TLS: tlsMode, From: "cert@vigil.example.nl", Timeout: 5 * time.Second}, r, "vigil CERT")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	tests := []struct {
		name      string
		rcpt      error
		tls       notify.TLSMode
		code      int
		permanent bool
		bounce    bool
	}{
		{"mailbox_unknown_is_a_bounce", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, notify.TLSNone, 550, true, true},
		{"greylisted_is_retried", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "try again later"}, notify.TLSNone, 451, false, false},
		{"starttls_required_but_not_offered", nil, notify.STARTTLSRequired, 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := startSink(t, smtpsink.Options{Rcpt: func(string) error { return tc.rcpt }})
			err := sender(t, sink, tc.tls).Send(context.Background(), testOutgoing(t, "en"))
			var se *notify.SendError
			if !errors.As(err, &se) || se.Code != tc.code || se.Permanent != tc.permanent || se.Bounce != tc.bounce {
				t.Errorf("Send = %v (%+v); want code %d permanent=%v bounce=%v", err, se, tc.code, tc.permanent, tc.bounce)
			}
			if sink.Count() != 0 {
				t.Errorf("sink accepted %d messages", sink.Count())
			}
		})
	}
	t.Run("connection_closed_with_421_is_redialled", func(t *testing.T) {
		// A server that timed out an idle connection of the pool answers
		// the next command with 421 and closes it (RFC 5321 §3.8): the
		// message goes out on a fresh connection, once.
		t.Parallel()
		sink := startSink(t, smtpsink.Options{})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for i := 0; ; i++ {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				if i == 0 {
					go closeIdle(c)
					continue
				}
				go proxySMTP(c, sink.Addr())
			}
		}()
		port := ln.Addr().(*net.TCPAddr).Port
		s, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: notify.TLSNone, From: "cert@vigil.example.nl", Timeout: 5 * time.Second}, r, "vigil CERT")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Send(context.Background(), testOutgoing(t, "en")); err != nil {
			t.Fatalf("Send = %v; want it sent on a fresh connection", err)
		}
		if sink.Count() != 1 {
			t.Errorf("sink count %d; want 1", sink.Count())
		}
	})
	t.Run("connection_lost_after_data_is_unknown", func(t *testing.T) {
		// The server takes the whole message and the connection ends
		// before its final answer: the message may have arrived, so the
		// send is neither retried here nor reported as a plain failure.
		t.Parallel()
		port, accepted := dropAfterData(t)
		s, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: notify.TLSNone, From: "cert@vigil.example.nl", Timeout: 5 * time.Second}, r, "vigil CERT")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		err = s.Send(context.Background(), testOutgoing(t, "en"))
		if !notify.IsUnknown(err) || notify.IsPermanent(err) {
			t.Errorf("Send = %v; want an unknown outcome", err)
		}
		if n := accepted(); n != 1 {
			t.Errorf("the server saw %d connections; want 1 (no second try)", n)
		}
	})
	t.Run("connection_reused_after_refusal", func(t *testing.T) {
		t.Parallel()
		n := 0
		sink := startSink(t, smtpsink.Options{Rcpt: func(string) error {
			n++
			if n == 1 {
				return &smtp.SMTPError{Code: 452, Message: "too many recipients"}
			}
			return nil
		}})
		s := sender(t, sink, notify.TLSNone)
		if err := s.Send(context.Background(), testOutgoing(t, "en")); err == nil {
			t.Fatal("first send succeeded")
		}
		if err := s.Send(context.Background(), testOutgoing(t, "en")); err != nil {
			t.Fatalf("second send: %v", err)
		}
		if sink.Count() != 1 {
			t.Errorf("sink count %d", sink.Count())
		}
	})
}

func TestParseSMTPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want notify.SMTPConfig
		err  bool
	}{
		{"smtp://mail.example.nl", notify.SMTPConfig{Host: "mail.example.nl", Port: 587, TLS: notify.STARTTLSRequired}, false},
		{"smtp://u:p%40ss@mail.example.nl:2525?starttls=opportunistic&from=a@b.example&connections=8&timeout=10s",
			notify.SMTPConfig{Host: "mail.example.nl", Port: 2525, TLS: notify.STARTTLSOpportunistic, Username: "u", Password: "p@ss", From: "a@b.example", Connections: 8, Timeout: 10 * time.Second}, false},
		{"smtps://relay.example.nl", notify.SMTPConfig{Host: "relay.example.nl", Port: 465, TLS: notify.TLSImplicit}, false},
		{"smtps://relay.example.nl?starttls=none", notify.SMTPConfig{}, true},
		{"http://mail.example.nl", notify.SMTPConfig{}, true},
		{"smtp://mail.example.nl?starttls=maybe", notify.SMTPConfig{}, true},
		{"smtp://mail.example.nl:99999", notify.SMTPConfig{}, true},
		{"smtp://mail.example.nl?connections=0", notify.SMTPConfig{}, true},
		{"mail.example.nl", notify.SMTPConfig{}, true},
	}
	for _, tc := range tests {
		got, err := notify.ParseSMTPURL(tc.in)
		if tc.err {
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("ParseSMTPURL(%q) = %v; want an invalid error", tc.in, err)
			}
			if err != nil && strings.Contains(err.Error(), "p@ss") {
				t.Errorf("error leaks the password: %v", err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSMTPURL(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "TLSConfig" || p.String() == "DKIM" }, cmp.Ignore())); diff != "" {
			t.Errorf("ParseSMTPURL(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	c, _ := notify.ParseSMTPURL("smtp://user:topsecret@mail.example.nl")
	if s := c.String(); strings.Contains(s, "topsecret") {
		t.Errorf("String leaks the password: %s", s)
	}
	if _, err := notify.ParseSMTPURL("smtp://user:topsecret@mail.example.nl:bad"); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("bad URL error = %v", err)
	}
}

// closeIdle plays a server that timed the connection out: it greets,
// answers EHLO, and answers the next command with 421 and closes.
func closeIdle(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "220 fake ESMTP\r\n")
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		line := strings.ToUpper(string(buf[:n]))
		if strings.HasPrefix(line, "EHLO") || strings.HasPrefix(line, "HELO") {
			io.WriteString(c, "250 fake\r\n")
			continue
		}
		io.WriteString(c, "421 4.4.2 Idle timeout, bye bye\r\n")
		return
	}
}

// dropAfterData serves SMTP on loopback until the end of the test: it
// accepts the sender, the recipient and the whole message, then closes
// the connection without the final answer. It returns its port and a
// count of the connections it accepted.
func dropAfterData(t *testing.T) (port int, accepted func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				io.WriteString(c, "220 fake ESMTP\r\n")
				data := false
				for {
					line, err := br.ReadString('\n')
					if err != nil {
						return
					}
					switch up := strings.ToUpper(line); {
					case data && line == ".\r\n":
						return // the whole message arrived: close, no answer
					case data:
					case strings.HasPrefix(up, "DATA"):
						data = true
						io.WriteString(c, "354 go ahead\r\n")
					default:
						io.WriteString(c, "250 ok\r\n")
					}
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, func() int { return int(n.Load()) }
}

// proxySMTP joins c to the server at addr both ways.
func proxySMTP(c net.Conn, addr string) {
	defer c.Close()
	up, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer up.Close()
	go io.Copy(up, c) //nolint:errcheck // ends with the connection
	io.Copy(c, up)    //nolint:errcheck // ends with the connection
}
