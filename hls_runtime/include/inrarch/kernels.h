// inrarch/kernels.h -- synthesizable streaming kernels, one per stream op.
//
// Calling convention (hls4ml's CONFIG_T habit): every kernel takes one
// config struct CFG as its first template argument and reads every number
// and type from it; only stream element types and lane counts that the
// arguments already fix are deduced (map's TO/TI..., fork's T, concat's and
// concat_batch's per-input LI..., matmul's weight-word WL). A config is a
// plain struct with `using X = ...;` type members, `static constexpr int`
// (and `static constexpr bool`) value members, named exactly as listed
// above each kernel, e.g.
//
//   struct matmul3_cfg {
//     using T = data_t;
//     using ACC = inrarch::acc_t<data_t>;
//     static constexpr int B = 64, K = 256, N = 256, LI = 2, LO = 2, MACS = 48, L = 4, LATENCY = 8;
//     static constexpr bool TRANSPOSE_W = true;
//   };
//   INRARCH_PROCESS("matmul3", inrarch::matmul<matmul3_cfg>(n, x, w, y));
//
// Extra members are ignored. (A local class cannot have static data members:
// declare configs at namespace scope.)
//
// The sample count is a runtime argument: every kernel with a batch loop
// takes `const int n` first (1 <= n; any n, CFG::B being the nominal batch
// of the LOOP_TRIPCOUNT pragmas) and runs its per-sample program n times;
// what it does once per call (a matmul's or broadcast_buffer's weight load)
// happens once per call whatever n is. The whole-tensor barriers
// (transpose moving the batch, slice_batch, concat_batch) have no n: their
// shapes include the batch.
//
// Every kernel is a dataflow process (INLINE off), has loop bounds from its
// config (the batch loops: n, with the trip count of B), no dynamic
// allocation and no recursion. Element types: float and ap_fixed<W,I>. The per-sample read/write program order of each kernel
// is part of the contract with the compiler's timing model and static
// deadlock check; it is stated above each kernel and in hls_runtime/README.md.
// Each pipelined loop is one loop of that program (II = 1, its writes
// LATENCY cycles after their iteration); every one is framed by
// INRARCH_LOOP_BEGIN / INRARCH_ITER / INRARCH_LOOP_END (timing.h), which the
// timed simulation uses to stamp each FIFO access with its cycle. No
// accumulator is updated twice within L iterations of one loop (L, the
// adder latency, a config member of matmul and reduce_sum): Vitis would
// otherwise schedule a float accumulation at II = L; INRARCH_ACC_UPDATE marks
// each update for the recurrence check (-DINRARCH_CHECK_RECURRENCE).
//
// Weight buffers: a `weights` process streams a weight tensor once (flat,
// row-major, WL elements per word) into its single consumer (matmul or
// broadcast_buffer), which copies it into a local, partitioned array before
// its first sample. Loading thus overlaps with upstream computation, and the
// FIFO keeps the single-producer/single-consumer rule. A weight used by two
// kernels gets two `weights` processes reading the same memory.
#ifndef INRARCH_KERNELS_H
#define INRARCH_KERNELS_H

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "inrarch/stream.h"
#include "inrarch/types.h"

namespace inrarch {

// ---------------------------------------------------------------------------
// Memory <-> stream

/// Memory [B, ROW] -> channel. CFG: T; B, ROW, LANES.
/// Per sample: write ceil(ROW/LANES) words.
template <class CFG>
void load(const int n, const typename CFG::T* mem, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  constexpr int WPR = words_per_row(ROW, LANES);
INRARCH_LABEL(load_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(load_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      word<T, LANES> v;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        v[l] = (e < ROW) ? mem[b * ROW + e] : T(0);
      }
      out.write(v);
    }
    INRARCH_LOOP_END();
  }
}

/// Channel [B, ROW] -> memory. CFG: T; B, ROW, LANES.
/// Per sample: read ceil(ROW/LANES) words.
template <class CFG>
void store(const int n, stream<word<typename CFG::T, CFG::LANES>>& in, typename CFG::T* mem) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  constexpr int WPR = words_per_row(ROW, LANES);
INRARCH_LABEL(store_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(store_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      const word<T, LANES> v = in.read();
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        if (e < ROW) mem[b * ROW + e] = v[l];
      }
    }
    INRARCH_LOOP_END();
  }
}

/// Weight tensor of SIZE elements (flat, row-major) -> weight stream, once.
/// CFG: T; SIZE, LANES. Writes ceil(SIZE/LANES) words (last one zero-padded).
template <class CFG>
void weights(const typename CFG::T* mem, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int SIZE = CFG::SIZE, LANES = CFG::LANES;
  constexpr int NW = words_per_row(SIZE, LANES);
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(weights_words)
  for (int w = 0; w < NW; ++w) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_ITER();
    word<T, LANES> v;
    for (int l = 0; l < LANES; ++l) {
      INRARCH_PRAGMA(HLS UNROLL)
      const int e = w * LANES + l;
      v[l] = (e < SIZE) ? mem[e] : T(0);
    }
    out.write(v);
  }
  INRARCH_LOOP_END();
}

// ---------------------------------------------------------------------------
// Elementwise

namespace detail {
template <class TO, class F, class Tuple, std::size_t... Is>
TO apply_lane(const F& f, const Tuple& ws, int l, std::index_sequence<Is...>) {
  return TO(f(std::get<Is>(ws)[l]...));
}
}  // namespace detail

