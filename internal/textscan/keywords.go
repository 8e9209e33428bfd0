package textscan

// Index finds every occurrence of many keywords in one pass (Aho-Corasick, as a
// dense DFA over bytes, case-insensitive for ASCII). It is the prefilter that keeps
// regexes away from the vast majority of bytes, which contain no keyword at all.
type Index struct {
	next [][256]int32 // DFA transitions, failure links already folded in
	out  [][]int32    // keyword ids ending at each state (including via suffix links)
	lens []int        // keyword lengths
}

var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// NewIndex builds the automaton for keywords; ASCII letters match in either case. A
// keyword's id is its position in the slice.
func NewIndex(keywords []string) *Index {
	k := &Index{next: make([][256]int32, 1), out: make([][]int32, 1)}
	// Build the trie; -1 marks "no edge" until failure links are resolved.
	for i := range k.next[0] {
		k.next[0][i] = -1
	}
	for id, w := range keywords {
		s := int32(0)
		for i := 0; i < len(w); i++ {
			c := lowerASCII[w[i]]
			if k.next[s][c] < 0 {
				k.next = append(k.next, [256]int32{})
				k.out = append(k.out, nil)
				n := int32(len(k.next) - 1)
				for j := range k.next[n] {
					k.next[n][j] = -1
				}
				k.next[s][c] = n
			}
			s = k.next[s][c]
		}
		k.out[s] = append(k.out[s], int32(id))
		k.lens = append(k.lens, len(w))
	}
	// Breadth-first: resolve failure links into direct transitions.
	fail := make([]int32, len(k.next))
	var queue []int32
	for c := 0; c < 256; c++ {
		if n := k.next[0][c]; n > 0 {
			fail[n] = 0
			queue = append(queue, n)
		} else {
			k.next[0][c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		k.out[s] = append(k.out[s], k.out[fail[s]]...)
		for c := 0; c < 256; c++ {
			n := k.next[s][c]
			if n < 0 {
				k.next[s][c] = k.next[fail[s]][c]
				continue
			}
			fail[n] = k.next[fail[s]][c]
			queue = append(queue, n)
		}
	}
	return k
}

// Find calls hit(keyword, end) for every occurrence, in order of end; end is the offset
// just past the occurrence.
func (k *Index) Find(data []byte, hit func(kw int, end int)) {
	s := int32(0)
	next, out := k.next, k.out
	for i, b := range data {
		s = next[s][lowerASCII[b]]
		if o := out[s]; o != nil {
			for _, kw := range o {
				hit(int(kw), i+1)
			}
		}
	}
}
