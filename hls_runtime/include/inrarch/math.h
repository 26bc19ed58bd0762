// inrarch/math.h -- sin and cos for float and ap_fixed, hardware-cheap.
//
// float/double: std::sin / std::cos.
// ap_fixed<W,I,...>:
//  1. range reduction in turns: p = x * (1/2pi) with a 40-bit constant
//     (42 fractional bits); the fractional part of the exact product, kept
//     to 32 bits by two's-complement wrap, is the phase in [0, 1) turn
//     (exact for negative x too). cos adds a quarter turn (+1 quadrant).
//  2. quarter-wave symmetry: the top 2 phase bits pick the quadrant, the
//     other 30 bits r in [0,1) the position inside it; odd quadrants use
//     ~r (= 1 - r - 2^-30), even ones r; quadrants 2,3 negate.
//  3. sin(pi/2 * r) by piecewise-quadratic interpolation over SEGS (default
//     64) segments: a + t*(b + t*c), t in [0,1) the low bits of r. The
//     coefficients interpolate sin at the 3 Chebyshev nodes of each segment
//     and are generated at compile time (constexpr Taylor series), stored as
//     32-bit fixed point with 30 fractional bits: one 64x96-bit ROM, two
//     multiplies, plus the range-reduction multiply. No division.
//  4. the result is rounded to nearest (AP_RND, AP_SAT) to the output type.
// Error bound: interpolation <= (pi/(2*SEGS))^3 / 192 = 7.7e-8 for SEGS=64,
// plus coefficient/intermediate truncation (~4e-9), plus half an output LSB.
// Measured (hls_runtime/test/test_math.cpp, vs double std::sin of the
// quantized input): ap_fixed<32,10> max abs error 1.97e-7 over [-64, 64] and
// 1.98e-7 over the whole range [-512, 512); ap_fixed<24,8> 7.7e-6 over
// [-64, 64] (half LSB = 7.6e-6). SEGS=32: 7.4e-7, SEGS=16: 5.0e-6.
#ifndef INRARCH_MATH_H
#define INRARCH_MATH_H

#include <cmath>
#include <cstdint>

#include "inrarch/types.h"

