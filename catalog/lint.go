package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WhatsApp list rows allow 24 characters in a title and 72 in a
// description; the catalogue's short names and descriptions become those
// rows, so they are held to the same limits, counted in characters.
const (
	MaxShort       = 24
	MaxDescription = 72
	// MaxSituation bounds one situation: a sentence, as a citizen says it.
	MaxSituation = 160
)

// Problem is one thing wrong in the catalogue data.
type Problem struct {
	Where string // file:line
	Msg   string
}

func (p Problem) String() string { return p.Where + ": " + p.Msg }

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Lint checks the catalogue for everything a content editor can get wrong
// and returns the problems sorted by file and line.
func (c *Catalog) Lint() []Problem {
	var l linter
	l.aliasOwner = make(map[string]*Service)
	deptSeen := make(map[string]*Department)
	deptPos := make(map[string]position)
	for _, d := range c.Departments {
		l.id(d.pos, "department", d.ID, deptPos)
		deptSeen[d.ID] = d
		l.localized(d.pos, "department "+d.ID, "name", d.Name, 0)
		l.localized(d.pos, "department "+d.ID, "short", d.Short, MaxShort)
		l.localized(d.pos, "department "+d.ID, "description", d.Description, MaxDescription)
		if len(d.Services) == 0 {
			l.add(d.pos, "department %q has no services", d.ID)
		}
	}
	l.menu(c, deptSeen)
	svcPos := make(map[string]position)
	rowSeen := make(map[int]*Service)
	for _, s := range c.Services {
		l.id(s.pos, "service", s.ID, svcPos)
		l.service(c, s)
		for _, r := range s.SourceRows {
			if first, dup := rowSeen[r]; dup && first != s {
				l.add(s.pos, "source row %d is also covered by %q", r, first.ID)
			}
			rowSeen[r] = s
		}
	}
	l.forms(c)
	l.families(c)
	l.templates(c)
	l.topics(c)
	sort.SliceStable(l.problems, func(i, j int) bool { return lessWhere(l.problems[i].Where, l.problems[j].Where) })
	return l.problems
}

type linter struct {
	problems   []Problem
	aliasOwner map[string]*Service
}

func (l *linter) add(p position, format string, args ...any) {
	l.problems = append(l.problems, Problem{Where: p.String(), Msg: fmt.Sprintf(format, args...)})
}

// id checks an id's form and that it is the first of its name.
func (l *linter) id(p position, what, id string, seen map[string]position) {
	if !idPattern.MatchString(id) {
		l.add(p, "%s id %q must be lowercase letters, digits and dashes", what, id)
	}
	if first, dup := seen[id]; dup {
		l.add(p, "duplicate %s id %q (first at %s)", what, id, first)
		return
	}
	seen[id] = p
}

func (l *linter) menu(c *Catalog, depts map[string]*Department) {
	if len(c.menuOrder) == 0 {
		l.add(position{menuFile, 1}, "menu.yaml is missing or lists no departments")
		return
	}
	listed := make(map[string]bool)
	for _, id := range c.menuOrder {
		if listed[id] {
			l.add(position{menuFile, 1}, "department %q listed twice", id)
		}
		listed[id] = true
		if depts[id] == nil {
			l.add(position{menuFile, 1}, "department %q has no file", id)
		}
	}
	for id, d := range depts {
		if !listed[id] {
			l.add(d.pos, "department %q is not listed in menu.yaml", id)
		}
	}
}

func (l *linter) localized(p position, owner, field string, t Localized, max int) {
	for _, lang := range []Lang{English, Telugu, Hindi} {
		v := t.exact(lang)
		if strings.TrimSpace(v) == "" {
			l.add(p, "%s: %s.%s is missing", owner, field, lang)
			continue
		}
		if n := utf8.RuneCountInString(v); max > 0 && n > max {
			l.add(p, "%s: %s.%s is %d characters, over the limit of %d: %q", owner, field, lang, n, max, v)
		}
		if msg := scriptProblem(lang, v); msg != "" {
			l.add(p, "%s: %s.%s %s: %q", owner, field, lang, msg, v)
		}
	}
}

