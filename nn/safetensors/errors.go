package safetensors

import (
	"fmt"

	"github.com/pkg/errors"
)

// FormatError reports a file that is not valid safetensors, or that uses a
// feature this package does not support. It is a distinct type so callers can
// tell a bad file (errors.As) from an I/O failure, which is returned wrapped
// as is.
type FormatError struct {
	Source string // file path; empty when decoding from memory
	Tensor string // offending tensor, if the problem is about one
	Reason string // what was expected and what was found
}

func (e *FormatError) Error() string {
	msg := "safetensors: "
	if e.Source != "" {
		msg += e.Source + ": "
	}
	if e.Tensor != "" {
		msg += fmt.Sprintf("tensor %q: ", e.Tensor)
	}
	return msg + e.Reason
}

// formatErr builds a FormatError with a stack trace attached, so that
// %+v on the returned error shows where validation failed.
func formatErr(source, tensor, format string, args ...any) error {
	return errors.WithStack(&FormatError{Source: source, Tensor: tensor, Reason: fmt.Sprintf(format, args...)})
}
