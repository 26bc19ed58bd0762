// inrarch/boundary.h -- boundary kernels and fixed-point scaling helpers.
//
// What sits between the top function's float memories and the FIFOs of
// data_t: memory <-> stream with element-type conversion and power-of-two
// scaling (load_cvt, store_cvt), affine weight views (weights_view), and the
// helpers the emitted map functors use to move between a channel's stored
// values (true value * 2^-S) and true values (from_data, to_data, shift,
// to_float). Synthesizable: loop bounds from the config (n for the batch),
// no allocation, no recursion; every pragma through INRARCH_PRAGMA.
//
// Not included by inrarch/inrarch.h: the generated top.h includes it
// explicitly.
//
// Overflow counting (C simulation only): from_data/to_data call
//   void inrarch::note_overflow(int counter);
// for every value at a saturation bound. It is declared here and must be
// defined once by the program -- the generated top.cpp defines it (one
// atomic counter per map kernel, reported by top_report_overflows); a test
// that uses from_data/to_data defines its own. Under __SYNTHESIS__ it is
// neither declared nor called.
//
// Kernels take a config struct CFG as their first template argument (the
// convention of kernels.h); the members each one reads are listed above it.
// load_cvt and store_cvt take the runtime sample count n first, as the
// batch kernels of kernels.h do.
#ifndef INRARCH_BOUNDARY_H
#define INRARCH_BOUNDARY_H

#include <cmath>
#include <type_traits>

#include "inrarch/stream.h"
#include "inrarch/types.h"

