package datasets

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func collect(t *testing.T, l *Loader, epoch, start int) []*Batch {
	t.Helper()
	var out []*Batch
	it := l.Batches(epoch, start)
	defer it.Close()
	for b, ok := it.Next(); ok; b, ok = it.Next() {
		out = append(out, b.Clone())
	}
	return out
}

func sameBatches(a, b []*Batch) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Equal(a[i].X, b[i].X) || !slices.Equal(a[i].Labels, b[i].Labels) ||
			!slices.Equal(a[i].Indices, b[i].Indices) || a[i].Index != b[i].Index {
			return false
		}
	}
	return true
}

func TestLoaderBatching(t *testing.T) {
	d := tinySet(10, 1, 2, 2, 3)
	for _, c := range []struct {
		drop  bool
		sizes []int
	}{{false, []int{4, 4, 2}}, {true, []int{4, 4}}} {
		l, err := NewLoader(d, LoaderConfig{BatchSize: 4, DropLast: c.drop})
		if err != nil {
			t.Fatal(err)
		}
		bs := collect(t, l, 0, 0)
		if l.NumBatches() != len(c.sizes) || len(bs) != len(c.sizes) {
			t.Fatalf("drop %v: %d batches, NumBatches %d", c.drop, len(bs), l.NumBatches())
		}
		for i, b := range bs {
			if b.N != c.sizes[i] || len(b.X) != b.N*4 || len(b.Labels) != b.N || b.Index != i ||
				!slices.Equal(b.Shape(), []int{b.N, 1, 2, 2}) {
				t.Errorf("batch %d: N %d shape %v", i, b.N, b.Shape())
			}
			for k := 0; k < b.N; k++ { // unshuffled: image i has value i
				if want := i*4 + k; b.Indices[k] != want || b.Labels[k] != want%3 || b.X[k*4] != float32(want)/255 {
					t.Errorf("batch %d item %d: index %d label %d x %v", i, k, b.Indices[k], b.Labels[k], b.X[k*4])
				}
			}
		}
	}
}

