package server

import (
	"fmt"
	"html/template"
	"strings"
)

// The trend chart is an SVG drawn here, on the server: no charting library and no
// script. Lines differ by colour (each at least 3:1 against white, WCAG 1.4.11) and by
// dash pattern, are labelled at their right end, and the same numbers are in a table
// next to the chart for screen readers and for anyone who prefers numbers.

var seriesStyle = []struct{ color, dash string }{
	{"#0072b2", ""}, {"#d55e00", "6 3"}, {"#007a5a", "2 3"}, {"#a6006e", ""}, {"#000000", "6 3"},
	{"#8a5a00", "2 3"}, {"#5a3fc0", ""}, {"#006d77", "6 3"}, {"#6b6b6b", "2 3"},
}

const (
	chartW, chartH                   = 760, 300
	chartLeft, chartRight, chartTop  = 48, 40, 12
	chartBottom                      = 40
	plotW                            = chartW - chartLeft - chartRight
	plotH                            = chartH - chartTop - chartBottom
	chartTitleID, chartDescriptionID = "trend-title", "trend-desc"
)

// trendSVG draws t. All text in it is escaped; numbers are formatted here.
func trendSVG(t TrendJSON) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s %s" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH, chartTitleID, chartDescriptionID)
	fmt.Fprintf(&b, `<title id="%s">Share of passing control results per policy section, last %d days</title>`, chartTitleID, len(t.Days))
	fmt.Fprintf(&b, `<desc id="%s">One line per section; the table after the chart lists the same values.</desc>`, chartDescriptionID)
	// Axes and gridlines every 25 %.
	for _, pct := range []int{0, 25, 50, 75, 100} {
		y := yOf(float64(pct))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#d0d7de" stroke-width="1"/>`, chartLeft, y, chartLeft+plotW, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" font-size="12" fill="#4a5360">%d%%</text>`, chartLeft-6, y+4, pct)
	}
	n := len(t.Days)
	if n > 0 {
		for _, i := range []int{0, n / 2, n - 1} {
			anchor := "middle"
			if i == 0 {
				anchor = "start"
			} else if i == n-1 {
				anchor = "end"
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="%s" font-size="12" fill="#4a5360">%s</text>`, xOf(i, n), chartH-chartBottom+18, anchor, esc(t.Days[i]))
		}
	}
	for si, s := range t.Series {
		st := seriesStyle[si%len(seriesStyle)]
		dash := ""
		if st.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
		}
		// A gap (no data yet) breaks the line rather than dropping it to zero.
		var seg [][2]float64
		flush := func() {
			switch len(seg) {
			case 0:
			case 1: // a single day: a dot, or it would not show
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, seg[0][0], seg[0][1], st.color)
			default:
				pts := make([]string, len(seg))
				for i, p := range seg {
					pts[i] = fmt.Sprintf("%.1f,%.1f", p[0], p[1])
				}
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, strings.Join(pts, " "), st.color, dash)
			}
			seg = seg[:0]
		}
		last := -1
		for i, v := range s.Percent {
			if v == nil {
				flush()
				continue
			}
			seg = append(seg, [2]float64{xOf(i, n), yOf(*v)})
			last = i
		}
		flush()
		if last >= 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" fill="%s">%s</text>`, xOf(last, n)+4, yOf(*s.Percent[last])+4, st.color, esc(s.Section))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped or numeric
}

func xOf(i, n int) float64 {
	if n <= 1 {
		return chartLeft
	}
	return chartLeft + float64(i)*float64(plotW)/float64(n-1)
}

func yOf(pct float64) float64 { return chartTop + (100-pct)*float64(plotH)/100 }

// legendEntry is a section's line style, for the legend under the chart.
type legendEntry struct {
	Section, Title, Color string
	Dashed                bool
	Swatch                template.HTML
}

func trendLegend(t TrendJSON) []legendEntry {
	var out []legendEntry
	for si, s := range t.Series {
		st := seriesStyle[si%len(seriesStyle)]
		dash := ""
		if st.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
		}
		sw := template.HTML(fmt.Sprintf(`<svg class="swatch" width="28" height="10" aria-hidden="true"><line x1="0" y1="5" x2="28" y2="5" stroke="%s" stroke-width="2"%s/></svg>`, st.color, dash))
		out = append(out, legendEntry{Section: s.Section, Title: s.Title, Color: st.color, Dashed: st.dash != "", Swatch: sw})
	}
	return out
}

// trendTable samples the trend weekly (and the last day) for the table next to the chart.
type trendTable struct {
	Days []string
	Rows []trendTableRow
}

type trendTableRow struct {
	Section, Title string
	Values         []string
}

func sampleTrend(t TrendJSON) trendTable {
	var idx []int
	n := len(t.Days)
	for i := n - 1; i >= 0; i -= 7 {
		idx = append([]int{i}, idx...)
	}
	var tt trendTable
	for _, i := range idx {
		tt.Days = append(tt.Days, t.Days[i])
	}
	for _, s := range t.Series {
		row := trendTableRow{Section: s.Section, Title: s.Title}
		for _, i := range idx {
			if v := s.Percent[i]; v != nil {
				row.Values = append(row.Values, fmt.Sprintf("%.0f%%", *v))
			} else {
				row.Values = append(row.Values, "–")
			}
		}
		tt.Rows = append(tt.Rows, row)
	}
	return tt
}
