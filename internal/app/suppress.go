// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"strings"

	"vigil/internal/account"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/text"
)

// Suppressed is what putting an address on the suppression list did.
type Suppressed struct {
	notify.Suppression
	// Ended counts the unsent e-mails to the address that ended (state
	// suppressed).
	Ended int64 `json:"ended"`
}

// SuppressionAdd puts address on the suppression list (how: notify.SuppressLink
// for the opt-out page, notify.SuppressAnalyst for the CLI and API), ends
// the unsent mail to it and records the change in the audit log.
func (a *App) SuppressionAdd(ctx context.Context, actor, how, address, reason string) (Suppressed, error) {
	addr, err := notify.SuppressionAddress(address)
	if err != nil {
		return Suppressed{}, err
	}
	sp := notify.Suppression{Address: addr, How: how, Actor: actor, Reason: reason, At: a.st.Now().UTC()}
	n, err := a.st.SuppressionAdd(ctx, sp)
	if err != nil {
		return Suppressed{}, err
	}
	if err := a.Audit(ctx, account.AuditEntry{Actor: actor, Action: "suppression.add", Object: "suppression " + addr,
		Detail: fmt.Sprintf("how=%s ended=%d %s", how, n, reason), After: auditJSON(sp)}); err != nil {
		return Suppressed{}, fmt.Errorf("suppress: audit: %w", err)
	}
	return Suppressed{Suppression: sp, Ended: n}, nil
}

// SuppressionRemove takes address off the suppression list and records
// the change in the audit log.
func (a *App) SuppressionRemove(ctx context.Context, actor, address string) (notify.Suppression, error) {
	sp, err := a.st.SuppressionRemove(ctx, address)
	if err != nil {
		return sp, err
	}
	if err := a.Audit(ctx, account.AuditEntry{Actor: actor, Action: "suppression.remove", Object: "suppression " + sp.Address,
		Before: auditJSON(sp)}); err != nil {
		return sp, fmt.Errorf("unsuppress: audit: %w", err)
	}
	return sp, nil
}

// SuppressionList returns a page of the suppression list in id order.
func (a *App) SuppressionList(ctx context.Context, p keyset.Page) ([]notify.Suppression, error) {
	return a.st.SuppressionList(ctx, p)
}

// SuppressCommands are the commands of `vigil suppress`: the suppression
// list of addresses that get nothing more.
func SuppressCommands() []Command {
	return []Command{
		{Use: "list", Short: "List the suppressed addresses (opted out, bounced, listed by an analyst)",
			Flags: []Flag{{Name: "after", Usage: "only entries after this id"}, {Name: "limit", Usage: "at most this many entries"}},
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				after, err := in.Int("after")
				if err != nil {
					return nil, err
				}
				limit, err := in.Int("limit")
				if err != nil {
					return nil, err
				}
				p := keyset.Page{After: int64(after), Limit: limit}
				l, err := x.SuppressionList(ctx, p)
				return suppressionList{Items: l, size: p.Size()}, err
			}},
		{Use: "add ADDRESS", Short: "Put an address on the suppression list: nothing more is sent to it", Args: 1,
			Flags: []Flag{{Name: "reason", Usage: "why (kept in the list and the audit log)"}},
			Long: "Put ADDRESS on the suppression list: no warning, digest or other e-mail is sent to it any more (the composer,\n" +
				"the fallback chain and unregistered warnings skip it, and mail composed before ends as 'suppressed' instead of\n" +
				"leaving). A notice left with nobody to send to goes to the call list. The change is recorded in the audit log.",
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				s, err := x.SuppressionAdd(ctx, x.cfg.Actor, notify.SuppressAnalyst, in.Args[0], in.Flags["reason"])
				return suppressedText(s), err
			}},
		{Use: "remove ADDRESS", Short: "Take an address off the suppression list (a bounced one is no longer marked bouncing)", Args: 1,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				s, err := x.SuppressionRemove(ctx, x.cfg.Actor, in.Args[0])
				return unsuppressedText(s), err
			}},
	}
}

type suppressionList struct {
	Items []notify.Suppression `json:"items"`
	size  int
}

// Text implements Output.
func (l suppressionList) Text() string {
	if len(l.Items) == 0 {
		return "no suppressed addresses\n"
	}
	var b strings.Builder
	for _, s := range l.Items {
		fmt.Fprintf(&b, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.At.Format("2006-01-02 15:04"), s.How, s.Address, s.Actor, text.Truncate(s.Reason, 60))
	}
	if len(l.Items) == l.size {
		fmt.Fprintf(&b, "%s shown, more follow: --after %d for the next page\n", text.Plural(len(l.Items), "entry", "entries"), l.Items[len(l.Items)-1].ID)
	}
	return b.String()
}

type suppressedText Suppressed

// Text implements Output.
func (s suppressedText) Text() string {
	return fmt.Sprintf("suppressed %s (%s); %s ended\n", s.Address, s.How, text.Plural(s.Ended, "unsent e-mail", "unsent e-mails"))
}

type unsuppressedText notify.Suppression

// Text implements Output.
func (s unsuppressedText) Text() string {
	return fmt.Sprintf("removed %s from the suppression list\n", s.Address)
}
