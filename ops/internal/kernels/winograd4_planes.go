package kernels

// The transforms of Winograd's F(4×4, 3×3) over one channel plane, in
// plain Go, as winograd_planes.go's for F(2×2, 3×3): they define the
// arithmetic, and winograd4_amd64.s must give the same values. Tile (ty, tx)
// covers input rows 4ty … 4ty+5 and columns 4tx … 4tx+5 of the padded input,
// output rows and columns 4ty … 4ty+3 and 4tx … 4tx+3; its 36 transformed
// values go to 36 streams ld apart, stream ξ = 6i + j holding entry (i, j) at
// t = ty·tw + tx. The matrices are Lavin and Gray's (interpolation points
// 0, ±1, ±2, ∞):
//
//	Bᵀ = | 4  0 −5  0  1  0 |   Aᵀ = | 1  1  1  1  1  0 |   G = |  1/4     0     0  |
//	     | 0 −4 −4  1  1  0 |        | 0  1 −1  2 −2  0 |       | −1/6  −1/6  −1/6  |
//	     | 0  4 −4 −1  1  0 |        | 0  1  1  4  4  0 |       | −1/6   1/6  −1/6  |
//	     | 0 −2 −1  2  1  0 |        | 0  1 −1  8 −8  1 |       | 1/24  1/12   1/6  |
//	     | 0  2 −1 −2  1  0 |                                    | 1/24 −1/12   1/6  |
//	     | 0  4  0 −5  0  1 |                                    |    0     0     1  |
//
// Every constant factor in the data transforms is a power of two, so each
// product is exact and fusing it into an addition (as the compiler may)
// changes no result: 5x is computed as 4x + x, after grouping.

// wino4In is Bᵀ d for one line of six values.
func wino4In(d [6]float32) [6]float32 {
	return [6]float32{
		(4*d[0] - 4*d[2]) + (d[4] - d[2]),
		(d[3] + d[4]) - 4*(d[1]+d[2]),
		(d[4] - d[3]) + 4*(d[1]-d[2]),
		(d[4] - d[2]) + 2*(d[3]-d[1]),
		(d[4] - d[2]) - 2*(d[3]-d[1]),
		(4*d[1] - 4*d[3]) + (d[5] - d[3]),
	}
}

// wino4Out is Aᵀ m for one line of six values.
func wino4Out(m [6]float32) [4]float32 {
	a, b := m[1]+m[2], m[1]-m[2]
	c, e := m[3]+m[4], m[3]-m[4]
	return [4]float32{m[0] + a + c, b + 2*e, a + 4*c, (b + 8*e) + m[5]}
}

// wino4Grad is A e for one line of four values (the adjoint of wino4Out).
func wino4Grad(e [4]float32) [6]float32 {
	p, q := e[0]+e[2], e[1]+e[3]
	r, s := e[0]+4*e[2], e[1]+4*e[3]
	return [6]float32{e[0], p + q, p - q, r + 2*s, r - 2*s, e[3]}
}

// winoInputPlane4Go writes V = Bᵀ d B for every tile of the plane x
// (h × w), padded by pt rows above and pl columns to the left, zero
// outside: d[i][j] = x[4ty + i − pt][4tx + j − pl], v[ξ·ldv + t] =
// V[ξ/6][ξ%6]. Each row of d is transformed first (d B), then the columns.
func winoInputPlane4Go(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int) {
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			var rows [6][6]float32
			for i := range rows {
				var d [6]float32
				r := 4*ty + i - pt
				for j := range d {
					if q := 4*tx + j - pl; r >= 0 && r < h && q >= 0 && q < w {
						d[j] = x[r*w+q]
					}
				}
				rows[i] = wino4In(d)
			}
			t := ty*tw + tx
			for j := 0; j < 6; j++ {
				col := wino4In([6]float32{rows[0][j], rows[1][j], rows[2][j], rows[3][j], rows[4][j], rows[5][j]})
				for i, e := range col {
					v[(6*i+j)*ldv+t] = e
				}
			}
		}
	}
}

// winoOutputPlane4Go writes the outputs Y = Aᵀ M A of every tile into the
// plane y (oh × ow), M[i][j] = m[(6i + j)·ldm + t]: y[4ty + a][4tx + b] =
// Y[a][b] where 4ty + a < oh and 4tx + b < ow (th = ⌈oh/4⌉, tw = ⌈ow/4⌉).
// The columns of M are combined first (Aᵀ M), then each row.
func winoOutputPlane4Go(m []float32, ldm, th, tw int, y []float32, oh, ow int) {
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			t := ty*tw + tx
			var s [4][6]float32
			for j := 0; j < 6; j++ {
				var col [6]float32
				for i := range col {
					col[i] = m[(6*i+j)*ldm+t]
				}
				for a, e := range wino4Out(col) {
					s[a][j] = e
				}
			}
			for a := 0; a < 4 && 4*ty+a < oh; a++ {
				out := wino4Out(s[a])
				for b := 0; b < 4 && 4*tx+b < ow; b++ {
					y[(4*ty+a)*ow+4*tx+b] = out[b]
				}
			}
		}
	}
}

// winoGradPlane4Go writes dM = A dY Aᵀ for every tile of the plane dy
// (oh × ow): dY[a][b] = dy[4ty + a][4tx + b], zero past the plane;
// out[ξ·ldo + t] = dM[ξ/6][ξ%6]. Each row of dY is expanded first
// (dY Aᵀ), then the columns.
func winoGradPlane4Go(dy []float32, oh, ow, th, tw int, out []float32, ldo int) {
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			var g [4][6]float32
			for a := range g {
				var e [4]float32
				for b := 0; b < 4 && 4*ty+a < oh && 4*tx+b < ow; b++ {
					e[b] = dy[(4*ty+a)*ow+4*tx+b]
				}
				g[a] = wino4Grad(e)
			}
			t := ty*tw + tx
			for j := 0; j < 6; j++ {
				for i, e := range wino4Grad([4]float32{g[0][j], g[1][j], g[2][j], g[3][j]}) {
					out[(6*i+j)*ldo+t] = e
				}
			}
		}
	}
}
