/* logchain._native: RFC 6962 leaf hashes over Arrow buffers, and Merkle roots, with OpenSSL SHA-256.
 *
 * The pure-Python path in logchain/leaves.py computes the same bytes (tests prove them equal). This
 * helper exists only for speed: it builds each record envelope (docs/FORMAT.md) in a scratch buffer
 * straight from the Arrow column buffers and hashes it, without creating Python objects per record.
 *
 * OpenSSL is declared here rather than included so that no OpenSSL headers are needed to build;
 * setup.py links libcrypto.so.3 by name. It uses the low-level SHA256_Init/Update/Final (present in
 * OpenSSL 1.1 and 3, deprecated but exported): in OpenSSL 3 the one-shot SHA256() fetches the
 * algorithm through the provider machinery on every call, which made it ~6x slower per leaf.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* SHA256_CTX is 112 bytes in OpenSSL 1.1 and 3 (8+2+16+2 unsigned ints); 256 leaves headroom. */
typedef struct { _Alignas(16) unsigned char opaque[256]; } sha_ctx;
extern int SHA256_Init(sha_ctx *c);
extern int SHA256_Update(sha_ctx *c, const void *data, size_t len);
extern int SHA256_Final(unsigned char *md, sha_ctx *c);

static inline void sha256(const unsigned char *d, size_t n, unsigned char *md) {
    sha_ctx c;
    SHA256_Init(&c);
    SHA256_Update(&c, d, n);
    SHA256_Final(md, &c);
}

#define HASH 32
#define HEAD_MAX (1 + 1 + 1 + 8 + 8 + 2 + 0xFFFF + 8 + 8 + 4)

static inline void put_u16(unsigned char *p, uint16_t v) { p[0] = v >> 8; p[1] = v; }
static inline void put_u32(unsigned char *p, uint32_t v) {
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static inline void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 7; i >= 0; i--) { p[i] = (unsigned char)v; v >>= 8; }
}

/* Read offset i of an Arrow offsets buffer (int32 or int64). */
static inline int64_t off_at(const void *offs, int wide, Py_ssize_t i) {
    return wide ? ((const int64_t *)offs)[i] : (int64_t)((const int32_t *)offs)[i];
}

typedef struct { Py_buffer b; int held; } Buf;

static int get_buf(PyObject *o, Buf *out, const char *what) {
    if (PyObject_GetBuffer(o, &out->b, PyBUF_SIMPLE) != 0) {
        PyErr_Format(PyExc_TypeError, "%s: expected a buffer", what);
        return -1;
    }
    out->held = 1;
    return 0;
}
static void release(Buf *bs, int n) { for (int i = 0; i < n; i++) if (bs[i].held) PyBuffer_Release(&bs[i].b); }

/* leaf_hashes(n, version, flags, index, ingest_ns, src_offs, src_data, src_wide,
 *             file_id, offset, raw_offs, raw_data, raw_wide[, src_keys, n_src]) -> bytes(n * 32)
 * Fixed-width buffers must already start at element 0 of the array (the caller slices them);
 * version and flags are uint8, index/file_id/offset uint64, ingest_ns int64 (native endianness).
 * With src_keys (int32 dictionary indices, one per row), src_offs/src_data hold the n_src
 * dictionary values and row i's source is value src_keys[i]; otherwise one value per row. */
