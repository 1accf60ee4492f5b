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
// callback: deliver(Array<[name, payload]>). Calling JavaScript from Go is
// cheap compared with the other direction, but each crossing still costs
// microseconds and runs the application's listeners synchronously, so the
// pump hands over everything queued at once rather than one event per call.
//
// Events are queued by push, which never blocks and may be called from any
// goroutine (the engine's dispatcher). One pump goroutine converts them to
// JavaScript values (convert) and calls deliver; events pushed while deliver
// runs form the next batch. A panic in convert is recovered and the event
// is replaced by an "error" event carrying a FlooError; an exception thrown
// by deliver is recovered too and the pump goes on with the next batch.
type eventPump struct {
	env     *env
	deliver js.Value
	convert func(item any) (name string, payload js.Value, ok bool)

	mu     sync.Mutex
	queue  []any // guarded by mu; events not yet taken by the pump goroutine
	closed bool  // guarded by mu; no more pushes accepted

	wake chan struct{} // capacity 1: "queue is not empty or closed is set"
	done chan struct{} // closed when the pump goroutine has exited

	// stats, read by tests; written by the pump goroutine only.
	batches, failedBatches int
}

// newEventPump starts a pump that converts queued items with convert and
// hands them to deliver. convert returns ok false to drop an item.
func newEventPump(e *env, deliver js.Value, convert func(any) (string, js.Value, bool)) *eventPump {
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
	batch := newArray(0)
	for _, item := range items {
		var (
			name    string
			payload js.Value
			ok      bool
		)
		err := safeCall(func() error {
			name, payload, ok = p.convert(item)
			return nil
		})
		if err != nil {
			name, payload, ok = "error", p.env.errorValue(err), true
		}
		if !ok {
			continue
		}
		pair := newArray(2)
		pair.SetIndex(0, name)
		pair.SetIndex(1, payload)
		batch.Call("push", pair)
	}
	if batch.Length() == 0 {
		return
	}
	p.batches++
	if err := safeCall(func() error {
		p.deliver.Invoke(batch)
		return nil
	}); err != nil {
		// The npm side isolates each listener, so this is a bug there;
		// losing one batch beats stopping every later event.
		p.failedBatches++
		_ = safeCall(func() error {
			js.Global().Get("console").Call("error", "floo: event delivery failed: "+err.Error())
			return nil
		})
	}
}
