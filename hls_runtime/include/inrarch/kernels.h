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
//     static constexpr int B = 64, K = 256, N = 256, LI = 2, LO = 2, MACS = 48;
//     static constexpr bool TRANSPOSE_W = true;
//   };
//   INRARCH_PROCESS("matmul3", inrarch::matmul<matmul3_cfg>(x, w, y));
//
// Extra members are ignored. (A local class cannot have static data members:
// declare configs at namespace scope.)
//
// Every kernel is a dataflow process (INLINE off), has fixed loop bounds from
// its config, no dynamic allocation and no recursion. Element types: float
// and ap_fixed<W,I>. The per-sample read/write program order of each kernel
// is part of the contract with the compiler's timing model and static
// deadlock check; it is stated above each kernel and in hls_runtime/README.md.
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
#include <utility>

#include "inrarch/stream.h"
#include "inrarch/types.h"

namespace inrarch {

// ---------------------------------------------------------------------------
// Memory <-> stream

/// Memory [B, ROW] -> channel. CFG: T; B, ROW, LANES.
/// Per sample: write ceil(ROW/LANES) words.
template <class CFG>
void load(const typename CFG::T* mem, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  constexpr int WPR = words_per_row(ROW, LANES);
INRARCH_LABEL(load_rows)
  for (int b = 0; b < B; ++b) {
  INRARCH_LABEL(load_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      word<T, LANES> v;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        v[l] = (e < ROW) ? mem[b * ROW + e] : T(0);
      }
      out.write(v);
    }
  }
}

/// Channel [B, ROW] -> memory. CFG: T; B, ROW, LANES.
/// Per sample: read ceil(ROW/LANES) words.
template <class CFG>
void store(stream<word<typename CFG::T, CFG::LANES>>& in, typename CFG::T* mem) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  constexpr int WPR = words_per_row(ROW, LANES);
INRARCH_LABEL(store_rows)
  for (int b = 0; b < B; ++b) {
  INRARCH_LABEL(store_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      const word<T, LANES> v = in.read();
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = w * LANES + l;
        if (e < ROW) mem[b * ROW + e] = v[l];
      }
    }
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
INRARCH_LABEL(weights_words)
  for (int w = 0; w < NW; ++w) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    word<T, LANES> v;
    for (int l = 0; l < LANES; ++l) {
      INRARCH_PRAGMA(HLS UNROLL)
      const int e = w * LANES + l;
      v[l] = (e < SIZE) ? mem[e] : T(0);
    }
    out.write(v);
  }
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
/// CFG: F (the functor); B, ROW, LANES. TO and TI... are deduced from the
/// streams. Per word: read one word from each input in operand order, write
/// one word. Padded lanes are written as zero (F(0) need not be 0). F is a
/// default-constructible functor with a const operator() (the compiler emits
/// it from the map region).
template <class CFG, class TO, class... TI>
void map(stream<word<TO, CFG::LANES>>& out, stream<word<TI, CFG::LANES>>&... in) {
  INRARCH_PRAGMA(HLS INLINE off)
  using F = typename CFG::F;
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  static_assert(sizeof...(TI) >= 1, "map needs at least one input");
  constexpr int WPR = words_per_row(ROW, LANES);
  const F f{};
INRARCH_LABEL(map_rows)
  for (int b = 0; b < B; ++b) {
  INRARCH_LABEL(map_words)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
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
  }
}

/// One channel to N = sizeof...(outs) identical channels. CFG: B, ROW,
/// LANES (T deduced). Per word: read one word, write it to out0, out1, ...
/// in order.
template <class CFG, class T, class... S>
void fork(stream<word<T, CFG::LANES>>& in, S&... outs) {
  INRARCH_PRAGMA(HLS INLINE off)
  constexpr int B = CFG::B, ROW = CFG::ROW, LANES = CFG::LANES;
  static_assert(sizeof...(S) >= 1, "fork needs at least one output");
  constexpr int WPR = words_per_row(ROW, LANES);
INRARCH_LABEL(fork_words)
  for (int i = 0; i < B * WPR; ++i) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    const word<T, LANES> v = in.read();
    static_cast<void>((outs.write(v), ...));
  }
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
void broadcast_buffer(stream<word<typename CFG::T, CFG::WL>>& w,
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
INRARCH_LABEL(bcast_load)
  for (int e = 0; e < NI; ++e) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    buf[e] = rd.next(w);
  }
  constexpr int WPR = words_per_row(NO, LANES);
INRARCH_LABEL(bcast_rows)
  for (int b = 0; b < B; ++b) {
  INRARCH_LABEL(bcast_words)
    for (int wd = 0; wd < WPR; ++wd) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      word<T, LANES> o;
      for (int l = 0; l < LANES; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = wd * LANES + l;
        o[l] = (e < NO) ? buf[detail::broadcast_src<InShape, OutShape>(e)] : T(0);
      }
      out.write(o);
    }
  }
}

