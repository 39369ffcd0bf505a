// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/weppos/publicsuffix-go/publicsuffix"

	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/registry"
	"vigil/internal/tlp"
)

// Discovered is a contact found for an address nobody registered.
type Discovered struct {
	Email string `json:"email"`
	// Source is "security.txt" or "rdap".
	Source string `json:"source"`
	// Detail says where exactly: the security.txt URL, or the RDAP network
	// and server.
	Detail string `json:"detail"`
	// Languages are the security.txt Preferred-Languages.
	Languages []string `json:"languages,omitempty"`
	// Domain is the host name whose security.txt (or RDAP record) named
	// the contact; empty for an address's RDAP abuse contact.
	Domain string `json:"domain,omitempty"`
}

// Audience says who the contact is to the owner of the finding, for the
// TLP rule (tlp.Marking.Allows): a security.txt contact whose address is
// in the registrable domain of the host that published it is the owner
// itself; one at another domain is a party the owner appointed; an RDAP
// abuse contact is the network's operator or the registrar, never the
// owner.
func (c Discovered) Audience() tlp.Audience {
	if c.Source != "security.txt" {
		return tlp.NetworkAbuse
	}
	_, at, ok := strings.Cut(c.Email, "@")
	if !ok || c.Domain == "" {
		return tlp.DelegateSecurityTxt
	}
	if registrable(at) != "" && registrable(at) == registrable(c.Domain) {
		return tlp.OwnerSecurityTxt
	}
	return tlp.DelegateSecurityTxt
}

// registrable returns the registrable domain of host (example.nl for
// www.example.nl), or "" when it has none.
func registrable(host string) string {
	h, err := registry.NormalizeDomain(strings.TrimSuffix(host, "."))
	if err != nil {
		return ""
	}
	reg, err := publicsuffix.Domain(h)
	if err != nil {
		return ""
	}
	return reg
}

// RDAPLookup is what discovery needs of an RDAP client (*rdap.Client).
type RDAPLookup interface {
	Lookup(ctx context.Context, query string) (rdap.Result, error)
}

// Discoverer finds the security contact of an unregistered address:
// the security.txt of its host name (or of the registrable domain above
// it) when one is valid and lists an e-mail address, else the RDAP abuse
// contact of the IP address.
type Discoverer struct {
	// SecurityTxt checks a host's security.txt; typically
	// func(ctx, h) { return securitytxt.Check(ctx, client, h, securitytxt.Options{}) }.
	// Nil skips security.txt.
	SecurityTxt func(ctx context.Context, host string) (securitytxt.Report, error)
	// RDAP looks up abuse contacts; nil skips RDAP.
	RDAP RDAPLookup
}

// ErrNoContact means discovery found no usable address.
var ErrNoContact = errs.Errorf(errs.NotFound, "no security.txt or RDAP abuse contact found")

// Discover returns the contact for ip, seen under hostname (may be
// empty). Network failures of one source fall through to the next; the
// error is ErrNoContact (wrapping the last failure) when none answers.
func (d *Discoverer) Discover(ctx context.Context, ip netip.Addr, hostname string) (Discovered, error) {
	var last error
	if d.SecurityTxt != nil && hostname != "" {
		for _, host := range securityTxtHosts(hostname) {
			r, err := d.SecurityTxt(ctx, host)
			if err != nil {
				last = err
				if ctx.Err() != nil {
					return Discovered{}, ctx.Err()
				}
				continue
			}
			if emails := r.Emails(); r.Valid && len(emails) > 0 {
				where := r.URL
				if where == "" {
					where = host + securitytxt.WellKnownPath
				}
				return Discovered{Email: emails[0], Source: "security.txt", Detail: where, Languages: r.Languages(), Domain: host}, nil
			}
		}
	}
	if d.RDAP != nil && ip.IsValid() {
		res, err := d.RDAP.Lookup(ctx, ip.String())
		switch {
		case err != nil:
			last = err
		case res.AbuseEmail != "":
			detail := "RDAP abuse contact of " + res.Query
			if res.Network != "" {
				detail += " (" + res.Network + ")"
			}
			if res.Source != "" {
				detail += " at " + res.Source
			}
			return Discovered{Email: res.AbuseEmail, Source: "rdap", Detail: detail}, nil
		}
	}
	if last != nil {
		return Discovered{}, fmt.Errorf("%w: %w", ErrNoContact, last)
	}
	return Discovered{}, ErrNoContact
}