/// out[i] = F()(in0[i], in1[i], ...), all channels [B, ROW] at LANES.
/// CFG: F (the functor); B, ROW, LANES, LATENCY (the body's pipeline depth:
/// a word leaves LATENCY cycles after its iteration). TO and TI... are
/// deduced from the streams. Per sample, one loop of ceil(ROW/LANES)
/// iterations: read one word from each input in operand order, write one
/// word. Padded lanes are written as zero (F(0) need not be 0). F is a
/// default-constructible functor with a const operator() (the compiler emits
/// it from the map region).
template <class CFG, class TO, class... TI>
void map(const int n, stream<word<TO, CFG::LANES>>& out, stream<word<TI, CFG::LANES>>&... in) {
  INRARCH_PRAGMA(HLS INLINE off)
  using F = typename CFG::F;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  static_assert(sizeof...(TI) >= 1, "map needs at least one input");
  constexpr int WPR = words_per_row(ROW, LANES);
  const F f{};
INRARCH_LABEL(map_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    INRARCH_LOOP_BEGIN(CFG::LATENCY);
  INRARCH_LABEL(map_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      // Braced initialisation evaluates the reads left to right.
      const std::tuple<word<TI, LANES>...> ws{in.read()...};
      word<TO, LANES> o;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        o[l] = (w * LANES + l < ROW)
                   ? detail::apply_lane<TO>(f, ws, l, std::index_sequence_for<TI...>{})
                   : TO(0);
      }
      out.write(o);
    }
    INRARCH_LOOP_END();
  }
}

/// One channel to N = sizeof...(outs) identical channels. CFG: B, ROW,
/// LANES (T deduced). Per word: read one word, write it to out0, out1, ...
/// in order.
template <class CFG, class T, class... S>
void fork(const int n, stream<word<T, CFG::LANES>>& in, S&... outs) {
  INRARCH_PRAGMA(HLS INLINE off)
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  static_assert(sizeof...(S) >= 1, "fork needs at least one output");
  constexpr int WPR = words_per_row(ROW, LANES);
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(fork_words)
  constexpr int BW = B * WPR;  // the nominal trip count
  static_cast<void>(BW);
  for (int i = 0; i < n * WPR; ++i) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_PRAGMA(HLS LOOP_TRIPCOUNT min=WPR max=BW avg=BW)
    INRARCH_ITER();
    const word<T, LANES> v = in.read();
    static_cast<void>((outs.write(v), ...));
  }
  INRARCH_LOOP_END();
}

// ---------------------------------------------------------------------------
// Broadcast

namespace detail {
/// Linear index into InShape of the element that broadcasts to output
/// element e of OutShape (same rank; every input dim is 1 or equal).
template <class InShape, class OutShape>
int broadcast_src(int e) {
  int src = 0;
  for (int d = 0; d < OutShape::rank; ++d) {
    INRARCH_PRAGMA(HLS UNROLL)
    const int idx = (e / OutShape::stride(d)) % OutShape::dim(d);
    if (InShape::dim(d) != 1) src += idx * InShape::stride(d);
  }
  return src;
}
template <class InShape, class OutShape>
constexpr bool broadcast_compatible() {
  if (InShape::rank != OutShape::rank) return false;
  for (int d = 0; d < InShape::rank; ++d)
    if (InShape::dim(d) != 1 && InShape::dim(d) != OutShape::dim(d)) return false;
  return true;
}
}  // namespace detail

/// Weight buffer of InShape (from a `weights` stream at WL lanes) ->
/// channel [B, OutShape] at LANES. CFG: T, InShape, OutShape; B, LANES, WL.
/// Reads the weight words once before the first sample; per sample writes
/// ceil(OutShape::size/LANES) words.
template <class CFG>
void broadcast_buffer(const int n, stream<word<typename CFG::T, CFG::WL>>& w,
                      stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using InShape = typename CFG::InShape;
  using OutShape = typename CFG::OutShape;
  constexpr int B = CFG::B, LANES = CFG::LANES, WL = CFG::WL;
  static_assert(detail::broadcast_compatible<InShape, OutShape>(), "shapes do not broadcast");
  constexpr int NI = InShape::size;
  constexpr int NO = OutShape::size;
  T buf[NI];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=buf cyclic factor=LANES dim=1)
  row_reader<T, WL> rd;
  rd.start_row();
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(bcast_load)
  for (int e = 0; e < NI; ++e) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_ITER();
    buf[e] = rd.next(w);
  }
  INRARCH_LOOP_END();
  constexpr int WPR = words_per_row(NO, LANES);
INRARCH_LABEL(bcast_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(bcast_words)
    for (int wd = 0; wd < WPR; ++wd) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      word<T, LANES> o;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = wd * LANES + l;
        o[l] = (e < NO) ? buf[detail::broadcast_src<InShape, OutShape>(e)] : T(0);
      }
      out.write(o);
    }
    INRARCH_LOOP_END();
  }
}

/// Channel [B, InShape] -> channel [B, OutShape] (size-1 feature dims
/// repeated). CFG: T, InShape, OutShape; B, LI, LO. Per sample: read all
/// ceil(InShape::size/LI) input words, then write ceil(OutShape::size/LO)
/// output words.
template <class CFG>
void broadcast(const int n, stream<word<typename CFG::T, CFG::LI>>& in, stream<word<typename CFG::T, CFG::LO>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using InShape = typename CFG::InShape;
  using OutShape = typename CFG::OutShape;
  constexpr int B = CFG::B, LI = CFG::LI, LO = CFG::LO;
  static_assert(detail::broadcast_compatible<InShape, OutShape>(), "shapes do not broadcast");
  constexpr int NI = InShape::size;
  constexpr int NO = OutShape::size;
  T buf[NI];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=buf cyclic factor=LO dim=1)
  row_reader<T, LI> rd;
