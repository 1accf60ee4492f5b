//go:build !js

// The examples are for native programs, which pass the standard context and
// time types (core takes them through internal/lite).

package core_test

import (
	"context"
	"log"
	"time"

	"github.com/flooim/floo/core"
)

// The platform pieces come from the environment: core/native for Go
// programs, the JavaScript bridge in browsers and WeChat.
var (
	dialer  core.Dialer
	httpDo  core.HTTPDoer
	storage core.Storage
)

// A client is configured once; every zero field has a documented default.
func ExampleNew() {
	c, err := core.New(core.Config{
		AppID:     "myapp",
		DNSServer: "https://im.example.com/v2/app_dns",
		AutoLogin: true, // resume the stored session, if any
		Dialer:    dialer,
		HTTP:      httpDo,
		Storage:   storage,
	})
	if err != nil {
		log.Fatal(err) // a *core.ConfigurationError
	}
	defer c.Close()
	remove := c.OnEvent(func(e core.Event) {
		switch e := e.(type) {
		case core.RosterMessage:
			log.Printf("%d says %q", e.Message.From, e.Message.Content)
		case core.StateChanged:
			log.Printf("connection %s", e.State)
		}
	})
	defer remove()
}

// Login blocks until the session is up or has failed for good; retryable
// failures are retried meanwhile.
func ExampleClient_Login() {
	c, _ := core.New(core.Config{Dialer: dialer, HTTP: httpDo})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		if core.IsCode(err, core.UserAuthFailed) {
			log.Print("wrong password")
		}
		return
	}
	log.Printf("logged in as %d", c.UID())
}

// SendMessage waits for the server's ack; PostMessage returns the
// client_mid at once and reports progress through SendingStatus events.
func ExampleClient_SendMessage() {
	c, _ := core.New(core.Config{Dialer: dialer, HTTP: httpDo})
	defer c.Close()
	ctx := context.Background()
	m, err := c.SendMessage(ctx, core.Message{To: 1002, Content: "hello"})
	if err != nil {
		log.Print(err)
		return
	}
	log.Printf("stored as %d at %d", m.ID, m.Timestamp)

	_, _ = c.SendMessage(ctx, core.Message{
		To: 5001, ToType: core.ToGroup, Type: core.TypeImage,
		Attachment: `{"url":"https://files.example.com/a.png","dName":"a.png","fLen":1024}`,
	})
}

// History pages go from the newest message back.
func ExampleClient_History() {
	c, _ := core.New(core.Config{Dialer: dialer, HTTP: httpDo})
	defer c.Close()
	var before uint64
	for {
		page, err := c.History(context.Background(), 1002, before, 20)
		if err != nil || len(page.Messages) == 0 {
			return
		}
		for _, m := range page.Messages {
			log.Print(m.Content)
		}
		if page.Next == 0 {
			return
		}
		before = page.Next
	}
}
