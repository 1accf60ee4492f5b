package lite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flooim/floo/internal/lite"
)

// These tests run natively (where lite is the standard library) and under
// js/wasm in Node (where it is the package's own timers and contexts), so
// both forms are held to the same behaviour.

const patience = 2 * time.Second

func TestUnits(t *testing.T) {
	assert.Equal(t, int64(1500), (1500 * lite.Millisecond).Milliseconds())
	assert.Equal(t, lite.Duration(90e9), lite.Minute+30*lite.Second)
	assert.Equal(t, 60*lite.Minute, lite.Hour)
}

func TestNowAdvancesOnTheUnixScale(t *testing.T) {
	a := lite.Now()
	time.Sleep(20 * time.Millisecond)
	b := lite.Now()
	assert.GreaterOrEqual(t, b.Sub(a), 15*lite.Millisecond)
	assert.True(t, a.Before(b))
	assert.True(t, b.After(a))
	assert.True(t, a.Add(b.Sub(a)).Equal(b))
	assert.False(t, a.IsZero())
	assert.True(t, lite.Time{}.IsZero())
	assert.GreaterOrEqual(t, lite.Since(a), 15*lite.Millisecond)
	// Within a minute of the wall clock the standard library reads.
	assert.InDelta(t, time.Now().UnixMilli(), b.UnixMilli(), 60e3)
	assert.Equal(t, b.UnixNano()/1e6, b.UnixMilli())
}

func TestTimerFires(t *testing.T) {
	start := lite.Now()
	tm := lite.NewTimer(10 * lite.Millisecond)
	select {
	case at := <-tm.C:
		assert.GreaterOrEqual(t, at.Sub(start), 9*lite.Millisecond, "fired early")
	case <-time.After(patience):
		t.Fatal("timer did not fire")
	}
	assert.False(t, tm.Stop(), "Stop after the value was received")
}

func TestTimerStopPreventsFiring(t *testing.T) {
	tm := lite.NewTimer(20 * lite.Millisecond)
	assert.True(t, tm.Stop())
	select {
	case <-tm.C:
		t.Fatal("a stopped timer fired")
	case <-time.After(80 * time.Millisecond):
	}
	assert.False(t, tm.Stop(), "second Stop")
}

func TestTimerResetDropsStaleValue(t *testing.T) {
	tm := lite.NewTimer(lite.Millisecond)
	time.Sleep(30 * time.Millisecond) // fired, value not received
	tm.Reset(50 * lite.Millisecond)
	reset := lite.Now()
	select {
	case at := <-tm.C:
		assert.GreaterOrEqual(t, at.Sub(reset), 45*lite.Millisecond, "received the value of the first expiry")
	case <-time.After(patience):
		t.Fatal("reset timer did not fire")
	}
}

func TestAfterFunc(t *testing.T) {
	ran := make(chan struct{})
	lite.AfterFunc(5*lite.Millisecond, func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(patience):
		t.Fatal("AfterFunc did not run")
	}

	stopped := lite.AfterFunc(20*lite.Millisecond, func() { t.Error("a stopped AfterFunc ran") })
	assert.True(t, stopped.Stop())
	time.Sleep(60 * time.Millisecond)
}

func TestBackgroundNeverEnds(t *testing.T) {
	ctx := lite.Background()
	assert.NoError(t, ctx.Err())
	select {
	case <-ctx.Done():
		t.Fatal("Background ended")
	default:
	}
}

func TestCancelEndsChildrenNotParents(t *testing.T) {
	parent, cancelParent := lite.WithCancel(lite.Background())
	defer cancelParent()
	child, cancelChild := lite.WithCancel(parent)
	grandchild, cancelGrandchild := lite.WithCancel(child)
	defer cancelGrandchild()
	sibling, cancelSibling := lite.WithCancel(parent)
	defer cancelSibling()

	cancelChild()
	waitDone(t, grandchild)
	assert.ErrorIs(t, child.Err(), lite.Canceled)
	assert.ErrorIs(t, grandchild.Err(), lite.Canceled)
	assert.NoError(t, parent.Err())
	assert.NoError(t, sibling.Err())

	cancelParent()
	waitDone(t, sibling)
	cancelChild() // a second call does nothing
	assert.ErrorIs(t, child.Err(), lite.Canceled)

	late, cancelLate := lite.WithCancel(parent)
	defer cancelLate()
	assert.ErrorIs(t, late.Err(), lite.Canceled, "a child of an ended parent starts ended")
}

func TestTimeout(t *testing.T) {
	ctx, cancel := lite.WithTimeout(lite.Background(), 10*lite.Millisecond)
	defer cancel()
	child, cancelChild := lite.WithCancel(ctx)
	defer cancelChild()
	waitDone(t, child)
	require.ErrorIs(t, ctx.Err(), lite.DeadlineExceeded)
	assert.ErrorIs(t, child.Err(), lite.DeadlineExceeded)
	var timeout interface{ Timeout() bool }
	require.True(t, errors.As(ctx.Err(), &timeout))
	assert.True(t, timeout.Timeout())

	expired, cancelExpired := lite.WithTimeout(lite.Background(), 0)
	defer cancelExpired()
	assert.ErrorIs(t, expired.Err(), lite.DeadlineExceeded)

	early, cancelEarly := lite.WithTimeout(lite.Background(), 30*lite.Millisecond)
	cancelEarly()
	time.Sleep(60 * time.Millisecond)
	assert.ErrorIs(t, early.Err(), lite.Canceled, "cancel before the deadline wins")
}

// A context.Context from elsewhere (an application's) can be the parent;
// the child ends with the parent's error, as in the context package.
func TestStandardParent(t *testing.T) {
	std, cancel := context.WithCancel(context.Background())
	ctx, cancelCtx := lite.WithCancel(std)
	defer cancelCtx()
	cancel()
	waitDone(t, ctx)
	assert.Equal(t, std.Err(), ctx.Err())
}

func waitDone(t *testing.T, ctx lite.Context) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(patience):
		t.Fatal("context did not end")
	}
}

// BenchmarkTimerReset measures re-arming a timer, what the engine's
// scheduler does when its earliest deadline changes (a send, its ack).
func BenchmarkTimerReset(b *testing.B) {
	tm := lite.NewTimer(lite.Hour)
	defer tm.Stop()
	for b.Loop() {
		tm.Reset(lite.Hour)
	}
}

// BenchmarkNow measures reading the clock.
func BenchmarkNow(b *testing.B) {
	for b.Loop() {
		lite.Now()
	}
}

// BenchmarkWithTimeout measures a context with a deadline, created and
// cancelled, as every REST call does.
func BenchmarkWithTimeout(b *testing.B) {
	for b.Loop() {
		_, cancel := lite.WithTimeout(lite.Background(), lite.Minute)
		cancel()
	}
}
