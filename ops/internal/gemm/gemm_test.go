package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// matrix is a stored rows×cols matrix with row stride ld; the gap between
// rows holds a sentinel so that a read of it (NaN) or a write to it shows.
type matrix[T float32 | float64] struct {
	rows, cols, ld int
	data           []T
}

var sentinel = math.NaN()

func newMatrix[T float32 | float64](rng *rand.Rand, rows, cols, pad int) matrix[T] {
	ld := cols + pad
	data := make([]T, max(0, rows*ld))
	for i := range data {
		if i%ld < cols {
			data[i] = T(rng.Float64()*2 - 1)
		} else {
			data[i] = T(sentinel)
		}
	}
	return matrix[T]{rows, cols, max(ld, 1), data}
}

// naive returns alpha·op(A)·op(B) + beta·C in float64, and for each element
// the sum of the magnitudes of its terms, which bounds the rounding error.
func naive[T float32 | float64](tA, tB bool, m, n, k int, alpha T, a matrix[T], b matrix[T], beta T, c matrix[T]) (want, mag []float64) {
	at := func(x matrix[T], i, j int, t bool) float64 {
		if t {
			i, j = j, i
		}
		return float64(x.data[i*x.ld+j])
	}
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				t := at(a, i, p, tA) * at(b, p, j, tB)
				s += t
				abs += math.Abs(t)
			}
			s, abs = float64(alpha)*s, math.Abs(float64(alpha))*abs
			if beta != 0 {
				cv := float64(beta) * float64(c.data[i*c.ld+j])
				s += cv
				abs += math.Abs(cv)
			}
			want[i*n+j], mag[i*n+j] = s, abs
		}
	}
	return want, mag
}

type shape struct{ m, n, k int }

func testShapes() []shape {
	dims := []int{1, 7, 17, 33, 129}
	var s []shape
	for _, m := range dims {
		for _, n := range dims {
			for _, k := range dims {
				s = append(s, shape{m, n, k})
			}
		}
	}
	return append(s,
		shape{64, 3136, 27},  // conv1 im2col: out channels × pixels × 3·3·3
		shape{16, 1024, 144}, // ResNet-20 3×3 16→16 at 32×32, one image
		shape{64, 64, 576},   // ResNet-20 3×3 64→64 at 8×8
		shape{17, 33, 600},   // several KC blocks
		shape{9, 100, 700},   // several KC blocks, B read in place
		shape{530, 9, 3},     // several MC blocks
		shape{3, 4200, 5},    // several NC blocks
		shape{5, 6, 0},       // k = 0: C = beta·C
	)
}

type scalars struct{ alpha, beta float64 }

var scalarCases = []scalars{{1, 0}, {1, 1}, {0.5, -1.5}, {0, 2}, {-1, 0}}

// TestGemm compares every kernel this CPU has, on 1 and 2 goroutines,
// with the naive product over odd sizes, all transposes, strides wider
// than the rows, and alpha/beta cases including beta = 0 over NaN.
func TestGemm(t *testing.T) {
	defer func(v int) { minParallelWork = v }(minParallelWork)
	minParallelWork = 0 // split even the small shapes
	t.Run("float32", func(t *testing.T) { testGemm[float32](t) })
	t.Run("float64", func(t *testing.T) { testGemm[float64](t) })
}

func testGemm[T float32 | float64](t *testing.T) {
	t.Logf("kernels on this CPU: %v", Kernels())
	poisonWorkspaces[T]()
	var zero T
	eps := 0x1p-52
	if unsafe.Sizeof(zero) == 4 {
		eps = 0x1p-23
	}
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := testShapes()
	for si, s := range shapes {
		for tr := 0; tr < 4; tr++ {
			tA, tB := tr&1 != 0, tr&2 != 0
			sc := scalarCases[(si+tr)%len(scalarCases)]
			ar, ac := s.m, s.k
			if tA {
				ar, ac = ac, ar
			}
			br, bc := s.k, s.n
			if tB {
				br, bc = bc, br
			}
			a := newMatrix[T](rng, ar, ac, si%3)
			b := newMatrix[T](rng, br, bc, (si+1)%3)
			c0 := newMatrix[T](rng, s.m, s.n, 2)
			if sc.beta == 0 { // must be ignored, not multiplied by zero
				for i := range c0.data {
					c0.data[i] = T(math.NaN())
				}
			}
			want, mag := naive(tA, tB, s.m, s.n, s.k, T(sc.alpha), a, b, T(sc.beta), c0)
			for _, kern := range Kernels() {
				for _, th := range []int{1, 2} {
					name := fmt.Sprintf("%s/t%d/%dx%dx%d/tA=%v,tB=%v/a=%v,b=%v", kern, th, s.m, s.n, s.k, tA, tB, sc.alpha, sc.beta)
					c := matrix[T]{c0.rows, c0.cols, c0.ld, append([]T(nil), c0.data...)}
					restore, err := Use(kern)
					if err != nil {
						t.Fatal(err)
					}
					prev := SetThreads(th)
					Gemm(tA, tB, s.m, s.n, s.k, T(sc.alpha), a.data, a.ld, b.data, b.ld, T(sc.beta), c.data, c.ld)
					SetThreads(prev)
					restore()
					if msg := compare(c, c0, want, mag, float64(s.k+4)*eps); msg != "" {
						t.Fatalf("%s: %s", name, msg)
					}
				}
			}
		}
	}
}

