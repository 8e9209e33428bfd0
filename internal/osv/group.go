package osv

import (
	"sort"
	"strings"
)

// Group merges records that describe the same flaw: records are joined when one's ID or
// aliases name the other (a GHSA record aliasing a CVE that a PYSEC record also aliases
// makes one group). Groups and their members come out in a stable order.
func Group(vulns []Vulnerability) [][]Vulnerability {
	parent := make([]int, len(vulns))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[string]int{}
	for i, v := range vulns {
		for _, id := range append([]string{v.ID}, v.Aliases...) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	byRoot := map[int][]Vulnerability{}
	var roots []int
	for i, v := range vulns {
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], v)
	}
	out := make([][]Vulnerability, 0, len(roots))
	for _, r := range roots {
		g := byRoot[r]
		sort.Slice(g, func(i, j int) bool {
			return idRank(g[i].ID) < idRank(g[j].ID) || idRank(g[i].ID) == idRank(g[j].ID) && g[i].ID < g[j].ID
		})
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0].ID < out[j][0].ID })
	return out
}

// IDs returns every identifier of a group. The primary one is a record the database
// holds (the best-ranked family among them), never an alias no record backs; the rest
// follow in rank order.
func IDs(g []Vulnerability) (primary string, aliases []string) {
	byRank := func(ids []string) {
		sort.Slice(ids, func(i, j int) bool {
			ri, rj := idRank(ids[i]), idRank(ids[j])
			return ri < rj || ri == rj && ids[i] < ids[j]
		})
	}
	own := make([]string, 0, len(g))
	for _, v := range g {
		own = append(own, v.ID)
	}
	byRank(own)
	primary = own[0]
	seen := map[string]bool{primary: true}
	for _, v := range g {
		for _, id := range append([]string{v.ID}, v.Aliases...) {
			if !seen[id] {
				seen[id] = true
				aliases = append(aliases, id)
			}
		}
	}
	byRank(aliases)
	return primary, aliases
}

// idRank orders identifier families for choosing the primary ID: the reviewed advisory
// databases first (they carry the package-level ranges), then CVE, then the rest.
func idRank(id string) int {
	switch {
	case strings.HasPrefix(id, "GHSA-"):
		return 0
	case strings.HasPrefix(id, "GO-"), strings.HasPrefix(id, "PYSEC-"), strings.HasPrefix(id, "RUSTSEC-"):
		return 1
	case strings.HasPrefix(id, "CVE-"):
		return 2
	}
	return 3
}
