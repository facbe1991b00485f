package gemm

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

// TestDotNT compares DotNT on every kernel this CPU has with the naive
// product C + A·Bᵀ: sizes around its 4×4 tiles and its 16-wide steps along
// k, padded rows (holding NaN, which a read past k would spread).
func TestDotNT(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testDotNT[float32](t) })
	t.Run("float64", func(t *testing.T) { testDotNT[float64](t) })
}

func testDotNT[T float32 | float64](t *testing.T) {
	var zero T
	eps := 0x1p-52
	if unsafe.Sizeof(zero) == 4 {
		eps = 0x1p-23
	}
	rng := rand.New(rand.NewPCG(3, 4))
	dims := []int{1, 3, 4, 5, 8, 13}
	for _, m := range dims {
		for _, n := range dims {
			for _, k := range []int{0, 1, 15, 16, 17, 33, 100, 1030} {
				a := newMatrix[T](rng, m, k, 3)
				b := newMatrix[T](rng, n, k, 5)
				c0 := newMatrix[T](rng, m, n, 2)
				want, mag := naive(false, true, m, n, k, 1, a, b, 1, c0)
				for _, kern := range Kernels() {
					c := matrix[T]{c0.rows, c0.cols, c0.ld, append([]T(nil), c0.data...)}
					restore, err := Use(kern)
					if err != nil {
						t.Fatal(err)
					}
					DotNT(m, n, k, a.data, a.ld, b.data, b.ld, c.data, c.ld)
					restore()
					if msg := compare(c, c0, want, mag, float64(k+4)*eps); msg != "" {
						t.Fatalf("%s: %d×%d×%d: %s", kern, m, n, k, msg)
					}
				}
			}
		}
	}
	t.Logf("dot-product tile on this CPU: %v", fmt.Sprint(kernelFor[T]().dotNT4x4 != nil))
}

// A negative size is a programmer error, as in Gemm: a panic naming it,
// never a run of the assembly over a wrapped-around count.
func TestDotNTNegativeSizes(t *testing.T) {
	for _, s := range [][3]int{{4, 4, -1}, {-1, 4, 4}, {4, -1, 4}} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "negative size") {
					t.Errorf("DotNT%v: recovered %v, want a negative-size panic", s, r)
				}
			}()
			buf := make([]float32, 64)
			DotNT(s[0], s[1], s[2], buf, 16, buf, 16, buf, 16)
		}()
	}
}
