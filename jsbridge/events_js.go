package jsbridge

import (
	"errors"
	"runtime"
	"sync"
	"syscall/js"
)

// maxEventBatch caps the events handed to JavaScript in one deliver call,
// so a burst (a full sync after a long offline period) is split into
// batches that each keep the JavaScript thread busy only briefly.
const maxEventBatch = 256

// eventPump delivers events to JavaScript in order, in batches, through one
// callback: deliver(Array<[name, payload]>). Every value that crosses from
// Go costs a call into JavaScript and a reference that Go tracks with a
// finalizer, so a batch crosses as one JSON document: convert writes each
// event's name and payload as JSON into the batch's document,
// [[name, payload], ...], and one JSON.parse builds the whole batch (a
// sync page of 50 messages is two crossings, the parse and the deliver,
// instead of about 300). The few payloads JSON cannot carry (a FlooError
// must be an Error instance) are set afterwards by convert's fix.
//
// Events are queued by push, which never blocks and may be called from any
// goroutine (the engine's dispatcher). One pump goroutine converts them and
// calls deliver; events pushed while deliver runs form the next batch. A
// panic in convert is recovered and the event is replaced by an "error"
// event carrying a FlooError; an exception thrown by deliver is recovered
// too and the pump goes on with the next batch.
type eventPump struct {
	env     *env
	deliver js.Value
	convert convertFunc

	mu     sync.Mutex
	queue  []any // guarded by mu; events not yet taken by the pump goroutine
	closed bool  // guarded by mu; no more pushes accepted

	wake chan struct{} // capacity 1: "queue is not empty or closed is set"
	done chan struct{} // closed when the pump goroutine has exited

	// doc is the JSON document of the batch being built, kept between
	// batches so that its buffer is not grown again for each; pump
	// goroutine only.
	doc payload

	// stats, read by tests; written by the pump goroutine only.
	batches, failedBatches int
}

// convertFunc writes the event name of item and its payload into p as two
// JSON values (the name only for an undefined payload), or writes nothing
// and returns ok false to drop the item. fix, when not nil, returns the
// payload to deliver given the parsed one.
type convertFunc func(p *payload, item any) (fix func(js.Value) js.Value, ok bool)

// newEventPump starts a pump that converts queued items with convert and
// hands them to deliver.
func newEventPump(e *env, deliver js.Value, convert convertFunc) *eventPump {
	p := &eventPump{
		env:     e,
		deliver: deliver,
		convert: convert,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	go p.run()
	return p
}

// push queues an event. It never blocks; after close it drops the event.
func (p *eventPump) push(item any) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.queue = append(p.queue, item)
	p.mu.Unlock()
	p.signal()
}

func (p *eventPump) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// close stops accepting events; the events already queued are still
// delivered, after which the pump goroutine exits and Done is closed.
func (p *eventPump) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.signal()
}

// Done is closed once close was called and every queued event delivered.
func (p *eventPump) Done() <-chan struct{} { return p.done }

func (p *eventPump) run() {
	defer close(p.done)
	for range p.wake {
		// Let the goroutines that are producing events run first, so that a
		// burst ends up in one batch instead of one call per event.
		runtime.Gosched()
		for {
			p.mu.Lock()
			n := len(p.queue)
			if n > maxEventBatch {
				n = maxEventBatch
			}
			items := make([]any, n)
			copy(items, p.queue)
			clear(p.queue[:n])
			p.queue = p.queue[n:]
			if len(p.queue) == 0 {
				p.queue = nil // let the backing array go after a burst
			}
			closed := p.closed
			p.mu.Unlock()
			if n == 0 {
				if closed {
					return
				}
				break
			}
			p.flush(items)
		}
	}
}

// flush converts items and delivers them as one batch.
func (p *eventPump) flush(items []any) {
	var redo []error // by item: why it is not converted again; nil until needed
	for {
		fixes, n, at, err := p.build(items, redo)
		if at >= 0 {
			// The item was dropped, or its converter panicked, after its
			// pair was begun: build the batch again without it, or with an
			// "error" event in its place. Both are rare (a panic is a bug)
			// and happen at most once per item.
			if redo == nil {
				redo = make([]error, len(items))
			}
			redo[at] = err
			continue
		}
		if n > 0 {
			p.deliverDoc(&p.doc, fixes)
		}
		if cap(p.doc.Bytes()) > maxKeptDoc {
			p.doc = payload{} // a burst of large payloads: let the buffer go
		}
		return
	}
}

// errDropped marks an item that its converter dropped.
var errDropped = errors.New("dropped")

// fixAt is the fix of the payload of the i-th pair of a batch.
type fixAt struct {
	i   int
	fix func(js.Value) js.Value
}

// maxKeptDoc is the largest batch buffer kept for the next batch.
const maxKeptDoc = 256 << 10

// build writes items as [[name, payload], ...] into p.doc and returns the
// fixes and the number of pairs, with at -1. It stops at the first item
// that its converter drops or that panics, returning its index as at and
// errDropped or the panic. Items marked in redo are left out (errDropped)
// or become "error" events.
func (p *eventPump) build(items []any, redo []error) (fixes []fixAt, n, at int, err error) {
	doc := &p.doc
	doc.Reset()
	doc.BeginArray()
	for i, item := range items {
		var (
			fix func(js.Value) js.Value
			ok  bool
		)
		if redo != nil && redo[i] == errDropped {
			continue
		}
		doc.BeginArray()
		if redo != nil && redo[i] != nil {
			doc.String("error")
			fix, ok = p.env.errorPayload(redo[i]), true
		} else if err := safeCall(func() error {
			fix, ok = p.convert(doc, item)
			return nil
		}); err != nil {
			return nil, 0, i, err
		}
		if !ok {
			return nil, 0, i, errDropped
		}
		doc.EndArray()
		if fix != nil {
			fixes = append(fixes, fixAt{n, fix})
		}
		n++
	}
	doc.EndArray()
	return fixes, n, -1, nil
}

// deliverDoc parses the batch, applies the fixes and calls deliver.
func (p *eventPump) deliverDoc(doc *payload, fixes []fixAt) {
	var batch js.Value
	if err := safeCall(func() error {
		batch = doc.value()
		return nil
	}); err != nil {
		p.report(err) // the writers' output is always valid JSON: a bug here
		return
	}
	for _, f := range fixes {
		pair := batch.Index(f.i)
		if err := safeCall(func() error {
			pair.SetIndex(1, f.fix(pair.Index(1)))
			return nil
		}); err != nil {
			_ = safeCall(func() error {
				pair.SetIndex(0, "error")
				pair.SetIndex(1, p.env.errorValue(err))
				return nil
			})
		}
	}
	p.batches++
	if err := safeCall(func() error {
		p.deliver.Invoke(batch)
		return nil
	}); err != nil {
		// The npm side isolates each listener, so this is a bug there;
		// losing one batch beats stopping every later event.
		p.failedBatches++
		p.report(err)
	}
}

// report writes a failed delivery to the console.
func (p *eventPump) report(err error) {
	_ = safeCall(func() error {
		js.Global().Get("console").Call("error", "floo: event delivery failed: "+err.Error())
		return nil
	})
}