/// Channel [B, InShape] -> channel [B, OutShape] (size-1 feature dims
/// repeated). CFG: T, InShape, OutShape; B, LI, LO. Per sample: read all
/// ceil(InShape::size/LI) input words, then write ceil(OutShape::size/LO)
/// output words.
template <class CFG>
void broadcast(stream<word<typename CFG::T, CFG::LI>>& in, stream<word<typename CFG::T, CFG::LO>>& out) {
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
  for (int b = 0; b < B; ++b) {
    rd.start_row();
  INRARCH_LABEL(bcast_read)
    for (int e = 0; e < NI; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      buf[e] = rd.next(in);
    }
    constexpr int WPR = words_per_row(NO, LO);
  INRARCH_LABEL(bcast_write)
    for (int wd = 0; wd < WPR; ++wd) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      word<T, LO> o;
      for (int l = 0; l < LO; ++l) {
        INRARCH_PRAGMA(HLS UNROLL)
        const int e = wd * LO + l;
        o[l] = (e < NO) ? buf[detail::broadcast_src<InShape, OutShape>(e)] : T(0);
      }
      out.write(o);
    }
  }
}

// ---------------------------------------------------------------------------
// Reduce

/// Sum over the feature dims d with Mask::dim(d) == 1 of a channel
/// [B, InShape]; the result keeps the other dims (in order), e.g. InShape
/// <4,8>, Mask <0,1> -> [B, 4]. Accumulates in ACC (acc_t<T> is the usual
/// choice). CFG: T, ACC, InShape, Mask; B, LI, LO. A reduction over the
/// batch is the same kernel with B = 1 and InShape the whole tensor.
/// Per sample: read all input words, then write the output word(s).
template <class CFG>
void reduce_sum(stream<word<typename CFG::T, CFG::LI>>& in, stream<word<typename CFG::T, CFG::LO>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using ACC = typename CFG::ACC;
  using InShape = typename CFG::InShape;
  using Mask = typename CFG::Mask;
  constexpr int B = CFG::B, LI = CFG::LI, LO = CFG::LO;
  static_assert(InShape::rank == Mask::rank, "mask rank must equal shape rank");
  constexpr int NI = InShape::size;
  constexpr int WPR_IN = words_per_row(NI, LI);
  constexpr int NO = [] {
    int n = 1;
    for (int d = 0; d < InShape::rank; ++d)
      if (!Mask::dim(d)) n *= InShape::dim(d);
    return n;
  }();
  ACC acc[NO];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=acc cyclic factor=LO dim=1)
  row_writer<T, LO, NO> wr;
