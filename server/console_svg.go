package server

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/mitra-gov/mitra/store"
)

// Charts are drawn here as SVG, on the server: no charting library, no
// script, and a cheap office PC only lays them out.

// bars draws a breakdown as horizontal bars with their labels and counts.
func bars(counts []store.Count) template.HTML {
	if len(counts) == 0 {
		return ""
	}
	var most int64
	for _, c := range counts {
		most = max(most, c.N)
	}
	const row, width, labelW = 22, 320, 120
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bars" viewBox="0 0 %d %d" role="img">`, width, row*len(counts))
	for i, c := range counts {
		w := float64(width-labelW-50) * float64(c.N) / float64(max(most, 1))
		y := i * row
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text><rect x="%d" y="%d" width="%.1f" height="%d"></rect><text x="%.1f" y="%d">%d</text>`,
			y+15, template.HTMLEscapeString(c.Key), labelW, y+4, w, row-8, float64(labelW)+w+4, y+15, c.N)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// sparkline draws messages per minute (or per hour) as columns, oldest
// on the left.
func sparkline(perMinute []store.Count, bucket string) template.HTML {
	if len(perMinute) == 0 {
		return ""
	}
	var most int64
	for _, c := range perMinute {
		most = max(most, c.N)
	}
	const height, width = 80, 600
	colW := float64(width) / float64(len(perMinute))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %d %d" role="img" aria-label="%d minutes, at most %d a minute">`, width, height+14, len(perMinute), most)
	for i, c := range perMinute {
		h := float64(height) * float64(c.N) / float64(max(most, 1))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s %d</title></rect>`,
			float64(i)*colW, float64(height)-h, max(colW-1, 1), h, template.HTMLEscapeString(c.Key), c.N)
	}
	unit := "min"
	if bucket == "hour" {
		unit = "h"
	}
	fmt.Fprintf(&b, `<text x="0" y="%d">%s</text><text x="%d" y="%d" text-anchor="end">%d/%s</text></svg>`,
		height+12, template.HTMLEscapeString(perMinute[0].Key), width, height+12, most, unit)
	return template.HTML(b.String())
}

// formatMS prints a latency in milliseconds, or seconds when long.
func formatMS(ms float64) string {
	if ms >= 1000 {
		return fmt.Sprintf("%.1f s", ms/1000)
	}
	return fmt.Sprintf("%.0f ms", ms)
}
