// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package inbound

import (
	"encoding/base64"
	"io"
)

// base64Reader decodes a base64 body, skipping the line breaks in it.
func base64Reader(r io.Reader) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, &skipSpace{r: r})
}

type skipSpace struct{ r io.Reader }

func (s *skipSpace) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}
