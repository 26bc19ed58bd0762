// inrarch/jet.h -- the jet kernel of Taylor mode: a map over the coefficient
// rows of a sample.
//
// Every input is a channel [B, R, N] (R rows of N elements per sample: the R
// Taylor coefficients of a jet, primal first), the output [B, RO, N]. For
// each element n the functor F takes the R values of every input at n
// (input-major: input 0's rows, then input 1's, ...) and gives the RO output
// values at n: `void operator()(const T (&in)[K * R], T (&out)[RO]) const`.
//
// CFG: F; B, R, RO, N, LANES, UNROLL (functor instances, a divisor of LANES:
// what the kernel's DSPs scale with), LATENCY (the functor's pipeline depth);
// optional II (default 1: the functor's initiation interval, with UNROLL = 1)
// and, at II > 1, MUL_LIMIT, ADD_LIMIT, SUB_LIMIT (instances of its
// multipliers, adders and subtracters: Vitis ALLOCATION limits on fmul, fadd,
// fsub and, for ap_fixed, mul, so that each serves up to II operations). T and the inputs are deduced; the
// first argument is the runtime sample count n (kernels.h). With
// W = ceil(N/LANES) words per row and S = LANES/UNROLL, the program order
// per sample (the timing model's contract,
// `inrarch_mlir.kernels.jet.jet_kernel`):
//   for each input k in operand order but the last: one loop of R * W
//     iterations reading one word each (row-major);
//   the last input: at II = 1, one loop of (R-1) * W + W * S iterations:
//     its first R-1 rows a word per iteration, then its last row a word
//     every S iterations, the functor running on UNROLL of the word's
//     elements per iteration (every coefficient of an element has arrived
//     by then); at II > 1, a loop of (R-1) * W iterations (the first R-1
//     rows, a word each) then a loop of W * LANES iterations of II cycles
//     each (pipelined at II), a word read every LANES of them and the
//     functor run on one element per iteration;
//   then one loop of RO * W iterations writing one word each, LATENCY
//     cycles after its iteration (the functor's results drain first).
// The sample buffers (K*R + RO rows) are partitioned by LANES. No dynamic
// allocation, static sizes: synthesizable.
#ifndef INRARCH_JET_H
#define INRARCH_JET_H

#include <cstddef>
#include <type_traits>
#include <utility>

#include "inrarch/stream.h"
#include "inrarch/timing.h"
#include "inrarch/types.h"