INRARCH_LABEL(bcast_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    rd.start_row();
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(bcast_read)
    for (int e = 0; e < NI; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      buf[e] = rd.next(in);
    }
    INRARCH_LOOP_END();
    constexpr int WPR = words_per_row(NO, LO);
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(bcast_write)
    for (int wd = 0; wd < WPR; ++wd) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      word<T, LO> o;
      for (int l = 0; l < LO; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = wd * LO + l;
        o[l] = (e < NO) ? buf[detail::broadcast_src<InShape, OutShape>(e)] : T(0);
      }
      out.write(o);
    }
    INRARCH_LOOP_END();
  }
}

// ---------------------------------------------------------------------------
// Reduce

namespace detail {
/// Stride of the innermost summed dim of size > 1 (0: no summed dim has more than one element).
template <class InShape, class Mask>
constexpr int reduce_stride() {
  for (int d = InShape::rank - 1; d >= 0; --d)
    if (Mask::dim(d) && InShape::dim(d) > 1) return InShape::stride(d);
  return 0;
}
/// Sum of P values as a balanced tree of ceil(log2 P) adder levels.
template <class ACC, int P>
ACC tree_sum(const ACC (&a)[P]) {
  ACC t[P];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=t complete)
  for (int i = 0; i < P; ++i) {
    INRARCH_PRAGMA(HLS UNROLL)
    t[i] = a[i];
  }
  for (int w = 1; w < P; w *= 2) {
    INRARCH_PRAGMA(HLS UNROLL)
    for (int i = 0; i + w < P; i += 2 * w) {
      INRARCH_PRAGMA(HLS UNROLL)
      t[i] += t[i + w];
    }
  }
  return t[0];
}
}  // namespace detail

/// Sum over the feature dims d with Mask::dim(d) == 1 of a channel
/// [B, InShape]; the result keeps the other dims (in order), e.g. InShape
/// <4,8>, Mask <0,1> -> [B, 4]. Accumulates in ACC (acc_t<T> is the usual
/// choice). CFG: T, ACC, InShape, Mask; B, LI, LO, L (the adder latency: no
/// accumulator is updated twice within L iterations), LATENCY (cycles from
/// the last accumulation to the result word: the adder and the combine of
/// the partial sums). A reduction over the batch is the same kernel with
/// B = 1 and InShape the whole tensor.
/// Full reduction (one output): per sample, one loop of ceil(NI/LI)
///   iterations reading a word (its lanes summed as a tree) into partial sum
///   p = word mod P, P = min(L, words); then one iteration combining the P
///   partials (a tree) and writing the output word.
/// Partial reduction: once, before sample 0, one loop of NO iterations
///   zeroing the accumulators; per sample, one loop of NI iterations reading
///   an element (a word every LI) into acc[e mod P][its output], where P = L
///   when the innermost summed dim of size > 1 has a stride below L (an
///   output would otherwise be updated again within L iterations), else 1;
///   then one loop of NO iterations combining each output's P partials,
///   writing it (a word every LO outputs, or at the end) and zeroing them.
template <class CFG>
void reduce_sum(const int n, stream<word<typename CFG::T, CFG::LI>>& in,
                stream<word<typename CFG::T, CFG::LO>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using ACC = typename CFG::ACC;
  using InShape = typename CFG::InShape;
  using Mask = typename CFG::Mask;
  constexpr int B = CFG::B, LI = CFG::LI, LO = CFG::LO, L = CFG::L;
  static_assert(InShape::rank == Mask::rank, "mask rank must equal shape rank");
  static_assert(L >= 1, "reduce_sum: the adder latency L must be >= 1");
  constexpr int NI = InShape::size;
  constexpr int WPR_IN = words_per_row(NI, LI);
  constexpr int NO = [] {
    int n = 1;
    for (int d = 0; d < InShape::rank; ++d)
      if (!Mask::dim(d)) n *= InShape::dim(d);
    return n;
  }();
  row_writer<T, LO, NO> wr;
  if constexpr (NO == 1) {
    // Full reduction: one word per cycle, lanes summed as a tree, P partial sums.
    constexpr int P = WPR_IN < L ? WPR_IN : L;
    ACC acc[P];
    INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=acc complete)
    // acc[p] is updated every P >= L iterations (checked with INRARCH_CHECK_RECURRENCE).
    INRARCH_PRAGMA(HLS DEPENDENCE variable=acc type=inter dependent=false)
    for (int p = 0; p < P; ++p) {  // registers: a reset, no cycles
      INRARCH_PRAGMA(HLS UNROLL)
      acc[p] = ACC(0);
    }
  INRARCH_LABEL(reduce_full_rows)
    for (int b = 0; b < n; ++b) {
      INRARCH_BATCH_TRIPCOUNT(B);
      INRARCH_LOOP_BEGIN(0);
    INRARCH_LABEL(reduce_words)
      for (int wd = 0; wd < WPR_IN; ++wd) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        INRARCH_ITER();
        const word<T, LI> v = in.read();
        ACC s = ACC(0);
        for (int l = 0; l < LI; ++l) {
          INRARCH_PRAGMA(HLS UNROLL)
          if (wd * LI + l < NI) s += ACC(v[l]);
        }
        const int p = wd % P;
        if (wd < P)
          acc[p] = s;  // the first word of a partial: no read of the accumulator
        else
          acc[p] += s;
        INRARCH_ACC_UPDATE(&acc[p], L);
      }
      INRARCH_LOOP_END();
      wr.start_row();
      INRARCH_LOOP_BEGIN(CFG::LATENCY);
    INRARCH_LABEL(reduce_full_write)
      for (int o = 0; o < 1; ++o) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        INRARCH_ITER();
        wr.put(out, T(detail::tree_sum<ACC, P>(acc)));
      }
      INRARCH_LOOP_END();
    }
  } else {
    constexpr int RS = detail::reduce_stride<InShape, Mask>();
    constexpr int P = (RS == 0 || RS >= L) ? 1 : L;
    ACC acc[P][NO];
    INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=acc complete dim=1)
    INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=acc cyclic factor=LO dim=2)
    // acc[p][o] is updated at most every L iterations (checked with INRARCH_CHECK_RECURRENCE).
    INRARCH_PRAGMA(HLS DEPENDENCE variable=acc type=inter dependent=false)
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(reduce_zero)
    for (int o = 0; o < NO; ++o) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      for (int p = 0; p < P; ++p) {
        INRARCH_PRAGMA(HLS UNROLL)
        acc[p][o] = ACC(0);
      }
    }
    INRARCH_LOOP_END();
    row_reader<T, LI> rd;
  INRARCH_LABEL(reduce_part_rows)
    for (int b = 0; b < n; ++b) {
      INRARCH_BATCH_TRIPCOUNT(B);
      rd.start_row();
      INRARCH_LOOP_BEGIN(0);
    INRARCH_LABEL(reduce_elems)
      for (int e = 0; e < NI; ++e) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        INRARCH_ITER();
        int oi = 0;
        for (int d = 0; d < InShape::rank; ++d) {
          INRARCH_PRAGMA(HLS UNROLL)
          if (!Mask::dim(d)) oi = oi * InShape::dim(d) + (e / InShape::stride(d)) % InShape::dim(d);
        }
        const int p = e % P;
        acc[p][oi] += ACC(rd.next(in));
        INRARCH_ACC_UPDATE(&acc[p][oi], L);
      }
      INRARCH_LOOP_END();
      wr.start_row();
      INRARCH_LOOP_BEGIN(CFG::LATENCY);
    INRARCH_LABEL(reduce_part_write)
      for (int o = 0; o < NO; ++o) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        INRARCH_ITER();
        ACC parts[P];
        for (int p = 0; p < P; ++p) {
          INRARCH_PRAGMA(HLS UNROLL)
          parts[p] = acc[p][o];
          acc[p][o] = ACC(0);
        }
        wr.put(out, T(detail::tree_sum<ACC, P>(parts)));
      }
      INRARCH_LOOP_END();
    }
  }
}

