// inrarch/jet.h -- the jet kernel of Taylor mode: a map over the coefficient
// rows of a sample.
//
// Every input is a channel [B, R, N] (R rows of N elements per sample: the R
// Taylor coefficients of a jet, primal first), the output [B, RO, N]. For
// each element n the functor F takes the R values of every input at n
// (input-major: input 0's rows, then input 1's, ...) and gives the RO output
// values at n: `void operator()(const T (&in)[K * R], T (&out)[RO]) const`.
//
// CFG: F; B, R, RO, N, LANES, LATENCY (the functor's pipeline depth). T and
// the inputs are deduced. Program order per sample (the timing model's
// contract, `inrarch_mlir.kernels.jet.JetKind.timing`):
//   for each input k in operand order: one loop of R * ceil(N/LANES)
//     iterations reading one word each (row-major); during the last input's
//     last row the functor runs on the elements of the word just read;
//   then one loop of RO * ceil(N/LANES) iterations writing one word each,
//     LATENCY cycles after its iteration (the functor's results drain first).
// The sample buffers (K*R + RO rows) are partitioned by LANES. No dynamic
// allocation, static sizes: synthesizable.
#ifndef INRARCH_JET_H
#define INRARCH_JET_H

#include <cstddef>
#include <utility>

#include "inrarch/stream.h"
#include "inrarch/timing.h"
#include "inrarch/types.h"

namespace inrarch {

namespace detail {
template <class CFG, int K, int I, class T, class S>
void jet_read(S& in, T (&ibuf)[K * CFG::R][words_per_row(CFG::N, CFG::LANES) * CFG::LANES],
              T (&obuf)[CFG::RO][words_per_row(CFG::N, CFG::LANES) * CFG::LANES]) {
  constexpr int R = CFG::R, RO = CFG::RO, N = CFG::N, LANES = CFG::LANES;
  constexpr int W = words_per_row(N, LANES);
  const typename CFG::F f{};
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(jet_read)
  for (int it = 0; it < R * W; ++it) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_ITER();
    const int row = it / W, wd = it % W;
    const word<T, LANES> v = in.read();
    for (int l = 0; l < LANES; ++l) {
      INRARCH_PRAGMA(HLS UNROLL)
      ibuf[I * R + row][wd * LANES + l] = v[l];
    }
    if (I == K - 1 && row == R - 1) {  // every coefficient of these elements has arrived
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int n = wd * LANES + l;
        T a[K * R];
        T y[RO];
        for (int j = 0; j < K * R; ++j) {
          INRARCH_PRAGMA(HLS UNROLL)
          a[j] = ibuf[j][n];
        }
        f(a, y);
        for (int j = 0; j < RO; ++j) {
          INRARCH_PRAGMA(HLS UNROLL)
          obuf[j][n] = n < N ? y[j] : T(0);
        }
      }
    }
  }
  INRARCH_LOOP_END();
}

template <class CFG, class T, class O, class... S, std::size_t... Is>
void jet_impl(std::index_sequence<Is...>, O& out, S&... in) {
  constexpr int K = sizeof...(S);
  constexpr int B = CFG::B, R = CFG::R, RO = CFG::RO, N = CFG::N, LANES = CFG::LANES;
  constexpr int W = words_per_row(N, LANES);
  T ibuf[K * R][W * LANES];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=ibuf cyclic factor=LANES dim=2)
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=ibuf complete dim=1)
  T obuf[RO][W * LANES];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=obuf cyclic factor=LANES dim=2)
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=obuf complete dim=1)
INRARCH_LABEL(jet_rows)
  for (int b = 0; b < B; ++b) {
    static_cast<void>((jet_read<CFG, K, static_cast<int>(Is)>(in, ibuf, obuf), ...));
    INRARCH_LOOP_BEGIN(CFG::LATENCY);
  INRARCH_LABEL(jet_write)
    for (int it = 0; it < RO * W; ++it) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      const int row = it / W, wd = it % W;
      word<T, LANES> o;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        o[l] = obuf[row][wd * LANES + l];
      }
      out.write(o);
    }
    INRARCH_LOOP_END();
  }
}
}  // namespace detail

/// The jet kernel (see the file comment): out [B, RO, N] from inputs [B, R, N].
template <class CFG, class T, class... S>
void jet(stream<word<T, CFG::LANES>>& out, S&... in) {
  INRARCH_PRAGMA(HLS INLINE off)
  static_assert(sizeof...(S) >= 1, "jet needs at least one input");
  detail::jet_impl<CFG, T>(std::index_sequence_for<S...>{}, out, in...);
}

}  // namespace inrarch

#endif  // INRARCH_JET_H
