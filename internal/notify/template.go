// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"vigil/internal/finding"
	"vigil/internal/ticket"
)

//go:embed templates
var embedded embed.FS

// The files of one language. Every language directory holds all four.
const (
	fileSubject  = "subject.txt.tmpl"
	fileText     = "body.txt.tmpl"
	fileHTML     = "body.html.tmpl"
	fileMessages = "messages.yaml"
)

// FallbackLang is the language used when nothing better is known.
const FallbackLang = "en"

// View is what the templates see: the notice's content plus the
// per-delivery values.
type View struct {
	Content
	NoticeID  int64
	Lang      string
	Sender    string // the trust center's name, e.g. "vigil CERT"
	Recipient string
	AckURL    string
	// OptOutURL is the recipient's opt-out link, empty for registered
	// contacts.
	OptOutURL string
	// Ticket is the notice's public reference, printed instead of its id;
	// AccessCode unlocks the whole warning on the verification page at
	// VerifyURL. The texts tell a doubtful recipient to type that address
	// rather than follow a link.
	Ticket     ticket.Ticket
	AccessCode ticket.Code
	VerifyURL  string
	// ContactSource says where an unregistered notice's contact came from
	// ("security.txt of example.nl", "RDAP abuse contact of 192.0.2.1").
	ContactSource string
	// Subject is the rendered subject (set before the bodies render).
	Subject string
	// CSVName is the file name of the evidence attachment.
	CSVName string
	// JSONName is the file name of the notice document, described by the
	// schema at SchemaURL; XARFCount is the number of X-ARF reports
	// attached (MachineAttachments).
	JSONName  string
	SchemaURL string
	XARFCount int
}

// Rendered is a notice rendered in one language.
type Rendered struct {
	Lang    string
	Subject string
	Text    string
	HTML    string
	CSV     []byte
	CSVName string
}

type messages struct {
	Language string            `yaml:"language"`
	Months   []string          `yaml:"months"`
	Severity map[string]string `yaml:"severity"`
	Event    map[string]string `yaml:"event"`
	Mode     map[string]string `yaml:"mode"`
	Why      map[string]string `yaml:"why"`
	Todo     map[string]string `yaml:"todo"`
	// Caveat says, per Item.VersionCheck, that a version was not compared.
	Caveat map[string]string `yaml:"caveat"`
}

type langSet struct {
	msg     messages
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// Renderer renders notices from the embedded Dutch and English templates,
// optionally overridden from an operator's directory. It is immutable and
// safe for concurrent use.
type Renderer struct {
	langs map[string]*langSet
}

// NewRenderer parses the embedded templates and then those of override,
// which may be nil. override has the layout of the embedded "templates"
// directory: one directory per language (nl, en, …) holding any of
// subject.txt.tmpl, body.txt.tmpl, body.html.tmpl and messages.yaml. A file
// there replaces the embedded one; keys of a messages.yaml replace the
// embedded keys. A language that vigil does not ship must provide all four
// files.
func NewRenderer(override fs.FS) (*Renderer, error) {
	base, err := fs.Sub(embedded, "templates")
	if err != nil {
		return nil, err
	}
	files := map[string]map[string][]byte{} // lang → file → content
	msgs := map[string][][]byte{}           // lang → messages.yaml layers
	load := func(fsys fs.FS, origin string) error {
		dirs, err := fs.ReadDir(fsys, ".")
		if err != nil {
			return fmt.Errorf("%s templates: %w", origin, err)
		}
		for _, d := range dirs {
			if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				continue
			}
			lang := strings.ToLower(d.Name())
			for _, name := range []string{fileSubject, fileText, fileHTML, fileMessages} {
				b, err := fs.ReadFile(fsys, d.Name()+"/"+name)
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				if err != nil {
					return fmt.Errorf("%s templates: %w", origin, err)
				}
				if name == fileMessages {
					msgs[lang] = append(msgs[lang], b)
					continue
				}
				if files[lang] == nil {
					files[lang] = map[string][]byte{}
				}
				files[lang][name] = b
			}
		}
		return nil
	}
	if err := load(base, "embedded"); err != nil {
		return nil, err
	}
	if override != nil {
		if err := load(override, "override"); err != nil {
			return nil, err
		}
	}
	r := &Renderer{langs: map[string]*langSet{}}
	for lang, fsMap := range files {
		ls, err := parseLang(lang, fsMap, msgs[lang])
		if err != nil {
			return nil, err
		}
		r.langs[lang] = ls
	}
	if r.langs[FallbackLang] == nil {
		return nil, fmt.Errorf("templates: no %q templates", FallbackLang)
	}
	return r, nil
}

func parseLang(lang string, files map[string][]byte, layers [][]byte) (*langSet, error) {
	for _, name := range []string{fileSubject, fileText, fileHTML} {
		if files[name] == nil {
			return nil, fmt.Errorf("templates %s: %s missing", lang, name)
		}
	}
	if len(layers) == 0 {
		return nil, fmt.Errorf("templates %s: %s missing", lang, fileMessages)
	}
	ls := &langSet{}
	for i, b := range layers {
		var m messages
		if err := yaml.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("templates %s/%s (layer %d): %w", lang, fileMessages, i+1, err)
		}
		ls.msg = mergeMessages(ls.msg, m)
	}
	if len(ls.msg.Months) != 12 {
		return nil, fmt.Errorf("templates %s/%s: months must list 12 names", lang, fileMessages)
	}
	funcs := ls.funcs()
	var err error
	if ls.subject, err = texttemplate.New(fileSubject).Funcs(funcs).Option("missingkey=error").Parse(string(files[fileSubject])); err != nil {
		return nil, fmt.Errorf("templates %s: %w", lang, err)
	}
	if ls.text, err = texttemplate.New(fileText).Funcs(funcs).Option("missingkey=error").Parse(string(files[fileText])); err != nil {
		return nil, fmt.Errorf("templates %s: %w", lang, err)
	}
	if ls.html, err = htmltemplate.New(fileHTML).Funcs(funcs).Option("missingkey=error").Parse(string(files[fileHTML])); err != nil {
		return nil, fmt.Errorf("templates %s: %w", lang, err)
	}
	return ls, nil
}

