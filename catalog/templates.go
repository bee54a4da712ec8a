package catalog

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// TemplateUse says who may send a message template.
type TemplateUse string

// The uses a template is filed under.
const (
	// UseNotice: the worker, telling a citizen of a record's change or a
	// certificate outside their window.
	UseNotice TemplateUse = "notice"
	// UseHandover: an officer writing to a citizen whose window closed.
	UseHandover TemplateUse = "handover"
	// UseAlert: a campaign to many citizens.
	UseAlert TemplateUse = "alert"
)

// The template categories Meta prices and reviews by.
const (
	CategoryUtility        = "utility"
	CategoryMarketing      = "marketing"
	CategoryAuthentication = "authentication"
)

// TemplateParam is one {{n}} of a template body.
type TemplateParam struct {
	Name    string `yaml:"name"`
	Example string `yaml:"example"`
}

// Template is one message template as content: what is submitted to Meta
// for approval, in each language. Whether Meta approved it is not content
// but a fact kept in the database's template registry.
type Template struct {
	Name     string          `yaml:"name"`
	Category string          `yaml:"category"`
	Use      TemplateUse     `yaml:"use"`
	Params   []TemplateParam `yaml:"params"`
	Body     Localized       `yaml:"body"`
	// Buttons are quick replies under the body; a tap comes back as a
	// message whose option id is the button's id. Every alert carries
	// the "stop" button (OptionStopAlerts).
	Buttons []TemplateButton `yaml:"buttons"`
	pos     position
}

// TemplateButton is a quick-reply button of a template.
type TemplateButton struct {
	ID   string    `yaml:"id"`
	Text Localized `yaml:"text"`
}

// OptionStopAlerts is the option id of the button on every alert that
// stops all proactive messages, as STOP does.
const OptionStopAlerts = "rights:stop"

// Topic is a subject of alerts a citizen may opt in to (weather, power
// cuts...), by district.
type Topic struct {
	ID   string    `yaml:"id"`
	Name Localized `yaml:"name"`
	pos  position
}