INRARCH_LABEL(reduce_rows)
  for (int b = 0; b < B; ++b) {
    for (int o = 0; o < NO; ++o) acc[o] = ACC(0);
    if constexpr (NO == 1) {
      // Full reduction: one word per cycle, lanes summed as a tree.
    INRARCH_LABEL(reduce_words)
      for (int wd = 0; wd < WPR_IN; ++wd) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        const word<T, LI> v = in.read();
        ACC s = ACC(0);
        for (int l = 0; l < LI; ++l) {
          INRARCH_PRAGMA(HLS UNROLL)
          if (wd * LI + l < NI) s += ACC(v[l]);
        }
        acc[0] += s;
      }
    } else {
      row_reader<T, LI> rd;
      rd.start_row();
    INRARCH_LABEL(reduce_elems)
      for (int e = 0; e < NI; ++e) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        int oi = 0;
        for (int d = 0; d < InShape::rank; ++d) {
          INRARCH_PRAGMA(HLS UNROLL)
          if (!Mask::dim(d)) oi = oi * InShape::dim(d) + (e / InShape::stride(d)) % InShape::dim(d);
        }
        acc[oi] += ACC(rd.next(in));
      }
    }
    wr.start_row();
  INRARCH_LABEL(reduce_write)
    for (int o = 0; o < NO; ++o) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      wr.put(out, T(acc[o]));
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
void slice(stream<word<typename CFG::T, CFG::LI>>& in, stream<word<typename CFG::T, CFG::LO>>& out) {
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
  for (int b = 0; b < B; ++b) {
    rd.start_row();
    wr.start_row();
  INRARCH_LABEL(slice_elems)
    for (int e = 0; e < NI; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
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
  }
}

namespace detail {
template <class T, int CHUNK, int L, int LO, int NO, class S, class O>
void concat_chunk(row_reader<T, L>& rd, S& in, row_writer<T, LO, NO>& wr, O& out) {
INRARCH_LABEL(concat_elems)
  for (int e = 0; e < CHUNK; ++e) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    wr.put(out, rd.next(in));
  }
}
template <class T, int B, class Chunks, int OUTER, int LO, int... LI, std::size_t... Is>
void concat_impl(std::index_sequence<Is...>, stream<word<T, LO>>& out, stream<word<T, LI>>&... in) {
  constexpr int ROW = [] {
    int s = 0;
    for (int i = 0; i < Chunks::rank; ++i) s += Chunks::dim(i);
    return s * OUTER;
  }();
  std::tuple<row_reader<T, LI>...> rds;
  row_writer<T, LO, ROW> wr;
INRARCH_LABEL(concat_rows)
  for (int b = 0; b < B; ++b) {
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
void concat(stream<word<typename CFG::T, CFG::LO>>& out, stream<word<typename CFG::T, LI>>&... in) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using Chunks = typename CFG::Chunks;
  static_assert(sizeof...(LI) == Chunks::rank, "concat: one chunk size per input");
  detail::concat_impl<T, CFG::B, Chunks, CFG::OUTER, CFG::LO>(std::index_sequence_for<word<T, LI>...>{},
                                                              out, in...);
}

// ---------------------------------------------------------------------------
// Matmul

/// y[b, n] = sum_k x[b, k] * W[k, n]  (W stored [K, N]), or W[n, k] when
/// TRANSPOSE_W (PyTorch Linear layout [N, K]). CFG: T, ACC; B, K, N, LI, LO,
/// MACS; TRANSPOSE_W (WL deduced from `w`). The weights arrive once on `w`
/// (K*N elements, row-major in their storage layout, WL per word) and are
/// kept in a local buffer partitioned for MACS parallel multiply-accumulates,
/// accumulated in ACC (acc_t<T> is the usual choice).
/// The input row is double-buffered: the kernel reads row b+1 while it
/// computes row b. With KU = (MACS >= LO ? MACS/LO : 1) k values and
/// JU = min(MACS, LO) output lanes per iteration, one row takes
/// C = ceil(N/LO) * (LO/JU) * ceil(K/KU) MAC iterations (~= K*N/MACS), in a
/// row loop of R = max(C, ceil(K/LI)) iterations at II=1.
/// Program order: read all ceil(K*N/WL) weight words once; read the
/// ceil(K/LI) words of row 0; then for each row b, iterations i = 0..R-1:
///   1. if b+1 < B: read word r of row b+1 at i == floor(r * R / ceil(K/LI))
///      (r = 0..ceil(K/LI)-1, spread evenly over the loop so the next row
///      arrives at the pace its producer writes it);
///   2. if i < C: the MACs of step i; output word o is written at the end
///      of iteration (o+1) * C/ceil(N/LO) - 1 (its last step).
/// Cycles per row ~= R. MACS must be a multiple or a divisor of LO. (The
/// dataflow timing model, Kernel.matmul, follows this.)
template <class CFG, int WL>
void matmul(stream<word<typename CFG::T, CFG::LI>>& x, stream<word<typename CFG::T, WL>>& w,
            stream<word<typename CFG::T, CFG::LO>>& y) {
  INRARCH_PRAGMA(HLS INLINE off)
  using T = typename CFG::T;
  using ACC = typename CFG::ACC;
  constexpr int B = CFG::B, K = CFG::K, N = CFG::N, LI = CFG::LI, LO = CFG::LO, MACS = CFG::MACS;
  constexpr bool TRANSPOSE_W = CFG::TRANSPOSE_W;
  static_assert(MACS >= 1 && (MACS % LO == 0 || LO % MACS == 0),
                "matmul: MACS must be a multiple or a divisor of the output lanes");
  constexpr int NW = words_per_row(N, LO);
  constexpr int NP = NW * LO;                      // N padded to whole words
  constexpr int KU = MACS >= LO ? MACS / LO : 1;   // k values per cycle
  constexpr int JU = MACS >= LO ? LO : MACS;       // output lanes per cycle
  constexpr int KS = (K + KU - 1) / KU;
  constexpr int JB = LO / JU;
  constexpr int PER_WORD = JB * KS;                // iterations per output word
  constexpr int C = NW * PER_WORD;                 // MAC-loop iterations per row
  constexpr int WPR_IN = words_per_row(K, LI);
  constexpr int ROW_CYCLES = C > WPR_IN ? C : WPR_IN;

  T wbuf[K][NP];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=wbuf cyclic factor=KU dim=1)
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=wbuf cyclic factor=JU dim=2)
  // Two rows: written LI elements per cycle, read KU per cycle.
  constexpr int XP = KU > LI ? KU : LI;
  T xrow[2][K];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=xrow complete dim=1)
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=xrow cyclic factor=XP dim=2)
  static_cast<void>(XP);

  // Weights: once, before the first sample.
  row_reader<T, WL> wr;
  wr.start_row();