static PyObject *leaf_hashes(PyObject *self, PyObject *args) {
    Py_ssize_t n, n_src = -1;
    PyObject *o[11];
    o[10] = Py_None;
    int src_wide, raw_wide;
    if (!PyArg_ParseTuple(args, "nOOOOOOpOOOOp|On", &n, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5],
                          &src_wide, &o[6], &o[7], &o[8], &o[9], &raw_wide, &o[10], &n_src))
        return NULL;
    int keyed = o[10] != Py_None;
    int nb = keyed ? 11 : 10;
    if (!keyed) n_src = n;
    if (n < 0 || n_src < 0) {
        PyErr_SetString(PyExc_ValueError, "row and dictionary counts must be >= 0");
        return NULL;
    }
    static const char *names[11] = {"version", "flags", "index", "ingest_ns", "src_offsets",
                                    "src_data", "file_id", "offset", "raw_offsets", "raw_data",
                                    "src_keys"};
    Buf b[11] = {{0}};
    for (int i = 0; i < nb; i++)
        if (get_buf(o[i], &b[i], names[i]) != 0) { release(b, nb); return NULL; }
    const Py_ssize_t need[11] = {n, n, 8 * n, 8 * n, (src_wide ? 8 : 4) * (n_src + 1), 0, 8 * n,
                                 8 * n, (raw_wide ? 8 : 4) * (n + 1), 0, 4 * n};
    for (int i = 0; i < nb; i++)
        if (b[i].b.len < need[i]) {
            PyErr_Format(PyExc_ValueError, "%s buffer holds %zd bytes, need %zd", names[i], b[i].b.len, need[i]);
            release(b, nb);
            return NULL;
        }
    const uint8_t *ver = b[0].b.buf, *flg = b[1].b.buf;
    const uint64_t *idx = b[2].b.buf, *fid = b[6].b.buf, *off = b[7].b.buf;
    const int64_t *ts = b[3].b.buf;
    const void *soffs = b[4].b.buf, *roffs = b[8].b.buf;
    const unsigned char *sdata = b[5].b.buf, *rdata = b[9].b.buf;
    const int32_t *keys = keyed ? (const int32_t *)b[10].b.buf : NULL;
    /* Validate every variable-length span and key before hashing, with the GIL held. */
    for (Py_ssize_t k = 0; k < n_src; k++) {
        int64_t s0 = off_at(soffs, src_wide, k), s1 = off_at(soffs, src_wide, k + 1);
        if (s0 < 0 || s1 < s0 || s1 > b[5].b.len || s1 - s0 > 0xFFFF) {
            PyErr_Format(PyExc_ValueError, "source value %zd: span out of range", k);
            release(b, nb);
            return NULL;
        }
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t r0 = off_at(roffs, raw_wide, i), r1 = off_at(roffs, raw_wide, i + 1);
        if (r0 < 0 || r1 < r0 || r1 > b[9].b.len || r1 - r0 > 0xFFFFFFFFLL ||
            (keys && (keys[i] < 0 || keys[i] >= n_src))) {
            PyErr_Format(PyExc_ValueError, "row %zd: source key or raw span out of range", i);
            release(b, nb);
            return NULL;
        }
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * HASH);
    if (!out) { release(b, nb); return NULL; }
    unsigned char *dst = (unsigned char *)PyBytes_AS_STRING(out);
    /* The envelope head (prefix, fixed fields, source, file id, offset, raw length) is built in a
     * scratch buffer big enough for any source; raw is hashed in place, never copied. */
    unsigned char *scratch = malloc(HEAD_MAX);
    if (!scratch) { Py_DECREF(out); release(b, nb); return PyErr_NoMemory(); }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = keys ? keys[i] : i;
        int64_t s0 = off_at(soffs, src_wide, k), s1 = off_at(soffs, src_wide, k + 1);
        int64_t r0 = off_at(roffs, raw_wide, i), r1 = off_at(roffs, raw_wide, i + 1);
        size_t slen = (size_t)(s1 - s0), rlen = (size_t)(r1 - r0);
        unsigned char *p = scratch;
        *p++ = 0x00; /* RFC 6962 leaf prefix */
        *p++ = ver[i];
        *p++ = flg[i];
        put_u64(p, idx[i]); p += 8;
        put_u64(p, (uint64_t)ts[i]); p += 8;
        put_u16(p, (uint16_t)slen); p += 2;
        memcpy(p, sdata + s0, slen); p += slen;
        put_u64(p, fid[i]); p += 8;
        put_u64(p, off[i]); p += 8;
        put_u32(p, (uint32_t)rlen); p += 4;
        sha_ctx c;
        SHA256_Init(&c);
        SHA256_Update(&c, scratch, (size_t)(p - scratch));
        SHA256_Update(&c, rdata + r0, rlen);
        SHA256_Final(dst + i * HASH, &c);
    }
    Py_END_ALLOW_THREADS
    free(scratch);
    release(b, nb);
    return out;
}

