package githistory

import (
	"math/bits"
	"sync"
)

// Content buffers are pooled in power-of-two size classes, so a walk over many
// small blobs reuses a handful of small buffers and one large blob does not pin a
// large buffer for every later small one.
const (
	minClassShift = 12 // 4 KiB
	numClasses    = 24 // up to 32 GiB
)

var bufPools [numClasses]sync.Pool

func sizeClass(n int64) int {
	if n <= 1<<minClassShift {
		return 0
	}
	c := bits.Len64(uint64(n-1)) - minClassShift
	if c >= numClasses {
		return -1
	}
	return c
}

// getBuf returns a buffer of length n.
func getBuf(n int64) *[]byte {
	c := sizeClass(n)
	if c < 0 {
		b := make([]byte, n)
		return &b
	}
	if p, _ := bufPools[c].Get().(*[]byte); p != nil {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n, int64(1)<<(c+minClassShift))
	return &b
}

func putBuf(p *[]byte) {
	c := sizeClass(int64(cap(*p)))
	if c < 0 || int64(cap(*p)) != int64(1)<<(c+minClassShift) {
		return
	}
	bufPools[c].Put(p)
}
