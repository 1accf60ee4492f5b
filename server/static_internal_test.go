package server

import "testing"

func TestCacheControl(t *testing.T) {
	const year, revalidate = "public, max-age=31536000, immutable", "no-cache"
	for name, want := range map[string]string{
		"index.html":                     revalidate,
		"floo.wasm":                      revalidate,
		"floo-wasm/dist/floo.wasm":       revalidate,
		"assets/index-settings.js":       revalidate,
		"assets/floo-CmDGRn1d.wasm":      year,
		"assets/index-DC-Z_qCN.css":      year,
		"assets/index-B1x9a_Qz.js":       year,
		"wasm_exec-VNMDCIFS-B80I0pJy.js": year,
		"main.3f9c1a2b.js":               year,
		"3f9c1a2b0d4e5f60.wasm":          year,
		"app-settings.css":               revalidate,
		"abcdefgh":                       revalidate,
	} {
		if got := cacheControl(name); got != want {
			t.Errorf("cacheControl(%q) = %q, want %q", name, got, want)
		}
	}
}
