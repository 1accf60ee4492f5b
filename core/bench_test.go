package core

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/flooim/floo/internal/lite"
)

// BenchmarkReceive measures how many messages one client receives from the
// fake server and dispatches as events per second: b.N one-to-one messages
// wait on the server while the client is offline; the clock runs from the
// reconnect until the last RosterMessage event reached the handler. The
// path covered is the whole engine: pipe transport, frame decode on the
// reader, sync paging with acknowledgements (50 entries per page, as the
// reference server), dedup, cache and conversation list updates, and the
// event dispatcher.
func BenchmarkReceive(b *testing.B) {
	srv := newFakeServer(b)
	tok := srv.AddUser(1001, "alice", "pw")
	srv.AddUser(1002, "bob", "pw")
	c, _ := newTestClient(b, srv, nil, nil)
	loginAs(b, c, 1001, tok)
	c.Disconnect()
	waitState(b, c, StateDisconnected)
	eventually(b, func() bool { return len(srv.Conns(1001)) == 0 }, "disconnected")

	for i := 0; i < b.N; i++ {
		srv.SendText(1002, 1001, "message number "+strconv.Itoa(i)+" with a few more words of text")
	}
	var n atomic.Int64
	done := make(chan struct{})
	target := int64(b.N)
	c.OnEvent(func(e Event) {
		if _, ok := e.(RosterMessage); ok && n.Add(1) == target {
			close(done)
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	start := lite.Now()
	c.Reconnect()
	<-done
	elapsed := lite.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/(float64(elapsed)/float64(lite.Second)), "msgs/s")
}
