//go:build !js

package native_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/flooim/floo/core"
	"github.com/flooim/floo/core/native"
)

// A native program fills its Config with Defaults: WebSockets and HTTP
// from this package, and the session kept in a directory so that the next
// start logs in by itself (AutoLogin) as the same device.
func ExampleDefaults() {
	dir := filepath.Join(os.Getenv("HOME"), ".mybot")
	cfg, err := native.Defaults(core.Config{
		AppID:     "welovemaxim",
		DNSServer: "http://127.0.0.1:8080/v2/app_dns", // a local floo-server
		AutoLogin: true,
	}, dir)
	if err != nil {
		log.Fatal(err)
	}
	client, err := core.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	client.OnEvent(func(ev core.Event) {
		if m, ok := ev.(core.RosterMessage); ok {
			fmt.Printf("%d: %s\n", m.Message.From, m.Message.Content)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if !client.IsLogin() {
		if err := client.Login(ctx, "bot", "bot-password"); err != nil {
			log.Fatal(err)
		}
	}
}

// Uploads stream the file from disk and report progress; the URL and
// headers come from an upload slot (REST.md §9.1).
func ExampleHTTP_Upload() {
	h := &native.HTTP{}
	resp, err := h.Upload(context.Background(), &core.UploadRequest{
		URL:      "http://127.0.0.1:8080/file/upload/put/<id>",
		Header:   map[string]string{"app_id": "welovemaxim", "access-token": "<token>"},
		File:     "/tmp/report.pdf",
		Progress: func(loaded, total int64) { fmt.Printf("%d/%d\n", loaded, total) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status, string(resp.Body))
}
