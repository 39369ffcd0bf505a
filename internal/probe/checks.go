// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"fmt"
	"slices"
)

// Proto is a transport protocol.
type Proto string

// Transport protocols.
const (
	TCP Proto = "tcp"
	UDP Proto = "udp"
)

// Service names what a port is expected to speak; it selects the checks.
type Service string

// Services with checks. Any other name gets the port-open check only.
const (
	FTP    Service = "ftp"
	SSH    Service = "ssh"
	Telnet Service = "telnet"
	HTTP   Service = "http"
	HTTPS  Service = "https"
	RTSP   Service = "rtsp"
	MQTT   Service = "mqtt"
	MQTTS  Service = "mqtts"
	CWMP   Service = "cwmp"   // TR-069 connection request port
	Modbus Service = "modbus" // Modbus/TCP: no authentication in the protocol
	BACnet Service = "bacnet" // BACnet (TCP gateways; BACnet/IP proper is UDP, not probed)
	SSDP   Service = "ssdp"   // UDP: UPnP discovery
)

// TLS reports whether the service runs over TLS.
func (s Service) TLS() bool { return s == HTTPS || s == MQTTS }

// Port is one port to probe and the service expected on it. Tests map
// services to random loopback ports this way.
type Port struct {
	Number  int     `json:"port"`
	Proto   Proto   `json:"proto"`
	Service Service `json:"service"`
}

// DefaultPorts returns the usual IoT service ports.
func DefaultPorts() []Port {
	return []Port{
		{21, TCP, FTP},
		{22, TCP, SSH},
		{23, TCP, Telnet},
		{2323, TCP, Telnet},
		{80, TCP, HTTP},
		{8080, TCP, HTTP},
		{443, TCP, HTTPS},
		{8443, TCP, HTTPS},
		{554, TCP, RTSP},
		{1883, TCP, MQTT},
		{8883, TCP, MQTTS},
		{7547, TCP, CWMP},
		{502, TCP, Modbus},
		{47808, TCP, BACnet},
		{1900, UDP, SSDP},
	}
}

// Check names one kind of result.
type Check string

// Checks, with the EN 303 645 provisions each evidences (see
// provisionsFor).
const (
	// CheckPortOpen: an open port; telnet, ftp, cwmp, modbus and bacnet
	// fail (services that should not be exposed), others pass as info.
	CheckPortOpen Check = "port-open" // 5.6-1
	// CheckCleartext: telnet, ftp, plain http (unless it redirects to
	// https) and plain mqtt.
	CheckCleartext Check = "cleartext-protocol" // 5.5-1 (+5.1-3 for telnet, ftp)
	// CheckBanner: a software version in an HTTP Server/X-Powered-By
	// header, an FTP greeting or a telnet pre-login banner.
	CheckBanner Check = "banner-version" // 5.6-2
	// CheckDefaultCredentials: a built-in credential logs in (telnet, ssh,
	// ftp, http basic/form, mqtt).
	CheckDefaultCredentials Check = "default-credentials" // 5.1-1
	// CheckFTPAnonymous: anonymous FTP login accepted.
	CheckFTPAnonymous Check = "ftp-anonymous" // 5.5-4
	// CheckMQTTAnonymous: MQTT CONNECT without credentials accepted
	// (evidence says whether SUBSCRIBE to "#" was granted).
	CheckMQTTAnonymous Check = "mqtt-anonymous" // 5.5-4, 5.6-2
	// TLS protocol versions and cipher suites.
	CheckTLS10         Check = "tls-1.0"         // 5.5-1
	CheckTLS11         Check = "tls-1.1"         // 5.5-1
	CheckTLSWeakCipher Check = "tls-weak-cipher" // 5.5-1: RC4, 3DES
	// Certificate: expired or not yet valid; self-signed or unknown issuer;
	// name does not match the target.
	CheckTLSCertValidity Check = "tls-cert-validity" // 5.5-1
	CheckTLSCertTrust    Check = "tls-cert-trust"    // 5.5-1
	CheckTLSCertHostname Check = "tls-cert-hostname" // 5.5-1
	// HTTP security headers.
	CheckHSTS         Check = "http-hsts"          // 5.5-1 (https only)
	CheckNoSniff      Check = "http-nosniff"       // 5.13-1 / 5.13-1A
	CheckCSP          Check = "http-csp"           // 5.13-1 / 5.13-1A
	CheckFrameOptions Check = "http-frame-options" // 5.13-1 / 5.13-1A
	// CheckSecurityTxt: /.well-known/security.txt with a Contact field on
	// any HTTP(S) port of the target (one target-wide result, Port 0 when
	// absent).
	CheckSecurityTxt Check = "security-txt" // 5.2-1
	// CheckSSDP: the device answers an SSDP M-SEARCH.
	CheckSSDP Check = "ssdp-exposed" // 5.6-1, 5.6-2
)

