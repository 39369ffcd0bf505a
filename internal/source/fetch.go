// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package source

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/inbound"
	"vigil/internal/netguard"
)

// Fetched is one file a fetch brought: its body in memory, or a path on
// disk (a watched directory's file).
type Fetched struct {
	// Name is the file's base name, which ingest reads the report type
	// from.
	Name string
	// Key is the file's identity at the source (a Shadowserver report id;
	// empty when the digest is its only identity).
	Key  string
	Body []byte
	Path string
}

// Env is what a fetch runs with.
type Env struct {
	// HTTP is the guarded outbound client; every request of a fetch goes
	// through it.
	HTTP *netguard.Client
	// Now is the clock (the day whose reports are listed).
	Now func() time.Time
	// Seen reports whether a file with this Key was ingested before, so
	// that it is not downloaded again.
	Seen func(ctx context.Context, key string) (bool, error)
	// Pace is the least time between two NVD requests (0: NVD's published
	// limit, 6 s without an API key and 0.6 s with one).
	Pace time.Duration
}

// Fetch brings the files of one run of src and the resume point a run
// that ingests them all moves the source to ("" leaves it). When the
// source cannot be reached or a download is cut short it returns the
// error together with the files it downloaded whole before it (each
// complete; a Shadowserver run's earlier reports), so the run hands those
// on and fails; the next run tries again and, with Seen, the resume point
// and the digests, takes only the rest. The resume point moves only when
// there is no error. A CSAF provider is no fetcher's: internal/app loads
// it with its own resume point.
func Fetch(ctx context.Context, env Env, src Source) ([]Fetched, string, error) {
	var files []Fetched
	var err error
	switch src.Kind {
	case KindKEV, KindEPSS, KindOSV:
		files, err = fetchURL(ctx, env, src)
	case KindDir:
		files, err = fetchDir(src)
	case KindMaildir:
		files, err = fetchMaildir(ctx, env, src)
	case KindShadowserver:
		files, err = fetchShadowserver(ctx, env, src)
	case KindNVD:
		return fetchNVD(ctx, env, src)
	default:
		return nil, "", errs.Field("kind", string(src.Kind), "no fetcher")
	}
	return files, "", err
}

// fetchURL downloads the one file at src.URL, named after its path.
func fetchURL(ctx context.Context, env Env, src Source) ([]Fetched, error) {
	body, err := download(ctx, env.HTTP, src.URL)
	if err != nil {
		return nil, err
	}
	return []Fetched{{Name: baseName(src.URL, string(src.Kind)), Body: body}}, nil
}

// download GETs u and insists on the whole body: a response shorter than
// its Content-Length, or any read error, fails.
func download(ctx context.Context, c *netguard.Client, u string) ([]byte, error) {
	body, resp, err := c.Fetch(ctx, u)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		return nil, fmt.Errorf("GET %s: got %d of %d bytes", redact(u), len(body), resp.ContentLength)
	}
	return body, nil
}

// baseName is the last element of u's path, or def.
func baseName(u, def string) string {
	p, err := url.Parse(u)
	if err != nil {
		return def
	}
	b := path.Base(p.Path)
	if b == "." || b == "/" || b == "" {
		return def
	}
	return b
}

// redact drops a URL's query (it may carry an API key).
func redact(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// fetchDir lists the regular files of the watched directory (not its
// subdirectories; names starting with a dot are files being written and
// are left for later), in name order.
func fetchDir(src Source) ([]Fetched, error) {
	ents, err := os.ReadDir(src.URL)
	if err != nil {
		return nil, fmt.Errorf("watched directory: %w", err)
	}
	var out []Fetched
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		out = append(out, Fetched{Name: e.Name(), Path: filepath.Join(src.URL, e.Name())})
	}
	return out, nil
}

// Shadowserver Reports API: every call is a POST of a JSON object carrying
// the API key to <base>/<method>, signed with the HMAC-SHA256 of the body
// under the secret in the HMAC2 header (hex).
const (
	shadowserverList = "reports/list"
	// ShadowserverDays is how many days back (today included) a run lists:
	// reports of a day keep arriving after midnight.
	ShadowserverDays = 2
)

// shadowserverReport is one entry of reports/list.
type shadowserverReport struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	File      string `json:"file"`
	Timestamp string `json:"timestamp"`
	URL       string `json:"url"`
}

