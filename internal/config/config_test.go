// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"vigil/internal/errs"
)

var update = flag.Bool("update", false, "rewrite docs/CONFIGURATION.md's table")

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vigil.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaults(t *testing.T) {
	c := Defaults()
	if c.DB != "sqlite:vigil.db" || c.Notify.Sender != "vigil CERT" || c.Notify.DigestHour != 6 || c.Notify.MaxAttempts != 8 ||
		c.Notify.AllowPrivate || c.Labels.Issuer != "vigil trust center" || c.Actor != "operator" || c.Notify.SMTPURL != "" {
		t.Errorf("defaults = %+v", c)
	}
}

// TestPrecedence: default < file < environment (flags are bound by the
// caller over the result).
func TestPrecedence(t *testing.T) {
	file := writeFile(t, "db: postgres://file/vigil\nbase_url: https://file.example\nnotify:\n  sender: File CERT\n  digest_hour: 7\n  allow_private: true\nlabels:\n  keys: /file/keys\n")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(*Config)
	}{
		{"defaults_only", nil, nil, func(*Config) {}},
		{"file_by_flag", []string{"org", "list", "--config", file}, nil, func(c *Config) {
			c.DB, c.BaseURL, c.Notify.Sender, c.Notify.DigestHour, c.Notify.AllowPrivate, c.Labels.Keys =
				"postgres://file/vigil", "https://file.example", "File CERT", 7, true, "/file/keys"
		}},
		{"file_by_env", nil, map[string]string{EnvFile: file}, func(c *Config) {
			c.DB, c.BaseURL, c.Notify.Sender, c.Notify.DigestHour, c.Notify.AllowPrivate, c.Labels.Keys =
				"postgres://file/vigil", "https://file.example", "File CERT", 7, true, "/file/keys"
		}},
		{"env_over_file", []string{"--config=" + file}, map[string]string{"VIGIL_DB": "sqlite:env.db", "VIGIL_NOTIFY_DIGEST_HOUR": "5", "VIGIL_SMTP_URL": "sink:"},
			func(c *Config) {
				c.DB, c.BaseURL, c.Notify.Sender, c.Notify.DigestHour, c.Notify.AllowPrivate, c.Labels.Keys =
					"sqlite:env.db", "https://file.example", "File CERT", 5, true, "/file/keys"
				c.Notify.SMTPURL = "sink:"
			}},
		{"empty_env_is_unset", nil, map[string]string{"VIGIL_DB": ""}, func(*Config) {}},
		{"actor_from_user", nil, map[string]string{"USER": "alice"}, func(c *Config) { c.Actor = "alice" }},
		{"actor_over_user", nil, map[string]string{"USER": "alice", "VIGIL_ACTOR": "bob"}, func(c *Config) { c.Actor = "bob" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadFrom(tt.args, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			want := Defaults()
			tt.want(&want)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("config (-want +got):\n%s", d)
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"unknown_key", []string{"--config", writeFile(t, "db: x\nnotify:\n  smtp_host: mail\n")}, nil, "line 3: field smtp_host not found"},
		{"wrong_type", []string{"--config", writeFile(t, "notify:\n  digest_hour: six\n")}, nil, "line 2"},
		{"missing_file", []string{"--config", "/nonexistent/vigil.yaml"}, nil, "config: \"/nonexistent/vigil.yaml\": cannot read"},
		{"bad_int_env", nil, map[string]string{"VIGIL_NOTIFY_MAX_ATTEMPTS": "many"}, `VIGIL_NOTIFY_MAX_ATTEMPTS: "many": not an integer`},
		{"bad_bool_env", nil, map[string]string{"VIGIL_NOTIFY_ALLOW_PRIVATE": "perhaps"}, "VIGIL_NOTIFY_ALLOW_PRIVATE"},
		{"proxy_host_name_env", nil, map[string]string{"VIGIL_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"}, `trusted_proxies: "10.0.0.0/8, proxy.internal": "proxy.internal" is not an address`},
		{"proxy_host_bits_file", []string{"--config", writeFile(t, "trusted_proxies: 10.0.0.1/8\n")}, nil, "did you mean 10.0.0.0/8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFrom(tt.args, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || errs.CodeOf(err) != errs.Invalid {
				t.Errorf("error = %v (code %s); want invalid containing %q", err, errs.CodeOf(err), tt.wantErr)
			}
		})
	}
}

// TestSecretNotShown: the SMTP URL (with its password) is read from the
// file but never shown in the documented table.
func TestSecretNotShown(t *testing.T) {
	file := writeFile(t, "notify:\n  smtp_url: smtp://user:hunter2@mail.example\n")
	c, err := LoadFrom([]string{"--config", file}, env(nil))
	if err != nil || c.Notify.SMTPURL != "smtp://user:hunter2@mail.example" {
		t.Fatalf("smtp_url from file = %q, %v", c.Notify.SMTPURL, err)
	}
	if got := Markdown(); strings.Contains(got, "hunter2") {
		t.Error("the table shows a secret")
	}
}

func TestFileArg(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--config", "a.yaml", "org", "list"}, "a.yaml"},
		{[]string{"org", "list", "--config=b.yaml"}, "b.yaml"},
		{[]string{"org", "list", "--config"}, ""},
		{[]string{"ingest", "feed", "--", "--config=c.yaml"}, ""},
	}
	for _, tt := range tests {
		if got := FileArg(tt.args); got != tt.want {
			t.Errorf("FileArg(%q) = %q; want %q", tt.args, got, tt.want)
		}
	}
}