namespace inrarch {

namespace detail {
/// CFG::II when the configuration has one, else 1.
template <class CFG, class = void>
struct jet_ii : std::integral_constant<int, 1> {};
template <class CFG>
struct jet_ii<CFG, std::void_t<decltype(CFG::II)>> : std::integral_constant<int, CFG::II> {};

/// The functor on element n of the buffered rows (padding lanes give zeros).
template <class CFG, int K, class T>
void jet_apply(const typename CFG::F& f, const T (&ibuf)[K * CFG::R][words_per_row(CFG::N, CFG::LANES) * CFG::LANES],
               T (&obuf)[CFG::RO][words_per_row(CFG::N, CFG::LANES) * CFG::LANES], const int n) {
  T a[K * CFG::R];
  T y[CFG::RO];
  for (int q = 0; q < K * CFG::R; ++q) {
    INRARCH_PRAGMA(HLS UNROLL)
    a[q] = ibuf[q][n];
  }
  f(a, y);
  for (int q = 0; q < CFG::RO; ++q) {
    INRARCH_PRAGMA(HLS UNROLL)
    obuf[q][n] = n < CFG::N ? y[q] : T(0);
  }
}

/// The last input's last row at II > 1: one element per iteration of II
/// cycles, its multipliers, adders and subtracters limited to the CFG's
/// instances (float: fmul, fadd, fsub; fixed point: mul, whose limit the
/// compiler raises by the multiplies of the inlined fixed-point sin and cos).
template <class CFG, int K, class T, class S>
void jet_shared_tail(S& in, T (&ibuf)[K * CFG::R][words_per_row(CFG::N, CFG::LANES) * CFG::LANES],
                     T (&obuf)[CFG::RO][words_per_row(CFG::N, CFG::LANES) * CFG::LANES]) {
  constexpr int R = CFG::R, LANES = CFG::LANES, JII = jet_ii<CFG>::value;
  constexpr int MUL_LIMIT = CFG::MUL_LIMIT, ADD_LIMIT = CFG::ADD_LIMIT, SUB_LIMIT = CFG::SUB_LIMIT;
  static_assert(CFG::UNROLL == 1, "a jet functor at II > 1 runs one instance (UNROLL = 1)");
  static_assert(MUL_LIMIT >= 1 && ADD_LIMIT >= 1 && SUB_LIMIT >= 1, "jet ALLOCATION limits must be >= 1");
  constexpr int W = words_per_row(CFG::N, LANES);
  const typename CFG::F f{};
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(jet_shared)
  for (int it = 0; it < W * LANES; ++it) {
    INRARCH_PRAGMA(HLS PIPELINE II=JII)
    INRARCH_PRAGMA(HLS ALLOCATION operation instances=fmul limit=MUL_LIMIT)
    INRARCH_PRAGMA(HLS ALLOCATION operation instances=fadd limit=ADD_LIMIT)
    INRARCH_PRAGMA(HLS ALLOCATION operation instances=fsub limit=SUB_LIMIT)
    INRARCH_PRAGMA(HLS ALLOCATION operation instances=mul limit=MUL_LIMIT)
    INRARCH_ITER_II(JII);
    const int wd = it / LANES, part = it % LANES;
    if (part == 0) {
      const word<T, LANES> v = in.read();
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        ibuf[(K - 1) * R + R - 1][wd * LANES + l] = v[l];
      }
    }
    jet_apply<CFG, K>(f, ibuf, obuf, it);
  }
  INRARCH_LOOP_END();
}

template <class CFG, int K, int I, class T, class S>
void jet_read(S& in, T (&ibuf)[K * CFG::R][words_per_row(CFG::N, CFG::LANES) * CFG::LANES],
              T (&obuf)[CFG::RO][words_per_row(CFG::N, CFG::LANES) * CFG::LANES]) {
  constexpr int R = CFG::R, N = CFG::N, LANES = CFG::LANES, U = CFG::UNROLL;
  static_assert(U >= 1 && LANES % U == 0, "jet UNROLL must divide LANES");
  constexpr int W = words_per_row(N, LANES);
  constexpr int SPLIT = LANES / U;  // iterations per word of the last row
  constexpr bool LAST = I == K - 1;
  constexpr bool SHARED = LAST && jet_ii<CFG>::value > 1;  // the last row in its own loop at II
  constexpr int HEAD = LAST ? (R - 1) * W : R * W;  // words read one per iteration
  constexpr int ITERS = HEAD + (LAST && !SHARED ? W * SPLIT : 0);
  const typename CFG::F f{};
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(jet_read)
  for (int it = 0; it < ITERS; ++it) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_ITER();
    const bool tail = it >= HEAD;  // the last input's last row
    const int j = it - HEAD;
    const int row = tail ? R - 1 : it / W;
    const int wd = tail ? j / SPLIT : it % W;
    const int part = tail ? j % SPLIT : 0;
    if (part == 0) {
      const word<T, LANES> v = in.read();
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        ibuf[I * R + row][wd * LANES + l] = v[l];
      }
    }
    if (tail) {  // every coefficient of these elements has arrived
      for (int u = 0; u < U; ++u) {
        INRARCH_PRAGMA(HLS UNROLL)
        jet_apply<CFG, K>(f, ibuf, obuf, wd * LANES + part * U + u);
      }
    }
  }
  INRARCH_LOOP_END();
  if constexpr (SHARED) jet_shared_tail<CFG, K>(in, ibuf, obuf);
}

template <class CFG, class T, class O, class... S, std::size_t... Is>
void jet_impl(std::index_sequence<Is...>, const int n, O& out, S&... in) {
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
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
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
void jet(const int n, stream<word<T, CFG::LANES>>& out, S&... in) {
  INRARCH_PRAGMA(HLS INLINE off)
  static_assert(sizeof...(S) >= 1, "jet needs at least one input");
  detail::jet_impl<CFG, T>(std::index_sequence_for<S...>{}, n, out, in...);
}

}  // namespace inrarch

#endif  // INRARCH_JET_H
