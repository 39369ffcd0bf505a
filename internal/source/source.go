// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package source is the registry of scheduled sources: where threat data
// and advisories come from without an analyst fetching them (CISA KEV,
// FIRST EPSS, the Shadowserver Reports API, a watched directory, the NVD
// CVE API 2.0, OSV, a CSAF trusted provider, a mail drop), how
// often each runs, how often data is expected from it, its credentials
// (sealed at rest, never printed or logged), and what its runs produced.
//
// A Fetcher per kind turns a source into files; internal/app hands every
// file to the ingest path the CLI uses and records its digest, so the same
// file is never ingested twice. Runs are jobs of the queue (internal/app's
// source worker), one at a time per source.
package source

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"vigil/internal/errs"
	"vigil/internal/tlp"
)

// Kind names what a source is and how it is fetched.
type Kind string

// The kinds of source.
const (
	KindKEV          Kind = "kev"          // CISA Known Exploited Vulnerabilities JSON at a URL
	KindEPSS         Kind = "epss"         // FIRST EPSS scores, CSV or CSV.gz at a URL
	KindDir          Kind = "dir"          // a directory whose new files are feeds
	KindShadowserver Kind = "shadowserver" // the Shadowserver Reports API (HMAC-signed)
	KindNVD          Kind = "nvd"          // the NVD CVE API 2.0, in lastModStartDate windows
	KindCSAF         Kind = "csaf"         // a CSAF trusted provider's provider-metadata.json
	KindMaildir      Kind = "maildir"      // a mail drop: report e-mails' attachments in a maildir
	KindOSV          Kind = "osv"          // OSV records: an ecosystem's all.zip, or a JSON file, at a URL
)

// Kinds lists the kinds in the order they are documented.
func Kinds() []Kind {
	return []Kind{KindKEV, KindEPSS, KindDir, KindShadowserver, KindNVD, KindCSAF, KindMaildir, KindOSV}
}

// Defaults of a new source.
const (
	// DefaultEvery is the interval between scheduled runs.
	DefaultEvery = time.Hour
	// DefaultAlertAfter is how long a source that expects data may stay
	// silent before an alert.
	DefaultAlertAfter = 36 * time.Hour
	// DefaultMaxFailures is the number of failed runs in a row that raise
	// an alert.
	DefaultMaxFailures = 3
	// MinEvery is the shortest interval a source may run at.
	MinEvery = time.Minute
)

