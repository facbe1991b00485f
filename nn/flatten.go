package nn

import "github.com/convgraph/convgraph/ops"

// Flatten is torch.nn.Flatten: (N, d1, d2, ...) → (N, d1·d2·...), row-major.
func Flatten() Layer { return stateless("Flatten", ops.Flatten) }
