// matmul: MACS >= and < output lanes, W and W^T layouts, padded rows, at
// adder latencies L = 1 (one word at a time), 4 and 7 (interleaved words, the
// last group padded); the weight buffer in BRAM and in URAM (WEIGHT_URAM);
// the weights streamed flat (inrarch::weights) and in tiles
// (inrarch::weights_tiles from boundary.h, WEIGHT_TILE).
#include "inrarch/boundary.h"
#include "test_util.h"

// boundary.h declares it for the fixed-point map helpers; nothing here saturates.
void inrarch::note_overflow(int) {}

template <class T_, int B_, int K_, int N_, int LI_, int LO_, int MACS_, bool TW_, int L_, bool URAM_>
struct mm_cfg {
  using T = T_;
  using ACC = inrarch::acc_t<T_>;
  static constexpr int B = B_, K = K_, N = N_, LI = LI_, LO = LO_, MACS = MACS_, L = L_, LATENCY = 8;
  static constexpr bool TRANSPOSE_W = TW_, WEIGHT_URAM = URAM_;
};

template <class T_, int R_, int C_, int TR_>
struct tiles_cfg {
  using T = T_;
  static constexpr int R = R_, C = C_, ROW_STRIDE = C_, OFFSET = 0, LANES = 16, TR = TR_, S = 0;
};
template <class CFG_, int TILE_>
struct tiled_cfg : CFG_ {
  static constexpr int WEIGHT_TILE = TILE_;
};

/// The same product with the weights streamed in tiles of TR storage rows.
template <class T, int B, int K, int N, int LI, int LO, int MACS, bool TW, int TR, int L>
void run_tiled(const char* tname, double tol) {
  char name[160];
  const std::vector<T> x = tst::random_vec<T>(B * K, 52);
  const std::vector<T> w0 = tst::random_vec<T>(K * N, 53);  // [K,N] or [N,K] if TW
  std::vector<float> mem(K * N);
  std::vector<T> w(K * N);
  for (int i = 0; i < K * N; ++i) {
    mem[i] = inrarch::to_float(w0[i]);
    w[i] = T(mem[i]);
  }
  inrarch::stream<inrarch::word<T, LI>> sx("x");
  inrarch::stream<inrarch::word<T, 16>> sw("w");
  inrarch::stream<inrarch::word<T, LO>> sy("y");
  inrarch::weights_tiles<tiles_cfg<T, TW ? N : K, TW ? K : N, TR>>(mem.data(), sw);
  tst::push_rows<T, LI>(sx, x, B, K);
  inrarch::matmul<tiled_cfg<mm_cfg<T, B, K, N, LI, LO, MACS, TW, L, false>, TR>>(B, sx, sw, sy);
  std::vector<double> ref(B * N, 0.0);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k)
        ref[b * N + n] += double(x[b * K + k]) * double(TW ? w[n * K + k] : w[k * N + n]);
  std::snprintf(name, sizeof name, "matmul %s tiled TR=%d B=%d K=%d N=%d LO=%d MACS=%d TW=%d L=%d", tname, TR, B, K,
                N, LO, MACS, int(TW), L);
  tst::check_close(name, tst::pop_rows<T, LO>(sy, B, N, name), ref, tol);
  if (!sw.empty()) {
    std::printf("FAIL %s: weight words left\n", name);
    ++tst::failures;
  }
}

template <class T, int B, int K, int N, int LI, int LO, int MACS, bool TW, int WL, int L = 1, bool URAM = false>
void run(const char* tname, double tol) {
  char name[160];
  const std::vector<T> x = tst::random_vec<T>(B * K, 50);
  const std::vector<T> w = tst::random_vec<T>(K * N, 51);  // [K,N] or [N,K] if TW
  inrarch::stream<inrarch::word<T, LI>> sx("x");
  inrarch::stream<inrarch::word<T, WL>> sw("w");
  inrarch::stream<inrarch::word<T, LO>> sy("y");
  inrarch::weights<tst::weights_cfg<T, K * N, WL>>(w.data(), sw);
  tst::push_rows<T, LI>(sx, x, B, K);
  inrarch::matmul<mm_cfg<T, B, K, N, LI, LO, MACS, TW, L, URAM>>(B, sx, sw, sy);
  std::vector<double> ref(B * N, 0.0);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k)
        ref[b * N + n] += double(x[b * K + k]) * double(TW ? w[n * K + k] : w[k * N + n]);
  std::snprintf(name, sizeof name, "matmul %s B=%d K=%d N=%d LI=%d LO=%d MACS=%d TW=%d WL=%d L=%d URAM=%d", tname,
                B, K, N, LI, LO, MACS, int(TW), WL, L, int(URAM));
  tst::check_close(name, tst::pop_rows<T, LO>(sy, B, N, name), ref, tol);
  if (!sw.empty()) {
    std::printf("FAIL %s: weight words left\n", name);
    ++tst::failures;
  }
}

template <class T, int L>
void at(const char* tname, double tol) {
  run<T, 3, 8, 5, 2, 2, 4, false, 3, L>(tname, tol);   // MACS = 2 * LO, N padded
  run<T, 3, 8, 5, 2, 2, 4, true, 4, L>(tname, tol);    // PyTorch Linear layout
  run<T, 2, 7, 8, 3, 4, 2, false, 1, L>(tname, tol);   // MACS < LO
  run<T, 2, 7, 6, 1, 1, 1, true, 2, L>(tname, tol);    // one MAC per cycle
  run<T, 2, 9, 3, 4, 3, 6, true, 5, L>(tname, tol);    // K not a multiple of MACS/LO
  run<T, 4, 64, 16, 8, 4, 16, true, 8, L>(tname, tol);
  run<T, 3, 32, 20, 4, 2, 8, false, 16, L>(tname, tol);  // 16-lane weight words, 2 stored per cycle
  run<T, 3, 32, 20, 4, 2, 48, true, 16, L>(tname, tol);  // ... 16 per cycle
}

template <class T>
void all(const char* tname, double tol) {
  at<T, 1>(tname, tol);
  at<T, 4>(tname, tol);
  at<T, 7>(tname, tol);
  run<T, 3, 32, 20, 4, 2, 8, true, 16, 4, true>(tname, tol);  // weight buffer in URAM: same result
  run_tiled<T, 3, 24, 32, 4, 2, 16, false, 8, 4>(tname, tol);  // [K,N], KU = 8, JU = 2: 8 x 2 tiles
  run_tiled<T, 2, 16, 48, 2, 1, 16, false, 16, 1>(tname, tol); // [K,N], KU = 16, JU = 1: 16 x 1 tiles
  run_tiled<T, 2, 32, 16, 1, 8, 16, true, 8, 4>(tname, tol);   // [N,K], KU = 2, JU = 8: 8 x 2 tiles
  run_tiled<T, 2, 16, 32, 2, 1, 13, false, 16, 4>(tname, tol); // [K,N], KU = 13, JU = 1: 16 x 1, 8 rows a cycle
  run_tiled<T, 2, 24, 16, 2, 2, 6, false, 8, 1>(tname, tol);   // [K,N], KU = 3, JU = 2: 8 x 2, 2 rows a cycle
}

int main() {
  all<float>("float", 1e-4);
  all<tst::fx32>("fx32", 1e-5);
  return tst::finish("test_matmul");
}
