package gemm

// workspace holds one goroutine's packing buffers. They only grow, and are
// recycled across calls (see pool.go): fresh memory costs a page fault per
// 4 KiB on first touch, far more than the packing itself.
type workspace[T float32 | float64] struct {
	ap, bp, tile []T
}

// grow returns s resized to n elements, reallocating only when too small.
func grow[T float32 | float64](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// gemmSerial computes C = alpha·op(A)·op(B) + beta·C on one goroutine with
// the Goto/BLIS loop nest: jc over NC columns, pc over KC (pack B), ic over
// MC rows (pack A), then jr/ir over the micro-tiles. k > 0 and alpha ≠ 0.
func gemmSerial[T float32 | float64](kern *kernel[T], ws *workspace[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	mr, nr := kern.mr, kern.nr
	kcMax, mcMax, ncMax := min(kern.kc, k), min(kern.mc, m), min(kern.nc, n)
	// With few rows of C, each micro-panel of B serves only a tile or two
	// (a conv im2col GEMM has m = out channels, often 16), so the copy of B
	// costs about as much as the arithmetic it feeds. Then the kernel reads
	// a full micro-panel of an untransposed B in place, ldb apart, and any
	// other is packed just before its use into one L1-sized buffer, instead
	// of packing a whole kc×nc block whose copy and source together
	// overflow L2. (Reading in place once lost to packing when the conv
	// passes handed over rows a power of two apart, which collide in the
	// caches; their lowered rows are now padded off such strides, and
	// reading them in place made ResNet-20's 16-channel forward and input
	// gradient 15-20% faster.)
	panelwise := m <= panelwiseMaxTiles*mr

	ws.ap = grow(ws.ap, roundUp(mcMax, mr)*kcMax)
	if panelwise {
		ws.bp = grow(ws.bp, nr*kcMax)
	} else {
		ws.bp = grow(ws.bp, roundUp(ncMax, nr)*kcMax)
	}
	ws.tile = grow(ws.tile, mr*nr)
	ap, bp, tile := ws.ap, ws.bp, ws.tile
	fn := kern.fn

	for jc := 0; jc < n; jc += ncMax {
		nb := min(ncMax, n-jc)
		for pc := 0; pc < k; pc += kcMax {
			kb := min(kcMax, k-pc)
			if !panelwise {
				packB(bp, transB, b, ldb, pc, jc, kb, nb, nr, kern.transpose8, kern.copyRows)
			}
			bt := beta
			if pc > 0 { // later k blocks add to what the first wrote
				bt = 1
			}
			for ic := 0; ic < m; ic += mcMax {
				mb := min(mcMax, m-ic)
				packA(ap, transA, a, lda, ic, pc, mb, kb, mr, alpha, kern.transpose8)
				for jr := 0; jr < nb; jr += nr {
					cols := min(nr, nb-jr)
					var bpan *T
					ldbp := nr
					switch {
					case panelwise && !transB && cols == nr:
						bpan, ldbp = &b[pc*ldb+jc+jr], ldb
					case panelwise:
						packB(bp, transB, b, ldb, pc, jc+jr, kb, cols, nr, kern.transpose8, kern.copyRows)
						bpan = &bp[0]
					default:
						bpan = &bp[(jr/nr)*kb*nr]
					}
					for ir := 0; ir < mb; ir += mr {
						rows := min(mr, mb-ir)
						apan := &ap[(ir/mr)*kb*mr]
						ci := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							_ = c[ci+(mr-1)*ldc+nr-1]
							fn(kb, apan, bpan, ldbp, &c[ci], ldc, bt)
							continue
						}
						// Edge tile: compute the full tile aside, write back the valid part.
						fn(kb, apan, bpan, ldbp, &tile[0], nr, 0)
						mergeTile(c[ci:], ldc, tile, nr, rows, cols, bt)
					}
				}
			}
		}
	}
}

// panelwiseMaxTiles is the most tiles of rows for which B is read in place
// or packed one micro-panel at a time: up to 64 rows of the AVX-512
// kernel, ResNet's widest layers (2 tiles served only its 16-channel ones;
// 8 made the 32- and 64-channel forward and input gradient 5-15% faster).
const panelwiseMaxTiles = 8

// mergeTile writes C = T + beta·C for the rows×cols corner of tile t.
func mergeTile[T float32 | float64](c []T, ldc int, t []T, ldt, rows, cols int, beta T) {
	for i := 0; i < rows; i++ {
		dst := c[i*ldc : i*ldc+cols]
		src := t[i*ldt : i*ldt+cols]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }
