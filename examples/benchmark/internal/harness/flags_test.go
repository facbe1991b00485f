package harness

import (
	"flag"
	"io"
	"strings"
	"testing"
)

var testSpecs = []Spec{LeNet5.WithSteps(40, 10), ResNet20.WithSteps(3, 2)}

// parse registers the flags on a fresh set and parses args.
func parse(t *testing.T, args ...string) (*Flags, *flag.FlagSet) {
	t.Helper()
	fs := flag.NewFlagSet("benchmark", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := Register(fs, testSpecs, "GOMAXPROCS")
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f, fs
}

func TestConfigs(t *testing.T) {
	f, fs := parse(t)
	if u := fs.Lookup("batch").Usage; u != "batch size (0: 64 LeNet-5, 128 ResNet-20)" {
		t.Errorf("-batch usage %q", u)
	}
	if u := fs.Lookup("model").Usage; u != "lenet5-modern, resnet20, or all; a comma-separated list works too" {
		t.Errorf("-model usage %q", u)
	}
	cs, err := f.Configs()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2*2*2 {
		t.Fatalf("%d configurations, want 8", len(cs))
	}
	if c := cs[0]; c.Model != "lenet5-modern" || c.Mode != "train" || c.Threads != 1 || c.Batch != 64 || c.Steps != 40 || c.Warmup != 10 || c.Repeats != 3 || c.Seed != 1 {
		t.Errorf("first configuration %+v", c)
	}
	if c := cs[len(cs)-1]; c.Model != "resnet20" || c.Mode != "infer" || c.Threads != 2 {
		t.Errorf("last configuration %+v", c)
	}
	f, _ = parse(t, "-model", "resnet20", "-mode", "infer", "-threads", "2", "-steps", "5", "-warmup", "0", "-repeats", "1", "-batch", "8", "-seed", "7")
	cs, err = f.Configs()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Model: "resnet20", Mode: "infer", Threads: 2, Batch: 8, Steps: 5, Warmup: 0, Repeats: 1, Seed: 7}
	if len(cs) != 1 || cs[0] != want {
		t.Errorf("got %+v, want [%+v]", cs, want)
	}
	// The child's flags reproduce the configuration.
	if a := strings.Join(want.Args(), " "); a != "-child -model resnet20 -mode infer -threads 2 -batch 8 -steps 5 -warmup 0 -repeats 1 -seed 7" {
		t.Errorf("child args %q", a)
	}
	f, _ = parse(t, "-model", "resnet20, lenet5-modern", "-mode", "infer,train", "-threads", "1, 2")
	if cs, err = f.Configs(); err != nil || len(cs) != 8 || cs[0].Model != "resnet20" || cs[0].Mode != "infer" {
		t.Errorf("lists: %+v, %v", cs, err)
	}
	for _, bad := range [][]string{{"-model", "vgg"}, {"-mode", "fit"}, {"-threads", "0"}, {"-threads", "x"}, {"-repeats", "0"}} {
		f, _ := parse(t, bad...)
		if _, err := f.Configs(); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	f, _ = parse(t, "-model", "vgg")
	if _, err := f.Configs(); err == nil || err.Error() != `-model "vgg": want lenet5-modern, resnet20 or all` {
		t.Errorf("unknown model: %v", err)
	}
}
