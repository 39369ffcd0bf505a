// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"vigil/internal/app"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// pausingSink is an SMTP sink that accepts the first messages, then holds
// every further one after its data arrived and before its final answer
// (the sender waits for the 250) until released; after that it accepts
// everything, except the held messages chosen to be refused. It counts
// what it accepted per delivery key and knows which node (the envelope
// sender) sent each held message.
type pausingSink struct {
	*smtpsink.Sink
	first int

	mu       sync.Mutex
	accepted map[string]int
	held     map[string]string // delivery key → envelope sender
	refuse   map[string]bool
	released chan struct{}
	open     bool
	// firstHeld is when the first message was held.
	firstHeld time.Time
}

func startPausingSink(t *testing.T, first int) *pausingSink {
	t.Helper()
	p := &pausingSink{first: first, accepted: map[string]int{}, held: map[string]string{}, refuse: map[string]bool{}, released: make(chan struct{})}
	sink, err := smtpsink.Start(smtpsink.Options{CountOnly: true, Data: p.data})
	if err != nil {
		t.Fatal(err)
	}
	p.Sink = sink
	t.Cleanup(func() {
		p.release(nil)
		sink.Close()
	})
	return p
}

func (p *pausingSink) data(m smtpsink.Message) error {
	key := ""
	if msg, err := mail.ReadMessage(bytes.NewReader(m.Data)); err == nil {
		key = notify.DeliveryKey(msg.Header.Get("Message-Id"))
	}
	p.mu.Lock()
	if p.open || len(p.accepted) < p.first {
		defer p.mu.Unlock()
		p.accepted[key]++
		return nil
	}
	if len(p.held) == 0 {
		p.firstHeld = time.Now()
	}
	p.held[key] = m.From
	ch := p.released
	p.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(3 * time.Minute): // bounded: the test has failed by then
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse[key] {
		return &smtp.SMTPError{Code: 451, Message: "held and refused by the test"}
	}
	p.accepted[key]++
	return nil
}

// heldNow returns the held messages: delivery key → envelope sender.
func (p *pausingSink) heldNow() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.held)
}

// release refuses the held messages in refuse and accepts the others and
// everything after.
func (p *pausingSink) release(refuse []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		return
	}
	for _, k := range refuse {
		p.refuse[k] = true
	}
	p.open = true
	close(p.released)
}

// firstHeldAt returns when the first message was held.
func (p *pausingSink) firstHeldAt() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstHeld
}

// acceptedNow returns how many times each delivery key was accepted.
func (p *pausingSink) acceptedNow() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.accepted)
}

// deliverLease is the nodes' claim lease in TestMultiNodeDeliveryCrash:
// longer than the senders stay held mid-send before the kill, short
// enough for the test to wait for it.
const deliverLease = 2 * time.Minute