// ShadowserverSign is the HMAC2 header value of body under secret.
func ShadowserverSign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func fetchShadowserver(ctx context.Context, env Env, src Source) ([]Fetched, error) {
	base := strings.TrimRight(src.URL, "/") + "/"
	today := env.Now().UTC()
	var out []Fetched
	for d := ShadowserverDays - 1; d >= 0; d-- {
		day := today.AddDate(0, 0, -d).Format(time.DateOnly)
		body, err := json.Marshal(map[string]any{"apikey": src.Credentials.Key, "date": day, "limit": 1000})
		if err != nil {
			return nil, err
		}
		raw, err := shadowserverCall(ctx, env.HTTP, base+shadowserverList, src.Credentials.Secret, body)
		if err != nil {
			return out, err
		}
		var list []shadowserverReport
		if err := json.Unmarshal(raw, &list); err != nil {
			// The API answers an error as {"error": "..."}.
			var e struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(raw, &e) == nil && e.Error != "" {
				return out, fmt.Errorf("shadowserver %s: %s", shadowserverList, e.Error)
			}
			return out, fmt.Errorf("shadowserver %s: %w", shadowserverList, err)
		}
		slices.SortFunc(list, func(a, b shadowserverReport) int { return strings.Compare(a.ID, b.ID) })
		for _, r := range list {
			if r.ID == "" || r.URL == "" {
				continue
			}
			seen, err := env.Seen(ctx, r.ID)
			if err != nil {
				return out, err
			}
			if seen {
				continue
			}
			file, err := download(ctx, env.HTTP, r.URL)
			if err != nil {
				// The reports downloaded whole so far go on; the next
				// run downloads the rest (Seen).
				return out, fmt.Errorf("shadowserver report %s: %w", r.ID, err)
			}
			name := path.Base(r.File)
			if name == "." || name == "/" || r.File == "" {
				name = r.ID + ".csv"
			}
			out = append(out, Fetched{Name: name, Key: r.ID, Body: file})
		}
	}
	return out, nil
}

// shadowserverCall POSTs a signed API call and returns its body.
func shadowserverCall(ctx context.Context, c *netguard.Client, u, secret string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, errs.Field("url", u, "not a valid URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("HMAC2", ShadowserverSign(secret, body))
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := readAll(resp)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST %s: HTTP %d", u, resp.StatusCode)
	}
	return raw, nil
}

// readAll reads a response's whole body, failing when it is shorter than
// its Content-Length.
func readAll(resp *http.Response) ([]byte, error) {
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		return nil, fmt.Errorf("got %d of %d bytes", len(body), resp.ContentLength)
	}
	return body, nil
}

// fetchMaildir reads the messages of a maildir (its new and cur
// directories; tmp holds messages being delivered) and returns their
// attachments that are feeds (.csv, .csv.gz, .txt, .json), each keyed by
// the message and its name, so that a message read once is not read
// again. A message that cannot be read as mail is left alone.
func fetchMaildir(ctx context.Context, env Env, src Source) ([]Fetched, error) {
	var out []Fetched
	for _, sub := range []string{"new", "cur"} {
		ents, err := os.ReadDir(filepath.Join(src.URL, sub))
		if err != nil {
			return nil, fmt.Errorf("maildir: %w", err)
		}
		for _, e := range ents {
			if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			// A maildir file name is unique up to its ":2,FLAGS" info.
			unique, _, _ := strings.Cut(e.Name(), ":")
			raw, err := os.ReadFile(filepath.Join(src.URL, sub, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("maildir: %w", err)
			}
			if int64(len(raw)) > inbound.MaxMessageBytes {
				continue
			}
			_, atts, err := inbound.Attachments(raw)
			if err != nil {
				continue
			}
			for _, a := range atts {
				if !feedName(a.Name) {
					continue
				}
				key := unique + "/" + a.Name
				seen, err := env.Seen(ctx, key)
				if err != nil {
					return nil, err
				}
				if !seen {
					out = append(out, Fetched{Name: a.Name, Key: key, Body: a.Body})
				}
			}
		}
	}
	return out, nil
}

// feedName says whether an attachment's name is a feed's.
func feedName(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".csv", ".csv.gz", ".txt", ".json"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}
