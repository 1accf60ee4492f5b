package core

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// eventQueue delivers events to the handlers registered with OnEvent on a
// single dispatcher goroutine, in the order they were emitted.
//
// Emit never blocks: the queue is unbounded, so a slow handler delays later
// events but never stalls the read loop or the engine (STYLE.md §13). The
// engine emits only after releasing its own locks, and handlers run with no
// engine lock held, so a handler may call any Client method.
type eventQueue struct {
	mu      sync.Mutex
	items   []Event       // guarded by mu; pending events, oldest first
	head    int           // guarded by mu; index of the oldest pending event
	closing bool          // guarded by mu; no more events are accepted
	signal  chan struct{} // capacity 1: "items is not empty or closing"
	done    chan struct{} // closed when the dispatcher has exited

	handlers atomic.Pointer[[]handlerEntry] // copy-on-write list
	hmu      sync.Mutex                     // serializes writers of handlers
	nextID   uint64                         // guarded by hmu

	goid atomic.Int64 // the dispatcher goroutine's id, to detect re-entrant Close
}

type handlerEntry struct {
	id uint64
	fn func(Event)
}

func newEventQueue() *eventQueue {
	q := &eventQueue{
		signal: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	q.handlers.Store(&[]handlerEntry{})
	go q.run()
	return q
}

// emit appends ev to the queue. Events emitted after close are dropped.
func (q *eventQueue) emit(ev Event) {
	q.mu.Lock()
	if q.closing {
		q.mu.Unlock()
		return
	}
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

// add registers fn and returns the function that removes it.
func (q *eventQueue) add(fn func(Event)) (remove func()) {
	q.hmu.Lock()
	q.nextID++
	id := q.nextID
	old := *q.handlers.Load()
	list := make([]handlerEntry, len(old), len(old)+1)
	copy(list, old)
	list = append(list, handlerEntry{id, fn})
	q.handlers.Store(&list)
	q.hmu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			q.hmu.Lock()
			defer q.hmu.Unlock()
			old := *q.handlers.Load()
			list := make([]handlerEntry, 0, len(old))
			for _, h := range old {
				if h.id != id {
					list = append(list, h)
				}
			}
			q.handlers.Store(&list)
		})
	}
}

// close stops accepting events and lets the dispatcher exit once the events
// already queued are delivered. It waits for that unless it is called from a
// handler, on the dispatcher goroutine itself, where waiting would deadlock.
func (q *eventQueue) close() {
	q.mu.Lock()
	q.closing = true
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
	if q.goid.Load() == curGoroutineID() {
		return
	}
	<-q.done
}

func (q *eventQueue) run() {
	defer close(q.done)
	q.goid.Store(curGoroutineID())
	for {
		q.mu.Lock()
		if q.head == len(q.items) {
			q.items = q.items[:0]
			q.head = 0
			if q.closing {
				q.mu.Unlock()
				return
			}
			q.mu.Unlock()
			<-q.signal
			continue
		}
		ev := q.items[q.head]
		q.items[q.head] = nil
		q.head++
		// Reclaim the consumed prefix now and then so that a long burst
		// does not keep a huge backing array alive.
		if q.head > 1024 && q.head*2 > len(q.items) {
			n := copy(q.items, q.items[q.head:])
			clear(q.items[n:])
			q.items = q.items[:n]
			q.head = 0
		}
		q.mu.Unlock()
		q.dispatch(ev)
	}
}

func (q *eventQueue) dispatch(ev Event) {
	for _, h := range *q.handlers.Load() {
		q.call(h.fn, ev)
	}
}

// call runs one handler, turning a panic into an ErrorEvent so that one
// faulty handler cannot kill the dispatcher (STYLE.md §13). A panic while
// handling an ErrorEvent is not reported again, which would loop.
func (q *eventQueue) call(fn func(Event), ev Event) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := ev.(ErrorEvent); ok {
				return
			}
			e := NewError(GeneralError, "event handler for "+ev.EventName()+" panicked: "+panicText(r))
			q.emit(ErrorEvent{Err: e})
		}
	}()
	fn(ev)
}

func panicText(r any) string {
	switch v := r.(type) {
	case string:
		return v
	case error:
		return v.Error()
	case interface{ String() string }:
		return v.String()
	}
	return "(non-string panic value)"
}

// curGoroutineID returns the id of the calling goroutine, parsed from the
// first line of its stack trace ("goroutine 18 [running]:"). It is used only
// by close to avoid waiting for itself, never on a hot path.
func curGoroutineID() int64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	s := buf[:n]
	const prefix = "goroutine "
	if len(s) < len(prefix) {
		return -1
	}
	s = s[len(prefix):]
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	id, ok := parseDecimal(string(s[:end]), 1<<63-1)
	if !ok {
		return -1
	}
	return int64(id)
}
