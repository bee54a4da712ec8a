// Package catalog holds the state's public services and departments: their
// names in English, Telugu and Hindi, the words citizens use for them,
// documents, fees and service levels, and the menus built from them.
//
// The data lives in YAML files under data/, one per department, edited by
// content teams. Load reads them; Lint reports every problem with file and
// line so a content editor can fix it without reading Go.
package catalog

import (
	"fmt"
	"strings"
)

// Lang is a reply language. mitra speaks Telugu, Hindi and English.
type Lang string

const (
	Telugu  Lang = "te"
	Hindi   Lang = "hi"
	English Lang = "en"
)

// Langs lists the reply languages in menu order.
var Langs = []Lang{Telugu, Hindi, English}

// ParseLang accepts a language code and reports whether it is one mitra speaks.
func ParseLang(s string) (Lang, bool) {
	switch l := Lang(strings.ToLower(strings.TrimSpace(s))); l {
	case Telugu, Hindi, English:
		return l, true
	}
	return "", false
}

// Kind says what a citizen gets from a service.
type Kind string

// Kinds are the service kinds; their order is the order used in reports.
var Kinds = []Kind{"certificate", "application", "payment", "status", "booking", "grievance", "information"}

// Delivery channels a service can be obtained through.
var Deliveries = []string{"whatsapp", "secretariat", "meeseva", "online", "office", "post"}

// Localized is one short text in each reply language.
type Localized struct {
	EN string `yaml:"en"`
	TE string `yaml:"te"`
	HI string `yaml:"hi"`
}

// In returns the text in lang, falling back to English when it is missing.
func (l Localized) In(lang Lang) string {
	if v := l.exact(lang); v != "" {
		return v
	}
	return l.EN
}

// empty reports whether no language has a text.
func (l Localized) empty() bool {
	for _, lang := range Langs {
		if strings.TrimSpace(l.exact(lang)) != "" {
			return false
		}
	}
	return true
}

// exact returns the text in lang without falling back.
func (l Localized) exact(lang Lang) string {
	switch lang {
	case Telugu:
		return l.TE
	case Hindi:
		return l.HI
	}
	return l.EN
}

// LocalizedList is a list of items (such as documents) in each language,
// the same items in the same order.
type LocalizedList struct {
	EN []string `yaml:"en"`
	TE []string `yaml:"te"`
	HI []string `yaml:"hi"`
}

// In returns the list in lang, falling back to English.
func (l LocalizedList) In(lang Lang) []string {
	switch lang {
	case Telugu:
		if len(l.TE) > 0 {
			return l.TE
		}
	case Hindi:
		if len(l.HI) > 0 {
			return l.HI
		}
	}
	return l.EN
}

// Aliases are the phrases citizens use for a service, by language and script.
// TELatn and HILatn are Telugu and Hindi typed in Latin letters.
type Aliases struct {
	EN     []string `yaml:"en"`
	TE     []string `yaml:"te"`
	HI     []string `yaml:"hi"`
	TELatn []string `yaml:"te_latn"`
	HILatn []string `yaml:"hi_latn"`
}

// All returns every alias, in a fixed order.
func (a Aliases) All() []string {
	out := make([]string, 0, len(a.EN)+len(a.TE)+len(a.HI)+len(a.TELatn)+len(a.HILatn))
	for _, group := range [][]string{a.EN, a.TE, a.HI, a.TELatn, a.HILatn} {
		out = append(out, group...)
	}
	return out
}

// Service is one public service a citizen can ask for.
type Service struct {
	ID          string    `yaml:"id"`
	Kind        Kind      `yaml:"kind"`
	Name        Localized `yaml:"name"`
	Short       Localized `yaml:"short"`
	Description Localized `yaml:"description"`
	Aliases     Aliases   `yaml:"aliases"`
	// Situations are the life events and problems that lead a citizen to
	// the service, as they tell them ("my father passed away", "the
	// street is dark since the storm"), in each language and romanized.
	// Unlike aliases, one situation may lead to several services: the
	// citizen is then asked to choose.
	Situations Aliases       `yaml:"situations"`
	Documents  LocalizedList `yaml:"documents"`
	// FeeINR is the fee in rupees; nil when unknown or variable, 0 when free.
	FeeINR *int `yaml:"fee_inr"`
	// SLADays is the service level in days; 0 is across the counter, nil when
	// it varies or is unknown.
	SLADays    *int     `yaml:"sla_days"`
	Delivery   []string `yaml:"delivery"`
	SourceRows []int    `yaml:"source_rows"`

	// Department is the owning department's id, set by Load.
	Department string `yaml:"-"`
	pos        position
}

// Department groups services and is the first level of the menu.
type Department struct {
	ID          string     `yaml:"id"`
	Name        Localized  `yaml:"name"`
	Short       Localized  `yaml:"short"`
	Description Localized  `yaml:"description"`
	Services    []*Service `yaml:"services"`
	pos         position
}

// position is where a thing was read from, for lint messages.
type position struct {
	file string
	line int
}

func (p position) String() string { return fmt.Sprintf("%s:%d", p.file, p.line) }

// Catalog is the loaded, read-only set of departments and services. It is
// safe for concurrent use.
type Catalog struct {
	Departments []*Department
	// Services lists every service, department by department, in menu order.
	Services []*Service
	byID     map[string]*Service
	depts    map[string]*Department
	// Forms are the forms in forms/*.yaml, in file order; forms indexes
	// them by id, formFor by the service they request.
	Forms   []*Form
	forms   map[string]*Form
	formFor map[string]*Form
	// Families are the service families in families/*.yaml, in file
	// order; familiesOf indexes them by member service.
	Families []*Family
	// Templates are the message templates submitted to Meta.
	Templates []*Template
	// Topics are the subjects of alerts citizens may opt in to.
	Topics     []*Topic
	familiesOf map[string][]*Family
	// aliasPos remembers where each alias was written, for Lint.
	aliasPos map[*Service]map[string]position
	// menuOrder is the department order from menu.yaml, kept for Lint.
	menuOrder []string
}

// Service returns the service with the given id.
func (c *Catalog) Service(id string) (*Service, bool) {
	s, ok := c.byID[id]
	return s, ok
}

// Department returns the department with the given id.
func (c *Catalog) Department(id string) (*Department, bool) {
	d, ok := c.depts[id]
	return d, ok
}

// index fills the lookup maps; the first of two duplicate ids wins (Lint
// reports the second).
func (c *Catalog) index() {
	c.byID = make(map[string]*Service)
	c.depts = make(map[string]*Department)
	c.Services = c.Services[:0]
	for _, d := range c.Departments {
		if _, dup := c.depts[d.ID]; !dup {
			c.depts[d.ID] = d
		}
		for _, s := range d.Services {
			s.Department = d.ID
			c.Services = append(c.Services, s)
			if _, dup := c.byID[s.ID]; !dup {
				c.byID[s.ID] = s
			}
		}
	}
}