// Topic returns the alert topic with that id.
func (c *Catalog) Topic(id string) (*Topic, bool) {
	for _, t := range c.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

// Where returns "file:line" of the template, for messages.
func (t *Template) Where() string { return t.pos.String() }

// Template returns the named template.
func (c *Catalog) Template(name string) (*Template, bool) {
	for _, t := range c.Templates {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// TemplateLang is the WhatsApp language code a template is submitted and
// sent under for each of mitra's languages.
var TemplateLang = map[Lang]string{Telugu: "te", Hindi: "hi", English: "en_US"}

// LangOfTemplateCode is the language a WhatsApp template code stands for
// (English for one mitra does not use).
func LangOfTemplateCode(code string) Lang {
	for l, c := range TemplateLang {
		if c == code {
			return l
		}
	}
	return English
}

type templatesFile struct {
	Templates []*Template `yaml:"templates"`
	Topics    []*Topic    `yaml:"topics"`
}

// loadTemplates reads templates/*.yaml, keeping each template's line.
func (c *Catalog) loadTemplates(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "templates/*.yaml")
	if err != nil {
		return err
	}
	for _, name := range names {
		var tf templatesFile
		doc, err := readYAML(fsys, name, &tf)
		if err != nil {
			return err
		}
		lines := itemLines(doc, "templates", len(tf.Templates))
		for i, t := range tf.Templates {
			if t == nil {
				return fmt.Errorf("%s: templates item %d is empty", name, i+1)
			}
			t.pos = position{name, lines[i]}
			c.Templates = append(c.Templates, t)
		}
		lines = itemLines(doc, "topics", len(tf.Topics))
		for i, t := range tf.Topics {
			if t == nil {
				return fmt.Errorf("%s: topics item %d is empty", name, i+1)
			}
			t.pos = position{name, lines[i]}
			c.Topics = append(c.Topics, t)
		}
	}
	return nil
}

// itemLines are the lines of a top-level list's n items (the document's
// first line for any the YAML tree lacks), for messages that name them.
func itemLines(doc *yaml.Node, key string, n int) []int {
	lines := make([]int, n)
	items := mapValue(doc, key)
	for i := range lines {
		lines[i] = doc.Line
		if items != nil && i < len(items.Content) {
			lines[i] = items.Content[i].Line
		}
	}
	return lines
}

// Meta's limits: names of lower-case letters, digits and underscores up to
// 512 characters, bodies up to 1,024 characters.
var (
	templateName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,511}$`)
	templatePlaces = regexp.MustCompile(`\{\{\s*([^}]*?)\s*\}\}`)
)

// Meta's limits on quick-reply buttons: at most 10 a template (mitra
// keeps to WhatsApp's 3 shown at once), 25 characters of text each.
const (
	maxTemplateBody    = 1024
	maxTemplateButtons = 3
	maxButtonText      = 25
)

var topicID = regexp.MustCompile(`^[a-z][a-z0-9-]{0,39}$`)

// templates checks what Meta would reject or mitra could not fill: the
// name, the category, the use, and bodies in every language whose
// parameters are {{1}}..{{n}} for the n declared, each once and in order.
func (l *linter) templates(c *Catalog) {
	seen := map[string]position{}
	for _, t := range c.Templates {
		owner := "template " + t.Name
		if !templateName.MatchString(t.Name) {
			l.add(t.pos, "template name %q: Meta allows lower-case letters, digits and underscores", t.Name)
		}
		if first, dup := seen[t.Name]; dup {
			l.add(t.pos, "template %q is also defined at %s", t.Name, first)
		}
		seen[t.Name] = t.pos
		switch t.Category {
		case CategoryUtility, CategoryMarketing, CategoryAuthentication:
		default:
			l.add(t.pos, "%s: category %q is not utility, marketing or authentication", owner, t.Category)
		}
		switch t.Use {
		case UseNotice, UseHandover, UseAlert:
		default:
			l.add(t.pos, "%s: use %q is not notice, handover or alert", owner, t.Use)
		}
		for i, p := range t.Params {
			if p.Name == "" || p.Example == "" {
				l.add(t.pos, "%s: parameter %d needs a name and an example (Meta asks for examples)", owner, i+1)
			}
		}
		l.localized(t.pos, owner, "body", t.Body, maxTemplateBody)
		l.templateButtons(t, owner)
		for _, lang := range []Lang{English, Telugu, Hindi} {
			places := templatePlaces.FindAllStringSubmatch(t.Body.exact(lang), -1)
			ok := len(places) == len(t.Params)
			for i, m := range places {
				if ok && m[1] != strconv.Itoa(i+1) {
					ok = false
				}
			}
			if !ok {
				l.add(t.pos, "%s: body.%s must use {{1}}..{{%d}} once each, in order", owner, lang, len(t.Params))
			}
			if body := strings.TrimSpace(t.Body.exact(lang)); strings.HasPrefix(body, "{{") || strings.HasSuffix(body, "}}") {
				l.add(t.pos, "%s: body.%s starts or ends with a parameter, which Meta refuses", owner, lang)
			}
		}
	}
}

// templateButtons checks the quick replies: at most three, each with an
// id and a short text in every language, and the stop button on every
// alert (a citizen must be able to stop alerts from the alert itself).
func (l *linter) templateButtons(t *Template, owner string) {
	if len(t.Buttons) > maxTemplateButtons {
		l.add(t.pos, "%s: %d buttons; at most %d", owner, len(t.Buttons), maxTemplateButtons)
	}
	stop := false
	for i, b := range t.Buttons {
		if b.ID == "" {
			l.add(t.pos, "%s: button %d needs an id", owner, i+1)
		}
		stop = stop || b.ID == OptionStopAlerts
		l.localized(t.pos, owner, "button "+b.ID, b.Text, maxButtonText)
	}
	if t.Use == UseAlert && !stop {
		l.add(t.pos, "%s: an alert needs the %q button, so that it can be stopped from the alert", owner, OptionStopAlerts)
	}
}

// topics checks the alert topics: ids and names in every language.
func (l *linter) topics(c *Catalog) {
	seen := map[string]bool{}
	for _, t := range c.Topics {
		if !topicID.MatchString(t.ID) || seen[t.ID] {
			l.add(t.pos, "topic %q: want a unique id of lower-case letters, digits and dashes", t.ID)
		}
		seen[t.ID] = true
		l.localized(t.pos, "topic "+t.ID, "name", t.Name, 24)
	}
}

// Fill returns the body in lang with its parameters put in, as the
// citizen will read it (the console shows it before it is sent).
func (t *Template) Fill(lang Lang, params ...string) string {
	return templatePlaces.ReplaceAllStringFunc(t.Body.In(lang), func(m string) string {
		n, err := strconv.Atoi(templatePlaces.FindStringSubmatch(m)[1])
		if err != nil || n < 1 || n > len(params) {
			return m
		}
		return params[n-1]
	})
}
