package catalog

import (
	"fmt"
	"io/fs"
)

// Intent is what a citizen wants to do with a thing, apart from which
// thing: the axis along which the services of one family differ (a new
// rice card, adding a member to it, its status).
type Intent string

// The intents a family's members are filed under.
const (
	IntentApply    Intent = "apply"
	IntentStatus   Intent = "status"
	IntentComplain Intent = "complain"
	IntentPay      Intent = "pay"
	IntentBook     Intent = "book"
	IntentCorrect  Intent = "correct"
	IntentCancel   Intent = "cancel"
	IntentInfo     Intent = "info"
)

// Intents lists the intents in the order a family file writes them.
var Intents = []Intent{IntentApply, IntentStatus, IntentComplain, IntentPay, IntentBook, IntentCorrect, IntentCancel, IntentInfo}

// intentKind is the service kind an intent's members must have, where the
// intent fixes it: a family's status check is a status service.
var intentKind = map[Intent]Kind{IntentStatus: "status", IntentPay: "payment", IntentBook: "booking", IntentComplain: "grievance"}

// Family is the services of one thing a citizen holds or asks for, by
// intent, each list most asked-for first.
type Family struct {
	ID       string   `yaml:"id"`
	Apply    []string `yaml:"apply"`
	Status   []string `yaml:"status"`
	Complain []string `yaml:"complain"`
	Pay      []string `yaml:"pay"`
	Book     []string `yaml:"book"`
	Correct  []string `yaml:"correct"`
	Cancel   []string `yaml:"cancel"`
	Info     []string `yaml:"info"`
	pos      position
}

// Members returns the family's services with the given intent, most
// asked-for first.
func (f *Family) Members(in Intent) []string {
	switch in {
	case IntentApply:
		return f.Apply
	case IntentStatus:
		return f.Status
	case IntentComplain:
		return f.Complain
	case IntentPay:
		return f.Pay
	case IntentBook:
		return f.Book
	case IntentCorrect:
		return f.Correct
	case IntentCancel:
		return f.Cancel
	case IntentInfo:
		return f.Info
	}
	return nil
}

// IntentOf returns the intent a service is filed under in the family, or
// "" when it is not a member.
func (f *Family) IntentOf(id string) Intent {
	for _, in := range Intents {
		for _, m := range f.Members(in) {
			if m == id {
				return in
			}
		}
	}
	return ""
}

// Where returns "file:line" of the family, for messages.
func (f *Family) Where() string { return f.pos.String() }

// FamiliesOf returns the families a service belongs to, in file order.
func (c *Catalog) FamiliesOf(id string) []*Family { return c.familiesOf[id] }

type familiesFile struct {
	Families []*Family `yaml:"families"`
}

// loadFamilies reads families/*.yaml, keeping each family's line.
func (c *Catalog) loadFamilies(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "families/*.yaml")
	if err != nil {
		return err
	}
	c.familiesOf = map[string][]*Family{}
	for _, name := range names {
		var ff familiesFile
		doc, err := readYAML(fsys, name, &ff)
		if err != nil {
			return err
		}
		lines := itemLines(doc, "families", len(ff.Families))
		for i, f := range ff.Families {
			if f == nil {
				return fmt.Errorf("%s: families item %d is empty", name, i+1)
			}
			f.pos = position{name, lines[i]}
			c.Families = append(c.Families, f)
			seen := map[string]bool{}
			for _, in := range Intents {
				for _, id := range f.Members(in) {
					if !seen[id] {
						seen[id] = true
						c.familiesOf[id] = append(c.familiesOf[id], f)
					}
				}
			}
		}
	}
	return nil
}

// families checks that every family names services that exist, under an
// intent their kind allows, each once, with at least two intents to tell
// apart.
func (l *linter) families(c *Catalog) {
	ids := map[string]position{}
	for _, f := range c.Families {
		l.id(f.pos, "family", f.ID, ids)
		seen := map[string]Intent{}
		intents := 0
		for _, in := range Intents {
			members := f.Members(in)
			if len(members) > 0 {
				intents++
			}
			for _, id := range members {
				s, ok := c.Service(id)
				switch {
				case !ok:
					l.add(f.pos, "family %q: %s member %q is not a service", f.ID, in, id)
				case seen[id] != "":
					l.add(f.pos, "family %q: %q is listed under both %s and %s", f.ID, id, seen[id], in)
				case intentKind[in] != "" && s.Kind != intentKind[in]:
					l.add(f.pos, "family %q: %s member %q is of kind %s, not %s", f.ID, in, id, s.Kind, intentKind[in])
				}
				if seen[id] == "" {
					seen[id] = in
				}
			}
		}
		if intents < 2 {
			l.add(f.pos, "family %q lists services under %d intent(s); a family tells at least two apart", f.ID, intents)
		}
	}
}
