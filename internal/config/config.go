// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package config is vigil's one configuration: every setting with its
// default, its environment variable and its key in the optional YAML
// configuration file, in one table (Settings). It is the only package that
// reads the environment.
//
// Precedence, lowest first: the default, the configuration file (--config
// FILE or VIGIL_CONFIG), the environment, then the command-line flags, which
// cmd/vigil binds to the fields of the Config that Load returned. main loads
// the Config once and hands it down; no other package looks anything up by
// itself.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"vigil/internal/errs"
)

// Config is every setting of vigil. The zero value is not useful: take it
// from Load or Defaults.
type Config struct {
	// DB is the database: sqlite:PATH or postgres://….
	DB string `yaml:"db"`
	// BaseURL is the public URL of vigil serve: acknowledgement links in
	// warnings and the label registry in labels' QR codes point there.
	BaseURL string `yaml:"base_url"`
	// Actor is who acts, recorded in assessment and label history.
	Actor string `yaml:"actor"`
	// Addr is the listen address of vigil serve.
	Addr string `yaml:"addr"`
	// LogFormat is how log lines are written: text or json.
	LogFormat string `yaml:"log_format"`
	// Drain is how long vigil serve answers /readyz with 503 after a stop
	// signal before it stops taking requests (a load balancer's time to
	// take the node out).
	Drain string `yaml:"drain"`
	// RDAPRefresh lets vigil serve fetch the IANA RDAP bootstrap files
	// daily; off (the default), the bundled or last refreshed files stay
	// in use.
	RDAPRefresh bool `yaml:"rdap_refresh"`
	// TrustedProxies lists, comma-separated, the networks (CIDRs or single
	// addresses) of the reverse proxies in front of vigil serve. Only a
	// request whose direct peer is in one of them has its client taken
	// from X-Forwarded-For (TrustedProxyNets); empty: the header is never
	// trusted.
	TrustedProxies string `yaml:"trusted_proxies"`

	Notify  Notify  `yaml:"notify"`
	Labels  Labels  `yaml:"labels"`
	Sources Sources `yaml:"sources"`
	// Retention is how long personal data is kept (the daily purge).
	Retention Retention `yaml:"retention"`
	// Ingest is how `vigil serve` nodes share large feed files.
	Ingest Ingest `yaml:"ingest"`
	// Jobs tunes the job queue that `vigil serve` nodes share.
	Jobs Jobs `yaml:"jobs"`
	// Vuln tunes vulnerability matching.
	Vuln Vuln `yaml:"vuln"`
	// Portal are the limits of what portal accounts may do.
	Portal  Portal  `yaml:"portal"`
	Profile Profile `yaml:"profile"`
}

// Sources are the settings of scheduled sources and their alerts.
type Sources struct {
	// AlertTo is the operator's address that missing-feed alerts are
	// e-mailed to (empty: the call list only).
	AlertTo string `yaml:"alert_to"`
	// MaxFailures is the number of failed runs in a row that raise an
	// alert.
	MaxFailures int `yaml:"max_failures"`
	// AllowPrivate lets sources reach loopback and private addresses.
	AllowPrivate bool `yaml:"allow_private"`
	// NVDPace is the least time between two NVD API requests, as a Go
	// duration (empty: NVD's published limit, 6s without a key, 0.6s
	// with one).
	NVDPace string `yaml:"nvd_pace"`
}

// Ingest are the settings of split ingests: a feed file handed to `vigil
// serve` that is larger than PartBytes is kept in SharedDir and ingested as
// one run in parts of about PartBytes, jobs any node may claim.
type Ingest struct {
	// SharedDir is a directory every node reads and writes at the same
	// path (empty: files are never split).
	SharedDir string `yaml:"shared_dir"`
	// PartBytes is the size above which a file is split, and about the
	// size of each part (0: never split).
	PartBytes int `yaml:"part_bytes"`
	// PartTimeout bounds one attempt at a part, as a Go duration; an
	// attempt cut short resumes at the part's last committed batch.
	PartTimeout string `yaml:"part_timeout"`
	// BatchRows is the number of feed rows committed per transaction
	// (each batch is also a resume point).
	BatchRows int `yaml:"batch_rows"`
}

