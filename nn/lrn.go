package nn

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/convgraph/convgraph/ops"
)

// LRN is local response normalization across channels (AlexNet, section 3.3;
// torch.nn.LocalResponseNorm).
func LRN(p ops.LRNParams) Layer {
	return stateless(fmt.Sprintf("LRN(size=%d, alpha=%g, beta=%g, k=%g)", p.Size, p.Alpha, p.Beta, p.K), func(x *gorgonia.Node) (*gorgonia.Node, error) {
		return ops.LRN(x, p)
	})
}
