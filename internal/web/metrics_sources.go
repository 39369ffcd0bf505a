// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/internal/app"
)

// MetricSourceAge is the gauge of every scheduled source's age of its last
// success, read from the database at each scrape (every node shows the
// same values).
const MetricSourceAge = "vigil_source_last_success_age_seconds"

// sourceAges is the collector of MetricSourceAge.
type sourceAges struct {
	app  *app.App
	desc *prometheus.Desc
}

func newSourceAges(a *app.App) *sourceAges {
	return &sourceAges{app: a, desc: prometheus.NewDesc(MetricSourceAge,
		"Seconds since the scheduled source last ran without failure (since it was added when it never did), by source and kind.",
		[]string{"source", "kind"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *sourceAges) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector. A database that cannot be read
// yields an invalid metric, which the scrape reports.
func (c *sourceAges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ages, err := c.app.SourceAges(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, a := range ages {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, a.Seconds, a.Name, a.Kind)
	}
}
