package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// photoBackupCommand is one `docker run … tar …` of docs/deployment.md's
// photo backup or restore.
type photoBackupCommand struct {
	volumes []string // -v arguments
	image   string
	tar     []string // the tar command line, tar first
}

// gnuTarImages are images whose tar is GNU tar (busybox's, in alpine, has
// no --xattrs).
var gnuTarImages = regexp.MustCompile(`^(debian|ubuntu):[a-z0-9.-]+$`)

// photoBackupCommands reads docs/deployment.md's inline `docker run`
// commands that touch the objects-data volume.
func photoBackupCommands(t *testing.T) []photoBackupCommand {
	t.Helper()
	var out []photoBackupCommand
	for _, m := range regexp.MustCompile("`(docker run [^`]*objects-data[^`]*)`").FindAllStringSubmatch(readRepoFile(t, "docs/deployment.md"), -1) {
		// The backup's archive is named for the day it is made.
		args := strings.Fields(strings.ReplaceAll(m[1], "$(date +%F)", "2026-12-07"))[2:]
		var c photoBackupCommand
		for len(args) > 0 && strings.HasPrefix(args[0], "-") {
			if args[0] == "-v" && len(args) > 1 {
				c.volumes = append(c.volumes, args[1])
				args = args[1:]
			}
			args = args[1:]
		}
		if len(args) < 2 || args[1] != "tar" {
			t.Fatalf("docs/deployment.md: %q does not run tar in an image", m[1])
		}
		c.image, c.tar = args[0], args[1:]
		out = append(out, c)
	}
	return out
}

// TestPhotoBackupCommands: docs/deployment.md's backup and restore of the
// photos' volume run in one image whose tar is GNU tar (the posix
// backend's metadata is in extended attributes, and busybox tar cannot
// keep them), mount the compose project's volume, and, run here with the
// machine's GNU tar on a directory standing for the volume, give back
// every file with its user.* attributes.
func TestPhotoBackupCommands(t *testing.T) {
	cmds := photoBackupCommands(t)
	var backup, restore *photoBackupCommand
	for i, c := range cmds {
		for _, a := range c.tar[1:] {
			switch {
			case !regexp.MustCompile(`^-[a-zA-Z]+$`).MatchString(a):
			case strings.Contains(a, "c"):
				backup = &cmds[i]
			case strings.Contains(a, "x"):
				restore = &cmds[i]
			}
		}
	}
	if backup == nil || restore == nil {
		t.Fatalf("docs/deployment.md: want a backup (tar -c) and a restore (tar -x) command of the objects-data volume, found %d commands", len(cmds))
	}
	for name, c := range map[string]*photoBackupCommand{"backup": backup, "restore": restore} {
		if !gnuTarImages.MatchString(c.image) {
			t.Errorf("%s runs tar in %s, want an image with GNU tar (debian, ubuntu)", name, c.image)
		}
		if !strings.Contains(strings.Join(c.tar, " "), "--xattrs") {
			t.Errorf("%s: tar without --xattrs loses the objects' metadata: %q", name, c.tar)
		}
		if len(c.volumes) != 2 || !strings.HasPrefix(c.volumes[0], "verval_objects-data:/data") || c.volumes[1] != `"$PWD":/backup` {
			t.Errorf("%s mounts %q, want the verval project's objects-data on /data and the current directory on /backup", name, c.volumes)
		}
	}
	if backup.image != restore.image {
		t.Errorf("backup in %s, restore in %s", backup.image, restore.image)
	}

	if v, err := exec.Command("tar", "--version").Output(); err != nil || !bytes.Contains(v, []byte("GNU tar")) {
		t.Skipf("no GNU tar here to run the commands: %v", err)
	}
	dir := t.TempDir()
	data, restored, archives := filepath.Join(dir, "data"), filepath.Join(dir, "restored"), filepath.Join(dir, "backup")
	obj := "verval-photos/photos/1/42/ab12.jpg.sealed"
	for _, d := range []string{filepath.Dir(filepath.Join(data, obj)), restored, archives} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(data, obj), []byte("sealed bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setxattr(filepath.Join(data, obj), "user.etag", []byte(`"ab12"`), 0); errors.Is(err, syscall.ENOTSUP) {
		t.Skip("no user extended attributes on this file system")
	} else if err != nil {
		t.Fatal(err)
	}
	// The archive's name as the backup makes it and the restore reads it.
	archive := regexp.MustCompile(`^/backup/objects-\S+\.tgz$`)
	run := func(c *photoBackupCommand, volume string) {
		t.Helper()
		var args []string
		for _, a := range c.tar[1:] {
			switch {
			case archive.MatchString(a):
				a = filepath.Join(archives, "objects.tgz")
			case a == "/data":
				a = volume
			case strings.HasPrefix(a, "/"):
				t.Fatalf("tar argument %q: only /data and the archive in /backup expected", a)
			}
			args = append(args, a)
		}
		if out, err := exec.Command("tar", args...).CombinedOutput(); err != nil {
			t.Fatalf("tar %q: %v\n%s", args, err, out)
		}
	}
	run(backup, data)
	run(restore, restored)
	got, err := os.ReadFile(filepath.Join(restored, obj))
	if err != nil || string(got) != "sealed bytes" {
		t.Fatalf("restored object: %q, %v", got, err)
	}
	buf := make([]byte, 64)
	n, err := syscall.Getxattr(filepath.Join(restored, obj), "user.etag", buf)
	if err != nil || string(buf[:n]) != `"ab12"` {
		t.Errorf("restored object's user.etag: %q, %v", buf[:max(n, 0)], err)
	}
}
