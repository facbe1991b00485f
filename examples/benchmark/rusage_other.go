//go:build !unix

package main

// minorFaults is not measured off Unix.
func minorFaults() int64 { return 0 }