// provisionsFor returns the EN 303 645 provision ids a check evidences. Ids
// are those of the vigil catalogue; 5.13-1 was split into 5.13-1A/B in
// V3.1.3, so header checks name both editions' ids.
func provisionsFor(c Check, s Service) []string {
	switch c {
	case CheckPortOpen:
		if s == Modbus || s == BACnet {
			return []string{"5.6-1", "5.5-4"}
		}
		return []string{"5.6-1"}
	case CheckCleartext:
		if s == Telnet || s == FTP {
			return []string{"5.5-1", "5.1-3"}
		}
		return []string{"5.5-1"}
	case CheckBanner:
		return []string{"5.6-2"}
	case CheckDefaultCredentials:
		return []string{"5.1-1"}
	case CheckFTPAnonymous:
		return []string{"5.5-4"}
	case CheckMQTTAnonymous:
		return []string{"5.5-4", "5.6-2"}
	case CheckTLS10, CheckTLS11, CheckTLSWeakCipher, CheckTLSCertValidity, CheckTLSCertTrust,
		CheckTLSCertHostname, CheckHSTS:
		return []string{"5.5-1"}
	case CheckNoSniff, CheckCSP, CheckFrameOptions:
		return []string{"5.13-1", "5.13-1A"}
	case CheckSecurityTxt:
		return []string{"5.2-1"}
	case CheckSSDP:
		return []string{"5.6-1", "5.6-2"}
	}
	return nil
}

// AllChecks lists every check in a stable order.
func AllChecks() []Check {
	return []Check{
		CheckPortOpen, CheckCleartext, CheckBanner, CheckDefaultCredentials, CheckFTPAnonymous,
		CheckMQTTAnonymous, CheckTLS10, CheckTLS11, CheckTLSWeakCipher, CheckTLSCertValidity,
		CheckTLSCertTrust, CheckTLSCertHostname, CheckHSTS, CheckNoSniff, CheckCSP, CheckFrameOptions,
		CheckSecurityTxt, CheckSSDP,
	}
}

// Provisions returns the EN 303 645 provision ids that check c evidences
// for service s.
func Provisions(c Check, s Service) []string { return slices.Clone(provisionsFor(c, s)) }

// riskySeverity is the severity of an exposed service that should not be
// reachable; ok is false for services whose exposure is informational.
func riskySeverity(s Service) (Severity, bool) {
	switch s {
	case Telnet, Modbus, BACnet:
		return High, true
	case FTP, CWMP:
		return Medium, true
	}
	return Info, false
}

func portOpenResult(p Port) Result {
	sev, risky := riskySeverity(p.Service)
	ev := fmt.Sprintf("%d/%s open (%s)", p.Number, p.Proto, p.Service)
	if risky {
		ev += ": service should not be exposed"
	}
	return Result{Check: CheckPortOpen, Port: p.Number, Service: p.Service, Severity: sev, Evidence: ev, Passed: !risky}
}

// cleartext reports whether the service carries logins in the clear.
func cleartext(s Service) bool {
	return s == Telnet || s == FTP || s == HTTP || s == MQTT
}

func cleartextSeverity(s Service) Severity {
	if s == Telnet || s == FTP {
		return High
	}
	return Medium
}