// ---------------------------------------------------------------------------
// Slice and concat

/// Static slice of the feature dims of a channel [B, InShape]: output dim d
/// takes Sizes::dim(d) elements starting at Offsets::dim(d) with step
/// Strides::dim(d) (> 0). CFG: T, InShape, Offsets, Sizes, Strides; B, LI,
/// LO. Per sample: read every input word; each output word is written as
/// soon as its last element has been read.
template <class CFG>
void slice(const int n, stream<word<typename CFG::T, CFG::LI>>& in, stream<word<typename CFG::T, CFG::LO>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using InShape = typename CFG::InShape;
  using Offsets = typename CFG::Offsets;
  using Sizes = typename CFG::Sizes;
  using Strides = typename CFG::Strides;
  constexpr int B = CFG::B, LI = CFG::LI, LO = CFG::LO;
  static_assert(InShape::rank == Offsets::rank && InShape::rank == Sizes::rank &&
                    InShape::rank == Strides::rank,
                "slice: offsets/sizes/strides must have the rank of the input");
  constexpr int NI = InShape::size;
  constexpr int NO = Sizes::size;
  row_reader<T, LI> rd;
  row_writer<T, LO, NO> wr;
INRARCH_LABEL(slice_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    rd.start_row();
    wr.start_row();
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(slice_elems)
    for (int e = 0; e < NI; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      const T v = rd.next(in);
      bool keep = true;
      for (int d = 0; d < InShape::rank; ++d) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int idx = (e / InShape::stride(d)) % InShape::dim(d) - Offsets::dim(d);
        keep = keep && idx >= 0 && idx % Strides::dim(d) == 0 &&
               idx / Strides::dim(d) < Sizes::dim(d);
      }
      if (keep) wr.put(out, v);
    }
    INRARCH_LOOP_END();
  }
}

namespace detail {
template <class T, int CHUNK, int L, int LO, int NO, class S, class O>
void concat_chunk(row_reader<T, L>& rd, S& in, row_writer<T, LO, NO>& wr, O& out) {
  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(concat_elems)
  for (int e = 0; e < CHUNK; ++e) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_ITER();
    wr.put(out, rd.next(in));
  }
  INRARCH_LOOP_END();
}
template <class T, int B, class Chunks, int OUTER, int LO, int... LI, std::size_t... Is>
void concat_impl(std::index_sequence<Is...>, const int n, stream<word<T, LO>>& out, stream<word<T, LI>>&... in) {
  constexpr int ROW = [] {
    int s = 0;
    for (int i = 0; i < Chunks::rank; ++i) s += Chunks::dim(i);
    return s * OUTER;
  }();
  std::tuple<row_reader<T, LI>...> rds;
  row_writer<T, LO, ROW> wr;
INRARCH_LABEL(concat_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    static_cast<void>((std::get<Is>(rds).start_row(), ...));
    wr.start_row();
  INRARCH_LABEL(concat_outer)
    for (int o = 0; o < OUTER; ++o) {
      static_cast<void>(
          (concat_chunk<T, Chunks::dim(Is)>(std::get<Is>(rds), in, wr, out), ...));
    }
  }
}
}  // namespace detail