namespace inrarch {

#ifndef __SYNTHESIS__
/// Counts a saturated value of kernel `counter` (defined by the program:
/// the generated top.cpp).
void note_overflow(int counter);
#endif

template <class T>
struct is_fixed : std::false_type {};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct is_fixed<ap_fixed<W, I, Q, O, N>> : std::true_type {
  static constexpr int width = W;
  static constexpr int int_bits = I;
};

/// 2^e as a compile-time double.
constexpr double pow2(int e) {
  double r = 1.0;
  for (int i = 0; i < e; ++i) r *= 2.0;
  for (int i = 0; i > e; --i) r *= 0.5;
  return r;
}

/// x * 2^S (a shift for fixed point).
template <int S, class X>
X shift(X x) {
  INRARCH_PRAGMA(HLS INLINE)
  if constexpr (is_fixed<X>::value) {
    if constexpr (S >= 0) return x << S;
    else return x >> (-S);
  } else {
    return x * X(pow2(S));
  }
}

inline float to_float(float x) { return x; }
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
float to_float(ap_fixed<W, I, Q, O, N> x) { return x.to_float(); }

/// Memory element (true value, float) -> stored element (scaled by 2^-S).
template <class T, int S>
T from_mem(float v) {
  INRARCH_PRAGMA(HLS INLINE)
  return T(v * static_cast<float>(pow2(-S)));
}

/// Stored element -> memory element (true value).
template <class T, int S>
float to_mem(T v) {
  INRARCH_PRAGMA(HLS INLINE)
  return to_float(v) * static_cast<float>(pow2(S));
}

/// True when a stored fixed-point value sits at a saturation bound (never
/// for float).
template <class T>
bool saturated(T v) {
  if constexpr (is_fixed<T>::value) {
    constexpr double hi = pow2(is_fixed<T>::int_bits - 1) - pow2(is_fixed<T>::int_bits - is_fixed<T>::width);
    return v >= T(hi) || v <= T(-pow2(is_fixed<T>::int_bits - 1));
  } else {
    return false;
  }
}

/// C with E more integer bits (same fraction): the type a map functor computes
/// true values in when its channels' scales reach 2^E (the emitter picks E per
/// functor: values up to 2^E x what calc_t holds). float stays float.
template <class C, int E>
struct widen {
  typedef C type;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N, int E>
struct widen<ap_fixed<W, I, Q, O, N>, E> {
  static_assert(E >= 0, "widen adds integer bits");
  typedef ap_fixed<W + E, I + E, Q, O, N> type;
};
template <class C, int E>
using widen_t = typename widen<C, E>::type;

/// Map input: stored value (scale 2^-S) -> true value in C. Counts a
/// saturated input on `counter` (C simulation).
template <class C, int S, class T>
C from_data(T v, int counter) {
  INRARCH_PRAGMA(HLS INLINE)
#ifndef __SYNTHESIS__
  if (saturated(v)) note_overflow(counter);
#else
  static_cast<void>(counter);
#endif
  return shift<S>(C(v));
}

/// Map output: true value in C -> stored value (scale 2^-S), saturating
/// (as T does). Counts a saturated result on `counter` (C simulation).
template <class T, int S, class C>
T to_data(C v, int counter) {
  INRARCH_PRAGMA(HLS INLINE)
  const C s = shift<-S>(v);
  const T r = T(s);
#ifndef __SYNTHESIS__
  if (saturated(r)) note_overflow(counter);
#else
  static_cast<void>(counter);
#endif
  return r;
}

/// Memory [B, ROW] (float, true values) -> channel of T, scaled by 2^-S.
/// CFG: T; B, ROW, LANES, S. Per sample: write ceil(ROW/LANES) words
/// (padding lanes zero), like inrarch::load.
template <class CFG>
void load_cvt(const int n, const float* mem, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES, S = CFG::S;
  constexpr int WPR = words_per_row(ROW, LANES);
INRARCH_LABEL(load_cvt_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(load_cvt_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      word<T, LANES> v;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        v[l] = (e < ROW) ? from_mem<T, S>(mem[b * ROW + e]) : T(0);
      }
      out.write(v);
    }
    INRARCH_LOOP_END();
  }
}

/// Channel of T (scaled by 2^-S) -> memory [B, ROW] (float, true values).
/// CFG: T; B, ROW, LANES, S. Per sample: read ceil(ROW/LANES) words, like
/// inrarch::store.
template <class CFG>
void store_cvt(const int n, stream<word<typename CFG::T, CFG::LANES>>& in, float* mem) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES, S = CFG::S;
  constexpr int WPR = words_per_row(ROW, LANES);
INRARCH_LABEL(store_cvt_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(store_cvt_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      const word<T, LANES> v = in.read();
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        if (e < ROW) mem[b * ROW + e] = to_mem<T, S>(v[l]);
      }
    }
    INRARCH_LOOP_END();
  }
}

namespace detail {
/// Whether a view reads SIZE consecutive elements from OFFSET: every dim of
/// size > 1 has its row-major stride.
template <class Shape, class Strides, int SIZE>
constexpr bool view_is_contiguous() {
  if (Shape::size != SIZE) return false;
  for (int d = 0; d < Shape::rank; ++d)
    if (Shape::dim(d) > 1 && Strides::dim(d) != Shape::stride(d)) return false;
  return true;
}
}  // namespace detail

