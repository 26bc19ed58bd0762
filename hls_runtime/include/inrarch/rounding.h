// inrarch/rounding.h -- floor, ceil, trunc and round-half-even for float and ap_fixed.
//
// The piecewise-constant ops of map bodies (a periodic activation written
// with floor or remainder: remainder(x, p) = x - p * floor(x / p)). For
// ap_fixed<W, I> the results are exact: floor clears the W - I fractional
// bits of the two's-complement value (which rounds toward minus infinity);
// the others are built from it. Float goes through <cmath>. Combinational:
// no loops, no state; synthesizable.
#ifndef INRARCH_ROUNDING_H
#define INRARCH_ROUNDING_H

#include <cmath>

#include "inrarch/types.h"

namespace inrarch {

inline float floor(float x) { return std::floor(x); }
inline float ceil(float x) { return std::ceil(x); }
inline float trunc(float x) { return std::trunc(x); }
/// Round half to even (IEEE roundTiesToEven, what torch.round does; the
/// default floating-point rounding mode).
inline float roundeven(float x) { return std::nearbyint(x); }
inline double floor(double x) { return std::floor(x); }
inline double ceil(double x) { return std::ceil(x); }
inline double trunc(double x) { return std::trunc(x); }
inline double roundeven(double x) { return std::nearbyint(x); }

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
ap_fixed<W, I, Q, O, N> floor(ap_fixed<W, I, Q, O, N> x) {
  INRARCH_PRAGMA(HLS INLINE)
  ap_fixed<W, I, Q, O, N> r = x;
  if constexpr (W > I) r.range(W - I - 1, 0) = 0;  // two's complement: drop the fraction
  return r;
}

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
ap_fixed<W, I, Q, O, N> ceil(ap_fixed<W, I, Q, O, N> x) {
  INRARCH_PRAGMA(HLS INLINE)
  const ap_fixed<W, I, Q, O, N> f = floor(x);
  return f == x ? f : ap_fixed<W, I, Q, O, N>(f + 1);
}

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
ap_fixed<W, I, Q, O, N> trunc(ap_fixed<W, I, Q, O, N> x) {
  INRARCH_PRAGMA(HLS INLINE)
  return x < 0 ? ceil(x) : floor(x);
}

template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
ap_fixed<W, I, Q, O, N> roundeven(ap_fixed<W, I, Q, O, N> x) {
  INRARCH_PRAGMA(HLS INLINE)
  typedef ap_fixed<W, I, Q, O, N> T;
  if constexpr (W <= I) return x;  // no fraction: already an integer
  const T f = floor(x);
  const T frac = x - f;  // in [0, 1), exact
  if (frac < T(0.5)) return f;
  if (frac > T(0.5)) return T(f + 1);
  const bool odd = f.range(W - I, W - I) == 1;  // the units bit (W > I)
  return odd ? T(f + 1) : f;
}

}  // namespace inrarch

#endif  // INRARCH_ROUNDING_H
