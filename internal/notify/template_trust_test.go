// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/net/html"

	"vigil/internal/notify"
)

// credentialAsk matches a sentence that asks the reader for credentials, in
// English and Dutch: the phishing pattern a genuine warning must never
// resemble.
var credentialAsk = regexp.MustCompile(`(?i)\b(enter|type|send|give|provide|confirm|verify|update|submit|reply with|log ?in|sign ?in|vul|voer|stuur|geef|bevestig|log ?in|meld u aan)\b[^.!?\n]{0,40}\b(your|je|uw)\b[^.!?\n]{0,20}\b(password|passwords|credentials|login|username|pin|wachtwoord|wachtwoorden|inloggegevens|gebruikersnaam|pincode)\b`)

// forbiddenTags are elements a warning never contains: nothing to fill
// in, nothing that runs, nothing fetched from elsewhere.
var forbiddenTags = []string{"form", "input", "textarea", "select", "button", "script", "iframe", "object", "embed", "img", "link"}

var textURL = regexp.MustCompile(`https?://[^\s<>"')]+`)

// trustProblems lists what makes rendering r of v look like phishing or
// lead somewhere unexpected:
//   - a request for credentials in the subject, text or HTML;
//   - an HTML form, script, image or frame;
//   - a link (href, src, action) off the service's own host serviceHost
//     that is not a public reference shown with its full address as the
//     link text;
//   - a plain-text address off serviceHost that is not one of the view's
//     public references (advisories, report explanations, the contact's
//     source), or that is not HTTPS.
func trustProblems(r notify.Rendered, v notify.View, serviceHost string) []string {
	var out []string
	refs := publicRefs(v)
	for name, s := range map[string]string{"subject": r.Subject, "text": r.Text, "html": htmlText(r.HTML)} {
		if m := credentialAsk.FindString(s); m != "" {
			out = append(out, fmt.Sprintf("%s asks for credentials: %q", name, m))
		}
	}
	doc, err := html.Parse(strings.NewReader(r.HTML))
	if err != nil {
		return append(out, "html does not parse: "+err.Error())
	}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if slices.Contains(forbiddenTags, n.Data) {
			out = append(out, "html has a <"+n.Data+"> element")
		}
		for _, a := range n.Attr {
			if a.Key != "href" && a.Key != "src" && a.Key != "action" && a.Key != "formaction" {
				continue
			}
			u, err := url.Parse(a.Val)
			if err != nil || u.Host == "" {
				out = append(out, fmt.Sprintf("html %s=%q is not an absolute address", a.Key, a.Val))
				continue
			}
			if u.Host == serviceHost {
				continue
			}
			shown := strings.TrimSpace(nodeText(n))
			switch {
			case n.Data != "a" || a.Key != "href":
				out = append(out, fmt.Sprintf("html <%s %s=%q> leaves the service", n.Data, a.Key, a.Val))
			case u.Scheme != "https":
				out = append(out, fmt.Sprintf("html link %q is not HTTPS", a.Val))
			case shown != a.Val:
				out = append(out, fmt.Sprintf("html link %q shows %q, not its address", a.Val, shown))
			case !slices.Contains(refs, a.Val):
				out = append(out, fmt.Sprintf("html link %q is not a public reference of the notice", a.Val))
			}
		}
	}
	for _, raw := range textURL.FindAllString(r.Text, -1) {
		raw = strings.TrimRight(raw, ".,;:")
		u, err := url.Parse(raw)
		if err != nil {
			out = append(out, fmt.Sprintf("text address %q does not parse", raw))
			continue
		}
		if u.Host == serviceHost {
			continue
		}
		if u.Scheme != "https" || !slices.Contains(refs, raw) {
			out = append(out, fmt.Sprintf("text address %q is neither the service's nor a public reference", raw))
		}
	}
	return out
}

// publicRefs are the addresses off the service a notice may show: its
// items' references and the published source of a discovered contact.
func publicRefs(v notify.View) []string {
	var refs []string
	for _, it := range v.Items {
		for _, l := range it.Links {
			refs = append(refs, l.URL)
		}
	}
	for _, raw := range textURL.FindAllString(v.ContactSource, -1) {
		refs = append(refs, strings.TrimRight(raw, ".,;:"))
	}
	return refs
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// htmlText is the text of an HTML document, without markup.
func htmlText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	return nodeText(doc)
}

// TestTemplatesTrustworthy renders every embedded template in every
// language for every kind of notice and checks that none asks for
// credentials, contains a form, or links anywhere but the service's own
// host, except public references shown with their full address.
func TestTemplatesTrustworthy(t *testing.T) {
	t.Parallel()
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if langs := r.Languages(); !slices.Equal(langs, []string{"en", "nl"}) {
		t.Fatalf("languages = %v; the test covers en and nl", langs)
	}
	views := goldenContents(t)
	refs := 0
	for name, v := range views {
		refs += len(publicRefs(v))
		for _, lang := range r.Languages() {
			got, err := r.Render(lang, v)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range trustProblems(got, v, "vigil.example.nl") {
				t.Errorf("%s.%s: %s", name, lang, p)
			}
			// The way to check without clicking: the address to type, the
			// ticket and the access code, in both bodies.
			for _, want := range []string{"vigil.example.nl/verify", string(v.Ticket), string(v.AccessCode)} {
				if !strings.Contains(got.Text, want) || !strings.Contains(htmlText(got.HTML), want) {
					t.Errorf("%s.%s lacks %q", name, lang, want)
				}
			}
			if !strings.Contains(got.Subject, string(v.Ticket)) {
				t.Errorf("%s.%s subject %q lacks the ticket", name, lang, got.Subject)
			}
		}
	}
	if refs == 0 {
		t.Fatal("the views have no public references: the link rule is not exercised")
	}
}

// TestTrustProblemsCatchesPhishing shows that the checker fails templates
// that ask for credentials or hide where a link goes.
func TestTrustProblemsCatchesPhishing(t *testing.T) {
	t.Parallel()
	v := goldenContents(t)["immediate"]
	for name, tc := range map[string]struct {
		text, html, want string
	}{
		"credentials en": {text: "Please reply with your password.", want: "text asks for credentials"},
		"credentials nl": {text: "Vul hier uw wachtwoord in.", want: "text asks for credentials"},
		"hidden link":    {html: `<p><a href="https://vigil-support.example/login">Confirm receipt</a></p>`, want: "not its address"},
		"form":           {html: `<form action="https://vigil.example.nl/x"><input name="p"></form>`, want: "<form> element"},
		"foreign text":   {text: "See https://evil.example/update for details.", want: "neither the service's nor a public reference"},
		"plain http":     {html: `<a href="http://nvd.nist.gov/x">http://nvd.nist.gov/x</a>`, want: "not HTTPS"},
	} {
		body := "{{range .Items}}{{end}}" + tc.text
		page := "<p>{{len .Items}}</p>" + tc.html
		r, err := notify.NewRenderer(fstest.MapFS{
			"en/body.txt.tmpl":  {Data: []byte(body)},
			"en/body.html.tmpl": {Data: []byte(page)},
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Render("en", v)
		if err != nil {
			t.Fatal(err)
		}
		problems := strings.Join(trustProblems(got, v, "vigil.example.nl"), "\n")
		if !strings.Contains(problems, tc.want) {
			t.Errorf("%s: problems %q lack %q", name, problems, tc.want)
		}
	}
}
