package chaos

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// The ledger counts what happened to every message of every pair. Each
// message has a unique payload "chaos/<run>/<pair>/<side>/<seq>"; its
// sender reports the client_mid it got, then "sent" or "failed"; its
// receiver reports every delivery. Reports may arrive in any order (a
// status may be reported before the post that returned the client_mid),
// so statuses are kept by client_mid and joined at the end.

// msgKey names one message: the pair, the sending side ("a" or "b") and
// its number, counting from 1 per side.
type msgKey struct {
	pair, side string
	seq        int
}

type record struct {
	phase     int // index of the phase during which it was posted
	postedAt  time.Time
	cmid      string
	postErr   string // the post itself failed: failed at once
	recv      int    // deliveries to the peer
	firstRecv time.Time
	reordered bool
}

type cmidKey struct{ pair, side, cmid string }

type status struct {
	sent, failed bool
	failWhy      string // first failure: code and reason
}

// phase is a span of the run: the baseline, one fault with the traffic
// after it, or the drain.
type phase struct {
	name     string // scenario name; rows of the table group by it
	start    time.Time
	faultEnd time.Time // zero for phases without a fault
}

type ledger struct {
	run string

	mu       sync.Mutex
	msgs     map[msgKey]*record
	statuses map[cmidKey]*status
	maxSeen  map[[2]string]int         // highest seq delivered, by pair and sending side
	recvAt   map[string][]time.Time    // delivery times by pair, in arrival order
	phases   []phase                   // guarded by mu
	notes    map[string][]string       // by pair: unparseable deliveries and the like
	failures map[string]map[string]int // by pair: failure reasons and counts
}

func newLedger(run string) *ledger {
	return &ledger{
		run: run, msgs: map[msgKey]*record{}, statuses: map[cmidKey]*status{}, maxSeen: map[[2]string]int{},
		recvAt: map[string][]time.Time{}, notes: map[string][]string{}, failures: map[string]map[string]int{},
		phases: []phase{{name: "baseline", start: time.Now()}},
	}
}

// payload is the content of message seq of side in pair.
func (l *ledger) payload(pair, side string, seq int) string {
	return "chaos/" + l.run + "/" + pair + "/" + side + "/" + strconv.Itoa(seq)
}

// parse reads a payload back; ok is false for anything else.
func (l *ledger) parse(content string) (pair, side string, seq int, ok bool) {
	f := strings.Split(content, "/")
	if len(f) != 5 || f[0] != "chaos" || f[1] != l.run {
		return "", "", 0, false
	}
	seq, err := strconv.Atoi(f[4])
	return f[2], f[3], seq, err == nil
}

// beginPhase starts a new phase named name.
func (l *ledger) beginPhase(name string) {
	l.mu.Lock()
	l.phases = append(l.phases, phase{name: name, start: time.Now()})
	l.mu.Unlock()
}

// faultEnded records that the current phase's fault is over.
func (l *ledger) faultEnded() {
	l.mu.Lock()
	l.phases[len(l.phases)-1].faultEnd = time.Now()
	l.mu.Unlock()
}

// requested records that message seq is about to be handed to its
// client: from now on it counts, even if its client never reports it.
func (l *ledger) requested(pair, side string, seq int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := msgKey{pair, side, seq}
	if l.msgs[k] == nil {
		l.msgs[k] = &record{phase: len(l.phases) - 1, postedAt: time.Now()}
	}
}

// posted records that the client took message seq and answered with
// cmid, or with an error.
func (l *ledger) posted(pair, side string, seq int, cmid string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := msgKey{pair, side, seq}
	r := l.msgs[k]
	if r == nil {
		r = &record{phase: len(l.phases) - 1, postedAt: time.Now()}
		l.msgs[k] = r
	}
	r.cmid = cmid
	if err != nil {
		r.postErr = err.Error()
		l.countFailure(pair, "post: "+err.Error())
	}
}

// status records a send status of side's client_mid cmid.
func (l *ledger) status(pair, side, cmid string, sent bool, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := cmidKey{pair, side, cmid}
	s := l.statuses[k]
	if s == nil {
		s = &status{}
		l.statuses[k] = s
	}
	if sent {
		s.sent = true
		return
	}
	if !s.failed {
		s.failWhy = why
		l.countFailure(pair, why)
	}
	s.failed = true
}

func (l *ledger) countFailure(pair, why string) {
	m := l.failures[pair]
	if m == nil {
		m = map[string]int{}
		l.failures[pair] = m
	}
	m[why]++
}

// received records a delivery of content to the receiving side of pair.
func (l *ledger) received(pair, content string) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	p, side, seq, ok := l.parse(content)
	if !ok || p != pair {
		l.notes[pair] = append(l.notes[pair], "unexpected delivery "+strconv.Quote(content))
		return
	}
	l.recvAt[pair] = append(l.recvAt[pair], now)
	k := msgKey{pair, side, seq}
	r := l.msgs[k]
	if r == nil {
		// Delivered before its post was recorded: possible only in a race
		// of a few microseconds; keep it as a record of unknown phase.
		r = &record{phase: len(l.phases) - 1, postedAt: now}
		l.msgs[k] = r
	}
	r.recv++
	if r.recv > 1 {
		return
	}
	r.firstRecv = now
	ms := [2]string{pair, side}
	if seq < l.maxSeen[ms] {
		r.reordered = true
		l.notes[pair] = append(l.notes[pair], fmt.Sprintf("%s%d delivered after %s%d", side, seq, side, l.maxSeen[ms]))
	} else {
		l.maxSeen[ms] = seq
	}
}

// outcome classifies one message.
type outcome struct {
	sent, failed, delivered bool
	dup                     int
}

