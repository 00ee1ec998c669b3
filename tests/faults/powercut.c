/* A power cut for one process: an LD_PRELOAD shim that drops every write not yet synced.

   With POWERCUT_DIR set, every write(), pwrite() and ftruncate() to a regular file whose path
   starts with POWERCUT_DIR records what it overwrites (the old bytes and the old size);
   fsync() or fdatasync() of the file forgets those records (the data is on the disk), and so
   do sync() and syncfs(). When the process exits, the records still held are undone, newest
   first: the files are left as a disk would hold them if the power went off just after the
   program said "saved", with nothing of the page cache written back. Counts go to the file
   POWERCUT_LOG ("reverted N writes in M files", by a process that reverted any).

   Not simulated: directory entries (a rename or an unlink stays done), torn or reordered
   sectors, writes through mmap (SQLite's -shm, which it rebuilds after a crash), a process
   killed by a signal (no exit handler runs), files opened with O_SYNC or O_DSYNC (synced
   by each write, so never recorded).

   Build: gcc -shared -fPIC -O1 -o powercut.so powercut.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef struct undo {
    struct undo *prev;  /* the record before it, in the order written (all files) */
    int keep;           /* our own read-write descriptor of the file, never closed */
    dev_t dev;
    ino_t ino;
    off_t off;          /* where the old bytes go back */
    off_t size;         /* the file's size before the write */
    size_t len;
    char old[];
} undo_t;

typedef struct held {
    struct held *next;
    dev_t dev;
    ino_t ino;
    int keep;
} held_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static undo_t *newest;
static held_t *files;
static const char *dir;
static size_t dirlen;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

__attribute__((constructor)) static void init(void) {
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
    real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    dir = getenv("POWERCUT_DIR");
    dirlen = dir ? strlen(dir) : 0;
}

/* Our kept descriptor of the file behind fd when its writes are to be recorded, else -1. */
static int watched(int fd, struct stat *st) {
    if (!dir || fstat(fd, st) != 0 || !S_ISREG(st->st_mode))
        return -1;
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & (O_SYNC | O_DSYNC)) || (flags & O_ACCMODE) == O_RDONLY)
        return -1;
    for (held_t *h = files; h; h = h->next)
        if (h->dev == st->st_dev && h->ino == st->st_ino)
            return h->keep;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return -1;
    path[n] = 0;
    if ((size_t)n < dirlen || strncmp(path, dir, dirlen) != 0)
        return -1;
    held_t *h = malloc(sizeof *h);
    if (!h)
        return -1;
    h->dev = st->st_dev;
    h->ino = st->st_ino;
    h->keep = open(path, O_RDWR | O_CLOEXEC); /* readable too (the program's may be write-only) */
    if (h->keep < 0) {
        free(h);
        return -1;
    }
    h->next = files;
    files = h;
    return h->keep;
}

/* Remember what the range [off, off+len) of the file (and its size) held before a change. */
static void record(int fd, off_t off, size_t len) {
    struct stat st;
    if (!dir)
        return;
    pthread_mutex_lock(&lock);
    int keep = watched(fd, &st);
    if (keep >= 0) {
        size_t have = off < st.st_size ? (size_t)(st.st_size - off) : 0;
        if (have > len)
            have = len;
        undo_t *u = malloc(sizeof *u + have);
        if (u) {
            u->keep = keep;
            u->dev = st.st_dev;
            u->ino = st.st_ino;
            u->off = off;
            u->size = st.st_size;
            u->len = have ? (size_t)pread(keep, u->old, have, off) : 0;
            if ((ssize_t)u->len < 0)
                u->len = 0;
            u->prev = newest;
            newest = u;
        }
    }
    pthread_mutex_unlock(&lock);
}

/* The file behind fd is on the disk now: forget its records. */
static void synced(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return;
    pthread_mutex_lock(&lock);
    undo_t **link = &newest;
    while (*link) {
        undo_t *u = *link;
        if (u->dev == st.st_dev && u->ino == st.st_ino) {
            *link = u->prev;
            free(u);
        } else {
            link = &u->prev;
        }
    }
    pthread_mutex_unlock(&lock);
}

static void forget_all(void) {
    pthread_mutex_lock(&lock);
    while (newest) {
        undo_t *u = newest;
        newest = u->prev;
        free(u);
    }
    pthread_mutex_unlock(&lock);
}

ssize_t write(int fd, const void *buf, size_t n) {
    int flags = fcntl(fd, F_GETFL);
    off_t at = (flags >= 0 && (flags & O_APPEND)) ? lseek(fd, 0, SEEK_END) : lseek(fd, 0, SEEK_CUR);
    if (at >= 0)
        record(fd, at, n);
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    record(fd, off, n);
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
    record(fd, off, n);
    return real_pwrite64(fd, buf, n, off);
}

static void record_truncate(int fd, off_t length) {
    struct stat st;
    if (fstat(fd, &st) == 0 && length < st.st_size)
        record(fd, length, (size_t)(st.st_size - length));
    else
        record(fd, length, 0);
}

int ftruncate(int fd, off_t length) {
    record_truncate(fd, length);
    return real_ftruncate(fd, length);
}

int ftruncate64(int fd, off_t length) {
    record_truncate(fd, length);
    return real_ftruncate64(fd, length);
}

int fsync(int fd) {
    int rc = real_fsync(fd);
    if (rc == 0)
        synced(fd);
    return rc;
}

int fdatasync(int fd) {
    int rc = real_fdatasync(fd);
    if (rc == 0)
        synced(fd);
    return rc;
}

void sync(void) {
    void (*real_sync)(void) = dlsym(RTLD_NEXT, "sync");
    real_sync();
    forget_all();
}

int syncfs(int fd) {
    int (*real_syncfs)(int) = dlsym(RTLD_NEXT, "syncfs");
    int rc = real_syncfs(fd);
    if (rc == 0)
        forget_all();
    return rc;
}

/* The power goes off: undo every change not synced, newest first. */
__attribute__((destructor)) static void power_cut(void) {
    if (!dir)
        return;
    pthread_mutex_lock(&lock);
    size_t writes = 0, nfiles = 0;
    for (held_t *h = files; h; h = h->next) {
        int touched = 0;
        for (undo_t *u = newest; u; u = u->prev) {
            if (u->dev != h->dev || u->ino != h->ino)
                continue;
            real_ftruncate(u->keep, u->size);
            if (u->len)
                real_pwrite(u->keep, u->old, u->len, u->off);
            writes++;
            touched = 1;
        }
        nfiles += touched;
    }
    dir = NULL; /* nothing more is recorded (the log's own write below included) */
    pthread_mutex_unlock(&lock);
    const char *log = getenv("POWERCUT_LOG");
    if (log && writes) {
        FILE *f = fopen(log, "a");
        if (f) {
            fprintf(f, "reverted %zu writes in %zu files\n", writes, nfiles);
            fclose(f);
        }
    }
}