/// Concatenate channels along a feature axis. Chunks = shape<C0, C1, ...>:
/// input i contributes Ci contiguous elements per outer step; OUTER = the
/// product of the feature dims before the axis (1 for the first feature
/// axis, the common case). Input i has rows of OUTER*Ci elements.
/// CFG: T, Chunks; B, OUTER, LO (each input's LI deduced from its stream).
/// Per sample (OUTER == 1): read all words of input 0 writing them through,
/// then input 1, ...; with OUTER > 1 this repeats per outer step.
template <class CFG, int... LI>
void concat(const int n, stream<word<typename CFG::T, CFG::LO>>& out, stream<word<typename CFG::T, LI>>&... in) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using Chunks = typename CFG::Chunks;
  static_assert(sizeof...(LI) == Chunks::rank, "concat: one chunk size per input");
  detail::concat_impl<T, CFG::B, Chunks, CFG::OUTER, CFG::LO>(std::index_sequence_for<word<T, LI>...>{}, n,
                                                              out, in...);
}

// ---------------------------------------------------------------------------
// Matmul

namespace detail {
/// Weight elements a matmul stores per cycle while loading its buffer: the
/// largest P dividing the weight word (WL) and the storage row (ROW) with
/// P <= BANKS, the buffer's banks along the stream's fast dim (a chunk of P
/// consecutive elements of one row then writes P distinct banks, one write
/// per bank and cycle). The Python timing model mirrors it (kernels.matmul.weight_chunk).
constexpr int weight_chunk(int wl, int row, int banks) {
  int best = 1;
  for (int p = 1; p <= wl && p <= banks; ++p)
    if (wl % p == 0 && row % p == 0) best = p;
  return best;
}

/// A config's `WEIGHT_TILE` (absent: 0, a flat row-major weight stream).
template <class CFG, class = void>
struct weight_tile : std::integral_constant<int, 0> {};
template <class CFG>
struct weight_tile<CFG, std::void_t<decltype(CFG::WEIGHT_TILE)>> : std::integral_constant<int, CFG::WEIGHT_TILE> {};

/// Whether a config sets `WEIGHT_URAM = true` (absent: false).
template <class CFG, class = void>
struct weight_uram : std::false_type {};
template <class CFG>
struct weight_uram<CFG, std::void_t<decltype(CFG::WEIGHT_URAM)>> : std::bool_constant<CFG::WEIGHT_URAM> {};

/// The matmul's program once its weight buffer is declared (and bound to BRAM or URAM).
template <class CFG, int WL, class WBUF>
void matmul_run(const int n, stream<word<typename CFG::T, CFG::LI>>& x, stream<word<typename CFG::T, WL>>& w,
                stream<word<typename CFG::T, CFG::LO>>& y, WBUF& wbuf) {
  INRARCH_PRAGMA(HLS INLINE)
  using T = typename CFG::T;
  using ACC = typename CFG::ACC;
  constexpr int B = CFG::B, K = CFG::K, N = CFG::N, LI = CFG::LI, LO = CFG::LO, MACS = CFG::MACS, L = CFG::L;
  constexpr bool TRANSPOSE_W = CFG::TRANSPOSE_W;
  constexpr int NW = words_per_row(N, LO);
  constexpr int KU = MACS >= LO ? MACS / LO : 1;   // k values per cycle
  constexpr int JU = MACS >= LO ? LO : MACS;       // output lanes per cycle (a lane block)
  constexpr int KS = (K + KU - 1) / KU;            // k steps per output word
  constexpr int JB = LO / JU;                      // lane blocks per output word
  constexpr int G = JB >= L ? 1 : (L + JB - 1) / JB;  // output words interleaved
  constexpr int U = G * JB;                        // iterations between two updates of one accumulator
  constexpr int NG = (NW + G - 1) / G;             // groups of G words per row (the last padded)
  constexpr int PER_GROUP = KS * U;
  constexpr int C = NG * PER_GROUP;                // MAC-loop iterations per row
  constexpr int WPR_IN = words_per_row(K, LI);
  constexpr int ROW_CYCLES = C > WPR_IN ? C : WPR_IN;
  // Two rows: written LI elements per cycle, read KU per cycle.
  constexpr int XP = KU > LI ? KU : LI;
  T xrow[2][K];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=xrow complete dim=1)
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=xrow cyclic factor=XP dim=2)
  static_cast<void>(XP);

  // Weights: once, before the first sample.
  constexpr int ROW = TRANSPOSE_W ? K : N;  // the storage row (the stream's fast dim)
  constexpr int TR = weight_tile<CFG>::value;
  if constexpr (TR > 0) {
    // In tiles (weights_tiles): stream word c/(TR/PR) holds TR storage rows x
    // TC = WL/TR columns; iteration c stores PR of those rows, PR the largest
    // divisor of TR at most the banks across the storage rows: PR*TC distinct banks.
    constexpr int TC = WL / TR, CB = ROW / WL;
    constexpr int PR = weight_chunk(TR, TR, TRANSPOSE_W ? JU : KU);
    constexpr int SUB = TR / PR;  // iterations per stream word
    static_assert(WL % TR == 0 && ROW % WL == 0 && (K * N / ROW) % TR == 0,
                  "matmul: WEIGHT_TILE must tile the weight (weights_tiles)");
    word<T, WL> wcur;
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(mm_wload_tiles)
    for (int c = 0; c < K * N / (PR * TC); ++c) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      if (c % SUB == 0) wcur = w.read();
      const int wd = c / SUB, part = c % SUB;
      const int b = wd / TR, j = wd % TR;
      const int r0 = (b / CB) * TR + part * PR, c0 = (b % CB) * WL + j * TC;
      for (int l = 0; l < PR * TC; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int r = r0 + l / TC, col = c0 + l % TC;
        const T v = wcur[part * PR * TC + l];
        if (TRANSPOSE_W)
          wbuf[col][r] = v;
        else
          wbuf[r][col] = v;
      }
    }
    INRARCH_LOOP_END();
  } else {
    // Flat and row-major: P elements per iteration (one storage row never
    // straddles a chunk, one chunk never a word).
    constexpr int P = weight_chunk(WL, ROW, TRANSPOSE_W ? KU : JU);
    constexpr int EVERY = WL / P;  // iterations per weight word
    word<T, WL> wcur;
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(mm_wload)
    for (int c = 0; c < K * N / P; ++c) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      if (c % EVERY == 0) wcur = w.read();
      for (int p = 0; p < P; ++p) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = c * P + p;
        const T v = wcur[(c % EVERY) * P + p];
        if (TRANSPOSE_W)
          wbuf[e % ROW][e / ROW] = v;
        else
          wbuf[e / ROW][e % ROW] = v;
      }
    }
    INRARCH_LOOP_END();
  }

  INRARCH_LOOP_BEGIN(0);
