package lite

import (
	"errors"
	"sync"
)

// Context carries cancellation across calls: Done is closed when the work
// should stop, and Err then says why (Canceled or DeadlineExceeded). It is
// the part of context.Context the engine uses, so a context.Context can be
// passed wherever a Context is taken.
type Context interface {
	Done() <-chan struct{}
	Err() error
}

// CancelFunc ends a Context; calls after the first do nothing.
type CancelFunc func()

// Canceled is the error of a Context ended by its CancelFunc.
var Canceled = errors.New("context canceled")

// DeadlineExceeded is the error of a Context whose timeout passed. Like
// context.DeadlineExceeded it reports Timeout() true.
var DeadlineExceeded error = deadlineExceededError{}

type deadlineExceededError struct{}

func (deadlineExceededError) Error() string   { return "context deadline exceeded" }
func (deadlineExceededError) Timeout() bool   { return true }
func (deadlineExceededError) Temporary() bool { return true }

type background struct{}

func (background) Done() <-chan struct{} { return nil }
func (background) Err() error            { return nil }

// Background returns a Context that never ends.
func Background() Context { return background{} }

// cancelCtx is the Context of WithCancel and WithTimeout. A child of
// another cancelCtx registers with it; a child of any other Context that
// can end watches it from a goroutine, as the context package does.
type cancelCtx struct {
	done chan struct{}

	mu       sync.Mutex
	err      error        // guarded by mu; set once
	children []*cancelCtx // guarded by mu; not a map: pointer keys link map code of their own
	parent   *cancelCtx   // guarded by mu; to unregister from
	stop     func() bool  // guarded by mu; stops the timeout
}

func (c *cancelCtx) Done() <-chan struct{} { return c.done }

func (c *cancelCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// WithCancel returns a Context that ends when cancel is called or when
// parent ends, whichever happens first.
func WithCancel(parent Context) (ctx Context, cancel CancelFunc) {
	c := newCancelCtx(parent)
	return c, func() { c.cancel(Canceled) }
}

// WithTimeout returns a Context that also ends, with DeadlineExceeded,
// once d has passed. Calling cancel releases its timer.
func WithTimeout(parent Context, d Duration) (ctx Context, cancel CancelFunc) {
	c := newCancelCtx(parent)
	if d <= 0 {
		c.cancel(DeadlineExceeded)
		return c, func() {}
	}
	t := AfterFunc(d, func() { c.cancel(DeadlineExceeded) })
	c.mu.Lock()
	if c.err == nil {
		c.stop = t.Stop
		t = nil
	}
	c.mu.Unlock()
	if t != nil {
		t.Stop()
	}
	return c, func() { c.cancel(Canceled) }
}

func newCancelCtx(parent Context) *cancelCtx {
	c := &cancelCtx{done: make(chan struct{})}
	if p, ok := parent.(*cancelCtx); ok {
		p.mu.Lock()
		if err := p.err; err != nil {
			p.mu.Unlock()
			c.cancel(err)
			return c
		}
		p.children = append(p.children, c)
		c.parent = p
		p.mu.Unlock()
		return c
	}
	pd := parent.Done()
	if pd == nil {
		return c
	}
	select {
	case <-pd:
		c.cancel(parent.Err())
	default:
		go func() {
			select {
			case <-pd:
				c.cancel(parent.Err())
			case <-c.done:
			}
		}()
	}
	return c
}

// cancel ends c and its children with err, stops its timer and unregisters
// it from its parent. Only the first call does anything.
func (c *cancelCtx) cancel(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.done)
	children, parent, stop := c.children, c.parent, c.stop
	c.children, c.parent, c.stop = nil, nil, nil
	c.mu.Unlock()
	if stop != nil {
		stop()
	}
	for _, child := range children {
		child.cancel(err)
	}
	if parent != nil {
		parent.mu.Lock()
		for i, sib := range parent.children {
			if sib == c {
				last := len(parent.children) - 1
				parent.children[i] = parent.children[last]
				parent.children[last] = nil
				parent.children = parent.children[:last]
				break
			}
		}
		parent.mu.Unlock()
	}
}
