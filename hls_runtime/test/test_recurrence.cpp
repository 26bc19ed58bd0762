// Accumulator recurrence distance of every accumulating kernel (matmul,
// reduce_sum), built with -DINRARCH_CHECK_RECURRENCE: every update of every
// accumulator is recorded with its loop iteration, and two updates of one
// accumulator in one execution of a pipelined loop fewer than L iterations
// apart are violations (Vitis would schedule that loop at II = L). Build
// flags: -DREC_L=L (the adder latency), -DREC_FIXED (ap_fixed<32,10>; float
// otherwise). Each case also checks the result against a double reference,
// and a naive accumulation (acc += x every iteration) must be caught when
// L > 1, so the check is known to see what it checks.
#include "test_util.h"

#ifndef REC_L
#define REC_L 4
#endif
constexpr int L = REC_L;
#ifdef REC_FIXED
using T = tst::fx32;
constexpr double TOL = 1e-5;
#else
using T = float;
constexpr double TOL = 1e-4;
#endif

using inrarch::shape;

template <int B_, int K_, int N_, int LI_, int LO_, int MACS_, bool TW_>
struct mm_cfg {
  using T = ::T;
  using ACC = inrarch::acc_t<::T>;
  static constexpr int B = B_, K = K_, N = N_, LI = LI_, LO = LO_, MACS = MACS_, L = ::L, LATENCY = 8;
  static constexpr bool TRANSPOSE_W = TW_;
};

long long violations = 0;

void report(const char* what) {
  const inrarch::rt::recurrence_state& s = inrarch::rt::recurrence();
  if (s.updates == 0) {
    std::printf("FAIL %s: no accumulator update recorded\n", what);
    ++tst::failures;
  }
  violations += inrarch::rt::recurrence_report(what, L);
}

template <int B, int K, int N, int LI, int LO, int MACS, bool TW>
void matmul_case(const char* what) {
  constexpr int WL = 16;
  const std::vector<T> x = tst::random_vec<T>(B * K, 60);
  const std::vector<T> w = tst::random_vec<T>(K * N, 61);
  inrarch::stream<inrarch::word<T, LI>> sx("x");
  inrarch::stream<inrarch::word<T, WL>> sw("w");
  inrarch::stream<inrarch::word<T, LO>> sy("y");
  inrarch::weights<tst::weights_cfg<T, K * N, WL>>(w.data(), sw);
  tst::push_rows<T, LI>(sx, x, B, K);
  inrarch::matmul<mm_cfg<B, K, N, LI, LO, MACS, TW>>(B, sx, sw, sy);
  std::vector<double> ref(B * N, 0.0);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k) ref[b * N + n] += double(x[b * K + k]) * double(TW ? w[n * K + k] : w[k * N + n]);
  tst::check_close(what, tst::pop_rows<T, LO>(sy, B, N, what), ref, TOL);
  report(what);
}

template <int B_, class InShape_, class Mask_, int LI_, int LO_>
struct red_cfg {
  using T = ::T;
  using ACC = inrarch::acc_t<::T>;
  using InShape = InShape_;
  using Mask = Mask_;
  static constexpr int B = B_, LI = LI_, LO = LO_, L = ::L, LATENCY = 4;
};

/// Sums a [B, D0, D1] channel over the dims where MASK is 1 (M0, M1), as the kernel does.
template <int B, int D0, int D1, int M0, int M1, int LI, int LO>
void reduce_case(const char* what) {
  constexpr int ROW = D0 * D1;
  constexpr int NO = (M0 ? 1 : D0) * (M1 ? 1 : D1);
  const std::vector<T> x = tst::random_vec<T>(B * ROW, 62);
  inrarch::stream<inrarch::word<T, LI>> in("in");
  inrarch::stream<inrarch::word<T, LO>> out("out");
  tst::push_rows<T, LI>(in, x, B, ROW);
  inrarch::reduce_sum<red_cfg<B, shape<D0, D1>, shape<M0, M1>, LI, LO>>(B, in, out);
  std::vector<double> ref(B * NO, 0.0);
  for (int b = 0; b < B; ++b)
    for (int i = 0; i < D0; ++i)
      for (int j = 0; j < D1; ++j) {
        const int o = M0 ? (M1 ? 0 : j) : (M1 ? i : i * D1 + j);
        ref[b * NO + o] += double(x[b * ROW + i * D1 + j]);
      }
  tst::check_close(what, tst::pop_rows<T, LO>(out, B, NO, what), ref, TOL);
  report(what);
}