INRARCH_LABEL(mm_read0)
  for (int wd = 0; wd < WPR_IN; ++wd) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    INRARCH_ITER();
    const word<T, LI> v = x.read();
    for (int l = 0; l < LI; ++l) {
      INRARCH_PRAGMA(HLS UNROLL)
      if (wd * LI + l < K) xrow[0][wd * LI + l] = v[l];
    }
  }
  INRARCH_LOOP_END();
  ACC acc[G][LO];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=acc complete dim=0)
  // acc[g][j] is updated every U >= L iterations (checked with INRARCH_CHECK_RECURRENCE).
  INRARCH_PRAGMA(HLS DEPENDENCE variable=acc type=inter dependent=false)
  for (int g = 0; g < G; ++g)  // registers: a reset, no cycles
    for (int j = 0; j < LO; ++j) {
      INRARCH_PRAGMA(HLS UNROLL)
      acc[g][j] = ACC(0);
    }
INRARCH_LABEL(mm_rows)
  for (int b = 0; b < n; ++b) {
    INRARCH_BATCH_TRIPCOUNT(B);
    const int cur = b & 1;
    int rd = 0;       // next word of row b+1 to read
    int rd_at = 0;    // ... at iteration floor(rd * ROW_CYCLES / WPR_IN)
    const int iters = b + 1 < n ? ROW_CYCLES : C;  // the last row reads nothing
    INRARCH_LOOP_BEGIN(CFG::LATENCY);
  INRARCH_LABEL(mm_row)
    for (int it = 0; it < iters; ++it) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      if (b + 1 < n && rd < WPR_IN && it == rd_at) {  // the next row, spread over the loop
        const word<T, LI> v = x.read();
        for (int l = 0; l < LI; ++l) {
          INRARCH_PRAGMA(HLS UNROLL)
          if (rd * LI + l < K) xrow[cur ^ 1][rd * LI + l] = v[l];
        }
        ++rd;
        rd_at = rd * ROW_CYCLES / WPR_IN;
      }
      if (it < C) {
        // iteration (group, ks, g, jb): lane block jb of word group*G + g, k step ks
        const int grp = it / PER_GROUP;
        const int r = it % PER_GROUP;
        const int ks = r / U;
        const int g = (r % U) / JB;
        const int jb = (r % U) % JB;
        const int ow = grp * G + g;  // >= NW in the padding of the last group
        const int k0 = ks * KU;
        for (int ju = 0; ju < JU; ++ju) {
          INRARCH_PRAGMA(HLS UNROLL)
          const int j = jb * JU + ju;
          const int n = ow * LO + j;
          ACC s = ACC(0);
          for (int ku = 0; ku < KU; ++ku) {
            INRARCH_PRAGMA(HLS UNROLL)
            const int k = k0 + ku;
            if (k < K && n < N) s += xrow[cur][k] * wbuf[k][n];
          }
          if (ks == 0)
            acc[g][j] = s;  // a word's first step: no read of the accumulator
          else
            acc[g][j] += s;
          INRARCH_ACC_UPDATE(&acc[g][j], L);
        }
        if (ks == KS - 1 && jb == JB - 1 && ow < NW) {  // word ow is complete
          word<T, LO> o;
          for (int j = 0; j < LO; ++j) {
            INRARCH_PRAGMA(HLS UNROLL)
            o[j] = (ow * LO + j < N) ? T(acc[g][j]) : T(0);
          }
          y.write(o);
        }
      }
    }
    INRARCH_LOOP_END();
  }
}
}  // namespace detail

