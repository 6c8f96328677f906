#include "profile/locate.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile/rmem.h"
#include "util/mem.h"

enum { SYM_RUNTIME, SYM_VERSION, SYM_CODE, SYM_UNICODE, SYM_BYTES, NSYMS };
static const char *const sym_names[NSYMS] = {"_PyRuntime", "Py_Version", "PyCode_Type",
                                             "PyUnicode_Type", "PyBytes_Type"};

struct elf_info {
    dev_t dev;
    ino_t ino;
    int ok;
    uint64_t sym[NSYMS];   /* link-time addresses, 0 when absent */
    uint64_t runtime_sect; /* address of the .PyRuntime section, 0 when absent */
    uint64_t first_vaddr;  /* p_vaddr of the first PT_LOAD, page aligned */
    uint64_t first_off;    /* its p_offset, page aligned */
};

struct py_elf_cache {
    struct elf_info *e;
    size_t n, cap;
};

struct py_elf_cache *py_elf_cache_new(void)
{
    return xcalloc(1, sizeof(struct py_elf_cache));
}

void py_elf_cache_free(struct py_elf_cache *c)
{
    if (!c) return;
    free(c->e);
    free(c);
}

static void scan_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct elf_info *info)
{
    Elf_Data *d = elf_getdata(scn, NULL);
    if (!d || sh->sh_entsize == 0) return;
    size_t n = sh->sh_size / sh->sh_entsize;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym s;
        if (!gelf_getsym(d, (int)i, &s) || s.st_value == 0 || s.st_shndx == SHN_UNDEF) continue;
        const char *name = elf_strptr(elf, sh->sh_link, s.st_name);
        if (!name || (name[0] != '_' && name[0] != 'P')) continue;
        for (int k = 0; k < NSYMS; k++)
            if (!info->sym[k] && strcmp(name, sym_names[k]) == 0) info->sym[k] = s.st_value;
    }
}

static int read_elf(const char *path, struct elf_info *info)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    int rc   = -1;
    size_t nph, shstr;
    if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nph) != 0) goto out;
    long page = sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
            info->first_vaddr = ph.p_vaddr & ~(uint64_t)(page - 1);
            info->first_off   = ph.p_offset & ~(uint64_t)(page - 1);
            break;
        }
    }
    if (elf_getshdrstrndx(elf, &shstr) != 0) goto out;
    for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        if (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB) scan_symbols(elf, scn, &sh, info);
        const char *name = elf_strptr(elf, shstr, sh.sh_name);
        if (name && strcmp(name, ".PyRuntime") == 0) info->runtime_sect = sh.sh_addr;
    }
    info->ok = 1;
    rc       = 0;
out:
    if (elf) elf_end(elf);
    close(fd);
    return rc;
}

static const struct elf_info *elf_lookup(struct py_elf_cache *c, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].dev == st.st_dev && c->e[i].ino == st.st_ino)
            return c->e[i].ok ? &c->e[i] : NULL;
    XGROW(c->e, c->n + 1, c->cap);
    struct elf_info *info = &c->e[c->n++];
    memset(info, 0, sizeof *info);
    info->dev = st.st_dev;
    info->ino = st.st_ino;
    read_elf(path, info);
    return info->ok ? info : NULL;
}

void py_permission_hint(char *buf, size_t n)
{
    char scope[32] = "not present";
    FILE *f        = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
    if (f) {
        if (fgets(scope, sizeof scope, f)) scope[strcspn(scope, "\n")] = '\0';
        fclose(f);
    }
    snprintf(buf, n,
             "profiling another process needs ptrace permission: run as root or with "
             "CAP_SYS_PTRACE (in a container: docker run --cap-add SYS_PTRACE), and "
             "kernel.yama.ptrace_scope (here: %s) must be 0, or 1 for a process you started; "
             "only one tracer (gdb, strace, py-spy) can hold a thread at a time",
             scope);
}

/* "python3.10" or "libpython3.10.so" in a path -> 0x030a0000, for versions without Py_Version. */
static uint32_t version_from_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base             = base ? base + 1 : path;
    const char *p    = strstr(base, "python");
    unsigned major, minor;
    if (p && sscanf(p, "python%u.%u", &major, &minor) == 2 && major < 10 && minor < 100)
        return (major << 24) | (minor << 16);
    return 0;
}

struct mapping {
    uint64_t start, off;
    char path[PATH_MAX];
};

