#include "vec.h"
#pragma GCC optimize("fp-contract=off", "no-trapping-math", "no-math-errno")
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

// One inner run for each (a, b) stride pattern, so the compiler vectorises the contiguous ones.
#define RUNS(EXPR)                                                                              \
  for (size_t r = 0; r < rows; r++) {                                                           \
    float *restrict dd = d + r * inner;                                                         \
    const float *restrict aa = a + r * ars;                                                     \
    const float *restrict bb = b + r * brs;                                                     \
    if (ais == 1 && bis == 1) {                                                                 \
      for (size_t i = 0; i < inner; i++) { float x = aa[i], y = bb[i]; dd[i] = (EXPR); }        \
    } else if (ais == 1 && bis == 0) {                                                          \
      float y = bb[0];                                                                          \
      for (size_t i = 0; i < inner; i++) { float x = aa[i]; dd[i] = (EXPR); }                   \
    } else if (ais == 0 && bis == 1) {                                                          \
      float x = aa[0];                                                                          \
      for (size_t i = 0; i < inner; i++) { float y = bb[i]; dd[i] = (EXPR); }                   \
    } else {                                                                                    \
      for (size_t i = 0; i < inner; i++) { float x = aa[i * ais], y = bb[i * bis]; dd[i] = (EXPR); } \
    }                                                                                           \
  }

// Go's max/min: NaN if either operand is NaN.
#define GOMAX (x != x || y != y ? x + y : (x > y ? x : y))
#define GOMIN (x != x || y != y ? x + y : (x < y ? x : y))

CLONES void vec_binary(int op, float *d, const float *a, const float *b, size_t rows, size_t inner,
                       ptrdiff_t ars, ptrdiff_t ais, ptrdiff_t brs, ptrdiff_t bis) {
  switch (op) {
  case VEC_ADD: RUNS(x + y); break;
  case VEC_SUB: RUNS(x - y); break;
  case VEC_MUL: RUNS(x * y); break;
  case VEC_DIV: RUNS(x / y); break;
  case VEC_MAX: RUNS(GOMAX); break;
  case VEC_MIN: RUNS(GOMIN); break;
  }
}

CLONES void vec_reduce_rows(int is_max, float *restrict d, const float *restrict a, size_t red, size_t stride,
                            size_t n, float init) {
  for (size_t i = 0; i < n; i++) d[i] = init;
  for (size_t r = 0; r < red; r++) {
    const float *restrict row = a + r * stride;
    if (is_max) {
      for (size_t i = 0; i < n; i++) { float x = d[i], y = row[i]; d[i] = GOMAX; }
    } else {
      for (size_t i = 0; i < n; i++) d[i] += row[i];
    }
  }
}

CLONES float vec_reduce_run(int is_max, const float *restrict a, size_t n, float init) {
  float acc[8] = {init, init, init, init, init, init, init, init};
  if (!is_max) {
    for (int j = 1; j < 8; j++) acc[j] = 0;
  }
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; j++) {
      float x = acc[j], y = a[i + j];
      acc[j] = is_max ? GOMAX : x + y;
    }
  }
  for (; i < n; i++) {
    float x = acc[0], y = a[i];
    acc[0] = is_max ? GOMAX : x + y;
  }
  float total = acc[0];
  for (int j = 1; j < 8; j++) {
    float x = total, y = acc[j];
    total = is_max ? GOMAX : x + y;
  }
  return total;
}

CLONES void vec_where(float *restrict d, const unsigned char *restrict c, ptrdiff_t cs, const float *restrict t,
                      ptrdiff_t ts, const float *restrict f, ptrdiff_t fs, size_t n) {
  if (cs == 1 && ts == 1 && fs == 1) {
    for (size_t i = 0; i < n; i++) d[i] = c[i] ? t[i] : f[i];
  } else if (cs == 1 && ts == 1 && fs == 0) {
    float y = f[0];
    for (size_t i = 0; i < n; i++) d[i] = c[i] ? t[i] : y;
  } else if (cs == 1 && ts == 0 && fs == 1) {
    float x = t[0];
    for (size_t i = 0; i < n; i++) d[i] = c[i] ? x : f[i];
  } else {
    for (size_t i = 0; i < n; i++) d[i] = c[i * cs] ? t[i * ts] : f[i * fs];
  }
}

