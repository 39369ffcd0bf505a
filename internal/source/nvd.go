// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package source

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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
const (
	// NVDMaxWindow is the API's longest lastModStartDate–lastModEndDate
	// range.
	NVDMaxWindow = 120 * 24 * time.Hour
	// NVDFirstWindow is how far back a source's first run reaches.
	NVDFirstWindow = 24 * time.Hour
	// NVDPageSize is the page size asked for (the API's maximum).
	NVDPageSize = 2000
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
	if src.Resume != "" {
		t, err := time.Parse(time.RFC3339Nano, src.Resume)
		if err != nil {
			return nil, "", fmt.Errorf("nvd resume point %q: %w", src.Resume, err)
		}
		start = t
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
			if count > 0 {
				out = append(out, Fetched{Name: fmt.Sprintf("nvd-%s-%d.json", from.Format("20060102T150405"), index), Body: page})
			}
			index += count
			if count == 0 || index >= total {
				break
			}
		}
		from = to
	}
	return out, end.Format(time.RFC3339Nano), nil
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