enum py_locate_status py_locate(pid_t pid, struct py_elf_cache *cache, struct py_location *out,
                                mp_err *err)
{
    memset(out, 0, sizeof *out);
    char fn[64], line[PATH_MAX + 256];
    snprintf(fn, sizeof fn, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(fn, "r");
    if (!f) {
        int e = errno;
        if (e == ENOENT || e == ESRCH) {
            mp_fail(err, "process %d does not exist", (int)pid);
            return PY_GONE;
        }
        char hint[512];
        py_permission_hint(hint, sizeof hint);
        mp_fail(err, "cannot read %s: %s; %s", fn, strerror(e), hint);
        return PY_NO_PERM;
    }
    char exe[PATH_MAX] = "";
    snprintf(fn, sizeof fn, "/proc/%d/exe", (int)pid);
    ssize_t el           = readlink(fn, exe, sizeof exe - 1);
    exe[el > 0 ? el : 0] = '\0';

    /* Candidates: libpython first (a shared build's executable is a thin launcher), then the
     * executable itself (Debian's static build). */
    struct mapping lib = {0}, bin = {0};
    while (fgets(line, sizeof line, f)) {
        unsigned long long start, end, off;
        char perms[8];
        int pos = 0;
        if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &start, &end, perms, &off, &pos) < 4 ||
            pos <= 0)
            continue;
        char *path                = line + pos;
        path[strcspn(path, "\n")] = '\0';
        if (path[0] != '/') continue;
        const char *base    = strrchr(path, '/') + 1;
        struct mapping *dst = NULL;
        if (strncmp(base, "libpython3", 10) == 0 && strstr(base, ".so"))
            dst = &lib;
        else if (strcmp(path, exe) == 0)
            dst = &bin;
        if (dst && (!dst->path[0] || off < dst->off)) {
            dst->start = start;
            dst->off   = off;
            snprintf(dst->path, sizeof dst->path, "%s", path);
        }
    }
    fclose(f);

    const struct mapping *cands[2] = {&lib, &bin};
    const struct elf_info *info    = NULL;
    const struct mapping *where    = NULL;
    for (int i = 0; i < 2 && !info; i++) {
        if (!cands[i]->path[0]) continue;
        char p[PATH_MAX + 32];
        snprintf(p, sizeof p, "/proc/%d/root%s", (int)pid, cands[i]->path);
        const struct elf_info *e = elf_lookup(cache, p);
        if (!e) e = elf_lookup(cache, cands[i]->path);
        if (e && (e->sym[SYM_RUNTIME] || e->runtime_sect)) {
            info  = e;
            where = cands[i];
        }
    }
    if (!info) {
        uint32_t v = version_from_name(lib.path[0] ? lib.path : exe);
        if (v && v < 0x030b0000u) {
            char vs[32];
            py_version_str(v, vs);
            mp_fail(err,
                    "process %d runs Python %s (%s), which is not supported: mixperf profile "
                    "reads CPython 3.11, 3.12 and 3.13",
                    (int)pid, vs, lib.path[0] ? lib.path : exe);
            return PY_UNSUPPORTED;
        }
        if (v) {
            /* A new enough python whose libpython the dynamic loader has not mapped yet. */
            mp_fail(err, "process %d (%s) has not loaded its Python runtime yet", (int)pid, exe);
            return PY_NOT_READY;
        }
        mp_fail(err,
                "process %d (%s) is not a CPython process: no _PyRuntime in its executable "
                "or a libpython",
                (int)pid, exe[0] ? exe : "?");
        return PY_NOT_PYTHON;
    }
    /* The mapping with file offset 0 was recorded; the load bias maps link-time to run-time. */
    if (where->off != info->first_off) {
        mp_fail(err, "process %d: cannot find the first loaded segment of %s", (int)pid,
                where->path);
        return PY_NOT_PYTHON;
    }
    uint64_t bias = where->start - info->first_vaddr;
    snprintf(out->path, sizeof out->path, "%s", where->path);
    out->runtime = bias + (info->sym[SYM_RUNTIME] ? info->sym[SYM_RUNTIME] : info->runtime_sect);

    struct rmem_proc rp = {pid};
    mp_rmem m           = rmem_proc(&rp);
    if (!info->sym[SYM_VERSION]) {
        uint32_t v = version_from_name(where->path);
        char vs[32];
        py_version_str(v, vs);
        mp_fail(err,
                "process %d runs Python %s (%s), which is not supported: mixperf profile reads "
                "CPython 3.11, 3.12 and 3.13",
                (int)pid, v ? vs : "older than 3.11", where->path);
        return PY_UNSUPPORTED;
    }
    if (rmem_read(&m, bias + info->sym[SYM_VERSION], &out->version, 4) != 0) {
        int e = errno;
        if (e == ESRCH) {
            mp_fail(err, "process %d exited", (int)pid);
            return PY_GONE;
        }
        char hint[512];
        py_permission_hint(hint, sizeof hint);
        mp_fail(err, "cannot read the memory of process %d: %s; %s", (int)pid, strerror(e), hint);
        return e == EPERM || e == EACCES ? PY_NO_PERM : PY_GONE;
    }
    char vs[32];
    py_version_str(out->version, vs);
    uint32_t minor      = out->version & 0xffff0000u;
    struct py_reader *r = &out->reader;
    if (minor == 0x030b0000u || minor == 0x030c0000u) {
        if (py_layout_builtin(out->version, &r->L, err) != 0) return PY_UNSUPPORTED;
    } else if (minor >= 0x030d0000u) {
        unsigned char block[1024];
        size_t need = py_debug_offsets_size();
        if (need > sizeof block || rmem_read(&m, out->runtime, block, need) != 0) {
            mp_fail(err, "process %d: cannot read _Py_DebugOffsets", (int)pid);
            return PY_GONE;
        }
        if (py_layout_from_debug_offsets(block, need, out->version, &r->L, err) != 0) {
            mp_fail_wrap(err, "process %d (%s)", (int)pid, where->path);
            return PY_UNSUPPORTED;
        }
    } else {
        mp_fail(err,
                "process %d runs Python %s (%s), which is not supported: mixperf profile reads "
                "CPython 3.11, 3.12 and 3.13",
                (int)pid, vs, where->path);
        return PY_UNSUPPORTED;
    }
    r->T.code    = info->sym[SYM_CODE] ? bias + info->sym[SYM_CODE] : 0;
    r->T.unicode = info->sym[SYM_UNICODE] ? bias + info->sym[SYM_UNICODE] : 0;
    r->T.bytes   = info->sym[SYM_BYTES] ? bias + info->sym[SYM_BYTES] : 0;

    /* Validate: the interpreter's first thread state must point back at it. Before Py_Initialize
     * finishes there is no interpreter yet; the caller retries. */
    struct py_thread t[1];
    int nt = py_threads(&m, r, out->runtime, t, 1);
    if (nt <= 0) {
        mp_fail(err, "process %d: Python %s runtime at 0x%llx has no initialised interpreter yet",
                (int)pid, vs, (unsigned long long)out->runtime);
        return PY_NOT_READY;
    }
    return PY_LOCATED;
}
