package walls

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/mitra-gov/mitra/"

// pkg is what `go list -json` says of a package.
type pkg struct {
	ImportPath   string
	Imports      []string // direct imports of its code
	Deps         []string // everything its code depends on, transitively
	TestImports  []string
	XTestImports []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"...")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(out)
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("go list: %v", err)
	}
	return pkgs
}

// The engine and the domain rooms stay free of the database, the queue,
// HTTP and the middle floors, so that `mitra chat`, `match` and `eval` run
// offline and each room can be read and tested on its own.
var leaves = []string{"nlu", "catalog", "retrieval", "prompts", "evals", "dialog", "certs", "application", "whatsapp/flows"}

var forbiddenInLeaves = []string{
	"github.com/gin-gonic/gin",
	"github.com/jackc/pgx",
	"github.com/riverqueue/river",
	module + "store",
	module + "server",
	module + "worker",
}

func TestWalls(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	isLeaf := map[string]bool{}
	for _, l := range leaves {
		isLeaf[module+l] = true
	}
	seenLeaves := 0
	for _, p := range pkgs {
		if isLeaf[p.ImportPath] {
			seenLeaves++
			for _, d := range p.Deps {
				for _, f := range forbiddenInLeaves {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s depends on %s", strings.TrimPrefix(p.ImportPath, module), d)
					}
				}
			}
		}
		all := append(append(append([]string{}, p.Imports...), p.TestImports...), p.XTestImports...)
		for _, imp := range all {
			if imp == module+"server" && p.ImportPath != module+"cmd/mitra" && p.ImportPath != module+"server" {
				t.Errorf("%s imports server: only cmd/mitra may", strings.TrimPrefix(p.ImportPath, module))
			}
			if strings.HasPrefix(imp, module+"cmd/") {
				t.Errorf("%s imports %s: nothing imports a command", strings.TrimPrefix(p.ImportPath, module), imp)
			}
		}
		// server holds no SQL and runs no jobs: it reaches the database
		// and the queue only through store's methods.
		if p.ImportPath == module+"server" {
			for _, imp := range p.Imports {
				for _, f := range []string{"github.com/jackc/pgx", "github.com/riverqueue/river", module + "worker"} {
					if imp == f || strings.HasPrefix(imp, f+"/") {
						t.Errorf("server imports %s", imp)
					}
				}
			}
		}
	}
	if seenLeaves != len(leaves) {
		t.Errorf("found %d of the %d leaf rooms: was one renamed? Update this test and ARCHITECTURE.md", seenLeaves, len(leaves))
	}
}