/// y[b, n] = sum_k x[b, k] * W[k, n]  (W stored [K, N]), or W[n, k] when
/// TRANSPOSE_W (PyTorch Linear layout [N, K]). CFG: T, ACC; B, K, N, LI, LO,
/// MACS, L (the adder latency), LATENCY (an output word leaves LATENCY
/// cycles after the iteration that completes it: the adder tree and the
/// output register); TRANSPOSE_W; optional WEIGHT_URAM (bind the weight
/// buffer to UltraRAM; default false), optional WEIGHT_TILE (TR > 0: the
/// weights arrive in tiles of TR storage rows, see weights_tiles in
/// boundary.h; default 0: flat). WL is deduced from `w`.
/// The weights arrive once on `w` (K*N elements, row-major in their storage
/// layout, WL per word) and are kept in a local buffer wbuf[K][ceil(N/LO)*LO]
/// partitioned cyclic KU on dim 1 and JU on dim 2 for MACS parallel
/// multiply-accumulates, accumulated in ACC (acc_t<T> is the usual choice).
/// Per iteration the MAC loop does KU = (MACS >= LO ? MACS/LO : 1) k values
/// for JU = min(MACS, LO) output lanes (a lane block; JB = LO/JU of them per
/// output word, KS = ceil(K/KU) k steps each). So that no accumulator is
/// updated twice within L iterations (Vitis would otherwise schedule the
/// loop at II = L for a float adder), G = ceil(L/JB) output words (1 when
/// JB >= L) are interleaved step-major: iteration (group, ks, g, jb) works
/// on lane block jb of word group*G + g, accumulators acc[G][LO], the last
/// group padded to G words; a row takes C = ceil(ceil(N/LO)/G) * KS * G*JB
/// iterations (~= K*N/MACS when G divides the words).
/// Program order:
///   1. once: one loop of K*N/P iterations storing P weight elements each,
///      reading weight word r at iteration r*WL/P (P = detail::weight_chunk;
///      with WEIGHT_TILE = TR, P = PR*WL/TR: PR rows of a tile word, PR the
///      largest divisor of TR at most the banks across the storage rows);
///   2. one loop of ceil(K/LI) iterations reading row 0;
///   3. for each row b, one loop of R = max(C, ceil(K/LI)) iterations
///      (C for the last row) at II=1; iteration i
///      - first, if b+1 < B, reads word r of row b+1 when
///        i == floor(r * R / ceil(K/LI)) (spread evenly over the loop, so the
///        next row arrives at the pace its producer writes it);
///      - then, if i < C, does its MACs; the G words of a group are written
///        in a burst during the group's last k step: word group*G + g at
///        i = group*KS*G*JB + (KS-1)*G*JB + g*JB + JB-1.
/// MACS must be a multiple or a divisor of LO. (The dataflow timing model,
/// Kernel.matmul with dataflow.MatmulLoop, follows this.)
template <class CFG, int WL>
void matmul(const int n, stream<word<typename CFG::T, CFG::LI>>& x, stream<word<typename CFG::T, WL>>& w,
            stream<word<typename CFG::T, CFG::LO>>& y) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int K = CFG::K, N = CFG::N, LO = CFG::LO, MACS = CFG::MACS;
  static_assert(MACS >= 1 && (MACS % LO == 0 || LO % MACS == 0),
                "matmul: MACS must be a multiple or a divisor of the output lanes");
  static_assert(CFG::L >= 1, "matmul: the adder latency L must be >= 1");
  constexpr int NP = words_per_row(N, LO) * LO;   // N padded to whole words
  constexpr int KU = MACS >= LO ? MACS / LO : 1;
  constexpr int JU = MACS >= LO ? LO : MACS;
  static_cast<void>(KU);
  static_cast<void>(JU);
  // A pragma cannot depend on a template value: one declaration per storage.
  if constexpr (detail::weight_uram<CFG>::value) {
    T wbuf[K][NP];
    INRARCH_PRAGMA(HLS BIND_STORAGE variable=wbuf type=ram_2p impl=uram)
    INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=wbuf cyclic factor=KU dim=1)
    INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=wbuf cyclic factor=JU dim=2)
    detail::matmul_run<CFG, WL>(n, x, w, y, wbuf);
  } else {
    T wbuf[K][NP];
    INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=wbuf cyclic factor=KU dim=1)
    INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=wbuf cyclic factor=JU dim=2)
    detail::matmul_run<CFG, WL>(n, x, w, y, wbuf);
  }
}

// ---------------------------------------------------------------------------
// Transpose (a barrier when it moves the batch dim)

/// Permute the dims of a tensor of full shape InShape = <D0, D1, ...>
/// (D0 = batch): output dim i is input dim Perm::dim(i). CFG: T, InShape,
/// Perm; LI, LO (no B: InShape includes the batch).
/// If Perm::dim(0) == 0 the batch stays outermost and the kernel works per
/// sample: read all words of a sample, then write the sample permuted.
/// Otherwise it is a barrier: read all D0 rows (the whole tensor), then
/// write all rows of the output [D_Perm0, ...]. Rows are padded per row
/// (LI lanes in, LO lanes out) as for every channel.
template <class CFG>
void transpose(stream<word<typename CFG::T, CFG::LI>>& in, stream<word<typename CFG::T, CFG::LO>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using InShape = typename CFG::InShape;
  using Perm = typename CFG::Perm;
  constexpr int LI = CFG::LI, LO = CFG::LO;
  static_assert(InShape::rank == Perm::rank && InShape::rank >= 2, "transpose: bad permutation");
  constexpr bool PER_SAMPLE = Perm::dim(0) == 0;
  constexpr int D0 = InShape::dim(0);
  constexpr int OD0 = InShape::dim(Perm::dim(0));
  constexpr int ROW_IN = InShape::size / D0;
  constexpr int ROW_OUT = InShape::size / OD0;
  constexpr int OUTER = PER_SAMPLE ? D0 : 1;      // independent blocks
  constexpr int BLOCK = InShape::size / OUTER;    // elements buffered
  constexpr int ROWS_IN = PER_SAMPLE ? 1 : D0;    // rows per block
  constexpr int ROWS_OUT = PER_SAMPLE ? 1 : OD0;
  T buf[BLOCK];
  row_reader<T, LI> rd;
  row_writer<T, LO, ROW_OUT> wr;
INRARCH_LABEL(tr_blocks)
  for (int blk = 0; blk < OUTER; ++blk) {
  INRARCH_LABEL(tr_read_rows)
    for (int r = 0; r < ROWS_IN; ++r) {
      rd.start_row();
      INRARCH_LOOP_BEGIN(0);
    INRARCH_LABEL(tr_read)
      for (int e = 0; e < ROW_IN; ++e) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        INRARCH_ITER();
        buf[r * ROW_IN + e] = rd.next(in);
      }
      INRARCH_LOOP_END();
    }
  INRARCH_LABEL(tr_write_rows)
    for (int r = 0; r < ROWS_OUT; ++r) {
      wr.start_row();
      INRARCH_LOOP_BEGIN(0);
    INRARCH_LABEL(tr_write)
      for (int e = 0; e < ROW_OUT; ++e) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        INRARCH_ITER();
        // Output linear index within the block -> input linear index.
        const int base = PER_SAMPLE ? blk * BLOCK : 0;
        int rem = base + r * ROW_OUT + e;
        int src = 0;
        for (int i = InShape::rank - 1; i >= 0; --i) {
          INRARCH_PRAGMA(HLS UNROLL)
          const int od = InShape::dim(Perm::dim(i));
          src += (rem % od) * InShape::stride(Perm::dim(i));
          rem /= od;
        }
        wr.put(out, buf[src - base]);
      }
      INRARCH_LOOP_END();
    }
  }
}

