package datasets

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cifarRecords builds n records whose label is i%10 and whose pixel j of
// record i is (i + j) mod 256, so every byte's position is checkable.
func cifarRecords(n int) []byte {
	data := make([]byte, 0, n*CIFAR10RecordSize)
	for i := 0; i < n; i++ {
		data = append(data, byte(i%10))
		for j := 0; j < CIFAR10ImageSize; j++ {
			data = append(data, byte(i+j))
		}
	}
	return data
}

func checkCIFARRecords(t *testing.T, d *Dataset, first, n int) {
	t.Helper()
	if d.Len() != n || d.C != 3 || d.H != 32 || d.W != 32 {
		t.Fatalf("%s: %d images of %dx%dx%d, want %d of 3x32x32", d.Name, d.Len(), d.C, d.H, d.W, n)
	}
	for i := 0; i < n; i++ {
		if d.Labels[i] != byte((first+i)%10) {
			t.Fatalf("label %d = %d", i, d.Labels[i])
		}
		img := d.Image(i)
		for _, j := range []int{0, 1, 1023, 1024, 2048, 3071} {
			if img[j] != byte(first+i+j) {
				t.Fatalf("image %d byte %d = %d, want %d", i, j, img[j], byte(first+i+j))
			}
		}
	}
}

func TestDecodeCIFAR10(t *testing.T) {
	d, err := DecodeCIFAR10("tiny", cifarRecords(12))
	if err != nil {
		t.Fatal(err)
	}
	checkCIFARRecords(t, d, 0, 12)
	if err := d.Validate(); err != nil {
		t.Error(err)
	}

	bad := cifarRecords(3)
	bad[2*CIFAR10RecordSize] = 10
	if _, err := DecodeCIFAR10("tiny", bad); err == nil || !strings.Contains(err.Error(), "record 2") || !strings.Contains(err.Error(), "label 10") {
		t.Errorf("label 10: %v", err)
	}
	if _, err := DecodeCIFAR10("tiny", cifarRecords(2)[:CIFAR10RecordSize+5]); err == nil || !strings.Contains(err.Error(), "multiple of the 3073-byte record") {
		t.Errorf("size: %v", err)
	}
}

func writeCIFARDir(t *testing.T, perFile int) string {
	t.Helper()
	dir := t.TempDir()
	for k, f := range append(append([]string(nil), CIFAR10TrainFiles...), CIFAR10TestFile) {
		// Offset the records of file k so that concatenation order shows.
		rec := cifarRecords((k + 1) * perFile)[k*perFile*CIFAR10RecordSize:]
		if err := os.WriteFile(filepath.Join(dir, f), rec, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadCIFAR10Tiny(t *testing.T) {
	dir := writeCIFARDir(t, 3)
	train, test, err := LoadCIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkCIFARRecords(t, train, 0, 15)
	checkCIFARRecords(t, test, 15, 3)
	if train.Classes[3] != "cat" || len(test.Classes) != 10 {
		t.Errorf("classes %v", train.Classes)
	}

	os.WriteFile(filepath.Join(dir, "batches.meta.txt"), []byte("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n"), 0o644)
	if train, _, err = LoadCIFAR10(dir); err != nil || train.Classes[9] != "j" {
		t.Errorf("meta: %v %v", err, train.Classes)
	}
	os.WriteFile(filepath.Join(dir, "batches.meta.txt"), []byte("a\nb\n"), 0o644)
	if _, _, err = LoadCIFAR10(dir); err == nil || !strings.Contains(err.Error(), "expected 10") {
		t.Errorf("short meta: %v", err)
	}
	os.Remove(filepath.Join(dir, "batches.meta.txt"))

	p := filepath.Join(dir, "data_batch_4.bin")
	os.WriteFile(p, cifarRecords(2)[:CIFAR10RecordSize+1], 0o644)
	if _, _, err = LoadCIFAR10(dir); err == nil || !strings.Contains(err.Error(), "data_batch_4.bin: size 3074 bytes") {
		t.Errorf("bad size: %v", err)
	}
	rec := cifarRecords(1)
	rec[0] = 200
	os.WriteFile(p, rec, 0o644)
	if _, _, err = LoadCIFAR10(dir); err == nil || !strings.Contains(err.Error(), "label 200") || !strings.Contains(err.Error(), "data_batch_4.bin") {
		t.Errorf("bad label: %v", err)
	}
	os.Remove(p)
	if _, _, err = LoadCIFAR10(dir); err == nil || !strings.Contains(err.Error(), "data_batch_4.bin") {
		t.Errorf("missing file: %v", err)
	}
}

func TestCIFAR10DirEnv(t *testing.T) {
	dir := writeCIFARDir(t, 1)
	t.Setenv(CIFAR10DirEnv, dir)
	if got, err := CIFAR10Dir(); err != nil || got != dir {
		t.Errorf("got %q %v", got, err)
	}
	t.Setenv(CIFAR10DirEnv, t.TempDir())
	if _, err := CIFAR10Dir(); err == nil || !strings.Contains(err.Error(), CIFAR10DirEnv) {
		t.Errorf("empty dir: %v", err)
	}
}

// TestLoadCIFAR10Shared reads the project's shared copy (skipped without
// it) and checks published labels and statistics.
func TestLoadCIFAR10Shared(t *testing.T) {
	t.Setenv(CIFAR10DirEnv, "")
	dir, err := CIFAR10Dir()
	if err != nil {
		t.Skipf("no CIFAR-10 copy: %v", err)
	}
	train, test, err := LoadCIFAR10(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 50000 || test.Len() != 10000 {
		t.Fatalf("sizes %d/%d", train.Len(), test.Len())
	}
	if !bytes.Equal(test.Labels[:10], []byte{3, 8, 8, 0, 6, 6, 1, 6, 3, 1}) {
		t.Errorf("test labels %v", test.Labels[:10])
	}
	if !bytes.Equal(train.Labels[:10], []byte{6, 9, 9, 4, 1, 1, 2, 7, 8, 3}) {
		t.Errorf("train labels %v", train.Labels[:10])
	}
	if train.Classes[0] != "airplane" || train.Classes[9] != "truck" {
		t.Errorf("classes %v", train.Classes)
	}
	counts := make([]int, 10)
	for _, l := range train.Labels {
		counts[l]++
	}
	for c, n := range counts {
		if n != 5000 {
			t.Errorf("class %d has %d training images, want 5000", c, n)
		}
	}
	// The copy is lossy (JPEG), so its statistics only approximate the
	// published constants.
	mean, std := train.ChannelStats()
	for c := 0; c < 3; c++ {
		if math.Abs(float64(mean[c]-CIFAR10Mean[c])) > 0.01 || math.Abs(float64(std[c]-CIFAR10Std[c])) > 0.01 {
			t.Errorf("channel %d: mean %.4f std %.4f, want about %.4f %.4f", c, mean[c], std[c], CIFAR10Mean[c], CIFAR10Std[c])
		}
	}
}

// FuzzDecodeCIFAR10 checks that no input panics the record parser and that
// accepted input is consistent.
func FuzzDecodeCIFAR10(f *testing.F) {
	f.Add(cifarRecords(1))
	f.Add(cifarRecords(2)[:CIFAR10RecordSize+7])
	bad := cifarRecords(1)
	bad[0] = 11
	f.Add(bad)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		d, err := DecodeCIFAR10("fuzz", in)
		if err != nil {
			return
		}
		if d.Len()*CIFAR10RecordSize != len(in) {
			t.Fatalf("%d records from %d bytes", d.Len(), len(in))
		}
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}
