package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// Validate checks Flow JSON against the rules of Meta's Flow JSON
// reference that can be checked offline, so a bad Flow fails in CI rather
// than at upload: screen ids, a routing model that names every screen, has
// no cycle and ends in terminal screens, a SingleColumnLayout per screen,
// unique component names, no empty static text, label limits, and every
// ${form.x} and ${data.x} bound to a component or a declared data key.
// It reports every problem it finds.
func Validate(flowJSON []byte) error {
	_, err := parseFlow(flowJSON)
	return err
}

var (
	screenID     = regexp.MustCompile(`^[A-Z_]+$`)
	versionText  = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	binding      = regexp.MustCompile(`\$\{(form|data)\.([A-Za-z0-9_]+)\}`)
	dataTypes    = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true, "object": true, "array": true}
	clickActions = map[string]bool{"data_exchange": true, "navigate": true, "complete": true, "update_data": true, "open_url": true}
)

// flowSpec is a checked Flow: what FakeClient needs to behave like the
// WhatsApp client.
type flowSpec struct {
	routes  map[string][]string
	screens map[string]*screenSpec
	entries []string
}

type screenSpec struct {
	id            string
	terminal      bool
	refreshOnBack bool
	data          map[string]string // declared key to its type
	components    map[string]map[string]any
	footer        map[string]any
}

type rawFlow struct {
	Version        string              `json:"version"`
	DataAPIVersion string              `json:"data_api_version"`
	RoutingModel   map[string][]string `json:"routing_model"`
	Screens        []struct {
		ID            string                     `json:"id"`
		Title         string                     `json:"title"`
		Terminal      bool                       `json:"terminal"`
		RefreshOnBack bool                       `json:"refresh_on_back"`
		Data          map[string]json.RawMessage `json:"data"`
		Layout        struct {
			Type     string           `json:"type"`
			Children []map[string]any `json:"children"`
		} `json:"layout"`
	} `json:"screens"`
}

func parseFlow(b []byte) (*flowSpec, error) {
	var raw rawFlow
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("flows: flow JSON: %w", err)
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !versionText.MatchString(raw.Version) {
		bad("version %q is not major.minor", raw.Version)
	}
	if raw.DataAPIVersion != DataAPIVersion {
		bad("data_api_version %q is not %q, the endpoint protocol this package speaks", raw.DataAPIVersion, DataAPIVersion)
	}
	if len(raw.Screens) == 0 {
		bad("no screens")
	}
	spec := &flowSpec{routes: raw.RoutingModel, screens: map[string]*screenSpec{}}
	for i, s := range raw.Screens {
		where := fmt.Sprintf("screen %d (%s)", i+1, s.ID)
		switch {
		case !screenID.MatchString(s.ID):
			bad("%s: id must be uppercase letters and underscores", where)
		case s.ID == ScreenSuccess:
			bad("%s: SUCCESS is reserved", where)
		case spec.screens[s.ID] != nil:
			bad("%s: id is used twice", where)
		}
		if strings.TrimSpace(s.Title) == "" {
			bad("%s: no title", where)
		}
		sc := &screenSpec{id: s.ID, terminal: s.Terminal, refreshOnBack: s.RefreshOnBack,
			data: map[string]string{}, components: map[string]map[string]any{}}
		spec.screens[s.ID] = sc
		for k, v := range s.Data {
			var d struct {
				Type    string          `json:"type"`
				Example json.RawMessage `json:"__example__"`
			}
			if err := json.Unmarshal(v, &d); err != nil || !dataTypes[d.Type] || len(d.Example) == 0 {
				bad("%s: data %q needs a type and an __example__", where, k)
				continue
			}
			sc.data[k] = d.Type
		}
		if s.Layout.Type != "SingleColumnLayout" {
			bad("%s: layout type %q is not SingleColumnLayout", where, s.Layout.Type)
		}
		comps := flatten(s.Layout.Children)
		if len(comps) == 0 {
			bad("%s: no components", where)
		}
		pickers := 0
		for _, c := range comps {
			t, _ := c["type"].(string)
			if t == "" {
				bad("%s: a component has no type", where)
				continue
			}
			if name, ok := c["name"].(string); ok {
				if sc.components[name] != nil {
					bad("%s: component name %q is used twice", where, name)
				}
				sc.components[name] = c
			}
			switch t {
			case "Footer":
				if sc.footer != nil {
					bad("%s: more than one Footer", where)
				}
				sc.footer = c
			case "PhotoPicker", "DocumentPicker":
				pickers++
			}
			if limit, ok := labelLimit[t]; ok {
				if l, _ := c["label"].(string); !strings.Contains(l, "${") && utf8.RuneCountInString(l) > limit {
					bad("%s: %s label %q is over %d characters", where, t, l, limit)
				}
			}
			if h, _ := c["helper-text"].(string); !strings.Contains(h, "${") && utf8.RuneCountInString(h) > maxHelperText {
				bad("%s: %s helper-text is over %d characters", where, t, maxHelperText)
			}
			for _, s := range texts(c) {
				if strings.TrimSpace(s) == "" {
					bad("%s: %s has an empty text, which Flow JSON 6.0 and later refuse", where, t)
				}
			}
		}
		if pickers > 1 {
			bad("%s: a screen may have one photo or document picker", where)
		}
		if s.Terminal && sc.footer == nil {
			bad("%s: a terminal screen needs a Footer", where)
		}
		if sc.footer != nil {
			act, _ := sc.footer["on-click-action"].(map[string]any)
			name, _ := act["name"].(string)
			if !clickActions[name] {
				bad("%s: Footer action %q is not a Flow action", where, name)
			}
			if payload, ok := act["payload"].(map[string]any); ok {
				// Media can only be passed as a top-level payload value.
				for _, v := range payload {
					m := binding.FindStringSubmatch(fmt.Sprint(v))
					if m != nil && m[1] == "form" && isPicker(sc.components[m[2]]) && v != "${form."+m[2]+"}" {
						bad("%s: media from %q must be a payload value of its own", where, m[2])
					}
				}
			}
		}
		for _, c := range comps {
			for _, s := range texts(c) {
				for _, m := range binding.FindAllStringSubmatch(s, -1) {
					switch {
					case m[1] == "form" && sc.components[m[2]] == nil:
						bad("%s: %s refers to ${form.%s}, which is not a component on the screen", where, c["type"], m[2])
					case m[1] == "data" && sc.data[m[2]] == "":
						bad("%s: %s refers to ${data.%s}, which the screen's data does not declare", where, c["type"], m[2])
					}
				}
			}
		}
	}
	errs = append(errs, checkRoutes(spec)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("flows: flow JSON: %w", errors.Join(errs...))
	}
	return spec, nil
}