// Vuln are the settings of vulnerability matching.
type Vuln struct {
	// MatchMemory is the memory budget of a full re-match in MiB: the
	// process's memory limit while it holds every advisory compiled, so
	// that the garbage collector runs only when the heap nears it (0: no
	// budget; the collector runs each time the heap has grown by a
	// quarter).
	MatchMemory int `yaml:"match_memory"`
}

// Portal are the limits of the portal's self-service: invitations go out
// by e-mail from the CERT's address and quote the organisation's name, so
// a member's account must not become a mailer.
type Portal struct {
	// InvitesPerOrgDay is how many invitations an organisation may send
	// in 24 hours, by all its members together (0: no limit).
	InvitesPerOrgDay int `yaml:"invites_per_org_day"`
	// InvitesPerAccountDay is how many invitations one account may send
	// in 24 hours, for all the organisations it acts for (0: no limit).
	InvitesPerAccountDay int `yaml:"invites_per_account_day"`
}

// Jobs are the settings of the job queue.
type Jobs struct {
	// RescueAfter is how long a job may stay running before the leader
	// takes it for stuck (its node died) and retries it, as a Go duration.
	// It must not be shorter than any job kind's timeout
	// (ingest.part_timeout, a source run's lease), nor as long as
	// notify.run_grace; below a minute it caps the fixed ones.
	RescueAfter string `yaml:"rescue_after"`
}

// Retention is how many days each kind of personal data is kept before
// the daily purge removes it (0: kept until erased by hand).
type Retention struct {
	// NoticesDays keeps notices (with their deliveries and replies); an
	// organisation's stay at least its quiet interval (renotify_after).
	NoticesDays int `yaml:"notices_days"`
	// RepliesDays keeps replies and other inbound mail to notices.
	RepliesDays int `yaml:"replies_days"`
	// BouncesDays keeps bounce records (the suppression list).
	BouncesDays int `yaml:"bounces_days"`
	// AuditDays keeps audit log entries.
	AuditDays int `yaml:"audit_days"`
	// SignupsDays keeps an account made by signing up and never confirmed
	// for this many days after its confirmation link expired.
	SignupsDays int `yaml:"signups_days"`
}

// Notify are the settings of notice composition and delivery.
type Notify struct {
	// SMTPURL is the mail server (smtp://user:pass@host:port?starttls=…,
	// smtps://…, or sink: for an in-process sink); empty: no e-mail. It
	// carries a password: never log it.
	SMTPURL string `yaml:"smtp_url"`
	// From is the sender address unless the SMTP URL has from=….
	From string `yaml:"from"`
	// Sender is the trust center's name in warnings.
	Sender string `yaml:"sender"`
	// DKIMKey is a PEM private key file (RSA or Ed25519) to DKIM-sign mail.
	DKIMKey string `yaml:"dkim_key"`
	// DKIMDomain is the signing domain (default: the sender's domain).
	DKIMDomain   string `yaml:"dkim_domain"`
	DKIMSelector string `yaml:"dkim_selector"`
	// DNSServer is the DNS server (host:port) vigil asset verify and mail
	// dkim check ask;
	// empty: the system resolver.
	DNSServer string `yaml:"dns_server"`
	// Templates is a directory of template overrides.
	Templates string `yaml:"templates"`
	// DefaultMode, DefaultMinSeverity and DefaultRenotify are the
	// operator's default policy for organisations without their own.
	DefaultMode        string `yaml:"default_mode"`
	DefaultMinSeverity string `yaml:"default_min_severity"`
	DefaultRenotify    string `yaml:"default_renotify"`
	// DigestHour is the hour of the day (UTC) at which digests become due.
	DigestHour int `yaml:"digest_hour"`
	// ImmediateCap is the operator's default of immediate notices an
	// organisation gets a day before further non-critical ones fold into
	// its next digest (0: no cap); an organisation's policy may set its own.
	ImmediateCap int `yaml:"immediate_cap"`
	// RunGrace is how long composition waits for a source run that stopped
	// without ending (an interrupted ingest never resumed) before it
	// composes what the run found, as a Go duration. It must be longer
	// than Jobs.RescueAfter (a part retried after the grace could resume a
	// run whose content was ingested anew).
	RunGrace string `yaml:"run_grace"`
	// MaxAttempts is how often a delivery is tried before it is dead.
	MaxAttempts int `yaml:"max_attempts"`
	// Lease is how long a node's claim on an outbox row lasts, as a Go
	// duration, before another node takes the row over (a send begun under
	// it then ends unknown, for the operator).
	Lease string `yaml:"lease"`
	// AllowPrivate lets webhooks reach loopback and private addresses.
	AllowPrivate bool `yaml:"allow_private"`
}