INRARCH_LABEL(mm_wload)
  for (int i = 0; i < K * N; ++i) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    const int r = i / (TRANSPOSE_W ? K : N);
    const int c = i % (TRANSPOSE_W ? K : N);
    const T v = wr.next(w);
    if (TRANSPOSE_W)
      wbuf[c][r] = v;
    else
      wbuf[r][c] = v;
  }
INRARCH_LABEL(mm_wpad)
  for (int k = 0; k < K; ++k)
    for (int n = N; n < NP; ++n) wbuf[k][n] = T(0);

INRARCH_LABEL(mm_read0)
  for (int wd = 0; wd < WPR_IN; ++wd) {
    INRARCH_PRAGMA(HLS PIPELINE II=1)
    const word<T, LI> v = x.read();
    for (int l = 0; l < LI; ++l) {
      INRARCH_PRAGMA(HLS UNROLL)
      if (wd * LI + l < K) xrow[0][wd * LI + l] = v[l];
    }
  }
  ACC acc[LO];
  INRARCH_PRAGMA(HLS ARRAY_PARTITION variable=acc complete)
  for (int j = 0; j < LO; ++j) acc[j] = ACC(0);
INRARCH_LABEL(mm_rows)
  for (int b = 0; b < B; ++b) {
    const int cur = b & 1;
    int rd = 0;       // next word of row b+1 to read
    int rd_at = 0;    // ... at iteration floor(rd * ROW_CYCLES / WPR_IN)
  INRARCH_LABEL(mm_row)
    for (int it = 0; it < ROW_CYCLES; ++it) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      if (b + 1 < B && rd < WPR_IN && it == rd_at) {  // the next row, spread over the loop
        const word<T, LI> v = x.read();
        for (int l = 0; l < LI; ++l) {
          INRARCH_PRAGMA(HLS UNROLL)
          if (rd * LI + l < K) xrow[cur ^ 1][rd * LI + l] = v[l];
        }
        ++rd;
        rd_at = rd * ROW_CYCLES / WPR_IN;
      }
      if (it < C) {
        const int ow = it / PER_WORD;
        const int step = it % PER_WORD;
        const int jb = step / KS;
        const int k0 = (step % KS) * KU;
        if (step == 0)
          for (int j = 0; j < LO; ++j) {
            INRARCH_PRAGMA(HLS UNROLL)
            acc[j] = ACC(0);
          }
        for (int ju = 0; ju < JU; ++ju) {
          INRARCH_PRAGMA(HLS UNROLL)
          const int j = jb * JU + ju;
          ACC s = ACC(0);
          for (int ku = 0; ku < KU; ++ku) {
            INRARCH_PRAGMA(HLS UNROLL)
            const int k = k0 + ku;
            if (k < K) s += xrow[cur][k] * wbuf[k][ow * LO + j];
          }
          acc[j] += s;
        }
        if (step == PER_WORD - 1) {
          word<T, LO> o;
          for (int j = 0; j < LO; ++j) {
            INRARCH_PRAGMA(HLS UNROLL)
            o[j] = (ow * LO + j < N) ? T(acc[j]) : T(0);
          }
          y.write(o);
        }
      }
    }
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
    INRARCH_LABEL(tr_read)
      for (int e = 0; e < ROW_IN; ++e) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        buf[r * ROW_IN + e] = rd.next(in);
      }
    }
  INRARCH_LABEL(tr_write_rows)
    for (int r = 0; r < ROWS_OUT; ++r) {
      wr.start_row();
    INRARCH_LABEL(tr_write)
      for (int e = 0; e < ROW_OUT; ++e) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
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
  INRARCH_LABEL(rows_read_elems)
    for (int e = 0; e < ROW; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      buf[r * ROW + e] = rd.next(in);
    }
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
  INRARCH_LABEL(slb_elems)
    for (int e = 0; e < ROW_OUT; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      int rem = r * ROW_OUT + e;
      int src = 0;
      for (int d = Sizes::rank - 1; d >= 0; --d) {
        INRARCH_PRAGMA(HLS UNROLL)
        src += (Offsets::dim(d) + (rem % Sizes::dim(d)) * Strides::dim(d)) * InShape::stride(d);
        rem /= Sizes::dim(d);
      }
      wr.put(out, buf[src]);
    }
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
  INRARCH_LABEL(cb_elems)
    for (int e = 0; e < ROW; ++e) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      wr.put(out, buf[r * ROW + e]);
    }
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