// checkRoutes checks the routing model and finds the entry screens.
func checkRoutes(spec *flowSpec) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if spec.routes == nil {
		return append(errs, errors.New("no routing_model, which a flow with an endpoint needs"))
	}
	inbound := map[string]int{}
	for from, tos := range spec.routes {
		if spec.screens[from] == nil {
			bad("routing_model names screen %q, which does not exist", from)
			continue
		}
		if len(tos) > maxBranches {
			bad("routing_model: %s routes to %d screens, over %d", from, len(tos), maxBranches)
		}
		seen := map[string]bool{}
		for _, to := range tos {
			switch {
			case spec.screens[to] == nil:
				bad("routing_model: %s routes to %q, which does not exist", from, to)
			case to == from:
				bad("routing_model: %s routes to itself", from)
			case seen[to]:
				bad("routing_model: %s routes to %s twice", from, to)
			}
			seen[to] = true
			inbound[to]++
		}
		if t := spec.screens[from].terminal; t != (len(tos) == 0) {
			bad("routing_model: %s is terminal=%v but routes to %d screens; a screen ends the flow exactly when it routes nowhere", from, t, len(tos))
		}
	}
	ids := make([]string, 0, len(spec.screens))
	for id := range spec.screens {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := spec.routes[id]; !ok {
			bad("routing_model is missing screen %s", id)
		}
		if inbound[id] == 0 {
			spec.entries = append(spec.entries, id)
		}
	}
	if len(spec.entries) == 0 {
		bad("routing_model has no entry screen (every screen is routed to)")
	}
	// A cycle would let a screen be reached again without going back;
	// Meta refuses loops. In a graph without cycles every screen is
	// reachable from an entry screen.
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case open:
			return false
		case done:
			return true
		}
		state[id] = open
		for _, to := range spec.routes[id] {
			if spec.screens[to] != nil && !visit(to) {
				return false
			}
		}
		state[id] = done
		return true
	}
	for _, id := range ids {
		if !visit(id) {
			bad("routing_model has a cycle through %s", id)
			break
		}
	}
	return errs
}

// flatten lists a layout's components, those inside a Form included.
func flatten(children []map[string]any) []map[string]any {
	var out []map[string]any
	for _, c := range children {
		out = append(out, c)
		if inner, ok := c["children"].([]any); ok {
			var kids []map[string]any
			for _, k := range inner {
				if m, ok := k.(map[string]any); ok {
					kids = append(kids, m)
				}
			}
			out = append(out, flatten(kids)...)
		}
	}
	return out
}

// texts lists every string value in a component, nested ones included,
// except those of inner components (flatten lists those).
func texts(c map[string]any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				if k != "children" {
					walk(e)
				}
			}
		}
	}
	walk(c)
	return out
}

func isPicker(c map[string]any) bool {
	t, _ := c["type"].(string)
	return t == "PhotoPicker" || t == "DocumentPicker"
}