/// A reduction over the batch: B = 1 and InShape the whole tensor [R, D] (dim 0 summed).
template <int R, int D, int LI, int LO>
void batch_reduce_case(const char* what) {
  const std::vector<T> x = tst::random_vec<T>(R * D, 63);
  inrarch::stream<inrarch::word<T, LI>> in("in");
  inrarch::stream<inrarch::word<T, LO>> out("out");
  tst::push_rows<T, LI>(in, x, 1, R * D);
  inrarch::reduce_sum<red_cfg<1, shape<R, D>, shape<1, 0>, LI, LO>>(1, in, out);
  std::vector<double> ref(D, 0.0);
  for (int r = 0; r < R; ++r)
    for (int d = 0; d < D; ++d) ref[d] += double(x[r * D + d]);
  tst::check_close(what, tst::pop_rows<T, LO>(out, 1, D, what), ref, TOL);
  report(what);
}

/// acc += x[i] every iteration of one pipelined loop: what the check must catch for L > 1.
void naive_accumulation() {
  std::printf("control: a naive accumulation, which L > 1 must flag:\n");
  std::fflush(stdout);
  float acc = 0;
  INRARCH_LOOP_BEGIN(0);
  for (int i = 0; i < 8; ++i) {
    INRARCH_ITER();
    acc += float(i);
    INRARCH_ACC_UPDATE(&acc, L);
  }
  INRARCH_LOOP_END();
  const long long v = inrarch::rt::recurrence_report("naive acc += x (control)", L);
  if ((L > 1) != (v > 0) || acc != 28.0f) {
    std::printf("FAIL naive accumulation: %lld violation(s) at L = %d\n", v, L);
    ++tst::failures;
  }
}

int main() {
  std::printf("L = %d, %s\n", L, std::is_same<T, float>::value ? "float" : "ap_fixed<32,10>");
  // matmul: MACS >= LO and < LO, padded N, K not a multiple of KU, W and W^T
  matmul_case<3, 24, 20, 2, 2, 8, true>("matmul MACS>=LO K=24 N=20 LO=2 MACS=8 W^T");
  matmul_case<3, 24, 20, 2, 2, 8, false>("matmul MACS>=LO K=24 N=20 LO=2 MACS=8 W");
  matmul_case<3, 10, 9, 1, 4, 2, false>("matmul MACS<LO K=10 N=9 LO=4 MACS=2 W (N padded)");
  matmul_case<3, 10, 9, 1, 4, 1, true>("matmul MACS<LO K=10 N=9 LO=4 MACS=1 W^T (N padded)");
  matmul_case<2, 13, 7, 3, 1, 3, true>("matmul K=13 not a multiple of KU=3, N=7 (last group padded)");
  matmul_case<2, 13, 7, 3, 1, 3, false>("matmul K=13 KU=3 N=7 W");
  matmul_case<2, 5, 3, 1, 3, 6, true>("matmul K=5 KU=2 N=3 LO=3 (one word, padded group)");
  matmul_case<2, 64, 16, 8, 4, 16, true>("matmul K=64 N=16 LO=4 MACS=16");
  // reduce_sum: full (words >= L and < L), partial (summed stride 1 and >= L), over the batch
  reduce_case<3, 4, 9, 1, 1, 1, 1>("reduce full [3,4,9] -> [3,1] (36 words)");
  reduce_case<3, 1, 3, 1, 1, 1, 1>("reduce full [3,1,3] -> [3,1] (3 words)");
  reduce_case<2, 5, 8, 1, 1, 4, 1>("reduce full [2,5,8] at 4 lanes (10 words)");
  reduce_case<2, 4, 6, 0, 1, 1, 1>("reduce partial [2,4,6] dim 2 (summed stride 1)");
  reduce_case<2, 4, 6, 1, 0, 1, 2>("reduce partial [2,4,6] dim 1 (summed stride 6)");
  reduce_case<2, 6, 2, 1, 0, 1, 1>("reduce partial [2,6,2] dim 1 (summed stride 2)");
  batch_reduce_case<8, 3, 1, 1>("reduce over the batch [8,3] -> [1,3] (summed stride 3)");
  batch_reduce_case<6, 8, 1, 2>("reduce over the batch [6,8] -> [1,8] (summed stride 8)");
  naive_accumulation();
  if (violations) {
    std::printf("FAIL: %lld recurrence violation(s) at L = %d\n", violations, L);
    ++tst::failures;
  }
  return tst::finish("test_recurrence");
}
