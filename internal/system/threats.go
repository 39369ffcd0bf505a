// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import "slices"

// Category is the class of a threat: STRIDE plus fleet takeover.
type Category string

// Threat categories.
const (
	Spoofing      Category = "spoofing"
	Tampering     Category = "tampering"
	Repudiation   Category = "repudiation"
	Disclosure    Category = "information-disclosure"
	DenialOfServ  Category = "denial-of-service"
	Elevation     Category = "elevation-of-privilege"
	FleetTakeover Category = "fleet-takeover"
)

// CatalogueVersion names the built-in threat catalogue; registers record it.
const CatalogueVersion = "vigil-threats/1"

// Threat is one entry of the built-in threat catalogue: a threat to
// components of some kinds, with the default likelihood and impact an
// unassessed threat keeps, and the EN 303 645 provisions that mitigate it.
type Threat struct {
	ID       string   `json:"id"`
	Category Category `json:"category"`
	Kinds    []Kind   `json:"kinds"`
	Title    string   `json:"title"`
	// Likelihood and Impact (1–5) apply while the threat is not assessed.
	Likelihood int      `json:"likelihood"`
	Impact     int      `json:"impact"`
	Provisions []string `json:"provisions"`
}

// Threats returns the built-in threat catalogue (vigil-threats/1).
func Threats() []Threat {
	all := []Kind{Hardware, Firmware, LocalService, CloudChannel, CloudAPI, Database, App}
	return []Threat{
		{"default-credentials", Spoofing, []Kind{LocalService, Firmware}, "An attacker logs in with a default or guessable password shared by many units", 4, 4, []string{"5.1-1", "5.1-2", "5.1-5"}},
		{"device-impersonation", Spoofing, []Kind{CloudChannel, CloudAPI}, "Another device or client poses as the device towards the cloud", 3, 3, []string{"5.1-2A", "5.4-4", "5.5-1"}},
		{"account-takeover", Spoofing, []Kind{App, CloudAPI}, "An attacker takes over a user's account (credential stuffing, weak login, session theft)", 3, 4, []string{"5.1-3", "5.1-5", "5.5-4"}},
		{"debug-port", Tampering, []Kind{Hardware}, "Physical access to a debug port (UART, JTAG) gives a shell or the firmware", 3, 3, []string{"5.6-4", "5.6-4A", "5.6-4B", "5.6-3"}},
		{"malicious-update", Tampering, []Kind{Firmware}, "A forged or modified firmware image is installed", 2, 5, []string{"5.3-9", "5.3-10", "5.3-7", "5.7-1"}},
		{"config-tampering", Tampering, []Kind{LocalService, CloudAPI}, "Security configuration is changed without authentication", 3, 3, []string{"5.5-5", "5.5-4"}},
		{"channel-mitm", Tampering, []Kind{CloudChannel}, "Traffic between device and cloud is read or changed in transit", 2, 4, []string{"5.5-1", "5.5-6", "5.8-1"}},
		{"no-audit-trail", Repudiation, []Kind{CloudAPI}, "Security-relevant actions cannot be traced to who did them", 2, 2, []string{"5.10-1"}},
		{"key-extraction", Disclosure, []Kind{Hardware, Firmware}, "Keys or credentials are read out of flash or the firmware image", 3, 4, []string{"5.4-1", "5.4-2", "5.4-3"}},
		{"personal-data-leak", Disclosure, []Kind{CloudAPI, Database, App}, "Personal data (accounts, video, location) leaks from the service or the app", 3, 4, []string{"5.8-1", "5.8-2", "5.5-1", "6-1"}},
		{"service-banner", Disclosure, []Kind{LocalService}, "Unauthenticated interfaces disclose versions and configuration", 4, 2, []string{"5.6-2"}},
		{"cloud-outage", DenialOfServ, []Kind{CloudChannel, CloudAPI}, "Losing the cloud or the network stops the device's basic function", 3, 3, []string{"5.9-1", "5.9-2", "5.9-3"}},
		{"local-dos", DenialOfServ, []Kind{LocalService}, "Malformed input or floods stop the device", 3, 2, []string{"5.13-1B", "5.9-1"}},
		{"injection", Elevation, []Kind{LocalService, CloudAPI, App}, "Unvalidated input runs commands or queries with the service's privileges", 3, 4, []string{"5.13-1", "5.13-1B", "5.6-7"}},
		{"exposed-service", Elevation, []Kind{LocalService}, "An unneeded service (telnet, open MQTT, RDP/VNC) is reachable and exploitable", 3, 4, []string{"5.6-1", "5.6-5", "5.5-4"}},
		{"unpatched-component", Elevation, all, "A known vulnerability in a component stays unfixed", 3, 4, []string{"5.2-3", "5.3-1", "5.3-8"}},
		{"shared-keys", FleetTakeover, []Kind{Firmware, CloudChannel}, "One key, certificate or host key shared by every unit lets one extraction open the whole fleet", 3, 5, []string{"5.4-3", "5.4-4", "5.1-1"}},
		{"cloud-fleet-control", FleetTakeover, []Kind{CloudAPI}, "Compromise of the backend commands every device at once", 2, 5, []string{"5.5-1", "5.5-8", "5.6-7", "5.10-1"}},
		{"update-server-compromise", FleetTakeover, []Kind{Firmware, CloudAPI}, "Control of the update path pushes malicious firmware to the fleet", 2, 5, []string{"5.3-10", "5.4-4", "5.7-1"}},
	}
}

// ThreatsFor returns the catalogue's threats to components of kind k.
func ThreatsFor(k Kind) []Threat {
	var out []Threat
	for _, t := range Threats() {
		if slices.Contains(t.Kinds, k) {
			out = append(out, t)
		}
	}
	return out
}

// ThreatByID returns the catalogue entry with id.
func ThreatByID(id string) (Threat, bool) {
	for _, t := range Threats() {
		if t.ID == id {
			return t, true
		}
	}
	return Threat{}, false
}
