/* Content-Encoding removal: gzip (multi-member), deflate (zlib and raw), split input, corrupt
 * input, and pass-through of what is not compressed. */
#include <criterion/criterion.h>

#include "leakcheck.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "http/decode.h"
#include "util/sb.h"

/* windowBits: 31 gzip, 15 zlib, -15 raw deflate. */
static sb compress_with(const char *data, size_t len, int bits)
{
    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    sb out = {0};
    sb_grow(&out, deflateBound(&z, len));
    z.next_in   = (Bytef *)data;
    z.avail_in  = (uInt)len;
    z.next_out  = (Bytef *)out.buf;
    z.avail_out = (uInt)(out.cap - 1);
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.len = z.total_out;
    deflateEnd(&z);
    return out;
}

static int into_sb(void *ctx, const char *data, size_t len, mp_err *err)
{
    sb_add(ctx, data, len);
    return 0;
}

/* Decodes data fed in two pieces cut at `cut` (0: whole). Returns the rc; output in *out. */
static int decode(const char *enc, const char *data, size_t len, size_t cut, sb *out, mp_err *err)
{
    http_decoder d = {0};
    http_decoder_start(&d, enc);
    sb_reset(out);
    int rc = 0;
    if (cut) rc = http_decoder_feed(&d, data, cut, into_sb, out, err);
    if (rc == 0) rc = http_decoder_feed(&d, data + cut, len - cut, into_sb, out, err);
    http_decoder_end(&d);
    sb_adds(out, "");
    return rc;
}

static void roundtrip(const char *enc, int bits, const char *text)
{
    sb z   = compress_with(text, strlen(text), bits);
    sb out = {0};
    mp_err err;
    for (size_t cut = 0; cut < z.len; cut++) {
        cr_assert_eq(decode(enc, z.buf, z.len, cut, &out, &err), 0, "%s cut %zu: %s", enc, cut,
                     err.msg);
        cr_assert_str_eq(out.buf, text, "%s cut at %zu", enc, cut);
    }
    sb_free(&out);
    sb_free(&z);
}

MP_TEST(http_decode, gzip_deflate_and_raw_deflate_split_anywhere)
{
    const char *text = "The quick brown fox jumps over the lazy dog. The quick brown fox again.";
    cr_assert_eq(http_decoder_start(&(http_decoder){0}, "gzip"), HTTP_ENC_GZIP);
    roundtrip("gzip", 31, text);
    roundtrip("x-gzip", 31, text);
    roundtrip("GZIP", 31, text);
    roundtrip("deflate", 15, text);
    roundtrip("deflate", -15, text);
}

MP_TEST(http_decode, multi_member_gzip_and_trailing_garbage)
{
    sb a    = compress_with("first,", 6, 31);
    sb b    = compress_with("second", 6, 31);
    sb both = {0};
    sb_add(&both, a.buf, a.len);
    sb_add(&both, b.buf, b.len);
    sb out = {0};
    mp_err err;
    for (size_t cut = 0; cut < both.len; cut++) {
        cr_assert_eq(decode("gzip", both.buf, both.len, cut, &out, &err), 0);
        cr_assert_str_eq(out.buf, "first,second", "cut at %zu", cut);
    }
    sb_add(&both, "\0\0\0garbage", 10);
    cr_assert_eq(decode("gzip", both.buf, both.len, 0, &out, &err), 0);
    cr_assert_str_eq(out.buf, "first,second");
    sb_free(&a);
    sb_free(&b);
    sb_free(&both);
    sb_free(&out);
}

MP_TEST(http_decode, output_larger_than_the_inflate_buffer)
{
    size_t n  = 1 << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + (i * 7) % 26);
    big[n] = '\0';
    sb z   = compress_with(big, n, 31);
    sb out = {0};
    mp_err err;
    cr_assert_eq(decode("gzip", z.buf, z.len, z.len / 2, &out, &err), 0);
    cr_assert_eq(out.len, n);
    cr_assert_eq(memcmp(out.buf, big, n), 0);
    free(big);
    sb_free(&z);
    sb_free(&out);
}

MP_TEST(http_decode, corrupt_input_messages)
{
    sb out = {0};
    mp_err err;
    cr_assert_eq(decode("gzip", "not gzip", 8, 0, &out, &err), -1);
    cr_assert_str_eq(err.msg, "cannot decode gzip body: incorrect header check");
    cr_assert_eq(decode("deflate", "\xff\xff\xff", 3, 0, &out, &err), -1);
    cr_assert_str_eq(err.msg, "cannot decode deflate body: invalid block type");
    sb z = compress_with("some text to damage in the middle", 33, 31);
    z.buf[z.len - 3] ^= 0x55; /* the length in the gzip trailer */
    cr_assert_eq(decode("gzip", z.buf, z.len, 0, &out, &err), -1);
    cr_assert_str_eq(err.msg, "cannot decode gzip body: incorrect length check");
    sb_free(&z);
    sb_free(&out);
}

MP_TEST(http_decode, identity_and_unknown_encodings_pass_through)
{
    sb out = {0};
    mp_err err;
    const char *encs[] = {NULL, "identity", "br", "gzip, br"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(decode(encs[i], "plain\0bytes", 11, 3, &out, &err), 0);
        cr_assert_eq(out.len, 11);
        cr_assert_eq(memcmp(out.buf, "plain\0bytes", 11), 0);
    }
    sb_free(&out);
}

static int refuse(void *ctx, const char *data, size_t len, mp_err *err)
{
    return mp_fail(err, "sink is full");
}

MP_TEST(http_decode, sink_errors_stop_decoding)
{
    sb z           = compress_with("abc", 3, 31);
    http_decoder d = {0};
    http_decoder_start(&d, "gzip");
    mp_err err;
    cr_assert_eq(http_decoder_feed(&d, z.buf, z.len, refuse, NULL, &err), -1);
    cr_assert_str_eq(err.msg, "sink is full");
    http_decoder_end(&d);
    sb_free(&z);
}
