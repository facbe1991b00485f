package harness

// Result is what one measurement prints as JSON;
// examples/benchmark/peers/pytorch_bench.py prints the same fields. Those
// with omitempty are left out where a benchmark does not measure them.
type Result struct {
	Impl         string    `json:"impl"`
	Model        string    `json:"model"`
	Mode         string    `json:"mode"`
	Threads      int       `json:"threads"`
	Batch        int       `json:"batch"`
	Input        []int     `json:"input"` // C, H, W
	ImagesPerSec float64   `json:"images_per_sec"`
	StepMs       float64   `json:"step_ms"`     // median step time
	RepeatsIPS   []float64 `json:"repeats_ips"` // every repeat's rate
	Steps        int       `json:"steps"`       // timed steps per repeat
	Warmup       int       `json:"warmup"`      // untimed steps
	AllocBytes   float64   `json:"alloc_bytes_per_step"`
	// ActivationBytes is the size of every op output a step computes
	// (forward and backward): what a framework that allocates afresh would
	// allocate per step, and the yardstick for AllocBytes.
	ActivationBytes float64 `json:"activation_bytes_per_step,omitempty"`
	Mallocs         float64 `json:"mallocs_per_step"`
	GCs             float64 `json:"gc_per_step"`
	// MinorFaults is a pointer because none per step is a result, not a
	// gap: nil where not measured.
	MinorFaults *float64 `json:"minor_faults_per_step,omitempty"`
	BuildSec    float64  `json:"build_s"` // model construction and compile
	Loss        float64  `json:"loss"`    // the last step's loss (train) or 0
	GoVersion   string   `json:"go"`
	GOMAXPROCS  int      `json:"gomaxprocs"`
	Date        string   `json:"date"`
}

// TimedSteps is how many steps the repeats timed in all.
func (r *Result) TimedSteps() int { return len(r.RepeatsIPS) * r.Steps }
