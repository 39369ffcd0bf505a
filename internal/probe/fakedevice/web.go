// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package fakedevice

import (
	"crypto/subtle"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// serveHTTP serves h on ln until the device closes.
func (d *Device) serveHTTP(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)} // probes cause handshake errors on purpose
	d.addCloser(srv.Close)
	d.wg.Go(func() { _ = srv.Serve(ln) })
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// basicAuthSite is the weak camera UI: everything behind Basic auth, a
// versioned Server header, no security headers, no security.txt.
func basicAuthSite(user, pass string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "lighttpd/1.4.35")
		if r.URL.Path != "/" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		u, p, ok := r.BasicAuth()
		if !ok || !eq(u, user) || !eq(p, pass) {
			// Not http.Error: it would add X-Content-Type-Options.
			w.Header().Set("WWW-Authenticate", `Basic realm="IPCam"`)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, "<html><body>401 Unauthorized</body></html>")
			return
		}
		fmt.Fprint(w, "<html><body><h1>Live view</h1></body></html>")
	})
}

const loginPage = `<!DOCTYPE html>
<html><head><title>Login</title></head><body>
<p>%s</p>
<form method="post" action="%s">
  <input type="hidden" name="token" value="4f1c">
  <label>User name <input type="text" name="username"></label>
  <label>Password <input type="password" name="password"></label>
  <input type="submit" value="Log in">
</form></body></html>`

// formLoginSite serves a login form at "/" posting to action; the right
// credentials get a redirect to /home with a session cookie, wrong ones the
// form again with a message. headers are set on every response.
func formLoginSite(action, user, pass string, headers http.Header, extra map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range headers {
			w.Header()[k] = vs
		}
		if body, ok := extra[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprint(w, body)
			return
		}
		switch {
		case r.URL.Path == "/" && r.Method == http.MethodGet:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, loginPage, "Please log in.", html.EscapeString(action))
		case r.URL.Path == action && r.Method == http.MethodPost:
			if err := r.ParseForm(); err != nil || r.PostForm.Get("token") != "4f1c" {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			if eq(r.PostForm.Get("username"), user) && eq(r.PostForm.Get("password"), pass) {
				http.SetCookie(w, &http.Cookie{Name: "session", Value: "c0ffee", HttpOnly: true})
				http.Redirect(w, r, "/home", http.StatusSeeOther)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, loginPage, "Invalid user name or password.", html.EscapeString(action))
		default:
			http.NotFound(w, r)
		}
	})
}
