package nn

import (
	"math"
	"math/rand"
	"testing"

	"gorgonia.org/tensor"

	"github.com/convgraph/convgraph/ops"
)

func TestFans(t *testing.T) {
	cases := []struct {
		shape         tensor.Shape
		fanIn, fanOut int
	}{
		{tensor.Shape{64, 3, 7, 7}, 3 * 49, 64 * 49}, // Conv2D(3, 64, 7x7)
		{tensor.Shape{16, 6, 5, 3}, 6 * 15, 16 * 15}, // unequal kernel sides
		{tensor.Shape{10, 84}, 84, 10},               // Linear(84, 10): weight (out, in)
		{tensor.Shape{7}, 7, 7},
		{tensor.Shape{}, 1, 1},
	}
	for _, c := range cases {
		in, out := Fans(c.shape)
		if in != c.fanIn || out != c.fanOut {
			t.Errorf("Fans(%v) = (%d, %d), want (%d, %d)", c.shape, in, out, c.fanIn, c.fanOut)
		}
	}
}

// TestInitStatistics draws 60 000 values per initializer for a conv weight
// (100, 30, 4, 5): fanIn 600, fanOut 2000. The sample std is within 2% of the
// formula's (its own standard error is about 0.3–0.5%) and the mean within
// 4 standard errors of 0.
func TestInitStatistics(t *testing.T) {
	shape := tensor.Shape{100, 30, 4, 5}
	const fanIn, fanOut = 600.0, 2000.0
	cases := []struct {
		name  string
		init  Init
		std   float64
		bound float64 // 0: unbounded (normal)
	}{
		{"xavier uniform", XavierUniform(2), 2 * math.Sqrt(2/(fanIn+fanOut)), 2 * math.Sqrt(6/(fanIn+fanOut))},
		{"xavier normal", XavierNormal(1.5), 1.5 * math.Sqrt(2/(fanIn+fanOut)), 0},
		{"he normal fan in", HeNormal(FanIn), math.Sqrt(2 / fanIn), 0},
		{"he normal fan out", HeNormal(FanOut), math.Sqrt(2 / fanOut), 0},
		{"he uniform fan in", HeUniform(FanIn), math.Sqrt(2 / fanIn), math.Sqrt(6 / fanIn)},
		{"he uniform fan out", HeUniform(FanOut), math.Sqrt(2 / fanOut), math.Sqrt(6 / fanOut)},
		{"pytorch default", UniformFanIn(), 1 / math.Sqrt(3*fanIn), 1 / math.Sqrt(fanIn)},
	}
	for _, c := range cases {
		for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
			t.Run(c.name+" "+dt.String(), func(t *testing.T) {
				f := NewFactory(dt, 1)
				p := newParam("w", dt, true, shape...)
				f.Reinit(p, c.init)
				vals := floatsOf(p.Value)
				var sum, sq, peak float64
				for _, v := range vals {
					sum += v
					sq += v * v
					peak = math.Max(peak, math.Abs(v))
				}
				n := float64(len(vals))
				mean := sum / n
				std := math.Sqrt(sq/n - mean*mean)
				if math.Abs(std/c.std-1) > 0.02 {
					t.Errorf("std %.5g, want %.5g", std, c.std)
				}
				if math.Abs(mean) > 4*c.std/math.Sqrt(n) {
					t.Errorf("mean %.3g, want 0 ± %.3g", mean, 4*c.std/math.Sqrt(n))
				}
				if c.bound > 0 && (peak > c.bound || peak < 0.99*c.bound) {
					t.Errorf("max |w| %.5g, want just under the bound %.5g", peak, c.bound)
				}
			})
		}
	}
}

func TestFactorySeeded(t *testing.T) {
	a := NewFactory(tensor.Float32, 7).Conv2D("c", 3, 8, 3, 3, convGeom(1, 1), true)
	b := NewFactory(tensor.Float32, 7).Conv2D("c", 3, 8, 3, 3, convGeom(1, 1), true)
	c := NewFactory(tensor.Float32, 8).Conv2D("c", 3, 8, 3, 3, convGeom(1, 1), true)
	if !a.Weight.Value.(*tensor.Dense).Eq(b.Weight.Value) || !a.Bias.Value.(*tensor.Dense).Eq(b.Bias.Value) {
		t.Error("one seed gave two different convs")
	}
	if a.Weight.Value.(*tensor.Dense).Eq(c.Weight.Value) {
		t.Error("seeds 7 and 8 gave the same weight")
	}
	// The bias is drawn with the weight's fan-in 27, not its own size 8.
	for _, v := range floatsOf(a.Bias.Value) {
		if math.Abs(v) > 1/math.Sqrt(27) {
			t.Errorf("bias %v outside ±1/√27", v)
		}
	}
}

func TestConstants(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := tensor.New(tensor.WithShape(3), tensor.Of(tensor.Float32))
	Ones(rng, x, 0, 0)
	Constant(2.5)(rng, x, 0, 0)
	near(t, "constant", floatsOf(x), []float64{2.5, 2.5, 2.5}, 0)
	counter := tensor.New(tensor.FromScalar(int64(4)))
	Zeros(rng, counter, 1, 1)
	if counter.Data().(int64) != 0 {
		t.Errorf("int64 scalar after Zeros: %v", counter.Data())
	}
}

// TestFactoryBadRequests: a non-float dtype or a dimension below 1 is
// recorded in Err instead of panicking in an initializer or an allocation.
func TestFactoryBadRequests(t *testing.T) {
	for name, build := range map[string]func() *Factory{
		"int dtype": func() *Factory {
			f := NewFactory(tensor.Int, 1)
			f.Conv2D("conv", 1, 2, 3, 3, ops.Conv{}, true)
			return f
		},
		"linear 0 outputs": func() *Factory { f := NewFactory(tensor.Float32, 1); f.Linear("fc", 4, 0, true); return f },
		"groups": func() *Factory {
			f := NewFactory(tensor.Float32, 1)
			f.Conv2D("conv", 3, 4, 3, 3, ops.Conv{Groups: 4}, false)
			return f
		},
		"batch norm 0": func() *Factory { f := NewFactory(tensor.Float64, 1); f.BatchNorm("bn", 0); return f },
	} {
		f := build()
		if f.Err() == nil {
			t.Errorf("%s: no error recorded", name)
		}
	}
	if f := NewFactory(tensor.Float32, 1); f.Linear("fc", 4, 2, true) == nil || f.Err() != nil {
		t.Errorf("a good request recorded %v", f.Err())
	}
}
