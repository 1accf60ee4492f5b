package core

import (
	"container/heap"

	"github.com/flooim/floo/internal/lite"
)

// scheduler multiplexes every timer of the engine (heartbeat, liveness,
// connect timeout, reconnect backoff, send and history deadlines) onto one
// Clock timer, armed for the earliest task. It belongs to the loop
// goroutine: all methods must be called from there, and task functions run
// there too. One timer keeps the loop's select small and makes a fake clock
// trivial to drive in tests.
type scheduler struct {
	clock Clock
	timer Timer     // created lazily
	armed lite.Time // deadline the timer is set for; zero when stopped
	tasks taskHeap
	seq   uint64
}

// task is a scheduled function. A nil *task is a valid "no task" handle.
type task struct {
	when  lite.Time
	seq   uint64 // FIFO among equal deadlines
	fn    func()
	index int // position in the heap, -1 when not scheduled
}

type taskHeap []*task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h taskHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *taskHeap) Push(x any) {
	t := x.(*task)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// after schedules fn to run d from now and returns its handle.
func (s *scheduler) after(d lite.Duration, fn func()) *task {
	if d < 0 {
		d = 0
	}
	s.seq++
	t := &task{when: s.clock.Now().Add(d), seq: s.seq, fn: fn}
	heap.Push(&s.tasks, t)
	s.rearm()
	return t
}

// cancel unschedules t; cancelling nil or a task that already ran is a
// no-op.
func (s *scheduler) cancel(t *task) {
	if t == nil || t.index < 0 {
		return
	}
	heap.Remove(&s.tasks, t.index)
	t.index = -1
	s.rearm()
}

// pending reports whether t is still scheduled.
func (t *task) pending() bool { return t != nil && t.index >= 0 }

// c returns the channel to select on; nil (blocks forever) before the first
// task.
func (s *scheduler) c() <-chan lite.Time {
	if s.timer == nil {
		return nil
	}
	return s.timer.C()
}

// runDue runs every task whose deadline has passed, in deadline order, then
// re-arms the timer. Tasks may schedule or cancel tasks.
func (s *scheduler) runDue() {
	s.armed = lite.Time{}
	for len(s.tasks) > 0 {
		t := s.tasks[0]
		if t.when.After(s.clock.Now()) {
			break
		}
		heap.Pop(&s.tasks)
		t.fn()
	}
	s.rearm()
}

func (s *scheduler) rearm() {
	if len(s.tasks) == 0 {
		if !s.armed.IsZero() && s.timer != nil {
			s.timer.Stop()
		}
		s.armed = lite.Time{}
		return
	}
	next := s.tasks[0].when
	if next.Equal(s.armed) {
		return
	}
	d := next.Sub(s.clock.Now())
	if d < 0 {
		d = 0
	}
	if s.timer == nil {
		s.timer = s.clock.NewTimer(d)
	} else {
		s.timer.Stop()
		s.timer.Reset(d)
	}
	s.armed = next
}

// stop cancels every task and stops the timer.
func (s *scheduler) stop() {
	for _, t := range s.tasks {
		t.index = -1
	}
	s.tasks = nil
	if s.timer != nil {
		s.timer.Stop()
	}
	s.armed = lite.Time{}
}
