// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package source

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NVD CVE API 2.0 (https://nvd.nist.gov/developers/vulnerabilities): a run
// asks for the CVEs modified since the source's resume point, in windows
// of at most NVDMaxWindow (the API refuses longer ones), each read page by
// page (startIndex, resultsPerPage); requests keep the pace of the rate
// limit. Every page with records is one file for the NVD loader, and the
// end of the last window becomes the resume point.
//
// Windows overlap: NVD shows a record modified at T some time after T, so
// a run that starts exactly where the last one ended can miss a record
// modified just before that end. A run starts NVDOverlap before the
// resume point, and the resume point carries the records (id and
// lastModified) of that last stretch the run fetched, which the next run
// drops: each record version is handed on once. A record seen again in
// the next window of the same run (the bounds are inclusive) is dropped
// too.
const (
	// NVDMaxWindow is the API's longest lastModStartDate–lastModEndDate
	// range.
	NVDMaxWindow = 120 * 24 * time.Hour
	// NVDFirstWindow is how far back a source's first run reaches.
	NVDFirstWindow = 24 * time.Hour
	// NVDPageSize is the page size asked for (the API's maximum).
	NVDPageSize = 2000
	// NVDOverlap is how far before the previous run's end a run starts.
	NVDOverlap = 15 * time.Minute
	// nvdMaxPages bounds the pages of one run.
	nvdMaxPages = 10000
	nvdTime     = "2006-01-02T15:04:05.000-07:00"
)

// NVDPace is the least time between NVD requests: the API allows 5
// requests in 30 seconds without a key and 50 with one.
func NVDPace(withKey bool) time.Duration {
	if withKey {
		return 600 * time.Millisecond
	}
	return 6 * time.Second
}

func fetchNVD(ctx context.Context, env Env, src Source) ([]Fetched, string, error) {
	end := env.Now().UTC().Truncate(time.Millisecond)
	start := end.Add(-NVDFirstWindow)
	// seen holds the record versions handed on already: the previous
	// run's last stretch, then this run's.
	seen := map[string]time.Time{}
	if src.Resume != "" {
		prev, carried, err := parseNVDResume(src.Resume)
		if err != nil {
			return nil, "", err
		}
		start = prev.Add(-NVDOverlap)
		for _, k := range carried {
			seen[k] = time.Time{}
		}
	}
	pace := env.Pace
	if pace <= 0 {
		pace = NVDPace(src.Credentials.Key != "")
	}
	var (
		out  []Fetched
		last time.Time
		n    int
	)
	for from := start; from.Before(end); {
		to := from.Add(NVDMaxWindow)
		if to.After(end) {
			to = end
		}
		for index := 0; ; {
			if n++; n > nvdMaxPages {
				return nil, "", fmt.Errorf("nvd: more than %d pages in one run", nvdMaxPages)
			}
			// The first request waits too: the previous run's last one
			// may have been a moment ago.
			wait := pace
			if !last.IsZero() {
				wait -= time.Since(last)
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, "", err
			}
			page, total, count, err := nvdPage(ctx, env, src, from, to, index)
			last = time.Now()
			if err != nil {
				return nil, "", err
			}
			body, kept, err := nvdDedupe(page, seen)
			if err != nil {
				return nil, "", fmt.Errorf("nvd page %d: %w", index, err)
			}
			if kept > 0 {
				out = append(out, Fetched{Name: fmt.Sprintf("nvd-%s-%d.json", from.Format("20060102T150405"), index), Body: body})
			}
			index += count
			if count == 0 || index >= total {
				break
			}
		}
		from = to
	}
	return out, nvdResume(end, seen), nil
}

// nvdResume is the resume point of a run that ended at end: the time,
// then the record versions it fetched modified within NVDOverlap of end
// ("CVE-2026-1234@2026-12-06T08:59:00.000"), space-separated and sorted.
func nvdResume(end time.Time, seen map[string]time.Time) string {
	var keep []string
	for k, mod := range seen {
		if !mod.IsZero() && !mod.Before(end.Add(-NVDOverlap)) {
			keep = append(keep, k)
		}
	}
	slices.Sort(keep)
	return strings.Join(append([]string{end.Format(time.RFC3339Nano)}, keep...), " ")
}

// parseNVDResume reads what nvdResume wrote (a bare time, as earlier
// versions wrote it, too).
func parseNVDResume(resume string) (time.Time, []string, error) {
	fields := strings.Fields(resume)
	if len(fields) == 0 {
		return time.Time{}, nil, fmt.Errorf("nvd resume point %q: empty", resume)
	}
	t, err := time.Parse(time.RFC3339Nano, fields[0])
	if err != nil {
		return time.Time{}, nil, fmt.Errorf("nvd resume point %q: %w", fields[0], err)
	}
	return t, fields[1:], nil
}

// nvdLastMod is the layout of a record's lastModified (UTC).
const nvdLastMod = "2006-01-02T15:04:05.000"

// nvdDedupe drops from an NVD page the records whose version (id and
// lastModified) is in seen, adds the others to seen, and returns the page
// (rewritten when it dropped any) and the number of records kept.
func nvdDedupe(page []byte, seen map[string]time.Time) ([]byte, int, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(page, &doc); err != nil {
		return nil, 0, err
	}
	var vulns []json.RawMessage
	if raw, ok := doc["vulnerabilities"]; ok {
		if err := json.Unmarshal(raw, &vulns); err != nil {
			return nil, 0, fmt.Errorf("vulnerabilities: %w", err)
		}
	}
	kept := vulns[:0:0]
	for _, v := range vulns {
		var rec struct {
			CVE struct {
				ID           string `json:"id"`
				LastModified string `json:"lastModified"`
			} `json:"cve"`
		}
		if err := json.Unmarshal(v, &rec); err != nil || rec.CVE.ID == "" {
			kept = append(kept, v) // the loader quarantines it with its place
			continue
		}
		key := rec.CVE.ID + "@" + rec.CVE.LastModified
		mod, _ := time.Parse(nvdLastMod, rec.CVE.LastModified)
		_, dup := seen[key]
		seen[key] = mod // a carried version seen again is carried on
		if !dup {
			kept = append(kept, v)
		}
	}
	if len(kept) == len(vulns) {
		return page, len(kept), nil
	}
	var err error
	if doc["vulnerabilities"], err = json.Marshal(kept); err != nil {
		return nil, 0, err
	}
	if doc["resultsPerPage"], err = json.Marshal(len(kept)); err != nil {
		return nil, 0, err
	}
	out, err := json.Marshal(doc)
	return out, len(kept), err
}

// nvdPage fetches one page and returns its body, totalResults and the
// number of records on it.
func nvdPage(ctx context.Context, env Env, src Source, from, to time.Time, index int) ([]byte, int, int, error) {
	q := url.Values{}
	q.Set("lastModStartDate", from.Format(nvdTime))
	q.Set("lastModEndDate", to.Format(nvdTime))
	q.Set("startIndex", strconv.Itoa(index))
	q.Set("resultsPerPage", strconv.Itoa(NVDPageSize))
	u := src.URL
	if strings.Contains(u, "?") {
		u += "&" + q.Encode()
	} else {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("nvd: %w", err)
	}
	if src.Credentials.Key != "" {
		req.Header.Set("apiKey", src.Credentials.Key)
	}
	resp, err := env.HTTP.Do(req)
	if err != nil {
		return nil, 0, 0, err
	}
	defer resp.Body.Close()
	body, err := readAll(resp)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("nvd page %d: %w", index, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, 0, fmt.Errorf("nvd page %d: HTTP %d %s", index, resp.StatusCode, resp.Header.Get("message"))
	}
	var head struct {
		TotalResults    int               `json:"totalResults"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, 0, 0, fmt.Errorf("nvd page %d: %w", index, err)
	}
	return body, head.TotalResults, len(head.Vulnerabilities), nil
}

// sleep waits d (nothing when d <= 0) or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
