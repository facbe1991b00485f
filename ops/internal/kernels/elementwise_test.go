package kernels

import (
	"fmt"
	"testing"
)

// TestElementwiseKernels checks Add, Mul, AddBias and ChannelSum element by
// element, split across goroutines, in every layout of normLayouts.
func TestElementwiseKernels(t *testing.T) {
	withProcs(t, 3)
	for _, l := range normLayouts {
		n, c, inner := l[0], l[1], l[2]
		t.Run(fmt.Sprintf("%dx%dx%d", n, c, inner), func(t *testing.T) {
			size := n * c * inner
			a, b, bias := normData[float32](size, 0, 1, 1), normData[float32](size, 0, 1, 2), normData[float32](c, 0, 1, 3)
			sum, prod, biased, inPlace := make([]float32, size), make([]float32, size), make([]float32, size), append([]float32{}, a...)
			Add(sum, a, b)
			Mul(prod, a, b)
			AddBias(biased, a, bias, n, c, inner)
			AddBias(inPlace, inPlace, bias, n, c, inner)
			for k := range a {
				j := k / inner % c
				if sum[k] != a[k]+b[k] || prod[k] != a[k]*b[k] || biased[k] != a[k]+bias[j] || inPlace[k] != biased[k] {
					t.Fatalf("element %d: add %v, mul %v, add_bias %v (in place %v); want %v, %v, %v",
						k, sum[k], prod[k], biased[k], inPlace[k], a[k]+b[k], a[k]*b[k], a[k]+bias[j])
				}
			}
			got := make([]float32, c)
			ChannelSum(got, a, n, c, inner)
			want := make([]float64, c)
			for k, v := range a {
				want[k/inner%c] += float64(v)
			}
			for j := range want {
				if !relClose(float64(got[j]), want[j], 1e-6) {
					t.Errorf("channel sum %d = %v, want %v", j, got[j], want[j])
				}
			}
		})
	}
}
