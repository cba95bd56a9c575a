/*
 * One-file launcher for a PyInstaller onedir bundle (built by scripts/build-shim.py --mode sfx).
 *
 * The file is this static program followed by an uncompressed tar of the bundle and a trailer:
 *   <launcher> <tar> "SPINKUBE-SFX-1\0\0" <u64 LE tar offset> <u64 LE tar size> <40-char id>
 * On start it execs <dir of this file>/.<its name>-<id>/ENTRY (the bundle's executable, named at
 * build time: -DENTRY=...; the launcher itself may be renamed), unpacking the tar there first
 * when that directory is missing: the first start pays the unpacking, every later one starts
 * like onedir. The directory sits beside the executable, so it is as trusted as the executable
 * itself (no world-writable /tmp), and it is written under a temporary name and renamed, so
 * concurrent first starts never see half a bundle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define MAGIC "SPINKUBE-SFX-1\0\0"
#define MAGIC_LEN 16
#define ID_LEN 40
#define TRAILER_LEN (MAGIC_LEN + 8 + 8 + ID_LEN)

#ifndef ENTRY
#error "build with -DENTRY=\"<executable name inside the bundle>\""
#endif

static void die(const char *what, const char *path) {
    fprintf(stderr, "sfx-launcher: %s %s: %s\n", what, path ? path : "", strerror(errno));
    exit(127);
}

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void read_at(int fd, void *buf, size_t len, off_t at, const char *self) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, at + (off_t)done);
        if (n <= 0) die("cannot read", self);
        done += (size_t)n;
    }
}

static uint64_t octal(const char *field, size_t len) {
    uint64_t v = 0;
    for (size_t i = 0; i < len && field[i]; i++)
        if (field[i] >= '0' && field[i] <= '7') v = v * 8 + (uint64_t)(field[i] - '0');
    return v;
}

static void make_parents(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(path, 0755) != 0 && errno != EEXIST) die("cannot create", path);
        *p = '/';
    }
}

/* Unpack the ustar archive (regular files, directories, symlinks) into dest. */
static void unpack(int fd, uint64_t offset, uint64_t size, const char *dest, const char *self) {
    char header[512], path[PATH_MAX], name[356];
    static char buffer[1 << 16];
    uint64_t at = offset, end = offset + size;
    while (at + 512 <= end) {
        read_at(fd, header, 512, (off_t)at, self);
        at += 512;
        if (header[0] == 0) break;
        uint64_t length = octal(header + 124, 12);
        char type = header[156];
        if (header[345]) snprintf(name, sizeof name, "%.155s/%.100s", header + 345, header);
        else snprintf(name, sizeof name, "%.100s", header);
        if (strstr(name, "..") || name[0] == '/') { errno = EINVAL; die("unsafe member", name); }
        snprintf(path, sizeof path, "%s/%s", dest, name);
        make_parents(path);
        mode_t mode = (mode_t)octal(header + 100, 8) & 0755;
        if (type == '5') {
            if (mkdir(path, mode | 0700) != 0 && errno != EEXIST) die("cannot create", path);
        } else if (type == '2') {
            char target[101];
            snprintf(target, sizeof target, "%.100s", header + 157);
            if (symlink(target, path) != 0) die("cannot link", path);
        } else if (type == '0' || type == 0) {
            int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode | 0600);
            if (out < 0) die("cannot create", path);
            for (uint64_t left = length; left > 0;) {
                size_t chunk = left < sizeof buffer ? (size_t)left : sizeof buffer;
                read_at(fd, buffer, chunk, (off_t)(at + length - left), self);
                if (write(out, buffer, chunk) != (ssize_t)chunk) die("cannot write", path);
                left -= chunk;
            }
            if (close(out) != 0) die("cannot write", path);
        }
        at += (length + 511) / 512 * 512;
    }
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

int main(int argc, char **argv) {
    (void)argc;
    char self[PATH_MAX], dir[PATH_MAX], base[PATH_MAX], bundle[PATH_MAX], exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0) die("cannot find myself", "/proc/self/exe");
    self[n] = 0;
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die("cannot open", self);
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < TRAILER_LEN) die("no bundle in", self);
    unsigned char trailer[TRAILER_LEN];
    read_at(fd, trailer, TRAILER_LEN, st.st_size - TRAILER_LEN, self);
    if (memcmp(trailer, MAGIC, MAGIC_LEN) != 0) { errno = EINVAL; die("no bundle in", self); }
    uint64_t offset = le64(trailer + MAGIC_LEN), size = le64(trailer + MAGIC_LEN + 8);
    char id[ID_LEN + 1];
    memcpy(id, trailer + MAGIC_LEN + 16, ID_LEN);
    id[ID_LEN] = 0;

    snprintf(dir, sizeof dir, "%s", self);
    snprintf(base, sizeof base, "%s", self);
    const char *name = basename(base);
    snprintf(bundle, sizeof bundle, "%s/.%s-%s", dirname(dir), name, id);
    snprintf(exe, sizeof exe, "%s/%s", bundle, ENTRY);
    if (access(exe, X_OK) != 0) {
        char partial[PATH_MAX];
        snprintf(partial, sizeof partial, "%s.partial-%d", bundle, (int)getpid());
        if (mkdir(partial, 0755) != 0) die("cannot create", partial);
        unpack(fd, offset, size, partial, self);
        if (rename(partial, bundle) != 0) {
            if (errno != ENOTEMPTY && errno != EEXIST) die("cannot rename", partial);
            /* Another start won the race: its copy is as good as ours. */
            nftw(partial, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        }
    }
    close(fd);
    execv(exe, argv);
    die("cannot run", exe);
    return 127;
}