// TestTable checks the table itself: every field of Config has exactly one
// row, every row an environment variable and a doc, and the defaults parse.
func TestTable(t *testing.T) {
	seenKey, seenEnv, fields := map[string]bool{}, map[string]bool{}, map[any]string{}
	var c Config
	for _, s := range Settings() {
		if s.Env == "" || s.Doc == "" || !strings.HasPrefix(s.Env, "VIGIL_") {
			t.Errorf("%s: needs a VIGIL_ environment variable and a doc", s.Key)
		}
		if seenKey[s.Key] || seenEnv[s.Env] {
			t.Errorf("%s / %s twice", s.Key, s.Env)
		}
		seenKey[s.Key], seenEnv[s.Env] = true, true
		p := s.field(&c)
		if prev, ok := fields[p]; ok {
			t.Errorf("%s and %s set the same field", prev, s.Key)
		}
		fields[p] = s.Key
		// The file key reaches the same field.
		file := writeFile(t, yamlFor(s.Key, s.Default))
		got, err := LoadFrom([]string{"--config", file}, env(nil))
		if err != nil {
			t.Errorf("%s: the file key is not read: %v", s.Key, err)
			continue
		}
		if s.Default == "" {
			continue
		}
		if d := cmp.Diff(Defaults(), got); d != "" {
			t.Errorf("%s: file key with the default changes the config:\n%s", s.Key, d)
		}
	}
	if n := countFields(Config{}); n != len(fields) {
		t.Errorf("Config has %d settings, the table %d", n, len(fields))
	}
}

// countFields counts the leaf fields of a struct.
func countFields(v any) int {
	n := 0
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		if f := rt.Field(i); f.Type.Kind() == reflect.Struct {
			n += countFields(reflect.Zero(f.Type).Interface())
		} else {
			n++
		}
	}
	return n
}

func yamlFor(key, v string) string {
	parts := strings.Split(key, ".")
	var b strings.Builder
	for i, p := range parts {
		b.WriteString(strings.Repeat("  ", i) + p + ":")
		if i < len(parts)-1 {
			b.WriteString("\n")
		}
	}
	if v == "" {
		v = `""`
	}
	b.WriteString(" " + v + "\n")
	return b.String()
}

// TestDocumented keeps docs/CONFIGURATION.md's table equal to the code's
// (-update rewrites it).
func TestDocumented(t *testing.T) {
	const path = "../../docs/CONFIGURATION.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- settings:begin -->\n", "<!-- settings:end -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %q … %q markers", path, begin, end)
	}
	got := string(doc[i+len(begin) : j])
	if got == Markdown() {
		return
	}
	if *update {
		out := string(doc[:i+len(begin)]) + Markdown() + string(doc[j:])
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date (go test ./internal/config -update):\n%s", path, cmp.Diff(Markdown(), got))
}

// TestBind: a flag bound to a setting shows the configured value as its
// default (never a secret's), and a given flag wins.
func TestBind(t *testing.T) {
	c := Defaults()
	c.Notify.SMTPURL, c.Notify.Sender = "smtp://user:hunter2@mail.example", "File CERT"
	fs := pflag.NewFlagSet("notify run", pflag.ContinueOnError)
	Bind(fs, &c, "notify.smtp_url", "notify.sender", "notify.digest_hour", "notify.allow_private")
	if got := fs.Lookup("sender").DefValue; got != "File CERT" {
		t.Errorf("--sender default = %q", got)
	}
	if got := fs.Lookup("smtp-url").DefValue; got != "" {
		t.Errorf("--smtp-url shows the secret as its default: %q", got)
	}
	if fs.Lookup("from") != nil {
		t.Error("a setting not asked for got a flag")
	}
	if err := fs.Parse([]string{"--digest-hour", "7", "--allow-private"}); err != nil {
		t.Fatal(err)
	}
	if c.Notify.DigestHour != 7 || !c.Notify.AllowPrivate || c.Notify.SMTPURL != "smtp://user:hunter2@mail.example" {
		t.Errorf("after parsing: %+v", c.Notify)
	}
	if err := fs.Parse([]string{"--smtp-url", "sink:"}); err != nil || c.Notify.SMTPURL != "sink:" {
		t.Errorf("--smtp-url sink: gave %q, %v", c.Notify.SMTPURL, err)
	}
}

// TestDefaultsStayOffline: with the defaults nothing reaches the internet
// unasked: `vigil serve` and `vigil demo` do not refresh the RDAP bootstrap
// files from IANA unless rdap_refresh is turned on.
func TestDefaultsStayOffline(t *testing.T) {
	if c := Defaults(); c.RDAPRefresh {
		t.Error("rdap_refresh is on by default")
	}
	c, err := Load([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	if c.RDAPRefresh && os.Getenv("VIGIL_RDAP_REFRESH") == "" {
		t.Error("rdap_refresh on without being configured")
	}
}

// TestTrustedProxies reads the trusted proxy networks from the file and
// the environment (the environment wins), single addresses as one-address
// networks.
func TestTrustedProxies(t *testing.T) {
	c, err := LoadFrom([]string{"--config", writeFile(t, "trusted_proxies: 10.0.0.0/24\n")}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(c.TrustedProxyNets()), "[10.0.0.0/24]"; got != want {
		t.Errorf("from the file: %s; want %s", got, want)
	}
	c, err = LoadFrom([]string{"--config", writeFile(t, "trusted_proxies: 10.0.0.0/24\n")},
		env(map[string]string{"VIGIL_TRUSTED_PROXIES": " 192.0.2.7, 2001:db8::/32,,::ffff:198.51.100.0/120"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(c.TrustedProxyNets()), "[192.0.2.7/32 2001:db8::/32 198.51.100.0/24]"; got != want {
		t.Errorf("from the environment: %s; want %s", got, want)
	}
	if got := Defaults().TrustedProxyNets(); len(got) != 0 {
		t.Errorf("default: %v; want none", got)
	}
}
