package gemm

import "unsafe"

// rowCopier is kernel.copyRows: it copies rows rows of a micro-panel's
// width, stride bytes apart, to adjacent rows of dst; nil where none exists.
type rowCopier func(rows int, src unsafe.Pointer, stride int, dst unsafe.Pointer)

// transposer is kernel.transpose8: dst[p*ldd+r] = alpha*src[r*lds+p] for
// r < 8, p < n, n a multiple of 8; nil where no fast one exists.
type transposer[T float32 | float64] func(n int, src *T, lds int, dst *T, ldd int, alpha T)

// packA copies the mb×kb block of op(A) that starts at row i0, column p0
// into dst as ⌈mb/mr⌉ micro-panels of kb·mr values, k-major (the mr values
// of one column of the panel are adjacent), scaling by alpha so the kernel
// need not. Rows past mb keep whatever the buffer held: the kernel runs a
// full tile, but those rows only reach rows of an edge tile that mergeTile
// leaves out (each row of a product depends on its row of A alone), and
// clearing them cost as much as packing a thin panel.
func packA[T float32 | float64](dst []T, transA bool, a []T, lda, i0, p0, mb, kb, mr int, alpha T, tr transposer[T]) {
	for q := 0; q*mr < mb; q++ {
		d := dst[q*kb*mr : (q+1)*kb*mr]
		rows := min(mr, mb-q*mr)
		base := i0 + q*mr
		if transA { // A's rows are columns of op(A): copy them across
			for p := 0; p < kb; p++ {
				src := a[(p0+p)*lda+base:]
				src = src[:rows]
				dp := d[p*mr : p*mr+rows]
				for r, v := range src {
					dp[r] = alpha * v
				}
			}
		} else {
			done := 0
			if tr != nil && mr == 8 && rows == 8 && kb >= 8 {
				done = kb &^ 7
				_ = a[(base+7)*lda+p0+done-1] // the last value the transposer reads
				tr(done, &a[base*lda+p0], lda, &d[0], 8, alpha)
			}
			for r := 0; r < rows; r++ {
				src := a[(base+r)*lda+p0:]
				src = src[done:kb]
				for p, v := range src {
					d[(done+p)*mr+r] = alpha * v
				}
			}
		}
	}
}

// packB copies the kb×nb block of op(B) that starts at row p0, column j0
// into dst as ⌈nb/nr⌉ micro-panels of kb·nr values, row-major within the
// panel (one k step is nr adjacent values, the kernel's vector loads).
// Columns past nb keep whatever the buffer held, as packA's rows do: they
// only reach columns of an edge tile that mergeTile leaves out. (Clearing
// them was a seventh of ResNet-20's filter gradient, whose 48 columns leave
// a half-empty panel.)
func packB[T float32 | float64](dst []T, transB bool, b []T, ldb, p0, j0, kb, nb, nr int, tr transposer[T], cp rowCopier) {
	for q := 0; q*nr < nb; q++ {
		d := dst[q*kb*nr : (q+1)*kb*nr]
		cols := min(nr, nb-q*nr)
		base := j0 + q*nr
		switch {
		case !transB && cp != nil && cols == nr:
			src := p0*ldb + base
			_ = b[src+(kb-1)*ldb+nr-1] // the last value cp reads
			cp(kb, unsafe.Pointer(&b[src]), ldb*int(unsafe.Sizeof(b[0])), unsafe.Pointer(&d[0]))
		case !transB:
			for p := 0; p < kb; p++ {
				copy(d[p*nr:p*nr+cols], b[(p0+p)*ldb+base:])
			}
		default: // B's rows are columns of op(B): transpose
			j, done := 0, 0
			if tr != nil && kb >= 8 {
				done = kb &^ 7
				for ; j+8 <= cols; j += 8 {
					_ = b[(base+j+7)*ldb+p0+done-1]
					_ = d[(done-1)*nr+j+7]
					tr(done, &b[(base+j)*ldb+p0], ldb, &d[j], nr, 1)
				}
			}
			for jj := 0; jj < cols; jj++ {
				from := done
				if jj >= j { // columns the transposer did not reach
					from = 0
				}
				src := b[(base+jj)*ldb+p0:]
				src = src[from:kb]
				for p, v := range src {
					d[(from+p)*nr+jj] = v
				}
			}
		}
	}
}
