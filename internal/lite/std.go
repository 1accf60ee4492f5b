//go:build !js

package lite

import (
	"context"
	"time"
)

// Duration is time.Duration.
type Duration = time.Duration

// The units of Duration.
const (
	Nanosecond  = time.Nanosecond
	Microsecond = time.Microsecond
	Millisecond = time.Millisecond
	Second      = time.Second
	Minute      = time.Minute
	Hour        = time.Hour
)

// Time is time.Time.
type Time = time.Time

// Now returns time.Now().
func Now() Time { return time.Now() }

// Since returns time.Since(t).
func Since(t Time) Duration { return time.Since(t) }

// Timer is time.Timer.
type Timer = time.Timer

// NewTimer returns time.NewTimer(d).
func NewTimer(d Duration) *Timer { return time.NewTimer(d) }

// AfterFunc returns time.AfterFunc(d, f).
func AfterFunc(d Duration, f func()) *Timer { return time.AfterFunc(d, f) }

// Context is context.Context.
type Context = context.Context

// CancelFunc is context.CancelFunc.
type CancelFunc = context.CancelFunc

// Canceled and DeadlineExceeded are the errors of the context package.
var (
	Canceled         = context.Canceled
	DeadlineExceeded = context.DeadlineExceeded
)

// Background returns context.Background().
func Background() Context { return context.Background() }

// WithCancel returns context.WithCancel(parent).
func WithCancel(parent Context) (Context, CancelFunc) { return context.WithCancel(parent) }

// WithTimeout returns context.WithTimeout(parent, d).
func WithTimeout(parent Context, d Duration) (Context, CancelFunc) {
	return context.WithTimeout(parent, d)
}
