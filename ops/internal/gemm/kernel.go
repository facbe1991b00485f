package gemm

import (
	"sync/atomic"
	"unsafe"

	"github.com/pkg/errors"
)

// kernel is one micro-kernel with the blocking that suits it.
type kernel[T float32 | float64] struct {
	name string
	// mr×nr is the register tile; kc, mc, nc size the packed blocks: a
	// kc×nr micro-panel of B in L1, an mc×kc block of A in L2, and a
	// kc×nc block of B in L3.
	mr, nr, kc, mc, nc int
	// fn computes C = A·B + beta·C on one full mr×nr tile: a holds kc
	// groups of mr values (a packed panel), b kc rows of nr values ldb
	// apart (nr when packed), ldb and ldc count elements. beta = ±0 must
	// not read C.
	fn func(kc int, a, b *T, ldb int, c *T, ldc int, beta T)
	// transpose8, if set, packs transposed panels fast: it sets
	// dst[p*ldd+r] = alpha*src[r*lds+p] for r < 8, p < n, n a multiple of 8.
	transpose8 func(n int, src *T, lds int, dst *T, ldd int, alpha T)
	// copyRows, if set, packs an untransposed micro-panel of B: it copies
	// rows rows of nr elements, stride bytes apart, to adjacent rows of dst.
	copyRows func(rows int, src unsafe.Pointer, stride int, dst unsafe.Pointer)
	// dotNT4x4, if set, adds to a 4×4 block of C the products of 4 rows of
	// A with 4 rows of B, all contiguous along k, read in place (see DotNT).
	dotNT4x4 func(k int, a *T, lda int, b *T, ldb int, c *T, ldc int)
}

// path is one selectable code path: a kernel for each element type.
type path struct {
	name string
	f32  *kernel[float32]
	f64  *kernel[float64]
}

// paths lists the paths this CPU can run, fastest first; the platform
// file fills it in init.
var paths []*path

// active is the path Gemm uses.
var active atomic.Pointer[path]

func init() {
	paths = append(platformPaths(), &path{"go", goKernel[float32](), goKernel[float64]()})
	active.Store(paths[0])
}

// Kernel reports the micro-kernel in use: "avx512", "avx2" or "go".
func Kernel() string { return active.Load().name }

// Kernels lists the micro-kernels this CPU can run, fastest first.
func Kernels() []string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = p.name
	}
	return names
}

// Use forces the named micro-kernel for every later call, for tests and
// benchmarks that must compare paths on one machine. It fails if this CPU
// cannot run it. restore puts back the path that was active before.
func Use(name string) (restore func(), err error) {
	for _, p := range paths {
		if p.name == name {
			prev := active.Swap(p)
			return func() { active.Store(prev) }, nil
		}
	}
	return nil, errors.Errorf("gemm: kernel %q not available on this CPU (have %v)", name, Kernels())
}

// kernelFor returns the active kernel for element type T.
func kernelFor[T float32 | float64]() *kernel[T] {
	p := active.Load()
	var zero T
	if _, ok := any(zero).(float32); ok {
		return any(p.f32).(*kernel[T])
	}
	return any(p.f64).(*kernel[T])
}
