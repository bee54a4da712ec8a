// Package walls holds the test that keeps the rooms of ARCHITECTURE.md
// apart: which packages may import which. It has no code of its own.
package walls