func (l *ledger) outcomeOf(k msgKey, r *record) outcome {
	o := outcome{delivered: r.recv > 0, dup: max(0, r.recv-1)}
	if r.postErr != "" {
		o.failed = true
	}
	if s := l.statuses[cmidKey{k.pair, k.side, r.cmid}]; s != nil && r.cmid != "" {
		o.sent, o.failed = s.sent, o.failed || s.failed
	}
	return o
}

// settled reports whether every message has an outcome and every
// acknowledged one was delivered: the drain can stop.
func (l *ledger) settled() (bool, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	open, undelivered := 0, 0
	for k, r := range l.msgs {
		o := l.outcomeOf(k, r)
		if !o.sent && !o.failed {
			open++
		}
		if o.sent && !o.delivered {
			undelivered++
		}
	}
	return open == 0 && undelivered == 0, fmt.Sprintf("%d unacknowledged, %d acknowledged but not delivered", open, undelivered)
}

// row is one line of the table.
type row struct {
	scenario, pair                                                       string
	faults, posted, acked, lost, dup, reordered, failed, failedDelivered int
	unacked                                                              int
	recovery                                                             []time.Duration
}

// bad reports whether the row breaks the promise.
func (r row) bad() bool {
	return r.lost+r.dup+r.reordered+r.failed+r.failedDelivered+r.unacked > 0
}

// rows builds the table: one row per scenario and pair, in the order the
// scenarios first ran.
func (l *ledger) rows(pairs []string) []row {
	l.mu.Lock()
	defer l.mu.Unlock()
	var order []string
	idx := map[[2]string]*row{}
	get := func(scenario, pair string) *row {
		if !slices.Contains(order, scenario) {
			order = append(order, scenario)
		}
		k := [2]string{scenario, pair}
		if idx[k] == nil {
			idx[k] = &row{scenario: scenario, pair: pair}
		}
		return idx[k]
	}
	for _, ph := range l.phases {
		for _, p := range pairs {
			r := get(ph.name, p)
			if !ph.faultEnd.IsZero() {
				r.faults++
				r.recovery = append(r.recovery, firstAfter(l.recvAt[p], ph.faultEnd))
			}
		}
	}
	for k, rec := range l.msgs {
		r := get(l.phases[rec.phase].name, k.pair)
		o := l.outcomeOf(k, rec)
		r.posted++
		r.dup += o.dup
		switch {
		case o.sent && !o.delivered:
			r.lost++
		case !o.sent && !o.failed:
			r.unacked++
		}
		if o.sent {
			r.acked++
		}
		if o.failed {
			r.failed++
			if o.delivered {
				r.failedDelivered++
			}
		}
		if rec.reordered {
			r.reordered++
		}
	}
	var out []row
	for _, s := range order {
		for _, p := range pairs {
			if r := idx[[2]string{s, p}]; r != nil {
				out = append(out, *r)
			}
		}
	}
	return out
}

// firstAfter returns how long after t the first time in ts (sorted) is,
// or -1 when there is none.
func firstAfter(ts []time.Time, t time.Time) time.Duration {
	i, _ := slices.BinarySearchFunc(ts, t, func(a, b time.Time) int { return a.Compare(b) })
	if i == len(ts) {
		return -1
	}
	return ts[i].Sub(t)
}

// print writes the table and the failure reasons.
func (l *ledger) print(w io.Writer, pairs []string) (ok bool) {
	rows := l.rows(pairs)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tpair\tfaults\tposted\tacked\tlost\tdup\treordered\tfailed\tfailed-delivered\tunacked\trecovery max\trecovery avg\t")
	ok = true
	total := map[string]*row{}
	for _, r := range rows {
		if r.bad() {
			ok = false
		}
		t := total[r.pair]
		if t == nil {
			t = &row{scenario: "total", pair: r.pair}
			total[r.pair] = t
		}
		t.faults += r.faults
		t.posted += r.posted
		t.acked += r.acked
		t.lost += r.lost
		t.dup += r.dup
		t.reordered += r.reordered
		t.failed += r.failed
		t.failedDelivered += r.failedDelivered
		t.unacked += r.unacked
		writeRow(tw, r)
	}
	for _, p := range pairs {
		if t := total[p]; t != nil {
			writeRow(tw, *t)
		}
	}
	tw.Flush()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range pairs {
		if len(l.failures[p]) > 0 {
			fmt.Fprintf(w, "failures of %s:", p)
			keys := make([]string, 0, len(l.failures[p]))
			for k := range l.failures[p] {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				fmt.Fprintf(w, " %s ×%d;", k, l.failures[p][k])
			}
			fmt.Fprintln(w)
		}
		for i, n := range l.notes[p] {
			if i == 5 {
				fmt.Fprintf(w, "%s: … %d more notes\n", p, len(l.notes[p])-5)
				break
			}
			fmt.Fprintf(w, "%s: %s\n", p, n)
			ok = false
		}
	}
	return ok
}

func writeRow(w io.Writer, r row) {
	maxR, avg := "-", "-"
	var sum time.Duration
	n := 0
	worst := time.Duration(0)
	never := false
	for _, d := range r.recovery {
		if d < 0 {
			never = true
			continue
		}
		sum += d
		n++
		worst = max(worst, d)
	}
	if n > 0 {
		maxR, avg = fmtDur(worst), fmtDur(sum/time.Duration(n))
	}
	if never {
		maxR = "never"
	}
	fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n", r.scenario, r.pair, r.faults, r.posted,
		r.acked, r.lost, r.dup, r.reordered, r.failed, r.failedDelivered, r.unacked, maxR, avg)
}

func fmtDur(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}
