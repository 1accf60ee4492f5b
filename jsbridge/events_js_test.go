package jsbridge

import (
	"strconv"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
)

// recorder is a JavaScript deliver callback that records each batch as an
// array of [name, payload] pairs, and can be told to throw.
type recorder struct {
	obj js.Value // {batches: [...], throwNext: bool, deliver(batch)}
}

func newRecorder(t *testing.T) *recorder {
	return &recorder{obj: jsEval(t, `const r = {batches: [], throwNext: false};
		r.deliver = (batch) => {
			if (r.throwNext) { r.throwNext = false; throw new Error("listener bug"); }
			r.batches.push(batch);
		};
		return r`)}
}

// events returns every delivered [name, payload] pair in order, with the
// payloads as strings.
func (r *recorder) events() [][2]string {
	var out [][2]string
	batches := r.obj.Get("batches")
	for i := 0; i < batches.Length(); i++ {
		b := batches.Index(i)
		for j := 0; j < b.Length(); j++ {
			pair := b.Index(j)
			out = append(out, [2]string{pair.Index(0).String(), jsString(pair.Index(1))})
		}
	}
	return out
}

func (r *recorder) batchCount() int { return r.obj.Get("batches").Length() }

// pairConverter turns [2]string items into events with a string payload;
// "panic" panics after writing part of its payload, "drop" is dropped and
// "fixed" gets its payload from a fix.
func pairConverter(w *payload, item any) (func(js.Value) js.Value, bool) {
	p := item.([2]string)
	switch p[0] {
	case "panic":
		w.String("half")
		w.BeginObject()
		panic("converter bug")
	case "drop":
		return nil, false
	case "fixed":
		w.String(p[0])
		return func(js.Value) js.Value { return js.ValueOf("fix:" + p[1]) }, true
	}
	w.String(p[0])
	w.String(p[1])
	return nil, true
}

func TestEventPumpKeepsOrderAndBatches(t *testing.T) {
	e := testEnv(t)
	r := newRecorder(t)
	p := newEventPump(e, r.obj.Get("deliver"), pairConverter)

	const n = 1000
	var want [][2]string
	for i := 0; i < n; i++ {
		ev := [2]string{"ev", strconv.Itoa(i)}
		want = append(want, ev)
		p.push(ev) // no yield in between: the pump batches them
	}
	p.close()
	<-p.Done()

	assert.Equal(t, want, r.events(), "delivered in push order")
	batches := r.batchCount()
	assert.GreaterOrEqual(t, batches, n/maxEventBatch, "batches are capped at maxEventBatch")
	assert.LessOrEqual(t, batches, n/maxEventBatch+1, "the events crossed in batches, not one call each")
	for i := 0; i < batches; i++ {
		assert.LessOrEqual(t, r.obj.Get("batches").Index(i).Length(), maxEventBatch)
	}
}

func TestEventPumpDeliversBurstsFromAnotherGoroutine(t *testing.T) {
	e := testEnv(t)
	r := newRecorder(t)
	p := newEventPump(e, r.obj.Get("deliver"), pairConverter)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			p.push([2]string{"a", strconv.Itoa(i)})
			if i%10 == 9 {
				sleepJS(0) // let the pump run between bursts
			}
		}
	}()
	<-done
	waitFor(t, "50 events", func() bool { return len(r.events()) == 50 })
	for i, ev := range r.events() {
		assert.Equal(t, strconv.Itoa(i), ev[1])
	}
	p.close()
	<-p.Done()
}

func TestEventPumpRecoversPanicsAndThrows(t *testing.T) {
	e := testEnv(t)
	r := newRecorder(t)
	p := newEventPump(e, r.obj.Get("deliver"), pairConverter)

	p.push([2]string{"before", "1"})
	p.push([2]string{"panic", ""})
	p.push([2]string{"drop", ""})
	p.push([2]string{"fixed", "x"})
	p.push([2]string{"after", "2"})
	waitFor(t, "first batch", func() bool { return len(r.events()) == 4 })
	evs := r.events()
	assert.Equal(t, "before", evs[0][0])
	assert.Equal(t, "error", evs[1][0], "a converter panic becomes an error event")
	assert.Contains(t, evs[1][1], "converter bug")
	assert.Equal(t, [2]string{"fixed", "fix:x"}, evs[2], "a fix sets its payload, at its place")
	assert.Equal(t, [2]string{"after", "2"}, evs[3], "dropped items are skipped, later ones delivered")
	payload := r.obj.Get("batches").Index(0).Index(1).Index(1)
	requireFlooError(t, e, payload, "GeneralError")

	// deliver throws once: that batch is lost, the pump goes on.
	r.obj.Set("throwNext", true)
	p.push([2]string{"lost", "3"})
	waitFor(t, "the failed delivery", func() bool { return p.failedBatches == 1 })
	p.push([2]string{"kept", "4"})
	p.close()
	<-p.Done()
	evs = r.events()
	assert.Equal(t, [2]string{"kept", "4"}, evs[len(evs)-1])

	p.push([2]string{"late", "5"}) // dropped after close, without blocking
	assert.Equal(t, [2]string{"kept", "4"}, r.events()[len(r.events())-1])
}