func mergeMessages(a, b messages) messages {
	if b.Language != "" {
		a.Language = b.Language
	}
	if len(b.Months) > 0 {
		a.Months = b.Months
	}
	merge := func(dst, src map[string]string) map[string]string {
		if dst == nil {
			dst = map[string]string{}
		}
		maps.Copy(dst, src)
		return dst
	}
	a.Severity = merge(a.Severity, b.Severity)
	a.Event = merge(a.Event, b.Event)
	a.Mode = merge(a.Mode, b.Mode)
	a.Why = merge(a.Why, b.Why)
	a.Todo = merge(a.Todo, b.Todo)
	a.Caveat = merge(a.Caveat, b.Caveat)
	return a
}

func (ls *langSet) funcs() map[string]any {
	lookup := func(m map[string]string, key string) string {
		if v, ok := m[key]; ok {
			return v
		}
		if v, ok := m["default"]; ok {
			return v
		}
		return key
	}
	return map[string]any{
		"sev":    func(s finding.Severity) string { return lookup(ls.msg.Severity, s.String()) },
		"event":  func(e finding.EventKind) string { return lookup(ls.msg.Event, string(e)) },
		"mode":   func(m Mode) string { return lookup(ls.msg.Mode, string(m)) },
		"why":    func(typ string) string { return lookup(ls.msg.Why, typ) },
		"todo":   func(typ string) string { return lookup(ls.msg.Todo, typ) },
		"caveat": func(check string) string { return lookup(ls.msg.Caveat, check) },
		"date": func(t time.Time) string {
			t = t.UTC()
			return fmt.Sprintf("%d %s %d %02d:%02d UTC", t.Day(), ls.msg.Months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
		},
		"inc": func(i int) int { return i + 1 },
		// bare is an address as a person types it: without the scheme.
		"bare": func(u string) string {
			_, rest, ok := strings.Cut(u, "://")
			if !ok {
				return u
			}
			return rest
		},
		"sub": func(a, b int) int { return a - b },
		"capital": func(s string) string {
			r, n := utf8.DecodeRuneInString(s)
			return string(unicode.ToUpper(r)) + s[n:]
		},
		"itemTitle": func(it Item) string {
			if it.TriggerTitle != "" {
				return it.TriggerTitle
			}
			return it.Trigger
		},
	}
}

// Languages returns the languages the renderer has templates for, sorted.
func (r *Renderer) Languages() []string {
	return slices.Sorted(maps.Keys(r.langs))
}

// Render renders v in language lang (FallbackLang when the renderer has no
// templates for it). It fills v.Lang, v.Subject, v.CSVName, v.JSONName and
// v.XARFCount.
func (r *Renderer) Render(lang string, v View) (Rendered, error) {
	ls, ok := r.langs[lang]
	if !ok {
		lang, ls = FallbackLang, r.langs[FallbackLang]
	}
	if v.Kind == KindAccount {
		if v.Message == nil {
			return Rendered{}, errors.New("render: an account notice without its message")
		}
		return Rendered{Lang: lang, Subject: v.Message.Subject, Text: v.Message.Text}, nil
	}
	if len(v.Items) == 0 {
		return Rendered{}, errors.New("render: a notice without items")
	}
	v.Lang = lang
	v.CSVName = "vigil-evidence-" + attachmentName(v.Ticket, v.NoticeID) + ".csv"
	v.JSONName = "vigil-notice-" + attachmentName(v.Ticket, v.NoticeID) + ".json"
	v.XARFCount = xarfCount(v.Items)
	var b bytes.Buffer
	if err := ls.subject.Execute(&b, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", lang, err)
	}
	v.Subject = strings.Join(strings.Fields(b.String()), " ")
	out := Rendered{Lang: lang, Subject: v.Subject, CSVName: v.CSVName}
	b.Reset()
	if err := ls.text.Execute(&b, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", lang, err)
	}
	out.Text = b.String()
	b.Reset()
	if err := ls.html.Execute(&b, v); err != nil {
		return Rendered{}, fmt.Errorf("render %s html: %w", lang, err)
	}
	out.HTML = b.String()
	out.CSV = EvidenceCSV(v.Items)
	markRendered(&out, v.Marking())
	return out, nil
}

// attachmentName names a notice's attachments: by its ticket, else (a
// notice from before tickets) by its id.
func attachmentName(t ticket.Ticket, id int64) string {
	if t != "" {
		return string(t)
	}
	return strconv.FormatInt(id, 10)
}

// ChooseLang picks the language of a message: the first tag of the first
// candidate list that the renderer supports, matching on the primary
// subtag ("nl-BE" is "nl"), else FallbackLang. Callers pass the contact's
// language, then the organisation's languages, then the security.txt
// Preferred-Languages of a discovered contact.
func ChooseLang(supported []string, candidates ...[]string) string {
	for _, list := range candidates {
		for _, tag := range list {
			primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
			primary, _, _ = strings.Cut(primary, "_")
			if primary != "" && slices.Contains(supported, primary) {
				return primary
			}
		}
	}
	return FallbackLang
}
