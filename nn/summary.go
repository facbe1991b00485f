package nn

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"
)

// Summary describes a model built for one input shape: one row per layer run
// through Chain, in execution order (a container's row follows its children's),
// then the model itself. A layer that a block runs by calling its Forward
// directly has no row: its parameters count in the block's row, and its MACs
// are not counted.
type Summary struct {
	Input tensor.Shape
	Rows  []SummaryRow
	// Params counts the trainable parameters (effective ones where a layer
	// says so); buffers such as running statistics are not parameters.
	Params int
	// MACs counts the multiply-accumulates of one input image (batch 1).
	MACs int
}

// SummaryRow is one layer of a Summary.
type SummaryRow struct {
	Path, Kind string
	Out        tensor.Shape
	// Params counts the trainable parameters no earlier row claimed: a leaf's
	// own; a container's are its children's rows', so it shows none (and a
	// layer applied twice counts once).
	Params int
	// MACs is the layer's multiply-accumulates per image: conv and linear
	// layers count theirs; every other layer (pooling, normalization,
	// activations, sums) counts 0, as torchinfo does for lack of a standard.
	MACs int
}

// MACCounter is a layer that knows its multiply-accumulates per image for
// an input and output of the given shapes (batch first).
type MACCounter interface {
	MACs(in, out tensor.Shape) int
}

// EffectiveParamer is a layer whose trainable parameter count is not the size
// of its tensors: LeNet-5's C3 masks a full weight tensor down to its partial
// connection table, and only connected weights count.
type EffectiveParamer interface {
	EffectiveParams() int
}

// Summarize builds model in Eval mode for inputs of inputShape (batch first),
// in the dtype of its parameters (float32 when it has none), and tabulates
// each layer's output shape, parameters and multiply-accumulates. Nothing is
// computed: the graph is only built, which is where shapes are checked.
func Summarize(model Layer, inputShape ...int) (*Summary, error) {
	dt := tensor.Float32
	for _, p := range model.Params() {
		if d := p.Value.Dtype(); d == tensor.Float32 || d == tensor.Float64 {
			dt = d
			break
		}
	}
	net, err := Build(model, dt, Eval, 0, inputShape...)
	if err != nil {
		return nil, errors.WithMessage(err, "summary")
	}
	s := &Summary{Input: tensor.Shape(inputShape).Clone()}
	claimed := map[*Param]bool{}
	records := append(net.Trace(), Record{Layer: model, In: net.Input.Shape(), Out: net.Output.Shape()})
	for _, r := range records {
		row := SummaryRow{Path: r.Layer.Name(), Kind: kind(r.Layer), Out: r.Out, Params: claim(r.Layer, claimed)}
		if m, ok := r.Layer.(MACCounter); ok && len(r.In) > 0 && r.In[0] > 0 {
			row.MACs = m.MACs(r.In, r.Out)
		}
		s.Params += row.Params
		s.MACs += row.MACs
		s.Rows = append(s.Rows, row)
	}
	return s, nil
}

// claim marks l's trainable parameters as counted and returns how many were
// not counted before (or l's effective count, when it has one and its
// parameters are new).
func claim(l Layer, claimed map[*Param]bool) int {
	n, fresh := 0, false
	for _, p := range Trainable(l.Params()) {
		if !claimed[p] {
			claimed[p], fresh = true, true
			n += p.Size()
		}
	}
	if e, ok := l.(EffectiveParamer); ok && fresh {
		return e.EffectiveParams()
	}
	return n
}

// kind is a layer's String (Conv2D(3, 64, ...)) or else its type name.
func kind(l Layer) string {
	if s, ok := l.(fmt.Stringer); ok {
		return s.String()
	}
	t := reflect.TypeOf(l)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// String renders the summary as a table ending with the totals: text columns
// left-aligned, counts right-aligned.
func (s *Summary) String() string {
	cells := [][]string{{"layer", "kind", "output", "params", "MACs"}}
	for _, r := range s.Rows {
		path := r.Path
		if path == "" {
			path = "-"
		}
		cells = append(cells, []string{path, r.Kind, fmt.Sprint(r.Out), fmt.Sprint(r.Params), fmt.Sprint(r.MACs)})
	}
	width := make([]int, len(cells[0]))
	for _, row := range cells {
		for i, c := range row {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "input %v\n", s.Input)
	for _, row := range cells {
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i < 3 {
				sb.WriteString(c + pad + "  ")
			} else {
				sb.WriteString("  " + pad + c)
			}
		}
		sb.WriteString("\n")
	}
	fmt.Fprintf(&sb, "total MACs per image: %d\n", s.MACs)
	fmt.Fprintf(&sb, "total parameters: %d\n", s.Params)
	return sb.String()
}
