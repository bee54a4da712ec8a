package catalog

import (
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
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
	pos      position
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

type templatesFile struct {
	Templates []*Template `yaml:"templates"`
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
		items := mapValue(doc, "templates")
		for i, t := range tf.Templates {
			if t == nil {
				return fmt.Errorf("%s: templates item %d is empty", name, i+1)
			}
			t.pos = position{name, doc.Line}
			if items != nil && i < len(items.Content) {
				t.pos.line = items.Content[i].Line
			}
			c.Templates = append(c.Templates, t)
		}
	}
	return nil
}

// Meta's limits: names of lower-case letters, digits and underscores up to
// 512 characters, bodies up to 1,024 characters.
var (
	templateName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,511}$`)
	templatePlaces = regexp.MustCompile(`\{\{\s*([^}]*?)\s*\}\}`)
)

const maxTemplateBody = 1024

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
		}
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