namespace inrarch {

inline float sin(float x) { return std::sin(x); }
inline float cos(float x) { return std::cos(x); }
inline double sin(double x) { return std::sin(x); }
inline double cos(double x) { return std::cos(x); }

namespace detail {

constexpr double kPi = 3.14159265358979323846264338327950288;

/// sin by Taylor series, accurate to double precision for |x| <= pi/2.
constexpr double constexpr_sin(double x) {
  double term = x, sum = x;
  for (int n = 1; n < 20; ++n) {
    term *= -x * x / ((2.0 * n) * (2.0 * n + 1.0));
    sum += term;
  }
  return sum;
}

constexpr std::int32_t to_raw(double v, int frac_bits) {
  double s = v;
  for (int i = 0; i < frac_bits; ++i) s *= 2.0;
  return static_cast<std::int32_t>(s >= 0 ? s + 0.5 : s - 0.5);
}

/// Coefficients of sin(pi/2 * (i + t) / SEGS) ~= a + b t + c t^2, t in [0,1),
/// interpolating at the Chebyshev nodes t = 1/2 - sqrt(3)/4, 1/2, 1/2 + sqrt(3)/4.
/// Raw 32-bit values with COEF_FRAC fractional bits.
template <int SEGS>
struct quarter_sine_table {
  static constexpr int COEF_FRAC = 30;
  std::int32_t a[SEGS] = {};
  std::int32_t b[SEGS] = {};
  std::int32_t c[SEGS] = {};
  constexpr quarter_sine_table() {
    const double h = 0.4330127018922193234;  // sqrt(3)/4
    const double t0 = 0.5 - h, t1 = 0.5, t2 = 0.5 + h;
    for (int i = 0; i < SEGS; ++i) {
      const double f0 = constexpr_sin(kPi / 2 * (i + t0) / SEGS);
      const double f1 = constexpr_sin(kPi / 2 * (i + t1) / SEGS);
      const double f2 = constexpr_sin(kPi / 2 * (i + t2) / SEGS);
      // Newton form: f0 + d1 (t - t0) + d2 (t - t0)(t - t1)
      const double d1 = (f1 - f0) / (t1 - t0);
      const double d2 = ((f2 - f1) / (t2 - t1) - d1) / (t2 - t0);
      const double cc = d2;
      const double bb = d1 - d2 * (t0 + t1);
      const double aa = f0 - d1 * t0 + d2 * t0 * t1;
      a[i] = to_raw(aa, COEF_FRAC);
      b[i] = to_raw(bb, COEF_FRAC);
      c[i] = to_raw(cc, COEF_FRAC);
    }
  }
};

/// sin(2*pi*(phase + quarter/4)) for the fixed-point input x (see file header).
template <int SEGS, int W, int I, ap_q_mode Q, ap_o_mode O, int N>
ap_fixed<W, I, Q, O, N> sin_turns(ap_fixed<W, I, Q, O, N> x, int quarter) {
  INRARCH_PRAGMA(HLS INLINE)
  static_assert(SEGS >= 2 && (SEGS & (SEGS - 1)) == 0 && SEGS <= 1024,
                "SEGS must be a power of two in [2, 1024]");
  constexpr int SB = SEGS == 2 ? 1 : SEGS == 4 ? 2 : SEGS == 8 ? 3 : SEGS == 16 ? 4
                   : SEGS == 32 ? 5 : SEGS == 64 ? 6 : SEGS == 128 ? 7 : SEGS == 256 ? 8
                   : SEGS == 512 ? 9 : 10;
  constexpr int TB = 30 - SB;  // bits of t
  static constexpr quarter_sine_table<SEGS> tab{};

  // 1/(2 pi) with 42 fractional bits: round(2^42 / (2 pi)).
  ap_ufixed<40, -2> inv2pi;
  inv2pi.range(39, 0) = ap_uint<40>(static_cast<unsigned long long>(699970842190ULL));
  const ap_ufixed<32, 0> phase = x * inv2pi;  // wrap: fractional part, in turns
  const ap_uint<32> bits = phase.range(31, 0);
  const ap_uint<2> q = ap_uint<2>(bits.range(31, 30)) + ap_uint<2>(quarter);
  ap_uint<30> r = bits.range(29, 0);
  if (q[0]) r = ~r;
  const ap_uint<SB> seg = r.range(29, TB);
  ap_ufixed<TB, 0> t;
  t.range(TB - 1, 0) = r.range(TB - 1, 0);

  ap_fixed<32, 2> ca, cb, cc;
  ca.range(31, 0) = ap_int<32>(tab.a[seg]);
  cb.range(31, 0) = ap_int<32>(tab.b[seg]);
  cc.range(31, 0) = ap_int<32>(tab.c[seg]);
  const ap_fixed<34, 2> inner = cb + t * cc;
  const ap_fixed<34, 2> mag = ca + t * inner;
  const ap_fixed<W, I, AP_RND, AP_SAT> rounded = mag;
  const ap_fixed<W, I, Q, O, N> res = rounded;
  return q[1] ? ap_fixed<W, I, Q, O, N>(-res) : res;
}

}  // namespace detail

/// Fixed-point sine; SEGS = segments of the quarter-wave quadratic table.
template <int SEGS = 64, int W, int I, ap_q_mode Q, ap_o_mode O, int N>
ap_fixed<W, I, Q, O, N> sin(ap_fixed<W, I, Q, O, N> x) {
  return detail::sin_turns<SEGS>(x, 0);
}

/// Fixed-point cosine: sine a quarter turn later.
template <int SEGS = 64, int W, int I, ap_q_mode Q, ap_o_mode O, int N>
ap_fixed<W, I, Q, O, N> cos(ap_fixed<W, I, Q, O, N> x) {
  return detail::sin_turns<SEGS>(x, 1);
}

}  // namespace inrarch

#endif  // INRARCH_MATH_H
