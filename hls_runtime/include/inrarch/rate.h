// inrarch/rate.h -- rate-changing streaming kernels (ASMR's activation sharing).
//
// A block of B samples in hierarchical order shares a coarse level's
// activations between runs of consecutive samples. These two kernels change
// the number of rows a channel carries without holding the tensor: `repeat`
// writes each input sample TIMES times in a row, `subsample` keeps every
// STRIDE-th sample. They copy whole words (input and output lanes are equal,
// the row padding too), so they are lane-agnostic. Like the whole-tensor
// barriers they take no runtime n: their row counts are the configured
// block's (a design with them runs whole batches).
#ifndef INRARCH_RATE_H
#define INRARCH_RATE_H

#include "inrarch/stream.h"
#include "inrarch/types.h"

namespace inrarch {

/// Channel [BI, ROW] -> channel [BI * TIMES, ROW], each input sample written
/// TIMES times consecutively. CFG: T; BI (input rows), ROW (elements per
/// sample), LANES, TIMES. Program order, per input sample: one loop of WPR =
/// ceil(ROW/LANES) iterations reading word w and writing it at once (the
/// first copy), then one loop of (TIMES-1)*WPR iterations writing the held
/// copies. Holds one sample (WPR words).
template <class CFG>
void repeat(stream<word<typename CFG::T, CFG::LANES>>& in, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using W = word<typename CFG::T, CFG::LANES>;
  constexpr int BI = CFG::BI, TIMES = CFG::TIMES;
  constexpr int WPR = words_per_row(CFG::ROW, CFG::LANES);
  static_assert(TIMES >= 1 && BI >= 1, "repeat: TIMES and BI must be >= 1");
  W buf[WPR];
INRARCH_LABEL(repeat_rows)
  for (int b = 0; b < BI; ++b) {
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(repeat_first)
    for (int w = 0; w < WPR; ++w) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      const W v = in.read();
      buf[w] = v;
      out.write(v);
    }
    INRARCH_LOOP_END();
    if (TIMES > 1) {
      INRARCH_LOOP_BEGIN(0);
    INRARCH_LABEL(repeat_copies)
      for (int k = 0; k < (TIMES - 1) * WPR; ++k) {
        INRARCH_PRAGMA(HLS PIPELINE II=1)
        INRARCH_ITER();
        out.write(buf[k % WPR]);
      }
      INRARCH_LOOP_END();
    }
  }
}

/// Channel [BO * STRIDE, ROW] -> channel [BO, ROW]: output sample j is input
/// sample j*STRIDE + OFFSET (0 <= OFFSET < STRIDE). CFG: T; BO (output
/// rows), ROW, LANES, STRIDE, OFFSET. Program order, per output sample: one
/// loop of STRIDE*WPR iterations reading a word each, writing it at once when
/// it belongs to sample OFFSET of the group (iterations OFFSET*WPR ..
/// OFFSET*WPR + WPR - 1). Holds nothing.
template <class CFG>
void subsample(stream<word<typename CFG::T, CFG::LANES>>& in, stream<word<typename CFG::T, CFG::LANES>>& out) {
  INRARCH_PRAGMA(HLS INLINE off)
  using W = word<typename CFG::T, CFG::LANES>;
  constexpr int BO = CFG::BO, STRIDE = CFG::STRIDE, OFFSET = CFG::OFFSET;
  constexpr int WPR = words_per_row(CFG::ROW, CFG::LANES);
  static_assert(STRIDE >= 1 && OFFSET >= 0 && OFFSET < STRIDE, "subsample: need 0 <= OFFSET < STRIDE");
INRARCH_LABEL(subsample_rows)
  for (int b = 0; b < BO; ++b) {
    INRARCH_LOOP_BEGIN(0);
  INRARCH_LABEL(subsample_words)
    for (int k = 0; k < STRIDE * WPR; ++k) {
      INRARCH_PRAGMA(HLS PIPELINE II=1)
      INRARCH_ITER();
      const W v = in.read();
      if (k / WPR == OFFSET) out.write(v);
    }
    INRARCH_LOOP_END();
  }
}

}  // namespace inrarch

#endif  // INRARCH_RATE_H
