package kernels

// The three transforms of Winograd's F(2×2, 3×3) over one channel plane, in
// plain Go. They define the arithmetic (the order of every addition): the
// AVX-512 versions in winograd_amd64.s give the same values (the same bits,
// but for which NaN's payload survives when two meet). Tile (ty, tx) of a
// plane covers input rows 2ty … 2ty+3 and columns 2tx … 2tx+3 of the padded
// input, and output rows 2ty, 2ty+1 and columns 2tx, 2tx+1; a plane has
// th × tw tiles, numbered t = ty·tw + tx. The 16 values of a tile's
// transform go to 16 streams ld apart: stream ξ = 4i + j holds entry (i, j)
// at index t.
//
//	Bᵀ = | 1  0 −1  0 |   Aᵀ = | 1  1  1  0 |   A = Aᵀᵀ
//	     | 0  1  1  0 |        | 0  1 −1 −1 |
//	     | 0 −1  1  0 |
//	     | 0  1  0 −1 |

// winoInputPlaneGo writes V = Bᵀ d B for every tile of the plane x (h × w),
// padded by pt rows above and pl columns to the left, zero outside:
// d[i][j] = x[2ty + i − pt][2tx + j − pl], v[ξ·ldv + t] = V[ξ/4][ξ%4].
func winoInputPlaneGo(x []float32, h, w, pt, pl, th, tw int, v []float32, ldv int) {
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			var d [4][4]float32
			for i := range d {
				r := 2*ty + i - pt
				for j := range d[i] {
					if q := 2*tx + j - pl; r >= 0 && r < h && q >= 0 && q < w {
						d[i][j] = x[r*w+q]
					}
				}
			}
			t := ty*tw + tx
			for xi, e := range winoInputTile(d) {
				v[xi*ldv+t] = e
			}
		}
	}
}

// winoInputTile is Bᵀ d B: each row of d first (h = d B), then the columns.
func winoInputTile(d [4][4]float32) (v [16]float32) {
	var h [4][4]float32
	for i, r := range d {
		h[i] = [4]float32{r[0] - r[2], r[1] + r[2], r[2] - r[1], r[1] - r[3]}
	}
	for j := 0; j < 4; j++ {
		v[0+j] = h[0][j] - h[2][j]
		v[4+j] = h[1][j] + h[2][j]
		v[8+j] = h[2][j] - h[1][j]
		v[12+j] = h[1][j] - h[3][j]
	}
	return v
}

// winoOutputPlaneGo writes the outputs Y = Aᵀ M A of every tile into the
// plane y (oh × ow), M[i][j] = m[(4i + j)·ldm + t]: y[2ty + a][2tx + b] =
// Y[a][b] where 2ty + a < oh and 2tx + b < ow (th = ⌈oh/2⌉, tw = ⌈ow/2⌉).
func winoOutputPlaneGo(m []float32, ldm, th, tw int, y []float32, oh, ow int) {
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			t := ty*tw + tx
			var mt [16]float32
			for xi := range mt {
				mt[xi] = m[xi*ldm+t]
			}
			out := winoOutputTile(mt)
			for a := 0; a < 2 && 2*ty+a < oh; a++ {
				for b := 0; b < 2 && 2*tx+b < ow; b++ {
					y[(2*ty+a)*ow+2*tx+b] = out[a][b]
				}
			}
		}
	}
}

// winoOutputTile is Aᵀ M A: the columns of M first (s = Aᵀ M), then each
// row of s.
func winoOutputTile(m [16]float32) (y [2][2]float32) {
	var s [2][4]float32
	for j := 0; j < 4; j++ {
		s[0][j] = m[j] + m[4+j] + m[8+j]
		s[1][j] = m[4+j] - m[8+j] - m[12+j]
	}
	for a := range y {
		y[a] = [2]float32{s[a][0] + s[a][1] + s[a][2], s[a][1] - s[a][2] - s[a][3]}
	}
	return y
}

// winoGradPlaneGo writes dM = A dY Aᵀ, the gradient of a tile's M from that
// of its outputs, for every tile of the plane dy (oh × ow):
// dY[a][b] = dy[2ty + a][2tx + b], zero past the plane; out[ξ·ldo + t] =
// dM[ξ/4][ξ%4].
func winoGradPlaneGo(dy []float32, oh, ow, th, tw int, out []float32, ldo int) {
	for ty := 0; ty < th; ty++ {
		for tx := 0; tx < tw; tx++ {
			var d [2][2]float32
			for a := 0; a < 2 && 2*ty+a < oh; a++ {
				for b := 0; b < 2 && 2*tx+b < ow; b++ {
					d[a][b] = dy[(2*ty+a)*ow+2*tx+b]
				}
			}
			t := ty*tw + tx
			for xi, e := range winoGradTile(d) {
				out[xi*ldo+t] = e
			}
		}
	}
}

// winoGradTile is A dY Aᵀ: each row of dY first (g = dY Aᵀ), then the
// columns.
func winoGradTile(d [2][2]float32) (dm [16]float32) {
	var g [2][4]float32
	for a, r := range d {
		g[a] = [4]float32{r[0], r[0] + r[1], r[0] - r[1], -r[1]}
	}
	for j := 0; j < 4; j++ {
		dm[0+j] = g[0][j]
		dm[4+j] = g[0][j] + g[1][j]
		dm[8+j] = g[0][j] - g[1][j]
		dm[12+j] = -g[1][j]
	}
	return dm
}