// Labels are the settings of the label workflow.
type Labels struct {
	// Keys is the signing key directory (empty: vigil-keys next to the
	// SQLite database, or ./vigil-keys).
	Keys string `yaml:"keys"`
	// KeysSecret is the secret (64 hex digits) label private keys kept in
	// a PostgreSQL database are encrypted with; KeysSecretFile names a
	// file holding it.
	KeysSecret     string `yaml:"keys_secret"`
	KeysSecretFile string `yaml:"keys_secret_file"`
	// Issuer names the label issuer.
	Issuer string `yaml:"issuer"`
	// PublicFleetSources lists, comma-separated, the feed sources (e.g.
	// shadowserver) whose fleet counts the public label registry page
	// shows; empty: none.
	PublicFleetSources string `yaml:"public_fleet_sources"`
}

// Profile names the files CPU and heap profiles are written to (empty:
// none), for benchmarks.
type Profile struct {
	CPU    string `yaml:"cpu"`
	Memory string `yaml:"memory"`
}

// Setting is one row of the configuration table.
type Setting struct {
	// Key is the setting's path in the configuration file (notify.from).
	Key string
	// Env is its environment variable; Fallback is read when Env is unset.
	Env, Fallback string
	// Default is its value when nothing sets it, as text.
	Default string
	// Doc says what it is.
	Doc string
	// Secret settings are never printed (help, logs, errors).
	Secret bool
	// field points at the setting in a Config.
	field func(*Config) any
}

