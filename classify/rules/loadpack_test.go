package rules

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadPackRefusesNonPacks: what rule_packs names must be a regular
// .yaml/.yml file of sane size: a FIFO or a device (even behind a symlink
// with a .yaml name) would hang or exhaust a reload, and any other file's
// lines would be quoted in errors.
func TestLoadPackRefusesNonPacks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := func(name, target string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("name: x\n#"+strings.Repeat("x", MaxPackBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, want string }{
		{"not yaml", "/etc/passwd", "a pack file is named .yaml or .yml"},
		{"fifo behind a yaml name", link("fifo.yaml", fifo), "a pack must be a regular file"},
		{"device behind a yaml name", link("zero.yaml", "/dev/zero"), "a pack must be a regular file"},
		{"too large", big, "pack file too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPack(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadPack(%s) = %v, want an error containing %q", tc.path, err, tc.want)
			}
		})
	}
}

// TestUnknownKeyIsCut: an unknown key is quoted at most maxKeyRunes runes.
func TestUnknownKeyIsCut(t *testing.T) {
	long := strings.Repeat("键", 100)
	_, err := ParsePack([]byte("name: p\n"+long+": 1\n"), "p.yaml")
	if err == nil || strings.Contains(err.Error(), long) || !strings.Contains(err.Error(), strings.Repeat("键", maxKeyRunes)+"…") {
		t.Errorf("error = %v, want the key cut to %d runes", err, maxKeyRunes)
	}
}