func TestNormalization(t *testing.T) {
	d := &Dataset{C: 3, H: 1, W: 2, Pixels: []uint8{0, 255, 128, 64, 255, 0}, Labels: []uint8{0}, Classes: []string{"x"}}
	l, err := NewLoader(d, LoaderConfig{BatchSize: 1, Mean: CIFAR10Mean, Std: CIFAR10Std})
	if err != nil {
		t.Fatal(err)
	}
	b := collect(t, l, 0, 0)[0]
	for i, v := range []uint8{0, 255, 128, 64, 255, 0} {
		c := i / 2
		want := (float64(v)/255 - float64(CIFAR10Mean[c])) / float64(CIFAR10Std[c])
		if math.Abs(float64(b.X[i])-want) > 1e-6 {
			t.Errorf("x[%d] = %v, want %v", i, b.X[i], want)
		}
	}
	// MNIST constants: 0 → -0.4242, 255 → 2.8215; LeNet-5: -0.1 and 1.175.
	m := &Dataset{C: 1, H: 1, W: 2, Pixels: []uint8{0, 255}, Labels: []uint8{0}, Classes: []string{"x"}}
	for _, c := range []struct {
		mean, std []float32
		lo, hi    float64
	}{{MNISTMean, MNISTStd, -0.4242, 2.8215}, {LeNet5Mean, LeNet5Std, -0.1, 1.175}, {nil, nil, 0, 1}} {
		l, err := NewLoader(m, LoaderConfig{BatchSize: 1, Mean: c.mean, Std: c.std})
		if err != nil {
			t.Fatal(err)
		}
		x := collect(t, l, 0, 0)[0].X
		if math.Abs(float64(x[0])-c.lo) > 1e-4 || math.Abs(float64(x[1])-c.hi) > 1e-4 {
			t.Errorf("mean %v std %v: got %v, want [%v %v]", c.mean, c.std, x, c.lo, c.hi)
		}
	}
	// One value broadcasts to all channels.
	l, err = NewLoader(d, LoaderConfig{BatchSize: 1, Mean: []float32{0.5}, Std: []float32{0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if x := collect(t, l, 0, 0)[0].X; x[0] != -1 || x[5] != -1 || x[1] != 1 || x[4] != 1 {
		t.Errorf("broadcast: %v", x)
	}
}

func TestLoaderConfigErrors(t *testing.T) {
	d := tinySet(4, 3, 4, 4, 2)
	for _, c := range []struct {
		cfg  LoaderConfig
		want string
	}{
		{LoaderConfig{}, "batch size 0"},
		{LoaderConfig{BatchSize: 1, Prefetch: -1}, "prefetch"},
		{LoaderConfig{BatchSize: 1, Mean: []float32{0, 0}, Std: []float32{1, 1}}, "expected 1 or 3"},
		{LoaderConfig{BatchSize: 1, Mean: []float32{0}}, "same count"},
		{LoaderConfig{BatchSize: 1, Mean: []float32{0}, Std: []float32{0}}, "expected > 0"},
		{LoaderConfig{BatchSize: 1, Augment: []Transform{RandomCrop{5, 5}}}, "random crop 5x5 of a 4x4"},
		{LoaderConfig{BatchSize: 1, Pad: 1, Augment: []Transform{CenterCrop{7, 7}}}, "center crop 7x7 of a 6x6"},
		{LoaderConfig{BatchSize: 1, Augment: []Transform{nil}}, "nil"},
	} {
		if _, err := NewLoader(d, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.cfg, err, c.want)
		}
	}
	bad := tinySet(4, 3, 4, 4, 2)
	bad.Labels[0] = 5
	if _, err := NewLoader(bad, LoaderConfig{BatchSize: 1}); err == nil {
		t.Error("invalid data set accepted")
	}
	if _, err := NewLoader(nil, LoaderConfig{BatchSize: 1}); err == nil {
		t.Error("nil data set accepted")
	}
}

// augmentedLoader shuffles and augments a set of distinct random images.
func augmentedLoader(t *testing.T, seed int64, prefetch int) *Loader {
	t.Helper()
	d := tinySet(37, 3, 8, 8, 10)
	r := NewRNG(99)
	for i := range d.Pixels {
		d.Pixels[i] = uint8(r.Uint64())
	}
	l, err := NewLoader(d, LoaderConfig{
		BatchSize: 5, Shuffle: true, Seed: seed, Prefetch: prefetch,
		Mean: CIFAR10Mean, Std: CIFAR10Std,
		Augment: []Transform{Pad{2}, RandomCrop{8, 8}, HFlip{0.5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDeterminism(t *testing.T) {
	a := collect(t, augmentedLoader(t, 1, 0), 3, 0)
	if !sameBatches(a, collect(t, augmentedLoader(t, 1, 0), 3, 0)) {
		t.Fatal("same seed and epoch gave different batches")
	}
	if !sameBatches(a, collect(t, augmentedLoader(t, 1, 3), 3, 0)) {
		t.Fatal("prefetching changed the batches")
	}
	// Resuming at batch 4 gives exactly the rest of the epoch.
	if !sameBatches(a[4:], collect(t, augmentedLoader(t, 1, 2), 3, 4)) {
		t.Fatal("resumed epoch differs")
	}
	if sameBatches(a, collect(t, augmentedLoader(t, 1, 0), 4, 0)) {
		t.Error("epochs 3 and 4 are identical")
	}
	if sameBatches(a, collect(t, augmentedLoader(t, 2, 0), 3, 0)) {
		t.Error("seeds 1 and 2 are identical")
	}
	// Each epoch visits every image exactly once.
	seen := make([]int, 37)
	for _, b := range a {
		for _, i := range b.Indices {
			seen[i]++
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("image %d seen %d times", i, n)
		}
	}
	if slices.IsSorted(augmentedLoader(t, 1, 0).Order(3)) {
		t.Error("shuffle left the order sorted")
	}
	if len(collect(t, augmentedLoader(t, 1, 0), 0, 100)) != 0 {
		t.Error("start past the end yielded batches")
	}
}

// TestOrderPinned pins the permutation so that a change to the generator,
// which would silently break resumed runs, fails here.
func TestOrderPinned(t *testing.T) {
	l, err := NewLoader(tinySet(10, 1, 1, 1, 1), LoaderConfig{BatchSize: 1, Shuffle: true, Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	got := l.Order(7)
	want := []int{7, 0, 5, 3, 2, 9, 1, 8, 4, 6}
	if !slices.Equal(got, want) {
		t.Errorf("Order(7) with seed 42 = %#v, want %#v", got, want)
	}
}

func TestBufferReuseAndClone(t *testing.T) {
	l := augmentedLoader(t, 1, 1)
	it := l.Batches(0, 0)
	defer it.Close()
	b0, _ := it.Next()
	keep := b0.Clone()
	for b, ok := it.Next(); ok; b, ok = it.Next() {
		_ = b
	}
	if !sameBatches([]*Batch{keep}, collect(t, l, 0, 0)[:1]) {
		t.Error("Clone was overwritten")
	}
}

func TestEarlyCloseNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	l := augmentedLoader(t, 1, 2)
	for i := 0; i < 20; i++ {
		it := l.Batches(i, 0)
		it.Next()
		it.Close()
		it.Close() // idempotent
		if _, ok := it.Next(); ok {
			t.Fatal("Next after Close returned a batch")
		}
	}
	for range l.Batches(0, 0).All() {
		break // All closes on break
	}
	// Close from another goroutine while the consumer is blocked.
	it := l.Batches(0, 0)
	go func() { time.Sleep(10 * time.Millisecond); it.Close() }()
	for _, ok := it.Next(); ok; _, ok = it.Next() {
		time.Sleep(5 * time.Millisecond)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines, %d before: leak", n, before)
	}
}

func TestBatchTensorOneHot(t *testing.T) {
	l, err := NewLoader(tinySet(5, 2, 3, 3, 4), LoaderConfig{BatchSize: 2, Pad: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := collect(t, l, 0, 0)[2] // last, partial
	x := b.Tensor()
	if !slices.Equal([]int(x.Shape()), []int{1, 2, 5, 5}) || &x.Data().([]float32)[0] != &b.X[0] {
		t.Errorf("tensor shape %v", x.Shape())
	}
	if oh := b.OneHot(4); !slices.Equal(oh, []float32{1, 0, 0, 0}) {
		t.Errorf("one-hot of label %v: %v", b.Labels, oh)
	}
}

func TestMNISTLeNetPipeline(t *testing.T) {
	train, _ := loadMNIST(t)
	l, err := NewLoader(train, LoaderConfig{BatchSize: 256, Shuffle: true, Seed: 1, Pad: 2, Mean: LeNet5Mean, Std: LeNet5Std, Prefetch: 2})
	if err != nil {
		t.Fatal(err)
	}
	it := l.Batches(0, 0)
	defer it.Close()
	b, ok := it.Next()
	if !ok || !slices.Equal(b.Shape(), []int{256, 1, 32, 32}) || l.NumBatches() != 235 {
		t.Fatalf("shape %v, %d batches", b.Shape(), l.NumBatches())
	}
	// Border pixels are padding: background, -0.1.
	if v := b.X[0]; math.Abs(float64(v)+0.1) > 1e-6 {
		t.Errorf("padding = %v, want -0.1", v)
	}
}

// BenchmarkLoaderCIFAR10 measures one augmented, normalized CIFAR-10-sized
// epoch on synthetic images (no files needed).
func BenchmarkLoaderCIFAR10(b *testing.B) {
	d := tinySet(50000, 3, 32, 32, 10)
	for _, prefetch := range []int{0, 2} {
		l, err := NewLoader(d, LoaderConfig{BatchSize: 128, Shuffle: true, Prefetch: prefetch,
			Mean: CIFAR10Mean, Std: CIFAR10Std, Augment: CIFAR10Augment()})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("prefetch=%d", prefetch), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for range l.Batches(i, 0).All() {
				}
			}
		})
	}
}
