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
#define HEAD_FIXED (1 + 1 + 1 + 8 + 8 + 2 + 8 + 8 + 4) /* the head without the source bytes */
#define HEAD_MAX (HEAD_FIXED + 0xFFFF)
#define LANE_CAP (1 << 17) /* records up to ~128 KiB take the SHA-NI path */

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


/* ------------------------------------------------------------------------------------------------
 * SHA-256 with the x86 SHA extensions, two messages at a time.
 *
 * One SHA-NI stream is bound by the latency of sha256rnds2; interleaving two independent messages
 * fills the pipeline (isa-l_crypto's sha256_ni_x2 does the same). Used when the CPU has SHA-NI and
 * SSE4.1 (checked with cpuid at import) unless LOGCHAIN_NATIVE_SHANI=0; otherwise OpenSSL's
 * SHA256_* is used. Both give the same bytes: tests compare them and the pure-Python path.
 * --------------------------------------------------------------------------------------------- */
static int use_shani = 0;

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI 1
#define SHANI __attribute__((target("sha,sse4.1,ssse3")))

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
static const uint32_t H256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* Compress `blocks` 64-byte blocks of `lanes` (1 or 2) messages; states in SHA-NI ABEF/CDGH form. */
SHANI __attribute__((always_inline)) static inline void shani_blocks(int lanes, __m128i st0[2], __m128i st1[2],
                                      const unsigned char *data[2], size_t blocks) {
    const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    for (size_t blk = 0; blk < blocks; blk++) {
        __m128i m[2][4], save0[2], save1[2];
        for (int l = 0; l < lanes; l++) {
            save0[l] = st0[l];
            save1[l] = st1[l];
            for (int q = 0; q < 4; q++)
                m[l][q] = _mm_shuffle_epi8(
                    _mm_loadu_si128((const __m128i *)(data[l] + blk * 64 + 16 * q)), mask);
        }
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) {
            const __m128i k = _mm_loadu_si128((const __m128i *)&K256[4 * i]);
#pragma GCC unroll 2
            for (int l = 0; l < lanes; l++) {
                __m128i t = _mm_add_epi32(m[l][i & 3], k);
                st1[l] = _mm_sha256rnds2_epu32(st1[l], st0[l], t);
                t = _mm_shuffle_epi32(t, 0x0E);
                st0[l] = _mm_sha256rnds2_epu32(st0[l], st1[l], t);
            }
            if (i < 12)
#pragma GCC unroll 2
                for (int l = 0; l < lanes; l++) {
                    __m128i t = _mm_sha256msg1_epu32(m[l][i & 3], m[l][(i + 1) & 3]);
                    t = _mm_add_epi32(t, _mm_alignr_epi8(m[l][(i + 3) & 3], m[l][(i + 2) & 3], 4));
                    m[l][i & 3] = _mm_sha256msg2_epu32(t, m[l][(i + 3) & 3]);
                }
        }
        for (int l = 0; l < lanes; l++) {
            st0[l] = _mm_add_epi32(st0[l], save0[l]);
            st1[l] = _mm_add_epi32(st1[l], save1[l]);
        }
    }
}

SHANI static inline void shani_init(__m128i *st0, __m128i *st1) {
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&H256[0]), 0xB1); /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&H256[4]), 0x1B);  /* EFGH */
    *st0 = _mm_alignr_epi8(tmp, s1, 8);    /* ABEF */
    *st1 = _mm_blend_epi16(s1, tmp, 0xF0); /* CDGH */
}

SHANI static inline void shani_digest(__m128i st0, __m128i st1, unsigned char *out) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_shuffle_epi32(st0, 0x1B); /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);         /* DCHG */
    __m128i abcd = _mm_blend_epi16(tmp, st1, 0xF0);
    __m128i efgh = _mm_alignr_epi8(st1, tmp, 8);
    _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(abcd, bswap));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(efgh, bswap));
}