// ---------------------------------------------------------------------------
// Barriers over the batch: slices and concatenations along dim 0

namespace detail {
/// Reads R rows of ROW elements (LI lanes, rows padded per word) into buf.
template <class T, int R, int ROW, int LI>
void read_rows(stream<word<T, LI>>& in, T* buf) {
  row_reader<T, LI> rd;
INRARCH_LABEL(rows_read)
  for (int r = 0; r < R; ++r) {
    rd.start_row();
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(rows_read_elems)
    for (int e = 0; e < ROW; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      buf[r * ROW + e] = rd.next(in);
    }
    INRARCH_LOOP_END();
  }
}
}  // namespace detail

/// Static strided slice of a whole tensor of full shape InShape = <D0, ...>
/// that may cut dim 0 (the batch): a barrier. CFG: T, InShape, Offsets,
/// Sizes, Strides; LI, LO (no B: InShape includes the batch). Reads all D0
/// rows, then writes the Sizes::dim(0) output rows (Offsets/Sizes/Strides
/// per dim, as for `slice`).
template <class CFG>
void slice_batch(stream<word<typename CFG::T, CFG::LI>>& in, stream<word<typename CFG::T, CFG::LO>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using InShape = typename CFG::InShape;
  using Offsets = typename CFG::Offsets;
  using Sizes = typename CFG::Sizes;
  using Strides = typename CFG::Strides;
  constexpr int LI = CFG::LI, LO = CFG::LO;
  static_assert(InShape::rank == Offsets::rank && InShape::rank == Sizes::rank &&
                    InShape::rank == Strides::rank,
                "slice_batch: offsets/sizes/strides must have the rank of the input");
  constexpr int ROW_IN = InShape::size / InShape::dim(0);
  constexpr int ROW_OUT = Sizes::size / Sizes::dim(0);
  T buf[InShape::size];
  detail::read_rows<T, InShape::dim(0), ROW_IN, LI>(in, buf);
  row_writer<T, LO, ROW_OUT> wr;
INRARCH_LABEL(slb_rows)
  for (int r = 0; r < Sizes::dim(0); ++r) {
    wr.start_row();
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(slb_elems)
    for (int e = 0; e < ROW_OUT; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      int rem = r * ROW_OUT + e;
      int src = 0;
      for (int d = Sizes::rank - 1; d >= 0; --d) {
        INRARCH_PRAGMA(HLS UNROLL)
        src += (Offsets::dim(d) + (rem % Sizes::dim(d)) * Strides::dim(d)) * InShape::stride(d);
        rem /= Sizes::dim(d);
      }
      wr.put(out, buf[src]);
    }
    INRARCH_LOOP_END();
  }
}

namespace detail {
template <class T, int ROW, class Rows, int LO, int... LI, std::size_t... Is>
void concat_batch_impl(std::index_sequence<Is...>, stream<word<T, LO>>& out, stream<word<T, LI>>&... in) {
  T buf[Rows::size_sum() * ROW];
  static_cast<void>((read_rows<T, Rows::dim(Is), ROW, LI>(in, buf + Rows::prefix_sum(Is) * ROW), ...));
  row_writer<T, LO, ROW> wr;
INRARCH_LABEL(cb_rows)
  for (int r = 0; r < Rows::size_sum(); ++r) {
    wr.start_row();
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(cb_elems)
    for (int e = 0; e < ROW; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      wr.put(out, buf[r * ROW + e]);
    }
    INRARCH_LOOP_END();
  }
}
}  // namespace detail

/// Concatenate along dim 0 (the batch): a barrier. Input i has
/// Rows::dim(i) rows of ROW elements. CFG: T, Rows; ROW, LO (each input's
/// LI deduced from its stream). Reads every row of input 0, then of input
/// 1, ..., then writes all rows in that order.
template <class CFG, int... LI>
void concat_batch(stream<word<typename CFG::T, CFG::LO>>& out, stream<word<typename CFG::T, LI>>&... in) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using Rows = typename CFG::Rows;
  static_assert(sizeof...(LI) == Rows::rank, "concat_batch: one row count per input");
  detail::concat_batch_impl<T, CFG::ROW, Rows, CFG::LO>(std::index_sequence_for<word<T, LI>...>{}, out,
                                                        in...);
}

}  // namespace inrarch

#endif  // INRARCH_KERNELS_H