// Source is one registered source and its state. The zero Credentials
// means none.
type Source struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// URL is the address fetched (the API's base URL for Shadowserver);
	// for a watched directory, its path.
	URL string `json:"url"`
	// Every is the interval between scheduled runs.
	Every Duration `json:"every"`
	// Expect is how often data is expected (0: no expectation, no silence
	// alert); AlertAfter is how long the source may stay without new data
	// before the one alert.
	Expect     Duration `json:"expect"`
	AlertAfter Duration `json:"alert_after"`
	Paused     bool     `json:"paused"`
	// TLP is the marking of the source's data when a file does not carry
	// its own (a CSAF document's distribution.tlp does): every finding
	// made from it carries it (None: the source marks nothing).
	TLP tlp.Marking `json:"tlp,omitempty"`
	// Credentials are the source's key and secret; they are never
	// marshalled, printed or logged.
	Credentials Credentials `json:"-"`
	// HasCredentials says whether the source has credentials.
	HasCredentials bool       `json:"has_credentials"`
	NextRun        time.Time  `json:"next_run"`
	LastRun        *time.Time `json:"last_run,omitempty"`
	LastSuccess    *time.Time `json:"last_success,omitempty"`
	// LastData is when a run last produced a new file.
	LastData  *time.Time `json:"last_data,omitempty"`
	LastError string     `json:"last_error,omitempty"`
	// Failures counts the failed runs since the last success.
	Failures int `json:"failures"`
	// Resume is the source's resume point (NVD: the end of the last
	// window fetched), moved only by a run that succeeded.
	Resume string `json:"resume,omitempty"`
	// Alerted is when the current alert was raised (nil: none raised
	// since data last arrived).
	Alerted *time.Time `json:"alerted,omitempty"`
	Created time.Time  `json:"created"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate checks a source before it is stored (errs.Invalid naming the
// field).
func (s Source) Validate() error {
	if !nameRE.MatchString(s.Name) {
		return errs.Field("name", s.Name, "lower-case letters, digits, '.', '_' and '-', at most 63")
	}
	switch s.Kind {
	case KindKEV, KindEPSS, KindShadowserver, KindNVD, KindCSAF, KindOSV:
		if s.URL == "" {
			return errs.Field("url", s.URL, "required for kind "+string(s.Kind))
		}
	case KindDir, KindMaildir:
		if s.URL == "" {
			return errs.Field("url", s.URL, "the directory to watch is required")
		}
	default:
		return errs.Field("kind", string(s.Kind), fmt.Sprintf("one of %v", Kinds()))
	}
	if s.Kind == KindShadowserver && (s.Credentials.Key == "" || s.Credentials.Secret == "") {
		return errs.Field("credentials", "", "the Shadowserver API needs a key and a secret")
	}
	switch s.Kind {
	case KindDir, KindShadowserver, KindMaildir:
	default:
		if s.TLP != tlp.None {
			return errs.Field("tlp", s.TLP.String(), "a marking is given to the feed files of dir, shadowserver and maildir sources; a CSAF document carries its own (document.distribution.tlp) and KEV, EPSS, NVD and OSV data is public")
		}
	}
	if time.Duration(s.Every) < MinEvery {
		return errs.Field("every", s.Every.String(), "at least "+MinEvery.String())
	}
	if s.Expect < 0 || s.AlertAfter < 0 {
		return errs.Field("expect", s.Expect.String(), "not negative")
	}
	return nil
}

// RetryFirst is the wait before the scheduled retry of a source's first
// failed run in a row; each further failure doubles it, up to the
// source's interval.
const RetryFirst = time.Minute

// RetryIn is how long after its failures-th failed run in a row (1 for
// the first) the source runs again: RetryFirst doubled per failure, never
// longer than its interval, so a daily source that failed is retried
// within minutes and a provider that stays away is asked less and less.
func (s Source) RetryIn(failures int) time.Duration {
	every := time.Duration(s.Every)
	d := RetryFirst
	for i := 1; i < failures && d < every; i++ {
		d *= 2
	}
	return min(d, max(every, RetryFirst))
}

// Due reports whether the source should run at now.
func (s Source) Due(now time.Time) bool { return !s.Paused && !now.Before(s.NextRun) }

// Silent reports whether a source that expects data has produced none for
// longer than its AlertAfter at now (counted from its creation when it
// never produced any).
func (s Source) Silent(now time.Time) bool {
	if s.Expect <= 0 || s.Paused {
		return false
	}
	since := s.Created
	if s.LastData != nil {
		since = *s.LastData
	}
	after := time.Duration(s.AlertAfter)
	if after <= 0 {
		after = DefaultAlertAfter
	}
	return now.Sub(since) > after
}

// Credentials are a source's key and secret (the Shadowserver API key and
// its HMAC secret). Every textual form hides them.
type Credentials struct {
	Key    string
	Secret string
}

// String hides the credentials.
func (c Credentials) String() string { return "(secret)" }

// GoString hides the credentials from %#v.
func (c Credentials) GoString() string { return "(secret)" }

// LogValue hides the credentials from slog.
func (c Credentials) LogValue() slog.Value { return slog.StringValue("(secret)") }

// MarshalJSON hides the credentials.
func (c Credentials) MarshalJSON() ([]byte, error) { return []byte(`"(secret)"`), nil }

// Zero reports whether there are no credentials.
func (c Credentials) Zero() bool { return c.Key == "" && c.Secret == "" }

// Seal encrypts c under key (32 bytes, the installation's secret) with
// AES-256-GCM for storage; the zero Credentials seal to "".
func Seal(key []byte, c Credentials) (string, error) {
	if c.Zero() {
		return "", nil
	}
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(struct{ K, S string }{c.Key, c.Secret})
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, nil)), nil
}

// Unseal decrypts what Seal returned.
func Unseal(key []byte, sealed string) (Credentials, error) {
	if sealed == "" {
		return Credentials{}, nil
	}
	aead, err := newAEAD(key)
	if err != nil {
		return Credentials{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return Credentials{}, fmt.Errorf("sealed credentials are damaged")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return Credentials{}, fmt.Errorf("sealed credentials cannot be opened with this installation's key")
	}
	var v struct{ K, S string }
	if err := json.Unmarshal(plain, &v); err != nil {
		return Credentials{}, fmt.Errorf("sealed credentials: %w", err)
	}
	return Credentials{Key: v.K, Secret: v.S}, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("credentials key: %w", err)
	}
	return cipher.NewGCM(b)
}

// Duration is a time.Duration that reads and writes as text ("24h").
type Duration time.Duration

// String is the duration as time.Duration prints it.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration written as text.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Run is one run of a source: when, how it ended and what it produced.
type Run struct {
	ID       int64      `json:"id"`
	SourceID int64      `json:"source_id"`
	Started  time.Time  `json:"started"`
	Finished *time.Time `json:"finished,omitempty"`
	// State is running, ok or failed.
	State string `json:"state"`
	Error string `json:"error,omitempty"`
	// Files are the new files the run ingested; Skipped counts those
	// already ingested before (same digest).
	Files   []File `json:"files"`
	Skipped int    `json:"skipped"`
	// Advisories counts, for a CSAF provider (which brings documents, not
	// files), the advisories that were new or changed.
	Advisories int `json:"advisories,omitempty"`
}

// File is one file a run ingested.
type File struct {
	Name string `json:"name"`
	// Key is the file's identity at the source (a report id), which the
	// next run does not download again.
	Key    string `json:"key,omitempty"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Rows counts the rows or records ingested from it.
	Rows int64 `json:"rows"`
	// Findings counts the findings it created or updated.
	Findings int64 `json:"findings"`
}
