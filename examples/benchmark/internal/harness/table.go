package harness

import (
	"fmt"
	"io"
)

// Table prints results as the rows of a table: model, mode, threads, batch,
// images/s, step ms and MB allocated per step.
type Table struct {
	// Detail adds the columns of convgraph's benchmark: the allocation as a
	// share of the activations and the minor faults per step; and, as
	// convgraph allocates kilobytes a step where gorgonia allocates tens of
	// megabytes, hundredths of a megabyte.
	Detail bool
}

const (
	row       = "%-14s %-5s %7v %5v %10v %9v %13v"
	detailRow = row + " %14v %11v"
)

// Header prints the columns' names.
func (t Table) Header(w io.Writer) {
	cells := []any{"model", "mode", "threads", "batch", "images/s", "step ms", "MB alloc/step"}
	if t.Detail {
		cells = append(cells, "of activations", "faults/step")
	}
	t.print(w, cells)
}

// Row prints r.
func (t Table) Row(w io.Writer, r *Result) {
	cells := []any{r.Model, r.Mode, r.Threads, r.Batch, fmt.Sprintf("%.1f", r.ImagesPerSec),
		fmt.Sprintf("%.1f", r.StepMs), fmt.Sprintf("%.1f", r.AllocBytes/1e6)}
	if t.Detail {
		faults := "-"
		if r.MinorFaults != nil {
			faults = fmt.Sprintf("%.0f", *r.MinorFaults)
		}
		cells[len(cells)-1] = fmt.Sprintf("%.2f", r.AllocBytes/1e6)
		cells = append(cells, fmt.Sprintf("%.2f%%", 100*r.AllocBytes/r.ActivationBytes), faults)
	}
	t.print(w, cells)
}

func (t Table) print(w io.Writer, cells []any) {
	format := row
	if t.Detail {
		format = detailRow
	}
	fmt.Fprintf(w, format+"\n", cells...)
}