// Settings returns the configuration table, in documentation order.
func Settings() []Setting {
	return []Setting{
		{Key: "db", Env: "VIGIL_DB", Default: "sqlite:vigil.db", Doc: "database: `sqlite:PATH` or `postgres://…`",
			field: func(c *Config) any { return &c.DB }},
		{Key: "base_url", Env: "VIGIL_BASE_URL", Default: "http://127.0.0.1:8080",
			Doc:   "public URL of `vigil serve`: acknowledgement links in warnings, the label registry in labels' QR codes",
			field: func(c *Config) any { return &c.BaseURL }},
		{Key: "actor", Env: "VIGIL_ACTOR", Fallback: "USER", Default: "operator", Doc: "who acts, recorded in assessment and label history",
			field: func(c *Config) any { return &c.Actor }},
		{Key: "addr", Env: "VIGIL_ADDR", Default: "127.0.0.1:8080", Doc: "listen address of `vigil serve`",
			field: func(c *Config) any { return &c.Addr }},
		{Key: "log_format", Env: "VIGIL_LOG_FORMAT", Default: "text", Doc: "log lines on standard error: `text` (key=value) or `json` (one JSON object a line with time, level, msg and, for HTTP requests, request_id)",
			field: func(c *Config) any { return &c.LogFormat }},
		{Key: "drain", Env: "VIGIL_DRAIN", Default: "5s", Doc: "after SIGTERM, how long `vigil serve` answers `/readyz` with 503 (draining) while still serving, before it stops taking requests",
			field: func(c *Config) any { return &c.Drain }},
		{Key: "rdap_refresh", Env: "VIGIL_RDAP_REFRESH", Default: "false",
			Doc:   "`vigil serve` fetches the IANA RDAP bootstrap files daily (off by default, so that nothing reaches the internet unasked: the bundled files, or the last ones `vigil contact bootstrap` fetched, stay in use)",
			field: func(c *Config) any { return &c.RDAPRefresh }},
		{Key: "trusted_proxies", Env: "VIGIL_TRUSTED_PROXIES",
			Doc:   "networks of the reverse proxies in front of `vigil serve`, comma-separated CIDRs or addresses (`10.0.0.0/8, 2001:db8::1`); only a request whose direct peer is in one of them has its client address (rate limits of sign-in, reset, sign-up and the public checks) taken from `X-Forwarded-For`: the rightmost address that is not itself a trusted proxy; empty (the default): the header is never trusted",
			field: func(c *Config) any { return &c.TrustedProxies }},
		{Key: "notify.smtp_url", Env: "VIGIL_SMTP_URL", Secret: true,
			Doc:   "SMTP server: `smtp://user:pass@host:port?starttls=…` (required, opportunistic or none), `smtps://…`, or `sink:` (an in-process sink); empty: no e-mail (e-mail rows stay pending, and the portal's sign-up, password reset and invitation forms say so and refuse)",
			field: func(c *Config) any { return &c.Notify.SMTPURL }},
		{Key: "notify.from", Env: "VIGIL_SMTP_FROM", Doc: "sender address, unless the SMTP URL has `from=…` (default `vigil@localhost`)",
			field: func(c *Config) any { return &c.Notify.From }},
		{Key: "notify.sender", Env: "VIGIL_SENDER", Default: "vigil CERT", Doc: "the trust center's name in warnings",
			field: func(c *Config) any { return &c.Notify.Sender }},
		{Key: "notify.dkim_key", Env: "VIGIL_DKIM_KEY", Doc: "PEM private key file (RSA or Ed25519) to DKIM-sign mail (default: `dkim-<selector>.key` in the label key directory, where `vigil mail dkim init` puts it)",
			field: func(c *Config) any { return &c.Notify.DKIMKey }},
		{Key: "notify.dkim_domain", Env: "VIGIL_DKIM_DOMAIN", Doc: "DKIM signing domain (default: the sender address's domain)",
			field: func(c *Config) any { return &c.Notify.DKIMDomain }},
		{Key: "notify.dkim_selector", Env: "VIGIL_DKIM_SELECTOR", Default: "vigil", Doc: "DKIM selector",
			field: func(c *Config) any { return &c.Notify.DKIMSelector }},
		{Key: "notify.dns_server", Env: "VIGIL_DNS_SERVER", Doc: "DNS server (`host:port`) that `vigil asset verify` and `vigil mail dkim check` ask; empty: the system resolver",
			field: func(c *Config) any { return &c.Notify.DNSServer }},
		{Key: "notify.templates", Env: "VIGIL_TEMPLATES", Doc: "directory of template overrides (`<lang>/body.txt.tmpl`, `messages.yaml`, …)",
			field: func(c *Config) any { return &c.Notify.Templates }},
		{Key: "notify.default_mode", Env: "VIGIL_NOTIFY_DEFAULT_MODE", Default: "daily", Doc: "operator default mode: `immediate`, `daily` or `weekly`",
			field: func(c *Config) any { return &c.Notify.DefaultMode }},
		{Key: "notify.default_min_severity", Env: "VIGIL_NOTIFY_DEFAULT_MIN_SEVERITY", Default: "low", Doc: "operator default minimum severity",
			field: func(c *Config) any { return &c.Notify.DefaultMinSeverity }},
		{Key: "notify.default_renotify", Env: "VIGIL_NOTIFY_DEFAULT_RENOTIFY", Default: "168h", Doc: "operator default quiet re-notification interval",
			field: func(c *Config) any { return &c.Notify.DefaultRenotify }},
		{Key: "notify.digest_hour", Env: "VIGIL_NOTIFY_DIGEST_HOUR", Default: "6", Doc: "hour of the day (UTC) at which digests become due",
			field: func(c *Config) any { return &c.Notify.DigestHour }},
		{Key: "notify.immediate_cap", Env: "VIGIL_NOTIFY_IMMEDIATE_CAP", Default: "10", Doc: "operator default of immediate notices per organisation a day; beyond it non-critical ones fold into the next digest (0: no cap; a policy's `immediate_cap` overrides)",
			field: func(c *Config) any { return &c.Notify.ImmediateCap }},
		{Key: "notify.run_grace", Env: "VIGIL_NOTIFY_RUN_GRACE", Default: "2h", Doc: "how long warnings of a source run that stopped without ending wait for it to be resumed before they are composed; a run without progress for this long is taken as stopped (and shown `stopped` in the runs list), and its content handed in again is ingested anew. It must be longer than `jobs.rescue_after` (unset: 1h), or `vigil serve` refuses to start (a part of a split run retried after the grace could resume beside the new ingest)",
			field: func(c *Config) any { return &c.Notify.RunGrace }},
		{Key: "notify.max_attempts", Env: "VIGIL_NOTIFY_MAX_ATTEMPTS", Default: "8", Doc: "attempts before a delivery is given up (dead)",
			field: func(c *Config) any { return &c.Notify.MaxAttempts }},
		{Key: "notify.lease", Env: "VIGIL_NOTIFY_LEASE", Default: "5m", Doc: "how long a node's claim on a message lasts before another node takes it over, when the claiming node died; at least 1m and longer than any one send can take (a send begun under an expired claim ends unknown, on the operator's list)",
			field: func(c *Config) any { return &c.Notify.Lease }},
		{Key: "notify.allow_private", Env: "VIGIL_NOTIFY_ALLOW_PRIVATE", Default: "false", Doc: "let webhooks and the fallback chain (security.txt, RDAP) reach loopback and private addresses (labs, tests)",
			field: func(c *Config) any { return &c.Notify.AllowPrivate }},
		{Key: "labels.keys", Env: "VIGIL_KEYS", Doc: "label signing key directory (default: `vigil-keys` next to the SQLite database; under PostgreSQL the keys live in the database, encrypted with `labels.keys_secret_file` or `labels.keys_secret`)",
			field: func(c *Config) any { return &c.Labels.Keys }},
		{Key: "labels.keys_secret_file", Env: "VIGIL_KEYS_SECRET_FILE", Doc: "file holding the secret (64 hex digits, e.g. from `openssl rand -hex 32`) that label private keys kept in a PostgreSQL database are encrypted with; keep and back it up apart from the database",
			field: func(c *Config) any { return &c.Labels.KeysSecretFile }},
		{Key: "labels.keys_secret", Env: "VIGIL_KEYS_SECRET", Secret: true, Doc: "the secret itself (64 hex digits), instead of `labels.keys_secret_file`",
			field: func(c *Config) any { return &c.Labels.KeysSecret }},
		{Key: "labels.issuer", Env: "VIGIL_ISSUER", Default: "vigil trust center", Doc: "label issuer name",
			field: func(c *Config) any { return &c.Labels.Issuer }},
		{Key: "labels.public_fleet_sources", Env: "VIGIL_PUBLIC_FLEET_SOURCES",
			Doc:   "feed sources, comma-separated (e.g. `shadowserver`), whose fleet counts of a product the public label registry page shows; empty (the default): none, as a source's terms may not allow publishing them",
			field: func(c *Config) any { return &c.Labels.PublicFleetSources }},
		{Key: "retention.notices_days", Env: "VIGIL_RETENTION_NOTICES_DAYS", Default: "730", Doc: "days notices are kept, with their deliveries and replies, before the daily purge deletes them (0: kept); an organisation's notices stay at least its quiet interval (renotify_after, default notify.default_renotify) when that is longer, so it is not warned twice about a finding within it",
			field: func(c *Config) any { return &c.Retention.NoticesDays }},
		{Key: "retention.replies_days", Env: "VIGIL_RETENTION_REPLIES_DAYS", Default: "365", Doc: "days replies to notices (inbound mail) are kept (0: kept as long as their notice)",
			field: func(c *Config) any { return &c.Retention.RepliesDays }},
		{Key: "retention.bounces_days", Env: "VIGIL_RETENTION_BOUNCES_DAYS", Default: "365", Doc: "days bounce records, the suppression list, are kept (0: kept)",
			field: func(c *Config) any { return &c.Retention.BouncesDays }},
		{Key: "retention.audit_days", Env: "VIGIL_RETENTION_AUDIT_DAYS", Default: "1095", Doc: "days audit log entries are kept (0: kept)",
			field: func(c *Config) any { return &c.Retention.AuditDays }},
		{Key: "retention.signups_days", Env: "VIGIL_RETENTION_SIGNUPS_DAYS", Default: "7", Doc: "days an account made by signing up and never confirmed is kept after its confirmation link expired (24 hours after the sign-up) before the daily purge deletes it, counted in the purge's audit entry (0: kept)",
			field: func(c *Config) any { return &c.Retention.SignupsDays }},
		{Key: "ingest.shared_dir", Env: "VIGIL_INGEST_SHARED_DIR", Doc: "directory every `vigil serve` node reads at the same path, where a large uploaded feed file is kept while its parts are ingested (empty: no file is split)",
			field: func(c *Config) any { return &c.Ingest.SharedDir }},
		{Key: "ingest.part_bytes", Env: "VIGIL_INGEST_PART_BYTES", Default: "268435456", Doc: "a Shadowserver report uploaded to `vigil serve` that is larger than this (with `ingest.shared_dir` set) is ingested as one run in parts of about this many bytes, jobs any node may claim (0: never split)",
			field: func(c *Config) any { return &c.Ingest.PartBytes }},
		{Key: "ingest.part_timeout", Env: "VIGIL_INGEST_PART_TIMEOUT", Default: "45m", Doc: "how long one attempt at a part of a split feed file may run; an attempt cut short is retried and resumes after the part's last committed batch (at most `jobs.rescue_after`)",
			field: func(c *Config) any { return &c.Ingest.PartTimeout }},
		{Key: "ingest.batch_rows", Env: "VIGIL_INGEST_BATCH_ROWS", Default: "10000", Doc: "feed rows an ingest commits per transaction (each batch is a resume point; larger batches cost memory)",
			field: func(c *Config) any { return &c.Ingest.BatchRows }},
		{Key: "jobs.rescue_after", Env: "VIGIL_JOBS_RESCUE_AFTER", Default: "1h", Doc: "how long a job may stay running before the leading node takes it for stuck (its node died) and retries it; it must not be shorter than any job's timeout (a part: `ingest.part_timeout`; a source run: its 30-minute lease; the notify sweep and the retention purge: 30m), or `vigil serve` refuses to start; `notify.run_grace` must be longer than it. Below 1m (crash tests, labs) it caps those fixed timeouts instead",
			field: func(c *Config) any { return &c.Jobs.RescueAfter }},
		{Key: "portal.invites_per_org_day", Env: "VIGIL_PORTAL_INVITES_PER_ORG_DAY", Default: "50", Doc: "invitations an organisation may send in 24 hours, by all its members together; over it the page and the API (429) refuse the invitation and nothing is sent (0: no limit)",
			field: func(c *Config) any { return &c.Portal.InvitesPerOrgDay }},
		{Key: "portal.invites_per_account_day", Env: "VIGIL_PORTAL_INVITES_PER_ACCOUNT_DAY", Default: "20", Doc: "invitations one account may send in 24 hours, for all the organisations it acts for (0: no limit)",
			field: func(c *Config) any { return &c.Portal.InvitesPerAccountDay }},
		{Key: "sources.alert_to", Env: "VIGIL_SOURCES_ALERT_TO", Doc: "operator address that missing-feed alerts are e-mailed to (empty: the call list only)",
			field: func(c *Config) any { return &c.Sources.AlertTo }},
		{Key: "sources.max_failures", Env: "VIGIL_SOURCES_MAX_FAILURES", Default: "3", Doc: "failed runs of a source in a row that raise an alert",
			field: func(c *Config) any { return &c.Sources.MaxFailures }},
		{Key: "sources.allow_private", Env: "VIGIL_SOURCES_ALLOW_PRIVATE", Default: "false", Doc: "let scheduled sources reach loopback and private addresses (labs, tests)",
			field: func(c *Config) any { return &c.Sources.AllowPrivate }},
		{Key: "sources.nvd_pace", Env: "VIGIL_SOURCES_NVD_PACE", Doc: "least time between two NVD API requests (empty: NVD's published limit, 6s without an API key, 0.6s with one)",
			field: func(c *Config) any { return &c.Sources.NVDPace }},
		{Key: "vuln.match_memory", Env: "VIGIL_VULN_MATCH_MEMORY", Default: "900", Doc: "memory budget in MiB of a full vulnerability re-match (a vendor alias, `--rematch`): while every advisory is held compiled the process's memory limit is lowered to it, so the garbage collector runs only when the heap nears it; when the compiled advisories alone take over four fifths of it, or with 0, the collector runs each time the heap has grown by a quarter instead. About 6 KB per stored advisory; a lower `GOMEMLIMIT` is kept",
			field: func(c *Config) any { return &c.Vuln.MatchMemory }},
		{Key: "profile.cpu", Env: "VIGIL_CPUPROFILE", Doc: "write a CPU profile of the command to this file (benchmarks)",
			field: func(c *Config) any { return &c.Profile.CPU }},
		{Key: "profile.memory", Env: "VIGIL_MEMPROFILE", Doc: "write a heap profile at the end of the command to this file (benchmarks)",
			field: func(c *Config) any { return &c.Profile.Memory }},
	}
}

