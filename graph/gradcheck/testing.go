package gradcheck

import (
	"testing"

	"gorgonia.org/tensor"
)

// Assert runs Check and fails t with the report when a gradient disagrees.
func Assert(t testing.TB, f Func, inputs []tensor.Tensor, tol Tol) *Report {
	t.Helper()
	rep, err := Check(f, inputs, tol)
	if err != nil {
		t.Fatalf("gradcheck: %+v", err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	return rep
}

// AssertDirection runs CheckDirection along n directions and fails t on a disagreement.
func AssertDirection(t testing.TB, f Func, inputs []tensor.Tensor, tol Tol, n int, seed int64) *Report {
	t.Helper()
	rep, err := CheckDirection(f, inputs, tol, n, seed)
	if err != nil {
		t.Fatalf("gradcheck: %+v", err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	return rep
}

// AssertProblemDirection runs CheckProblemDirection and fails t on a disagreement.
func AssertProblemDirection(t testing.TB, p Problem, tol Tol, n int, seed int64) *Report {
	t.Helper()
	rep, err := CheckProblemDirection(p, tol, n, seed)
	if err != nil {
		t.Fatalf("gradcheck: %+v", err)
	}
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	return rep
}