// securityTxtHosts returns hostname and, when different, its registrable
// domain (where organisations usually publish security.txt).
func securityTxtHosts(hostname string) []string {
	h, err := registry.NormalizeDomain(hostname)
	if err != nil {
		return nil
	}
	out := []string{h}
	if reg, err := publicsuffix.Domain(h); err == nil && reg != h {
		out = append(out, reg)
	}
	return out
}

// UnregisteredDraft is a notice to a discovered contact.
type UnregisteredDraft struct {
	TriggerID int64
	// DedupKey identifies the problem ("unregistered:<trigger>:<ip:port>")
	// for the quiet interval.
	DedupKey      string
	Content       Content
	Delivery      Delivery
	ContactSource string
}

// UnregisteredStore is the storage unregistered notices need.
type UnregisteredStore interface {
	// NoticeRecent reports whether a notice with dedupKey was created at or
	// after since.
	NoticeRecent(ctx context.Context, dedupKey string, since time.Time) (bool, error)
	// AddressSuppressed returns how address is on the suppression list,
	// "" if not.
	AddressSuppressed(ctx context.Context, address string) (string, error)
	// NoticeCreateUnregistered writes the notice, its item and its outbox
	// row in one transaction, unless a notice with the same DedupKey was
	// created at or after quietSince (then created is false).
	NoticeCreateUnregistered(ctx context.Context, d UnregisteredDraft, quietSince, now time.Time) (id int64, created bool, err error)
}

// UnregisteredConfig configures NotifyUnregistered.
type UnregisteredConfig struct {
	Store      UnregisteredStore
	Discoverer *Discoverer
	// Policy gives the minimum severity and the quiet interval
	// (DefaultPolicy when zero).
	Policy    Policy
	Languages []string
	Now       func() time.Time
}

// UnregisteredResult says what NotifyUnregistered did.
type UnregisteredResult struct {
	NoticeID int64      `json:"notice_id,omitempty"`
	Created  bool       `json:"created"`
	Reason   string     `json:"reason"`
	Contact  Discovered `json:"contact"`
}

// The reasons of an UnregisteredResult.
const (
	UnregCreated         = "created"
	UnregNotAllowed      = "trigger_disallows"
	UnregBelowMin        = "below_min_severity"
	UnregQuiet           = "quiet_interval"
	UnregNoContact       = "no_contact"
	UnregBounced         = "contact_bounced"
	UnregSuppressed      = "contact_suppressed"
	UnregNotAnIPSighting = "no_ip"
	// UnregTLPRed: the sighting is marked TLP:RED, for the analysts only.
	UnregTLPRed = "tlp_red_withheld"
	// UnregTLPExcluded: the contact found is not one the marking allows
	// (TLP:AMBER+STRICT to an RDAP abuse contact or a security.txt contact
	// at another domain).
	UnregTLPExcluded      = "tlp_contact_excluded"
	unregisteredKeyPrefix = "unregistered:"
)

// ItemFromSighting makes the notice item of a sighting of trigger t.
func ItemFromSighting(sg finding.Sighting, t finding.Trigger) Item {
	f := finding.Finding{Trigger: t.Name, TriggerID: t.ID, Type: sg.Type, ReportType: sg.ReportType, Key: sg.Key,
		Port: int(sg.Port), ASN: int64(sg.ASN), Hostname: sg.Hostname, CVE: sg.CVE, Severity: sg.Severity, Class: sg.Class,
		FirstSeen: sg.Time, LastSeen: sg.Time, Count: 1, Evidence: sg.Evidence, TLP: sg.TLP}
	if sg.IP.IsValid() {
		f.IP = sg.IP.String()
	}
	if f.Key == "" && sg.IP.IsValid() {
		f.Key = finding.KeyFor(sg.IP, sg.Port)
	}
	return ItemFromFinding(finding.EventNew, f, t)
}