// e^x: Cephes expf (x = n·ln2 + r, a degree-6 polynomial in r, times 2^n applied as 2^(n/2)·2^(n−n/2) so that
// denormal results come out right). Overflow gives +Inf, below the smallest denormal 0, NaN stays NaN.
CLONES void vec_exp(float *restrict d, const float *restrict a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float x = a[i];
    float xc = x > 88.72283935546875f ? 88.72283935546875f : (x < -103.9f ? -103.9f : x);
    float fn = __builtin_floorf(xc * 1.44269504088896341f + 0.5f);
    float r = xc - fn * 0.693359375f - fn * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t n1 = (int32_t)fn >> 1, n2 = (int32_t)fn - n1;
    int32_t b1 = (n1 + 127) << 23, b2 = (n2 + 127) << 23;
    float s1, s2;
    memcpy(&s1, &b1, sizeof s1);
    memcpy(&s2, &b2, sizeof s2);
    y = y * s1 * s2;
    y = x > 88.72283935546875f ? __builtin_inff() : y;
    y = x < -103.9f ? 0.0f : y;
    d[i] = x != x ? x : y;
  }
}

// log x: Cephes logf (x = m·2^e with m in [√½, √2), a degree-9 polynomial in m − 1). Denormals are scaled
// first; log 0 = −Inf, log of a negative number or NaN = NaN, log +Inf = +Inf.
CLONES void vec_log(float *restrict d, const float *restrict a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float x0 = a[i];
    int tiny = x0 < 1.17549435e-38f;
    float x = tiny ? x0 * 8388608.0f : x0; // 2^23
    int32_t bits;
    memcpy(&bits, &x, sizeof bits);
    float e = (float)(((bits >> 23) & 0xff) - 126) - (tiny ? 23.0f : 0.0f);
    int32_t mbits = (bits & 0x807fffff) | 0x3f000000; // mantissa in [0.5, 1)
    float m;
    memcpy(&m, &mbits, sizeof m);
    int low = m < 0.707106781186547524f;
    e = low ? e - 1.0f : e;
    x = low ? m + m - 1.0f : m - 1.0f;
    float z = x * x;
    float y = 7.0376836292e-2f;
    y = y * x - 1.1514610310e-1f;
    y = y * x + 1.1676998740e-1f;
    y = y * x - 1.2420140846e-1f;
    y = y * x + 1.4249322787e-1f;
    y = y * x - 1.6668057665e-1f;
    y = y * x + 2.0000714765e-1f;
    y = y * x - 2.4999993993e-1f;
    y = y * x + 3.3333331174e-1f;
    y = y * x * z;
    y = y + -2.12194440e-4f * e;
    y = y + -0.5f * z;
    float r = x + y + 0.693359375f * e;
    r = x0 == 0.0f ? -__builtin_inff() : r;
    r = x0 == __builtin_inff() ? x0 : r;
    r = x0 < 0.0f ? __builtin_nanf("") : r;
    d[i] = x0 != x0 ? x0 : r;
  }
}

// erf: x·P(x²)/Q(x²) on x clamped to [-4, 4] (the rational approximation XLA and Eigen use for float32).
CLONES void vec_erf(float *restrict d, const float *restrict a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float x = a[i];
    x = x < -4.0f ? -4.0f : (x > 4.0f ? 4.0f : x);
    float x2 = x * x;
    float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
    p = x2 * p + -2.10102402082508e-06f;
    p = x2 * p + -5.69250639462346e-05f;
    p = x2 * p + -7.34990630326855e-04f;
    p = x2 * p + -2.95459980854025e-03f;
    p = x2 * p + -1.60960333262415e-02f;
    float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
    q = x2 * q + -1.68282697438203e-03f;
    q = x2 * q + -7.37332916720468e-03f;
    q = x2 * q + -1.42647390514189e-02f;
    d[i] = x * p / q;
  }
}