// TestMultiNodeDeliveryCrash kills a `vigil serve` node (SIGKILL) of three
// on one PostgreSQL database while it delivers, and restarts it. The sink
// accepts the first 40 of 240 notices and then holds every message after
// its data arrived, so each node's senders stop mid-send, waiting for the
// final answer; once every claimed row is such a held message, the node
// holding the most is killed. Its held messages end in state unknown — the
// sink keeps half of them (they arrived) and refuses the other half (they
// did not), which the node never learns — and the operator's list (vigil
// notify status --state unknown) shows exactly those; every other notice
// arrives exactly once, none twice, none never: delivered once + unknown ==
// all. Settled with vigil notify resolve by the sink's log (--sent for
// those that arrived, --resend for the others), every notice has arrived
// exactly once. The dead node's claims end by its lease (notify.lease),
// shortened to deliverLease.
func TestMultiNodeDeliveryCrash(t *testing.T) {
	skipUnlessNodes(t, "starts and kills vigil processes")
	const orgs, first, nodeCount = 240, 40, 3
	began := time.Now()
	ctx := context.Background()
	dir := t.TempDir()
	dsn := storetest.PostgresDSN(t)
	orgsCSV := writeNodeOrgs(t, dir, "deliver", 6, orgs)
	token := prepareNodeDB(t, dsn, orgsCSV)
	var feed strings.Builder
	feed.WriteString(`"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"` + "\n")
	for i := range orgs {
		fmt.Fprintf(&feed, `"2025-06-01 01:00:00","critical","%s.7","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.2507.6","EXCH01",`+"\n", nodeRange(6, i))
	}
	sink := startPausingSink(t, first)
	shared := filepath.Join(dir, "shared")
	if err := os.Mkdir(shared, 0o700); err != nil {
		t.Fatal(err)
	}
	// A job running on a dead node is taken back after 50 s (which also
	// bounds a delivery job, so the held messages are released before
	// that); each node
	// sends as node<n>@vigil.example, so the sink knows who sent what.
	type node struct {
		addr string
		env  []string
	}
	nodes := make([]node, nodeCount)
	cmds := make([]interface {
		Signal(os.Signal) error
	}, nodeCount)
	waits := make([]func() error, nodeCount)
	start := func(i int, log string) {
		cmd := startNode(t, filepath.Join(dir, log), nodes[i].env)
		cmds[i], waits[i] = cmd.Process, cmd.Wait
		waitReady(t, "http://"+nodes[i].addr)
	}
	for i := range nodes {
		addr := freeAddr(t)
		nodes[i] = node{addr: addr, env: append(splitNodeEnv(dsn, addr, sink.Addr(), dir, shared, 0),
			"VIGIL_INGEST_PART_TIMEOUT=50s", "VIGIL_JOBS_RESCUE_AFTER=50s", "VIGIL_NOTIFY_LEASE="+deliverLease.String(), fmt.Sprintf("VIGIL_SMTP_FROM=node%d@vigil.example", i))}
		start(i, fmt.Sprintf("node%d.log", i))
	}
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://"+nodes[0].addr+"/api/v1/ingest/runs?name=2025-06-01-scan_exchange-deliver-asn.csv", strings.NewReader(feed.String()))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`"findings_new":%d`, orgs)) {
		t.Fatalf("upload = %d %s", resp.StatusCode, body)
	}

	// Wait (bounded: three minutes) until the first messages were
	// accepted and every claimed row is a message the sink holds, the same
	// for half a second: then no sender is between its claim and the
	// final answer, and the node holding the most is killed.
	sendingKeys := func() map[string]bool {
		rows, err := s.Query(ctx, `SELECT idem_key, send_started_at IS NOT NULL FROM outbox WHERE state = 'sending'`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var key string
			var started bool
			if err := rows.Scan(&key, &started); err != nil {
				t.Fatal(err)
			}
			out[key] = started
		}
		return out
	}
	var held map[string]string
	stableSince := time.Time{}
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the senders never all stopped mid-send: %d accepted, %d held, claimed %v", sink.Count(), len(sink.heldNow()), sendingKeys())
		}
		h, claimed := sink.heldNow(), sendingKeys()
		same := len(h) > 0 && len(h) == len(claimed)
		for k, started := range claimed {
			if _, ok := h[k]; !ok || !started {
				same = false
			}
		}
		if !same || !maps.Equal(h, held) {
			held, stableSince = h, time.Time{}
			if same {
				stableSince = time.Now()
			}
			continue
		}
		if time.Since(stableSince) >= 500*time.Millisecond {
			break
		}
	}
	perNode := map[string][]string{}
	for k, from := range held {
		perNode[from] = append(perNode[from], k)
	}
	victim, victimFrom := -1, ""
	for i := range nodes {
		from := fmt.Sprintf("node%d@vigil.example", i)
		if victim < 0 || len(perNode[from]) > len(perNode[victimFrom]) {
			victim, victimFrom = i, from
		}
	}
	inFlight := perNode[victimFrom]
	slices.Sort(inFlight)
	if err := cmds[victim].Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = waits[victim]()
	killedAt := time.Now()
	// The dead node's held messages are among its claims, which last until
	// its lease ends.
	deadClaims := sendingKeys()
	for _, k := range inFlight {
		if !deadClaims[k] {
			t.Errorf("the dead node's message %s, held mid-send, is not among its claims %v", k, deadClaims)
		}
	}
	before := sink.Count()
	// The dead node never hears the answer: the sink keeps every other
	// one of its held messages and refuses the rest.
	var kept, refused []string
	for i, k := range inFlight {
		if i%2 == 0 {
			kept = append(kept, k)
		} else {
			refused = append(refused, k)
		}
	}
	sink.release(refused)
	t.Logf("killed node %d with %d of its messages held mid-send (%d held in all, the first %s before the release; %d accepted before)",
		victim, len(inFlight), len(held), time.Since(sink.firstHeldAt()).Round(time.Millisecond), before)
	start(victim, fmt.Sprintf("node%d-restarted.log", victim))

	// The other nodes deliver the rest; the dead node's River jobs are
	// taken back (50 s) and the sweep (every 30 s) enqueues their rows
	// again. Wait (bounded: four minutes) until nothing is pending or
	// failed and nothing moved for five seconds: the rows still claimed
	// are then the dead node's.
	type snapshot struct {
		states   string
		accepted int
	}
	snap := func() (snapshot, int) {
		rows, err := s.Query(ctx, `SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		due := 0
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %d; ", st, n)
			if st == "pending" || st == "failed" {
				due += n
			}
		}
		return snapshot{b.String(), sink.Count()}, due
	}
	var last snapshot
	var quietSince time.Time
	for deadline := time.Now().Add(4 * time.Minute); ; time.Sleep(250 * time.Millisecond) {
		cur, due := snap()
		if time.Now().After(deadline) {
			t.Fatalf("the outbox never came to rest: %s%d accepted", cur.states, cur.accepted)
		}
		if due > 0 || cur != last {
			last, quietSince = cur, time.Now()
			continue
		}
		if time.Since(quietSince) >= 5*time.Second {
			break
		}
	}
	// When the dead node's lease (deliverLease) has ended, the next sweep
	// moves its begun sends to unknown and sends the rows it had claimed
	// but not begun; bounded at the lease and two minutes after the kill.
	open := func() int {
		var n int
		if err := s.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE state NOT IN ('sent', 'unknown')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := killedAt.Add(deliverLease + 2*time.Minute); open() > 0 && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
	}
	if n := open(); n > 0 {
		t.Fatalf("%d outbox rows neither sent nor unknown", n)
	}

	// The exact account: every row sent arrived once; every unknown row is
	// one of the dead node's begun sends and arrived at most once (the
	// kept ones once, the others never); nothing else arrived.
	type outboxRow struct {
		id    int64
		state string
	}
	all := map[string]outboxRow{}
	rows, err := s.Query(ctx, `SELECT id, idem_key, state FROM outbox WHERE channel = 'email'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r outboxRow
		var key string
		if err := rows.Scan(&r.id, &key, &r.state); err != nil {
			t.Fatal(err)
		}
		all[key] = r
	}
	rows.Close()
	if len(all) != orgs {
		t.Fatalf("%d e-mail rows; want one per organisation (%d)", len(all), orgs)
	}
	got := sink.acceptedNow()
	var once, unknown, unknownArrived int
	for k, r := range all {
		switch {
		case r.state == "sent" && got[k] == 1:
			once++
		case r.state == "unknown" && deadClaims[k] && got[k] <= 1:
			unknown++
			unknownArrived += got[k]
			if want := b2i(slices.Contains(kept, k)); got[k] != want {
				t.Errorf("unknown %s arrived %d times; the sink kept it %d times", k, got[k], want)
			}
		default:
			t.Errorf("delivery %s: state %s, arrived %d times (one of the dead node's claims: %v)", k, r.state, got[k], deadClaims[k])
		}
	}
	for k, n := range got {
		if _, ok := all[k]; !ok {
			t.Errorf("%d messages with delivery key %q that is no outbox row", n, k)
		}
	}
	if once+unknown != orgs || unknown < len(inFlight) || unknown == 0 {
		t.Errorf("delivered once %d + unknown %d = %d; want all %d, with the %d held mid-send among the unknown", once, unknown, once+unknown, orgs, len(inFlight))
	}

	// The operator's list shows exactly the unknown rows, and counts them.
	out, errOut, code := cli(t, dsn, "", "--json", "notify", "status", "--state", "unknown", "--limit", "1000")
	if code != 0 {
		t.Fatalf("notify status: %d %s", code, errOut)
	}
	var status app.OutboxStatus
	if err := json.Unmarshal([]byte(out), &status); err != nil {
		t.Fatalf("notify status: %v\n%s", err, out)
	}
	listed := map[int64]bool{}
	for _, r := range status.Rows {
		listed[r.ID] = r.State == notify.OutboxUnknown && strings.Contains(r.LastError, "outcome unknown")
	}
	var counted int64
	for _, c := range status.Counts {
		if c.State == notify.OutboxUnknown {
			counted += c.Count
		}
	}
	if counted != int64(unknown) || len(listed) != unknown {
		t.Errorf("the operator's list counts %d and lists %d unknown deliveries; want %d", counted, len(listed), unknown)
	}
	for k, r := range all {
		if r.state == "unknown" && !listed[r.id] {
			t.Errorf("unknown delivery %d (%s) is not on the operator's list as outcome unknown", r.id, k)
		}
	}
	t.Logf("after the kill: delivered once %d + unknown %d (%d of them arrived) = %d of %d", once, unknown, unknownArrived, once+unknown, orgs)

	// The operator settles them by the sink's log; the resent ones go
	// out at the next sweep (bounded: two minutes).
	for k, r := range all {
		if r.state != "unknown" {
			continue
		}
		how := "--resend"
		if got[k] == 1 {
			how = "--sent"
		}
		if out, errOut, code := cli(t, dsn, "", "notify", "resolve", strconv.FormatInt(r.id, 10), how); code != 0 {
			t.Fatalf("notify resolve %d %s: %d %s%s", r.id, how, code, out, errOut)
		}
	}
	notSent := func() int {
		var n int
		if err := s.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE state <> 'sent'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for deadline := time.Now().Add(2 * time.Minute); notSent() > 0 && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
	}
	for i := range nodes {
		_ = cmds[i].Signal(syscall.SIGTERM)
		if err := waits[i](); err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	if n := notSent(); n > 0 {
		t.Errorf("%d outbox rows not sent after settling", n)
	}
	got = sink.acceptedNow()
	for k := range all {
		if got[k] != 1 {
			t.Errorf("after settling, delivery %s arrived %d times; want exactly once", k, got[k])
		}
	}
	t.Logf("%d notices, 3 nodes, one killed mid-send: %s", orgs, time.Since(began).Round(time.Millisecond))
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
