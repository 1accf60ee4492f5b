package jsbridge

import (
	"strconv"
	"syscall/js"
	"testing"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/jsonv"
)

// Run under Node with:
//
//	PATH="$(go env GOROOT)/lib/wasm:$PATH" GOOS=js GOARCH=wasm go test -run '^$' -bench . -benchtime 2000x ./jsbridge/

// BenchmarkCallJSToGo is the cost the event pump amortizes: one call from
// JavaScript into a js.Func and back.
func BenchmarkCallJSToGo(b *testing.B) {
	f := newFunc(func(js.Value, []js.Value) any { return nil }, nil)
	defer f.release()
	loop := js.Global().Get("Function").New("f", "n", "for (let i = 0; i < n; i++) f()")
	b.ResetTimer()
	loop.Invoke(f.Value, b.N)
}

// BenchmarkCallGoToJS is one call from Go into a JavaScript function.
func BenchmarkCallGoToJS(b *testing.B) {
	f := js.Global().Get("Function").New("return 1")
	for i := 0; i < b.N; i++ {
		f.Invoke()
	}
}

// BenchmarkMessageValue converts a typical message with a config object.
func BenchmarkMessageValue(b *testing.B) {
	m := &core.Message{ID: 1 << 60, From: 1001, To: 2002, Type: "text", Content: "hello, world", Ext: `{"a":1}`,
		Config: `{"mentionList":[1001,2002],"mentionAll":false}`, Timestamp: 1700000000000, ToType: core.ToGroup}
	for i := 0; i < b.N; i++ {
		messageValue(m)
	}
}

// BenchmarkJSONToJS converts a 20-member object.
func BenchmarkJSONToJS(b *testing.B) {
	var w jsonv.Writer
	w.BeginObject()
	for i := 0; i < 20; i++ {
		w.Key("k" + strconv.Itoa(i))
		w.Uint(uint64(i) << 50)
	}
	w.EndObject()
	v, err := jsonv.Parse(w.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		jsonToJS(v)
	}
}

// BenchmarkEventPump pushes b.N events through the pump to a JavaScript
// callback and waits for all of them.
func BenchmarkEventPump(b *testing.B) {
	e := &env{}
	counter := js.Global().Get("Function").New(`const r = {n: 0, calls: 0}; r.deliver = (batch) => { r.n += batch.length; r.calls++ }; return r`).Invoke()
	p := newEventPump(e, counter.Get("deliver"), func(w *payload, item any) (func(js.Value) js.Value, bool) {
		w.String("onUnreadChange")
		w.Int(int64(item.(int)))
		return nil, true
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.push(i)
	}
	p.close()
	<-p.Done()
	b.StopTimer()
	if got := counter.Get("n").Int(); got != b.N {
		b.Fatalf("delivered %d of %d events", got, b.N)
	}
	b.ReportMetric(float64(b.N)/float64(counter.Get("calls").Int()), "events/call")
}

// BenchmarkEventPumpMessages pushes b.N message events, as a sync page
// raises them, through the client's converter to a JavaScript callback.
func BenchmarkEventPumpMessages(b *testing.B) {
	e := &env{}
	counter := js.Global().Get("Function").New(`const r = {n: 0}; r.deliver = (batch) => { r.n += batch.length }; return r`).Invoke()
	p := newEventPump(e, counter.Get("deliver"), e.convertEvent)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.push(core.RosterMessage{Message: core.Message{ID: 1<<60 + uint64(i), From: 1001, To: 2002, Type: "text",
			Content: "message " + strconv.Itoa(i), Timestamp: 1700000000000, Status: core.MessageUnread}})
	}
	p.close()
	<-p.Done()
	b.StopTimer()
	if got := counter.Get("n").Int(); got != b.N {
		b.Fatalf("delivered %d of %d events", got, b.N)
	}
}
