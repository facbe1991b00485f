package notebook

import (
	"fmt"
	"log"
)

// Cell prints a cell's title, so a program's output reads like its source.
func Cell(n int, title string) { fmt.Printf("\n── Cell %d: %s\n", n, title) }

// Check stops the notebook on an error, printing its stack.
func Check(err error) {
	if err != nil {
		log.Fatalf("%+v", err)
	}
}

// Expect prints "✓ what = want" when got equals want and stops the notebook
// otherwise: a notebook that reproduces a published number checks it.
func Expect[T comparable](what string, got, want T) {
	if got != want {
		log.Fatalf("%s: got %v, want %v", what, got, want)
	}
	fmt.Printf("✓ %s = %v\n", what, want)
}