func (l *linter) service(c *Catalog, s *Service) {
	owner := "service " + s.ID
	if !validKind(s.Kind) {
		l.add(s.pos, "%s: kind %q is not one of %v", owner, s.Kind, Kinds)
	}
	l.localized(s.pos, owner, "name", s.Name, 0)
	l.localized(s.pos, owner, "short", s.Short, MaxShort)
	l.localized(s.pos, owner, "description", s.Description, MaxDescription)
	a := s.Aliases
	for lang, group := range map[string][]string{"en": a.EN, "te": a.TE, "hi": a.HI} {
		if len(group) == 0 {
			l.add(s.pos, "%s: no aliases in %s", owner, lang)
		}
	}
	if len(a.TELatn)+len(a.HILatn) == 0 {
		l.add(s.pos, "%s: no romanized aliases (te_latn or hi_latn)", owner)
	}
	where := c.aliasPos[s]
	check := func(group string, lang Lang, latinOnly bool, aliases []string) {
		for _, alias := range aliases {
			p, ok := where[alias]
			if !ok {
				p = s.pos
			}
			key := strings.ToLower(strings.Join(strings.Fields(alias), " "))
			if key == "" {
				l.add(p, "%s: empty alias in %s", owner, group)
				continue
			}
			if latinOnly && hasIndic(alias) {
				l.add(p, "%s: %s alias %q must be in Latin letters", owner, group, alias)
			} else if msg := scriptProblem(lang, alias); !latinOnly && msg != "" {
				l.add(p, "%s: %s alias %s: %q", owner, group, msg, alias)
			}
			if other, taken := l.aliasOwner[key]; taken && other != s {
				l.add(p, "%s: alias %q is also an alias of %q (%s)", owner, alias, other.ID, other.pos)
			}
			l.aliasOwner[key] = s
		}
	}
	check("en", English, true, a.EN)
	check("te", Telugu, false, a.TE)
	check("hi", Hindi, false, a.HI)
	check("te_latn", English, true, a.TELatn)
	check("hi_latn", English, true, a.HILatn)
	// Situations are checked for script and length; several services may
	// share one.
	sit := s.Situations
	for group, list := range map[string][]string{"en": sit.EN, "te": sit.TE, "hi": sit.HI, "te_latn": sit.TELatn, "hi_latn": sit.HILatn} {
		lang := map[string]Lang{"te": Telugu, "hi": Hindi}[group]
		for _, text := range list {
			switch {
			case strings.TrimSpace(text) == "":
				l.add(s.pos, "%s: empty situation in %s", owner, group)
			case utf8.RuneCountInString(text) > MaxSituation:
				l.add(s.pos, "%s: situation %q is over %d characters", owner, text, MaxSituation)
			case lang == "" && hasIndic(text):
				l.add(s.pos, "%s: %s situation %q must be in Latin letters", owner, group, text)
			case lang != "":
				if msg := scriptProblem(lang, text); msg != "" {
					l.add(s.pos, "%s: %s situation %s: %q", owner, group, msg, text)
				}
			}
		}
	}
	d := s.Documents
	if len(d.EN) == 0 {
		l.add(s.pos, "%s: no documents listed", owner)
	} else if len(d.TE) != len(d.EN) || len(d.HI) != len(d.EN) {
		l.add(s.pos, "%s: documents must list the same items in each language (en %d, te %d, hi %d)", owner, len(d.EN), len(d.TE), len(d.HI))
	}
	if s.FeeINR != nil && *s.FeeINR < 0 {
		l.add(s.pos, "%s: fee_inr is negative", owner)
	}
	if s.SLADays != nil && *s.SLADays < 0 {
		l.add(s.pos, "%s: sla_days is negative", owner)
	}
	if len(s.Delivery) == 0 {
		l.add(s.pos, "%s: delivery is empty", owner)
	}
	for _, dl := range s.Delivery {
		if !contains(Deliveries, dl) {
			l.add(s.pos, "%s: delivery %q is not one of %v", owner, dl, Deliveries)
		}
	}
}

func validKind(k Kind) bool {
	for _, v := range Kinds {
		if v == k {
			return true
		}
	}
	return false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// scriptProblem says what is wrong with the script of a text meant for
// lang, or "" when it is fine. Telugu text must contain Telugu letters and
// Hindi text Devanagari; Latin loan letters inside them are allowed
// ("1-బి", "ROR-1B").
func scriptProblem(lang Lang, s string) string {
	switch lang {
	case Telugu:
		if !hasRange(s, unicode.Telugu) {
			return "has no Telugu letters"
		}
		if hasRange(s, unicode.Devanagari) {
			return "mixes in Devanagari"
		}
	case Hindi:
		if !hasRange(s, unicode.Devanagari) {
			return "has no Devanagari letters"
		}
		if hasRange(s, unicode.Telugu) {
			return "mixes in Telugu"
		}
	case English:
		if hasIndic(s) {
			return "must be in Latin letters"
		}
	}
	return ""
}

func hasIndic(s string) bool { return hasRange(s, unicode.Telugu) || hasRange(s, unicode.Devanagari) }

func hasRange(s string, t *unicode.RangeTable) bool {
	for _, r := range s {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// lessWhere orders "file:line" strings by file, then numerically by line.
func lessWhere(a, b string) bool {
	fa, la := splitWhere(a)
	fb, lb := splitWhere(b)
	if fa != fb {
		return fa < fb
	}
	return la < lb
}

func splitWhere(w string) (string, int) {
	i := strings.LastIndexByte(w, ':')
	if i < 0 {
		return w, 0
	}
	n := 0
	fmt.Sscanf(w[i+1:], "%d", &n)
	return w[:i], n
}