// NotifyUnregistered makes a notice about sighting sg of trigger t, whose
// IP no organisation registered, to the contact discovered for it, when
// the trigger allows such notices (NotifyUnregistered), the severity
// reaches the policy's minimum and no notice about the same trigger and
// address was made within the quiet interval. The ingest pipeline calls it
// for unmatched sightings.
func NotifyUnregistered(ctx context.Context, cfg UnregisteredConfig, t finding.Trigger, sg finding.Sighting) (UnregisteredResult, error) {
	pol := cfg.Policy
	if pol.Mode == "" {
		pol = DefaultPolicy()
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	langs := cfg.Languages
	if len(langs) == 0 {
		langs = []string{FallbackLang}
	}
	switch {
	case !t.NotifyUnregistered:
		return UnregisteredResult{Reason: UnregNotAllowed}, nil
	case !sg.IP.IsValid():
		return UnregisteredResult{Reason: UnregNotAnIPSighting}, nil
	case effective(sg.Severity) < pol.MinSeverity:
		return UnregisteredResult{Reason: UnregBelowMin}, nil
	case sg.TLP >= tlp.Red:
		return UnregisteredResult{Reason: UnregTLPRed}, nil
	}
	at := now().UTC()
	key := sg.Key
	if key == "" {
		key = finding.KeyFor(sg.IP, sg.Port)
	}
	dedup := fmt.Sprintf("%s%d:%s", unregisteredKeyPrefix, t.ID, key)
	quietSince := at.Add(-pol.RenotifyAfter)
	recent, err := cfg.Store.NoticeRecent(ctx, dedup, quietSince)
	if err != nil {
		return UnregisteredResult{}, err
	}
	if recent {
		return UnregisteredResult{Reason: UnregQuiet}, nil
	}
	if cfg.Discoverer == nil {
		return UnregisteredResult{Reason: UnregNoContact}, nil
	}
	c, err := cfg.Discoverer.Discover(ctx, sg.IP, sg.Hostname)
	if errors.Is(err, ErrNoContact) {
		return UnregisteredResult{Reason: UnregNoContact}, nil
	}
	if err != nil {
		return UnregisteredResult{}, err
	}
	if email, err := registry.NormalizeEmail(c.Email); err == nil {
		c.Email = email
	} else {
		return UnregisteredResult{Reason: UnregNoContact, Contact: c}, nil
	}
	if !sg.TLP.Allows(c.Audience()) {
		return UnregisteredResult{Reason: UnregTLPExcluded, Contact: c}, nil
	}
	if how, err := cfg.Store.AddressSuppressed(ctx, c.Email); err != nil {
		return UnregisteredResult{}, err
	} else if how == SuppressBounce {
		return UnregisteredResult{Reason: UnregBounced, Contact: c}, nil
	} else if how != "" {
		return UnregisteredResult{Reason: UnregSuppressed, Contact: c}, nil
	}
	it := ItemFromSighting(sg, t)
	d := UnregisteredDraft{
		TriggerID: t.ID, DedupKey: dedup, ContactSource: describeSource(c),
		Content:  Content{Kind: KindUnregistered, Severity: it.Severity, Created: at, Items: []Item{it}, Languages: c.Languages},
		Delivery: Delivery{Channel: Email, Recipient: c.Email, Lang: ChooseLang(langs, c.Languages)},
	}
	id, created, err := cfg.Store.NoticeCreateUnregistered(ctx, d, quietSince, at)
	if err != nil {
		return UnregisteredResult{}, err
	}
	r := UnregisteredResult{NoticeID: id, Created: created, Reason: UnregCreated, Contact: c}
	if !created {
		r.Reason = UnregQuiet
	}
	return r, nil
}

func describeSource(c Discovered) string {
	if c.Source == "security.txt" {
		return "security.txt: " + c.Detail
	}
	return strings.TrimSpace(c.Detail)
}
