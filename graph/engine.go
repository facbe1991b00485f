package graph

import "gorgonia.org/tensor"

// engine is the tensor engine of the programs' values, or nil for
// gorgonia's standard one: the tape machine sets its engine on every value
// it binds and every result it writes, so this is the engine of the ops
// gorgonia runs itself (the sums of gradients), whatever made their inputs.
var engine tensor.Engine

// SetEngine sets the tensor engine of the programs compiled from now on (nil:
// gorgonia's standard engine). Package ops installs one whose float32 Add
// runs on every core.
func SetEngine(e tensor.Engine) { engine = e }

// Engine returns the engine SetEngine set, nil for gorgonia's standard one.
func Engine() tensor.Engine { return engine }