// Flag is the name of the setting's command-line flag: the last part of
// its key with dashes (notify.smtp_url: smtp-url).
func (s Setting) Flag() string {
	k := s.Key[strings.LastIndex(s.Key, ".")+1:]
	return strings.ReplaceAll(k, "_", "-")
}

// EnvFile names the environment variable of the configuration file, which
// --config overrides.
const EnvFile = "VIGIL_CONFIG"

// Defaults returns the Config with every setting at its default.
func Defaults() Config {
	var c Config
	for _, s := range Settings() {
		if err := set(s.field(&c), s.Default); err != nil {
			panic(fmt.Sprintf("config: default of %s: %v", s.Key, err)) // a defect in the table
		}
	}
	return c
}

// Load returns the Config of a command line: the defaults, overlaid by the
// configuration file (the value of --config in args, else $VIGIL_CONFIG),
// overlaid by the environment. Flags are applied by the caller, which
// binds them to the fields of the result.
func Load(args []string) (Config, error) {
	return LoadFrom(args, os.LookupEnv)
}

// LoadFrom is Load with the environment given as a lookup function (tests
// pass a map's).
func LoadFrom(args []string, lookup func(string) (string, bool)) (Config, error) {
	c := Defaults()
	file := FileArg(args)
	if v, ok := lookup(EnvFile); ok && file == "" {
		file = v
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return c, errs.Field("config", file, "cannot read: "+strings.TrimPrefix(err.Error(), "open "+file+": "))
		}
		err = Decode(f, file, &c)
		f.Close()
		if err != nil {
			return c, err
		}
	}
	for _, s := range Settings() {
		v, ok := lookup(s.Env)
		if (!ok || v == "") && s.Fallback != "" {
			v, ok = lookup(s.Fallback)
		}
		if !ok || v == "" {
			continue
		}
		if err := set(s.field(&c), v); err != nil {
			shown := v
			if s.Secret {
				shown = "(secret)"
			}
			return c, errs.Field(s.Env, shown, err.Error())
		}
	}
	if _, err := ParseNets(c.TrustedProxies); err != nil {
		return c, errs.Field("trusted_proxies", c.TrustedProxies, err.Error())
	}
	return c, nil
}