/* SHA-256 of two padded messages (a: na blocks, b: nb blocks) into outa, outb. */
SHANI static void shani_x2(const unsigned char *a, size_t na, unsigned char *outa,
                           const unsigned char *b, size_t nb, unsigned char *outb) {
    __m128i st0[2], st1[2];
    shani_init(&st0[0], &st1[0]);
    shani_init(&st0[1], &st1[1]);
    const unsigned char *data[2] = {a, b};
    size_t both = na < nb ? na : nb;
    shani_blocks(2, st0, st1, data, both);
    if (na > both) {
        const unsigned char *rest[2] = {a + both * 64, NULL};
        shani_blocks(1, st0, st1, rest, na - both);
    } else if (nb > both) {
        __m128i s0[2] = {st0[1], st0[1]}, s1[2] = {st1[1], st1[1]};
        const unsigned char *rest[2] = {b + both * 64, NULL};
        shani_blocks(1, s0, s1, rest, nb - both);
        st0[1] = s0[0];
        st1[1] = s1[0];
    }
    shani_digest(st0[0], st1[0], outa);
    shani_digest(st0[1], st1[1], outb);
}

SHANI static void shani_x1(const unsigned char *a, size_t na, unsigned char *outa) {
    __m128i st0[2], st1[2];
    const unsigned char *data[2] = {a, NULL};
    shani_init(&st0[0], &st1[0]);
    shani_blocks(1, st0, st1, data, na);
    shani_digest(st0[0], st1[0], outa);
}

static int detect_shani(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int sse = (c & bit_SSSE3) && (c & bit_SSE4_1);
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return sse && (b & (1u << 29)); /* CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29] */
}
#else
static int detect_shani(void) { return 0; }
#endif

/* Append SHA-256 padding to the `len`-byte message at `buf` (room for 72 more bytes needed);
 * returns the number of 64-byte blocks. */
static size_t pad_message(unsigned char *buf, size_t len) {
    size_t blocks = (len + 9 + 63) / 64, total = blocks * 64;
    buf[len] = 0x80;
    memset(buf + len + 1, 0, total - len - 1 - 8);
    put_u64(buf + total - 8, (uint64_t)len * 8);
    return blocks;
}


/* Write a leaf's envelope head (0x00 prefix through raw_len) at p. */
static inline void write_head(unsigned char *p, uint8_t ver, uint8_t flg, uint64_t idx, int64_t ts,
                              const unsigned char *src, size_t slen, uint64_t fid, uint64_t off,
                              size_t rlen) {
    *p++ = 0x00; /* RFC 6962 leaf prefix */
    *p++ = ver;
    *p++ = flg;
    put_u64(p, idx); p += 8;
    put_u64(p, (uint64_t)ts); p += 8;
    put_u16(p, (uint16_t)slen); p += 2;
    memcpy(p, src, slen); p += slen;
    put_u64(p, fid); p += 8;
    put_u64(p, off); p += 8;
    put_u32(p, (uint32_t)rlen);
}

