// Shared helpers of the hls_runtime tests: deterministic data, stream <->
// vector packing in the channel layout, a failure counter, and the configs
// of load/store/weights that several tests use. Kernel configs are
// namespace-scope class templates (a local class cannot have static data
// members); the emitter writes one plain struct per process instead.
#ifndef INRARCH_TEST_UTIL_H
#define INRARCH_TEST_UTIL_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "inrarch/inrarch.h"

namespace tst {

inline int failures = 0;

/// Deterministic pseudo-random doubles in [lo, hi).
struct rng {
  std::uint64_t s;
  explicit rng(std::uint64_t seed) : s(seed * 2654435761u + 1) {}
  double next(double lo = -1.0, double hi = 1.0) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * static_cast<double>(s >> 11) / 9007199254740992.0;
  }
};

template <class T>
std::vector<T> random_vec(int n, std::uint64_t seed, double lo = -1.0, double hi = 1.0) {
  rng r(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = T(r.next(lo, hi));
  return v;
}

/// Push a [rows, row] tensor as words of L lanes (rows zero-padded).
template <class T, int L, class S>
void push_rows(S& s, const std::vector<T>& v, int rows, int row) {
  for (int b = 0; b < rows; ++b)
    for (int w = 0; w < inrarch::words_per_row(row, L); ++w) {
      inrarch::word<T, L> x;
      for (int l = 0; l < L; ++l) {
        const int e = w * L + l;
        x[l] = e < row ? v[b * row + e] : T(0);
      }
      s.write(x);
    }
}

/// Pop a [rows, row] tensor; counts a failure if padding lanes are not zero
/// or if the stream holds extra words.
template <class T, int L, class S>
std::vector<T> pop_rows(S& s, int rows, int row, const char* what) {
  std::vector<T> v(rows * row);
  for (int b = 0; b < rows; ++b)
    for (int w = 0; w < inrarch::words_per_row(row, L); ++w) {
      if (s.empty()) {
        std::printf("FAIL %s: stream ran dry at row %d word %d\n", what, b, w);
        ++failures;
        return v;
      }
      const inrarch::word<T, L> x = s.read();
      for (int l = 0; l < L; ++l) {
        const int e = w * L + l;
        if (e < row)
          v[b * row + e] = x[l];
        else if (double(x[l]) != 0.0) {
          std::printf("FAIL %s: padding lane %d of row %d is %g\n", what, l, b, double(x[l]));
          ++failures;
        }
      }
    }
  if (!s.empty()) {
    std::printf("FAIL %s: %zu extra words left in the output stream\n", what, s.size());
    ++failures;
  }
  return v;
}

/// Compare got against a double reference; prints one line per case.
template <class T>
void check_close(const char* what, const std::vector<T>& got, const std::vector<double>& ref,
                 double tol) {
  double maxerr = 0;
  for (std::size_t i = 0; i < ref.size(); ++i)
    maxerr = std::fmax(maxerr, std::fabs(double(got[i]) - ref[i]));
  const bool ok = got.size() == ref.size() && maxerr <= tol;
  std::printf("%s %s: n=%zu max_abs_err=%.3g (tol %.3g)\n", ok ? "ok  " : "FAIL", what, ref.size(),
              maxerr, tol);
  if (!ok) ++failures;
}

template <class T>
std::vector<double> to_double(const std::vector<T>& v) {
  std::vector<double> d(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) d[i] = double(v[i]);
  return d;
}

inline int finish(const char* name) {
  std::printf("%s: %s (%d failure(s))\n", name, failures ? "FAILED" : "PASSED", failures);
  return failures ? 1 : 0;
}

using fx32 = ap_fixed<32, 10>;
using fx24 = ap_fixed<24, 8>;

/// Config of inrarch::load / inrarch::store.
template <class T_, int B_, int ROW_, int LANES_>
struct mem_cfg {
  using T = T_;
  static constexpr int B = B_, ROW = ROW_, LANES = LANES_;
};

/// Config of inrarch::weights.
template <class T_, int SIZE_, int LANES_>
struct weights_cfg {
  using T = T_;
  static constexpr int SIZE = SIZE_, LANES = LANES_;
};

}  // namespace tst

#endif  // INRARCH_TEST_UTIL_H