// TrustedProxyNets returns the networks of TrustedProxies. Load has
// refused a list that does not parse; for a Config made otherwise, an
// entry that does not parse is left out (never trusted).
func (c Config) TrustedProxyNets() []netip.Prefix {
	var nets []netip.Prefix
	for part := range strings.SplitSeq(c.TrustedProxies, ",") {
		if p, err := ParseNets(part); err == nil {
			nets = append(nets, p...)
		}
	}
	return nets
}

// ParseNets reads a comma-separated list of networks: CIDRs (10.0.0.0/8,
// 2001:db8::/32) or single addresses (a /32 or /128). Blank entries are
// skipped, so "" is no network. A prefix with host bits set is refused, so
// a typo such as 10.0.0.1/8 is not silently widened.
func ParseNets(s string) ([]netip.Prefix, error) {
	var nets []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("%q is not an address or a network (CIDR)", part)
			}
			a = a.Unmap()
			nets = append(nets, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a network (CIDR)", part)
		}
		if p.Masked() != p {
			return nil, fmt.Errorf("%q has host bits set; did you mean %s?", part, p.Masked())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		nets = append(nets, p)
	}
	return nets, nil
}

// Decode overlays the YAML configuration in r (named name in errors) on c.
// Unknown keys are an error naming the line, so a misspelt setting is never
// silently ignored.
func Decode(r io.Reader, name string, c *Config) error {
	raw, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return fmt.Errorf("config %s: %w", name, err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return &errs.Error{Code: errs.Invalid, Message: fmt.Sprintf("config %s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	return nil
}

// FileArg returns the value of --config FILE or --config=FILE in args, or
// "" (the flag is read before the command tree is built, because the file
// supplies the flags' defaults).
func FileArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			return v
		}
		if a == "--config" && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// set parses v into the field p points at.
func set(p any, v string) error {
	switch p := p.(type) {
	case *string:
		*p = v
	case *int:
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("not an integer")
		}
		*p = n
	case *bool:
		if v == "" {
			*p = false
			return nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("not true or false")
		}
		*p = b
	default:
		return fmt.Errorf("unsupported setting type %T", p)
	}
	return nil
}

// Markdown returns the configuration table as a Markdown table: setting,
// environment variable, default, meaning (docs/CONFIGURATION.md carries it).
func Markdown() string {
	var b strings.Builder
	b.WriteString("| file key | environment | default | meaning |\n|---|---|---|---|\n")
	for _, s := range Settings() {
		env := "`" + s.Env + "`"
		if s.Fallback != "" {
			env += ", else `" + s.Fallback + "`"
		}
		def := ""
		if s.Default != "" {
			def = "`" + s.Default + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", s.Key, env, def, s.Doc)
	}
	return b.String()
}

// Bind adds to fs the flags of the settings with these file keys, bound to
// the fields of c (so a flag given wins over everything): name, default and
// help come from the table, and a secret's value is never shown as a
// default.
func Bind(fs *pflag.FlagSet, c *Config, keys ...string) {
	for _, s := range Settings() {
		if !slices.Contains(keys, s.Key) {
			continue
		}
		usage := strings.ReplaceAll(s.Doc, "`", "") + " (env " + s.Env + ")"
		switch p := s.field(c).(type) {
		case *string:
			if s.Secret {
				fs.Var(secretFlag{p}, s.Flag(), usage+"; never logged")
			} else {
				fs.StringVar(p, s.Flag(), *p, usage)
			}
		case *int:
			fs.IntVar(p, s.Flag(), *p, usage)
		case *bool:
			fs.BoolVar(p, s.Flag(), *p, usage)
		}
	}
}

// secretFlag is a string flag whose value (from the configuration) is
// never shown as its default in the help.
type secretFlag struct{ p *string }

func (f secretFlag) String() string     { return "" }
func (f secretFlag) Set(v string) error { *f.p = v; return nil }
func (f secretFlag) Type() string       { return "string" }