/* Reduce `count` nodes at `nodes` (contiguous 32-byte hashes) to one root, in place. */
static void reduce_level(unsigned char *nodes, Py_ssize_t count, unsigned char *root) {
    unsigned char buf[1 + 2 * HASH];
    buf[0] = 0x01;
    while (count > 1) {
        Py_ssize_t j = 0;
        for (Py_ssize_t i = 0; i + 1 < count; i += 2, j++) {
            memcpy(buf + 1, nodes + i * HASH, 2 * HASH);
            sha256(buf, sizeof buf, nodes + j * HASH);
        }
        if (count & 1) { memmove(nodes + j * HASH, nodes + (count - 1) * HASH, HASH); j++; }
        count = j;
    }
    memcpy(root, nodes, HASH);
}

/* chunk_roots(leaves: bytes-like (n*32), chunk_size) -> bytes(ceil(n/chunk) * 32) */
static PyObject *chunk_roots(PyObject *self, PyObject *args) {
    Py_buffer in;
    Py_ssize_t chunk;
    if (!PyArg_ParseTuple(args, "y*n", &in, &chunk)) return NULL;
    if (in.len % HASH || chunk < 1 || (chunk & (chunk - 1))) {
        PyBuffer_Release(&in);
        PyErr_SetString(PyExc_ValueError, "leaves must be 32-byte hashes and chunk a power of two");
        return NULL;
    }
    Py_ssize_t n = in.len / HASH, m = (n + chunk - 1) / chunk;
    PyObject *out = PyBytes_FromStringAndSize(NULL, m * HASH);
    unsigned char *work = malloc((size_t)(chunk < n ? chunk : (n ? n : 1)) * HASH);
    if (!out || !work) { Py_XDECREF(out); free(work); PyBuffer_Release(&in); return PyErr_NoMemory(); }
    unsigned char *dst = (unsigned char *)PyBytes_AS_STRING(out);
    const unsigned char *src = in.buf;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t c = 0; c < m; c++) {
        Py_ssize_t lo = c * chunk, cnt = (lo + chunk <= n) ? chunk : n - lo;
        memcpy(work, src + lo * HASH, (size_t)cnt * HASH);
        reduce_level(work, cnt, dst + c * HASH);
    }
    Py_END_ALLOW_THREADS
    free(work);
    PyBuffer_Release(&in);
    return out;
}

/* root(nodes: bytes-like (n*32), n >= 1) -> bytes(32): RFC 6962 root over a bottom level. */
static PyObject *root(PyObject *self, PyObject *args) {
    Py_buffer in;
    if (!PyArg_ParseTuple(args, "y*", &in)) return NULL;
    if (in.len % HASH || in.len == 0) {
        PyBuffer_Release(&in);
        PyErr_SetString(PyExc_ValueError, "need at least one 32-byte node");
        return NULL;
    }
    Py_ssize_t n = in.len / HASH;
    unsigned char *work = malloc((size_t)in.len);
    if (!work) { PyBuffer_Release(&in); return PyErr_NoMemory(); }
    memcpy(work, in.buf, (size_t)in.len);
    unsigned char r[HASH];
    Py_BEGIN_ALLOW_THREADS
    reduce_level(work, n, r);
    Py_END_ALLOW_THREADS
    free(work);
    PyBuffer_Release(&in);
    return PyBytes_FromStringAndSize((const char *)r, HASH);
}

static PyMethodDef methods[] = {
    {"leaf_hashes", leaf_hashes, METH_VARARGS, "RFC 6962 leaf hashes of record envelopes built from Arrow buffers."},
    {"chunk_roots", chunk_roots, METH_VARARGS, "Roots of aligned chunks of leaf hashes."},
    {"root", root, METH_VARARGS, "RFC 6962 root over a level of nodes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "logchain._native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&module); }