// compare checks C against want within tol·mag, and that the gaps between
// C's rows still hold what they held before.
func compare[T float32 | float64](c, c0 matrix[T], want, mag []float64, tol float64) string {
	for i := range c.data {
		r, j := i/c.ld, i%c.ld
		got := float64(c.data[i])
		if j >= c.cols {
			if math.Float64bits(got) != math.Float64bits(float64(c0.data[i])) {
				return fmt.Sprintf("wrote %v past the end of row %d (col %d)", got, r, j)
			}
			continue
		}
		w := want[r*c.cols+j]
		if !(math.Abs(got-w) <= tol*mag[r*c.cols+j]+1e-300) {
			return fmt.Sprintf("C[%d,%d] = %v, want %v (tolerance %.3g)", r, j, got, w, tol*mag[r*c.cols+j])
		}
	}
	return ""
}

// TestGemmZeroSizes checks that empty products touch nothing.
func TestGemmZeroSizes(t *testing.T) {
	c := []float32{1, 2, 3}
	Gemm(false, false, 0, 3, 4, 1, nil, 4, make([]float32, 12), 3, 0, c, 3)
	Gemm(false, false, 1, 0, 4, 1, make([]float32, 4), 4, nil, 1, 0, c, 1)
	if c[0] != 1 || c[1] != 2 || c[2] != 3 {
		t.Fatalf("C changed: %v", c)
	}
}

// TestGemmPanics checks that bad arguments are reported with their values.
func TestGemmPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short a", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
		{"small ldb", func() {
			Gemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 1, 0, make([]float32, 4), 2)
		}},
		{"negative m", func() { Gemm[float32](false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
}

// TestUse checks kernel selection and its restore.
func TestUse(t *testing.T) {
	before := Kernel()
	if _, err := Use("no-such-kernel"); err == nil {
		t.Fatal("Use of an unknown kernel succeeded")
	}
	restore, err := Use("go")
	if err != nil {
		t.Fatal(err)
	}
	if Kernel() != "go" {
		t.Fatalf("Kernel() = %q after Use(\"go\")", Kernel())
	}
	restore()
	if Kernel() != before {
		t.Fatalf("Kernel() = %q after restore, want %q", Kernel(), before)
	}
}

// TestGemmAllocs checks that a steady-state call allocates nothing, on one
// goroutine and split over two.
func TestGemmAllocs(t *testing.T) {
	const m, n, k = 96, 200, 70
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for _, th := range []int{1, 2} {
		prev := SetThreads(th)
		saved := minParallelWork
		minParallelWork = 0
		allocs := testing.AllocsPerRun(20, func() { Gemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n) })
		minParallelWork = saved
		SetThreads(prev)
		if allocs != 0 {
			t.Errorf("threads=%d: %v allocations per call, want 0", th, allocs)
		}
	}
}

// poisonWorkspaces fills the packing buffers of the pooled workspaces with
// NaN: the packers leave the rows and columns past an edge tile's as they
// find them, so a result that read them would come out NaN.
func poisonWorkspaces[T float32 | float64]() {
	pool := workspacePool[T]()
	var held []*workspace[T]
	for range 4 {
		ws := pool.get()
		for _, buf := range []*[]T{&ws.ap, &ws.bp, &ws.tile} {
			*buf = grow(*buf, 1<<20)
			for i := range *buf {
				(*buf)[i] = T(math.NaN())
			}
		}
		held = append(held, ws)
	}
	for _, ws := range held {
		pool.put(ws)
	}
}

// GemmUnsplit computes what Gemm does, on the calling goroutine even where
// Gemm would split (every split forced here).
func TestGemmUnsplit(t *testing.T) {
	defer func(v int) { minParallelWork = v }(minParallelWork)
	minParallelWork = 0
	defer SetThreads(SetThreads(3))
	rng := rand.New(rand.NewPCG(5, 6))
	m, n, k := 37, 70, 45
	a, b := newMatrix[float64](rng, m, k, 1), newMatrix[float64](rng, n, k, 2)
	c0 := newMatrix[float64](rng, m, n, 3)
	want, mag := naive(false, true, m, n, k, 0.5, a, b, 2, c0)
	c := matrix[float64]{c0.rows, c0.cols, c0.ld, append([]float64(nil), c0.data...)}
	GemmUnsplit(false, true, m, n, k, 0.5, a.data, a.ld, b.data, b.ld, 2, c.data, c.ld)
	if msg := compare(c, c0, want, mag, float64(k+4)*0x1p-52); msg != "" {
		t.Fatal(msg)
	}
}
