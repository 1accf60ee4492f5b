package jsbridge

import (
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
// payload as JSON, the pump wraps them into [[name, payload], ...], and one
// JSON.parse builds the whole batch (a sync page of 50 messages is one
// crossing instead of about 300). The few payloads JSON cannot carry (a
// FlooError must be an Error instance) are set afterwards by convert's fix.
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

	// stats, read by tests; written by the pump goroutine only.
	batches, failedBatches int
}

// convertFunc writes the payload of item into p as JSON (nothing for an
// undefined payload) and returns the event's name, and ok false to drop the
// item. fix, when not nil, returns the payload to deliver given the parsed
// one.
type convertFunc func(p *payload, item any) (name string, fix func(js.Value) js.Value, ok bool)

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
	type fixAt struct {
		i   int
		fix func(js.Value) js.Value
	}
	var (
		doc, one payload
		fixes    []fixAt
		n        int
	)
	doc.BeginArray()
	for _, item := range items {
		var (
			name string
			fix  func(js.Value) js.Value
			ok   bool
		)
		one.Reset()
		if err := safeCall(func() error {
			name, fix, ok = p.convert(&one, item)
			return nil
		}); err != nil {
			one.Reset()
			name, fix, ok = "error", p.env.errorPayload(err), true
		}
		if !ok {
			continue
		}
		doc.BeginArray()
		doc.String(name)
		if b := one.Bytes(); len(b) > 0 {
			doc.Raw(string(b))
		}
		doc.EndArray()
		if fix != nil {
			fixes = append(fixes, fixAt{n, fix})
		}
		n++
	}
	doc.EndArray()
	if n == 0 {
		return
	}
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