/// Affine view of a weight tensor -> weight stream, once (like
/// inrarch::weights): element i of the view (row-major over Shape) is
/// mem[OFFSET + sum_d i_d * Strides::dim(d)], scaled by 2^-S.
/// CFG: T, Shape, Strides; SIZE, OFFSET, LANES, S (SIZE = Shape::size, or
/// any SIZE for a rank-0 Shape). Writes ceil(SIZE/LANES) words (the last one
/// zero-padded): a contiguous view (every dim of size > 1 at its row-major
/// stride, any OFFSET) one word per cycle, like inrarch::weights; a strided
/// one element per cycle, each word as soon as it is full.
template <class CFG>
void weights_view(const float* mem, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using Shape = typename CFG::Shape;
  using Strides = typename CFG::Strides;
  constexpr int SIZE = CFG::SIZE, OFFSET = CFG::OFFSET, LANES = CFG::LANES, S = CFG::S;
  static_assert(Shape::size == SIZE || Shape::rank == 0, "weights_view: SIZE must be the view's size");
  if constexpr (detail::view_is_contiguous<Shape, Strides, SIZE>()) {
    constexpr int NW = words_per_row(SIZE, LANES);
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(weights_view_words)
    for (int w = 0; w < NW; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      word<T, LANES> v;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        v[l] = (e < SIZE) ? from_mem<T, S>(mem[OFFSET + e]) : T(0);
      }
      out.write(v);
    }
    INRARCH_LOOP_END();
  } else {
    row_writer<T, LANES, SIZE> wr;
    wr.start_row();
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(weights_view_elems)
    for (int e = 0; e < SIZE; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      int src = OFFSET;
      for (int d = 0; d < Shape::rank; ++d) {
        INRARCH_PRAGMA(HLS UNROLL)
        src += ((e / Shape::stride(d)) % Shape::dim(d)) * Strides::dim(d);
      }
      wr.put(out, from_mem<T, S>(mem[src]));
    }
    INRARCH_LOOP_END();
  }
}

/// A row-major [R, C] weight tensor (rows ROW_STRIDE apart from OFFSET,
/// contiguous within a row) -> weight stream in tiles, once, scaled by 2^-S:
/// word w holds a TR x (LANES/TR) block, rows r0..r0+TR-1 of the columns
/// c0..c0+LANES/TR-1, lane l = i * (LANES/TR) + j at (r0 + i, c0 + j). Words
/// go tile by tile (tiles of TR rows x LANES columns, row blocks outer), the
/// TR words of a tile left to right. A matmul whose storage rows run along the
/// dim its buffer has few banks on (a [K, N] weight with JU < LANES output
/// lanes) stores such a word in one cycle into TR x LANES/TR distinct banks
/// (WEIGHT_TILE = TR in its config), where the row-major stream would give it
/// JU elements per cycle. CFG: T; R, C, ROW_STRIDE, OFFSET, LANES, TR, S
/// (R % TR == 0, C % LANES == 0, LANES % TR == 0).
/// Program order: one loop of R*C/LANES + TR iterations: iteration t reads
/// the memory word (row r0 + t mod TR of tile t/TR, LANES columns) into one of
/// two tile buffers while t < R*C/LANES, and, once t >= TR, writes word t - TR
/// from the other: a word per cycle after a fill of TR cycles.
template <class CFG>
void weights_tiles(const float* mem, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int R = CFG::R, C = CFG::C, ROW_STRIDE = CFG::ROW_STRIDE, OFFSET = CFG::OFFSET;
  constexpr int LANES = CFG::LANES, TR = CFG::TR, S = CFG::S;
  static_assert(R % TR == 0 && C % LANES == 0 && LANES % TR == 0, "weights_tiles: tiles must fill the tensor");
  constexpr int TC = LANES / TR;             // columns per word
  constexpr int CB = C / LANES;              // tiles per row block
  constexpr int NW = R * C / LANES;          // words (= memory words read)
  T tile[2][TR][LANES];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=tile complete dim=0)
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(weights_tiles_words)
  for (int t = 0; t < NW + TR; ++t) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_ITER();
    if (t < NW) {  // memory word t: row i of tile b
      const int b = t / TR, i = t % TR;
      const int row = (b / CB) * TR + i, col = (b % CB) * LANES;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        tile[b & 1][i][l] = from_mem<T, S>(mem[OFFSET + row * ROW_STRIDE + col + l]);
      }
    }
    if (t >= TR) {  // stream word w: columns j*TC .. j*TC+TC-1 of tile w/TR
      const int w = t - TR, b = w / TR, j = w % TR;
      word<T, LANES> v;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        v[l] = tile[b & 1][l / TC][j * TC + l % TC];
      }
      out.write(v);
    }
  }
  INRARCH_LOOP_END();
}

}  // namespace inrarch

#endif  // INRARCH_BOUNDARY_H
