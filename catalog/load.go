package catalog

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"gopkg.in/yaml.v3"
)

//go:embed data/*.yaml data/forms/*.yaml data/families/*.yaml data/templates/*.yaml
var embedded embed.FS

// Embedded returns the catalogue shipped inside the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder
	}
	return sub
}

// menuFile names the department menu order; every other .yaml file in the
// folder is one department.
const menuFile = "menu.yaml"

type menuSpec struct {
	Departments []string `yaml:"departments"`
}

// Load reads every department file in fsys and the menu order. It fails on
// files that are not valid YAML or have unknown fields; everything else
// (missing translations, over-long titles, duplicate ids) is left to Lint so
// that one bad entry does not hide the rest.
func Load(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("catalog: no .yaml files found")
	}
	c := &Catalog{aliasPos: make(map[*Service]map[string]position)}
	var menu menuSpec
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if path.Base(name) == menuFile {
			if err := decodeStrict(data, &menu); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			continue
		}
		d, err := c.loadDepartment(name, data)
		if err != nil {
			return nil, err
		}
		c.Departments = append(c.Departments, d)
	}
	c.index()
	c.orderDepartments(menu.Departments)
	if err := c.loadForms(fsys); err != nil {
		return nil, err
	}
	if err := c.loadFamilies(fsys); err != nil {
		return nil, err
	}
	if err := c.loadTemplates(fsys); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeStrict decodes YAML rejecting unknown keys, which are nearly always
// typos ("aliasses", "te-latn") that would otherwise silently lose content.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return err
	}
	return nil
}

func (c *Catalog) loadDepartment(name string, data []byte) (*Department, error) {
	var d Department
	if err := decodeStrict(data, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// A second pass over the node tree recovers line numbers, which the
	// struct decoding cannot keep.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d.pos = position{name, 1}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	d.pos.line = doc.Line
	services := mapValue(doc, "services")
	if services != nil && services.Kind == yaml.SequenceNode {
		for i, item := range services.Content {
			if i >= len(d.Services) || d.Services[i] == nil {
				break
			}
			s := d.Services[i]
			s.pos = position{name, item.Line}
			c.aliasPos[s] = aliasPositions(name, mapValue(item, "aliases"))
		}
	}
	for i, s := range d.Services {
		if s == nil {
			return nil, fmt.Errorf("%s: services item %d is empty", name, i+1)
		}
	}
	return &d, nil
}

// mapValue returns the value node of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func aliasPositions(file string, aliases *yaml.Node) map[string]position {
	out := make(map[string]position)
	if aliases == nil || aliases.Kind != yaml.MappingNode {
		return out
	}
	for i := 1; i < len(aliases.Content); i += 2 {
		for _, v := range aliases.Content[i].Content {
			out[v.Value] = position{file, v.Line}
		}
	}
	return out
}

// orderDepartments puts departments in the order of menu.yaml; departments it
// does not name follow in file order (Lint reports them).
func (c *Catalog) orderDepartments(order []string) {
	rank := make(map[string]int, len(order))
	for i, id := range order {
		if _, seen := rank[id]; !seen {
			rank[id] = i
		}
	}
	pos := func(d *Department) int {
		if r, ok := rank[d.ID]; ok {
			return r
		}
		return len(order)
	}
	sort.SliceStable(c.Departments, func(i, j int) bool { return pos(c.Departments[i]) < pos(c.Departments[j]) })
	c.menuOrder = order
	c.index()
}

// Where returns "file:line" of a service, for messages.
func (s *Service) Where() string { return s.pos.String() }

// Where returns "file:line" of a department.
func (d *Department) Where() string { return d.pos.String() }
