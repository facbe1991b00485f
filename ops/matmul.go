package ops

import (
	"fmt"

	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops/internal/gemm"
)

// MatMul is the matrix product C = op(A)·op(B) of two 2-D tensors, where
// op(X) is X, or Xᵀ when its trans flag is set: op(A) is (m, k), op(B) is
// (k, n) and C is (m, n). The transposes are read in place, never copied.
// Its gradient is MatMul again: backward is graph, differentiable in turn.
func MatMul(a, b *gorgonia.Node, transA, transB bool) (*gorgonia.Node, error) {
	op := matMulOp{transA: transA, transB: transB}
	if a == nil || b == nil {
		return nil, errors.Errorf("%v: nil input", op)
	}
	if _, err := op.shape([]tensor.Shape{a.Shape(), b.Shape()}); err != nil {
		return nil, err
	}
	return apply(op, a, b)
}

// matMulOp is C = op(A)·op(B).
type matMulOp struct{ transA, transB bool }

func (o matMulOp) String() string {
	return fmt.Sprintf("matmul(transA=%t, transB=%t)", o.transA, o.transB)
}

func (o matMulOp) ranks() ([]int, int) { return []int{2, 2}, 2 }
func (o matMulOp) diffWRT() []bool     { return []bool{true, true} }

func (o matMulOp) shape(in []tensor.Shape) (tensor.Shape, error) {
	a, b := in[0], in[1]
	if len(a) != 2 || len(b) != 2 {
		return nil, errors.Errorf("%v: a %v, b %v: want two matrices", o, a, b)
	}
	m, ka := matDims(a, o.transA)
	kb, n := matDims(b, o.transB)
	if ka != kb {
		return nil, errors.Errorf("%v: a %v, b %v: op(a) has %d columns, op(b) has %d rows", o, a, b, ka, kb)
	}
	return tensor.Shape{m, n}, nil
}

// matDims returns the rows and columns of op(X) for a stored matrix of shape s.
func matDims(s tensor.Shape, trans bool) (rows, cols int) {
	if trans {
		return s[1], s[0]
	}
	return s[0], s[1]
}

func (o matMulOp) do(out tensor.Tensor, in []tensor.Tensor) error {
	if is32(out) {
		matMul(o, floats[float32](out), floats[float32](in[0]), floats[float32](in[1]), in[0].Shape(), in[1].Shape())
	} else {
		matMul(o, floats[float64](out), floats[float64](in[0]), floats[float64](in[1]), in[0].Shape(), in[1].Shape())
	}
	return nil
}

// matMul runs C = op(A)·op(B) on row-major storage; a row's stride is the
// stored width, whether or not the matrix is read transposed.
func matMul[T float](o matMulOp, c, a, b []T, as, bs tensor.Shape) {
	m, k := matDims(as, o.transA)
	_, n := matDims(bs, o.transB)
	gemm.Gemm(o.transA, o.transB, m, n, k, 1, a, as[1], b, bs[1], 0, c, n)
}

// grad: with G = dC, d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G; where A
// (or B) was read transposed, its gradient is the transpose of that, which
// is again one MatMul with the flags swapped around:
//
//	dA = G·op(B)ᵀ      = MatMul(G, B, false, !transB)   (A as stored)
//	dA = (G·op(B)ᵀ)ᵀ   = MatMul(B, G, transB, true)     (A read as Aᵀ)
//	dB = op(A)ᵀ·G      = MatMul(A, G, !transA, false)   (B as stored)
//	dB = (op(A)ᵀ·G)ᵀ   = MatMul(G, A, true, transA)     (B read as Bᵀ)
func (o matMulOp) grad(in gorgonia.Nodes, _, dout *gorgonia.Node) (gorgonia.Nodes, error) {
	a, b := in[0], in[1]
	var da, db *gorgonia.Node
	var err error
	if o.transA {
		da, err = MatMul(b, dout, o.transB, true)
	} else {
		da, err = MatMul(dout, b, false, !o.transB)
	}
	if err != nil {
		return nil, err
	}
	if o.transB {
		db, err = MatMul(dout, a, true, o.transA)
	} else {
		db, err = MatMul(a, dout, !o.transA, false)
	}
	return gorgonia.Nodes{da, db}, err
}
