package kernels

import (
	"math"
	"testing"
)

// TestDeinterleave2 checks the float32 row split and merge (AVX-512 where
// the CPU has it) on every length up to 3 vectors of pairs, odd lengths
// too, against their definition, and that nothing past the rows is
// touched: each row sits between NaN guards.
func TestDeinterleave2(t *testing.T) {
	const guard = 5
	nan := float32(math.NaN())
	guarded := func(n int, fill func(i int) float32) (all, row []float32) {
		all = make([]float32, n+2*guard)
		for i := range all {
			all[i] = nan
		}
		row = all[guard : guard+n]
		for i := range row {
			row[i] = fill(i)
		}
		return all, row
	}
	checkGuards := func(what string, all []float32, n int) {
		t.Helper()
		for i, v := range all {
			if (i < guard || i >= guard+n) && !math.IsNaN(float64(v)) {
				t.Fatalf("%s: wrote %v at %d outside the row", what, v, i-guard)
			}
		}
	}
	for l := 0; l <= 97; l++ {
		ne, no := (l+1)/2, l/2
		srcAll, src := guarded(l, func(i int) float32 { return float32(i) + 0.5 })
		evenAll, even := guarded(ne, func(int) float32 { return -1 })
		oddAll, odd := guarded(no, func(int) float32 { return -1 })
		deinterleave2(even, odd, src)
		for j := 0; j < ne; j++ {
			if even[j] != src[2*j] {
				t.Fatalf("len %d: even[%d] = %v, want %v", l, j, even[j], src[2*j])
			}
		}
		for j := 0; j < no; j++ {
			if odd[j] != src[2*j+1] {
				t.Fatalf("len %d: odd[%d] = %v, want %v", l, j, odd[j], src[2*j+1])
			}
		}
		checkGuards("deinterleave2 even", evenAll, ne)
		checkGuards("deinterleave2 odd", oddAll, no)
		checkGuards("deinterleave2 src", srcAll, l)

		dstAll, dst := guarded(l, func(int) float32 { return -1 })
		interleave2(dst, even, odd)
		for i := range dst {
			if dst[i] != src[i] {
				t.Fatalf("len %d: interleave2 [%d] = %v, want %v", l, i, dst[i], src[i])
			}
		}
		checkGuards("interleave2", dstAll, l)
	}
}

// TestDeinterleave2Rows checks the plane-at-a-time kernels on rows with
// gaps between them (strides above the rows' lengths), which must stay
// untouched.
func TestDeinterleave2Rows(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU (or forced off)")
	}
	nan := float32(math.NaN())
	for _, n := range []int{1, 5, 16, 17, 40} {
		const rows = 3
		ldSrc, ldE, ldO := 2*n+3, n+1, n+2
		src := make([]float32, rows*ldSrc)
		for i := range src {
			src[i] = float32(i)
		}
		even, odd := make([]float32, rows*ldE), make([]float32, rows*ldO)
		for i := range even {
			even[i] = nan
		}
		for i := range odd {
			odd[i] = nan
		}
		deinterleave2RowsVec(even, odd, src, n, rows, ldE, ldO, ldSrc)
		dst := make([]float32, rows*ldSrc)
		for i := range dst {
			dst[i] = nan
		}
		interleave2RowsVec(dst, even, odd, n, rows, ldSrc, ldE, ldO)
		for r := 0; r < rows; r++ {
			for j := 0; j < ldE; j++ {
				if got := even[r*ldE+j]; j < n && got != src[r*ldSrc+2*j] || j >= n && got == got {
					t.Fatalf("n %d row %d: even[%d] = %v", n, r, j, got)
				}
			}
			for j := 0; j < ldO; j++ {
				if got := odd[r*ldO+j]; j < n && got != src[r*ldSrc+2*j+1] || j >= n && got == got {
					t.Fatalf("n %d row %d: odd[%d] = %v", n, r, j, got)
				}
			}
			for j := 0; j < ldSrc; j++ {
				if got := dst[r*ldSrc+j]; j < 2*n && got != src[r*ldSrc+j] || j >= 2*n && got == got {
					t.Fatalf("n %d row %d: merged [%d] = %v", n, r, j, got)
				}
			}
		}
	}
}
