// inrarch/types.h -- FIFO word type, static shapes and element (un)packing.
//
// A channel streams a tensor [B, F...] row-major, batch outermost, LANES
// elements per FIFO word. A "row" is one sample (all feature elements); it
// occupies ceil(ROW / LANES) words and the last word of each row is
// zero-padded when LANES does not divide ROW.
#ifndef INRARCH_TYPES_H
#define INRARCH_TYPES_H

// The Xilinx ap_types headers trip g++'s middle-end warnings at -O1 and
// above (uninitialised members of ap_private inlined into user code); they
// are third-party, so silence exactly those warnings for their lines. Pass
// them with -isystem as well (the CMake target does).
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SYNTHESIS__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <ap_fixed.h>
#include <ap_int.h>
#pragma GCC diagnostic pop
#else
#include <ap_fixed.h>
#include <ap_int.h>
#endif

// All HLS pragmas go through this macro: under Vitis HLS (__SYNTHESIS__) it is
// a real pragma, under g++ it vanishes, so -Wall -Wextra -Werror stays clean
// without -Wno-unknown-pragmas.
#ifdef __SYNTHESIS__
#define INRARCH_PRAGMA(x) _Pragma(#x)
#else
#define INRARCH_PRAGMA(x)
#endif

// Batch loops run over a runtime sample count n (1 <= n; the top's ports
// bound it by the design batch); the trip count tells Vitis the nominal
// batch B, so its latency report is that of a call with n = B (the figure
// the timing model gives). B is a constant expression in scope.
#define INRARCH_BATCH_TRIPCOUNT(B) \
  INRARCH_PRAGMA(HLS LOOP_TRIPCOUNT min=1 max=B avg=B) static_cast<void>(B)

// Loop labels name loops in HLS reports; g++ would warn about unused labels.
#ifdef __SYNTHESIS__
#define INRARCH_LABEL(name) name:
#else
#define INRARCH_LABEL(name)
#endif

namespace inrarch {

/// Number of words one row of ROW elements occupies at LANES per word.
constexpr int words_per_row(int row, int lanes) { return (row + lanes - 1) / lanes; }

/// One FIFO word: LANES elements of T, a plain fixed-size array struct.
template <class T, int LANES>
struct word {
  static_assert(LANES >= 1, "a word holds at least one element");
  static constexpr int lanes = LANES;
  using value_type = T;
  T data[LANES];

  T& operator[](int i) { return data[i]; }
  const T& operator[](int i) const { return data[i]; }

  /// A word with every lane zero (used for padding).
  static word zero() {
    word w;
    for (int l = 0; l < LANES; ++l) {
      INRARCH_PRAGMA(HLS UNROLL)
      w.data[l] = T(0);
    }
    return w;
  }
};

/// A static shape (or any list of ints: offsets, strides, masks, perms).
template <int... D>
struct shape {
  static constexpr int rank = sizeof...(D);
  static constexpr int dims[sizeof...(D) + 1] = {D..., 1};  // trailing sentinel
  static constexpr int size = (1 * ... * D);
  static constexpr int dim(int i) { return dims[i]; }
  /// Row-major stride of dimension i.
  static constexpr int stride(int i) {
    int s = 1;
    for (int d = rank - 1; d > i; --d) s *= dims[d];
    return s;
  }
  /// Product of dims [from, rank).
  static constexpr int size_from(int from) {
    int s = 1;
    for (int d = from; d < rank; ++d) s *= dims[d];
    return s;
  }
  /// Sum of all dims (row counts of concatenated inputs).
  static constexpr int size_sum() { return (0 + ... + D); }
  /// Sum of dims [0, i).
  static constexpr int prefix_sum(int i) {
    int s = 0;
    for (int d = 0; d < i; ++d) s += dims[d];
    return s;
  }
};

/// Accumulator type used by matmul/reduce: float stays float; ap_fixed<W,I>
/// gets 10 more fractional and 6 more integer bits so long dot products do
/// not lose precision to per-MAC truncation. Specialise to change it.
template <class T>
struct acc_traits {
  using type = T;
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct acc_traits<ap_fixed<W, I, Q, O, N>> {
  using type = ap_fixed<W + 16, I + 6, Q, O, N>;
};
template <class T>
using acc_t = typename acc_traits<T>::type;

/// Reads a row element by element from a word stream (one word every LANES
/// elements). Call start_row() at the beginning of each row: the padding of
/// the previous row's last word is skipped.
template <class T, int LANES>
struct row_reader {
  word<T, LANES> cur;
  int lane = 0;
  void start_row() { lane = 0; }
  template <class S>
  T next(S& s) {
    if (lane == 0) cur = s.read();
    T v = cur[lane];
    lane = (lane + 1 == LANES) ? 0 : lane + 1;
    return v;
  }
};

/// Packs a row of ROW elements into words; a word is written as soon as it
/// is full or holds the row's last element (zero-padded).
template <class T, int LANES, int ROW>
struct row_writer {
  word<T, LANES> cur;
  int lane = 0;
  int count = 0;
  void start_row() {
    lane = 0;
    count = 0;
    cur = word<T, LANES>::zero();
  }
  template <class S>
  void put(S& s, const T& v) {
    cur[lane] = v;
    ++count;
    ++lane;
    if (lane == LANES || count == ROW) {
      s.write(cur);
      cur = word<T, LANES>::zero();
      lane = 0;
    }
  }
};

}  // namespace inrarch

#endif  // INRARCH_TYPES_H
