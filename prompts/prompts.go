// Package prompts holds mitra's LLM prompts as versioned content and the
// calls that use them: reranking among the engine's candidates and answers
// grounded in the catalogue. Each prompt is a folder of immutable versions
// (system and user templates, model parameters, output schema, notes);
// live.yaml says which version is live. The model never picks outside the
// candidate list, never sees personal data, and never delays a reply past
// its timeout.
package prompts

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

//go:embed library live.yaml
var content embed.FS

// Prompt is one immutable version of a prompt.
type Prompt struct {
	Name, Version string
	Model         string  `yaml:"model"`
	Temperature   float32 `yaml:"temperature"`
	MaxTokens     int     `yaml:"max_tokens"`
	Notes         string  `yaml:"notes"`
	SystemText    string  `yaml:"-"`
	UserText      string  `yaml:"-"`
	Schema        Schema  `yaml:"-"`
	system, user  *template.Template
}

// ID is "name@version", the form logged with every call.
func (p *Prompt) ID() string { return p.Name + "@" + p.Version }

// Schema is the subset of JSON Schema the outputs use: an object with
// required, typed properties.
type Schema struct {
	Required   []string `json:"required"`
	Properties map[string]struct {
		Type string `json:"type"`
	} `json:"properties"`
}

// Validate checks a model's output against the schema.
func (s Schema) Validate(raw []byte) (map[string]any, error) {
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("output is not a JSON object: %w", err)
	}
	for _, k := range s.Required {
		if _, ok := obj[k]; !ok {
			return nil, fmt.Errorf("output lacks %q", k)
		}
	}
	for k, p := range s.Properties {
		v, ok := obj[k]
		if !ok {
			continue
		}
		switch p.Type {
		case "string":
			_, ok = v.(string)
		case "boolean":
			_, ok = v.(bool)
		}
		if !ok {
			return nil, fmt.Errorf("output field %q is not a %s", k, p.Type)
		}
	}
	return obj, nil
}

// Library is every prompt version, and which is live.
type Library struct {
	prompts map[string]map[string]*Prompt
	live    map[string]string
}

// Load reads the embedded library.
func Load() (*Library, error) { return LoadFS(content) }

// LoadFS reads a library (library/<name>/<version>/ and live.yaml).
func LoadFS(fsys fs.FS) (*Library, error) {
	lib := &Library{prompts: map[string]map[string]*Prompt{}, live: map[string]string{}}
	metas, err := fs.Glob(fsys, "library/*/*/meta.yaml")
	if err != nil {
		return nil, err
	}
	for _, m := range metas {
		dir := path.Dir(m)
		p := &Prompt{Name: path.Base(path.Dir(dir)), Version: path.Base(dir)}
		read := func(name string) ([]byte, error) { return fs.ReadFile(fsys, path.Join(dir, name)) }
		raw, err := read("meta.yaml")
		if err == nil {
			err = yaml.Unmarshal(raw, p)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
		for file, dst := range map[string]*string{"system.txt": &p.SystemText, "user.txt": &p.UserText} {
			b, err := read(file)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.ID(), err)
			}
			*dst = string(b)
		}
		if raw, err = read("schema.json"); err != nil || json.Unmarshal(raw, &p.Schema) != nil {
			return nil, fmt.Errorf("%s: schema.json missing or invalid", p.ID())
		}
		if p.system, err = template.New(p.ID()).Option("missingkey=error").Parse(p.SystemText); err != nil {
			return nil, fmt.Errorf("%s system: %w", p.ID(), err)
		}
		if p.user, err = template.New(p.ID()).Option("missingkey=error").Parse(p.UserText); err != nil {
			return nil, fmt.Errorf("%s user: %w", p.ID(), err)
		}
		if lib.prompts[p.Name] == nil {
			lib.prompts[p.Name] = map[string]*Prompt{}
		}
		lib.prompts[p.Name][p.Version] = p
	}
	raw, err := fs.ReadFile(fsys, "live.yaml")
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(raw, &lib.live); err != nil {
		return nil, fmt.Errorf("live.yaml: %w", err)
	}
	for name, v := range lib.live {
		if _, err := lib.Get(name + "@" + v); err != nil {
			return nil, fmt.Errorf("live.yaml: %w", err)
		}
	}
	return lib, nil
}

// Get returns "name@version", or the live version for a bare name.
func (l *Library) Get(ref string) (*Prompt, error) {
	name, version, ok := strings.Cut(ref, "@")
	if !ok {
		version = l.live[name]
	}
	p := l.prompts[name][version]
	if p == nil {
		return nil, fmt.Errorf("prompt %q not found", ref)
	}
	return p, nil
}

// SetLive overrides the live version of a prompt for this process.
func (l *Library) SetLive(ref string) error {
	p, err := l.Get(ref)
	if err != nil {
		return err
	}
	l.live[p.Name] = p.Version
	return nil
}

// List returns every prompt version, sorted, marking the live ones.
func (l *Library) List() []string {
	var out []string
	for name, versions := range l.prompts {
		for v := range versions {
			line := name + "@" + v
			if l.live[name] == v {
				line += " (live)"
			}
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out
}

// Render fills a prompt's templates with data.
func (p *Prompt) Render(data any) (system, user string, err error) {
	var s, u bytes.Buffer
	if err := p.system.Execute(&s, data); err != nil {
		return "", "", fmt.Errorf("render %s: %w", p.ID(), err)
	}
	if err := p.user.Execute(&u, data); err != nil {
		return "", "", fmt.Errorf("render %s: %w", p.ID(), err)
	}
	return s.String(), u.String(), nil
}

// Diff shows the lines that differ between two versions' templates and
// parameters, "-" for a and "+" for b.
func Diff(a, b *Prompt) string {
	var out strings.Builder
	section := func(title, x, y string) {
		xl, yl := strings.Split(x, "\n"), strings.Split(y, "\n")
		in := func(l string, set []string) bool {
			for _, s := range set {
				if s == l {
					return true
				}
			}
			return false
		}
		var lines []string
		for _, l := range xl {
			if !in(l, yl) {
				lines = append(lines, "- "+l)
			}
		}
		for _, l := range yl {
			if !in(l, xl) {
				lines = append(lines, "+ "+l)
			}
		}
		if len(lines) > 0 {
			fmt.Fprintf(&out, "== %s\n%s\n", title, strings.Join(lines, "\n"))
		}
	}
	section("system", a.SystemText, b.SystemText)
	section("user", a.UserText, b.UserText)
	section("parameters", fmt.Sprintf("model %s\ntemperature %g\nmax_tokens %d", a.Model, a.Temperature, a.MaxTokens),
		fmt.Sprintf("model %s\ntemperature %g\nmax_tokens %d", b.Model, b.Temperature, b.MaxTokens))
	return out.String()
}