/* SHA-256 of one or two padded messages (b may be NULL). Only called when use_shani is set. */
static void sha256_pair(const unsigned char *a, size_t na, unsigned char *outa,
                        const unsigned char *b, size_t nb, unsigned char *outb) {
#ifdef HAVE_SHANI
    if (b) shani_x2(a, na, outa, b, nb, outb);
    else shani_x1(a, na, outa);
#else
    (void)a; (void)na; (void)outa; (void)b; (void)nb; (void)outb; /* use_shani is always 0 */
#endif
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
     * scratch buffer big enough for any source. On the OpenSSL path raw is hashed in place; on the
     * SHA-NI path two records at a time are laid out whole and padded in two lane buffers (records
     * too big for a lane take the OpenSSL path). */
    unsigned char *scratch = malloc(HEAD_MAX);
    unsigned char *lane[2] = {malloc(LANE_CAP), malloc(LANE_CAP)};
    if (!scratch || !lane[0] || !lane[1]) {
        free(scratch); free(lane[0]); free(lane[1]);
        Py_DECREF(out); release(b, nb);
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    Py_ssize_t waiting = -1; /* a record laid out in lane 0, waiting for a partner */
    size_t waiting_blocks = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t k = keys ? keys[i] : i;
        int64_t s0 = off_at(soffs, src_wide, k), s1 = off_at(soffs, src_wide, k + 1);
        int64_t r0 = off_at(roffs, raw_wide, i), r1 = off_at(roffs, raw_wide, i + 1);
        size_t slen = (size_t)(s1 - s0), rlen = (size_t)(r1 - r0);
        size_t head = HEAD_FIXED + slen;
        if (use_shani && head + rlen + 72 <= LANE_CAP) {
            unsigned char *buf = lane[waiting < 0 ? 0 : 1];
            write_head(buf, ver[i], flg[i], idx[i], ts[i], sdata + s0, slen, fid[i], off[i], rlen);
            memcpy(buf + head, rdata + r0, rlen);
            size_t blocks = pad_message(buf, head + rlen);
            if (waiting < 0) {
                waiting = i;
                waiting_blocks = blocks;
            } else {
                sha256_pair(lane[0], waiting_blocks, dst + waiting * HASH, lane[1], blocks,
                            dst + i * HASH);
                waiting = -1;
            }
            continue;
        }
        write_head(scratch, ver[i], flg[i], idx[i], ts[i], sdata + s0, slen, fid[i], off[i], rlen);
        sha_ctx c;
        SHA256_Init(&c);
        SHA256_Update(&c, scratch, head);
        SHA256_Update(&c, rdata + r0, rlen);
        SHA256_Final(dst + i * HASH, &c);
    }
    if (waiting >= 0) sha256_pair(lane[0], waiting_blocks, dst + waiting * HASH, NULL, 0, NULL);
    Py_END_ALLOW_THREADS
    free(lane[0]);
    free(lane[1]);
    free(scratch);
    release(b, nb);
    return out;
}

/* Reduce `count` nodes at `nodes` (contiguous 32-byte hashes) to one root, in place. On the
 * SHA-NI path two node hashes (0x01 || left || right, two padded blocks each) are made at once. */
static void reduce_level(unsigned char *nodes, Py_ssize_t count, unsigned char *root) {
    unsigned char pair[2][128];
    for (int l = 0; l < 2; l++) {
        pair[l][0] = 0x01;
        pad_message(pair[l], 1 + 2 * HASH);
    }
    while (count > 1) {
        Py_ssize_t j = 0, i = 0;
        for (; i + 3 < count && use_shani; i += 4, j += 2) {
            memcpy(pair[0] + 1, nodes + i * HASH, 2 * HASH);
            memcpy(pair[1] + 1, nodes + (i + 2) * HASH, 2 * HASH);
            sha256_pair(pair[0], 2, nodes + j * HASH, pair[1], 2, nodes + (j + 1) * HASH);
        }
        for (; i + 1 < count; i += 2, j++) {
            memcpy(pair[0] + 1, nodes + i * HASH, 2 * HASH);
            sha256(pair[0], 1 + 2 * HASH, nodes + j * HASH);
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

/* sha_backend() -> "sha-ni" or "openssl": which SHA-256 implementation this process uses. */
static PyObject *sha_backend(PyObject *self, PyObject *args) {
    return PyUnicode_FromString(use_shani ? "sha-ni" : "openssl");
}

static PyMethodDef methods[] = {
    {"sha_backend", sha_backend, METH_NOARGS, "The SHA-256 implementation in use (sha-ni or openssl)."},
    {"leaf_hashes", leaf_hashes, METH_VARARGS, "RFC 6962 leaf hashes of record envelopes built from Arrow buffers."},
    {"chunk_roots", chunk_roots, METH_VARARGS, "Roots of aligned chunks of leaf hashes."},
    {"root", root, METH_VARARGS, "RFC 6962 root over a level of nodes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "logchain._native", NULL, -1, methods};

PyMODINIT_FUNC PyInit__native(void) {
    const char *env = getenv("LOGCHAIN_NATIVE_SHANI");
    use_shani = detect_shani() && !(env && strcmp(env, "0") == 0);
    return PyModule_Create(&module);
}
