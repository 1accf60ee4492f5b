package server

import "net/http"

// cors adds the CORS headers of REST.md §2.1 to every response and answers
// preflight requests itself. Credentials travel in headers, never cookies,
// so echoing any origin is safe.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		origin := r.Header.Get("Origin")
		if origin != "" {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
		} else {
			h.Set("Access-Control-Allow-Origin", "*")
		}
		h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Type")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			allow := "app_id, access-token, content-type, x-requested-with"
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				allow += ", " + req
			}
			h.Set("Access-Control-Allow-Headers", allow)
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Method == http.MethodOptions {
			// A bare OPTIONS (no preflight) still gets the headers and 204.
			h.Set("Access-Control-Allow-Headers", "app_id, access-token, content-type")
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
