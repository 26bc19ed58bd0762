// matmul: MACS >= and < output lanes, W and W^T layouts, padded rows.
#include "test_util.h"

template <class T_, int B_, int K_, int N_, int LI_, int LO_, int MACS_, bool TW_>
struct mm_cfg {
  using T = T_;
  using ACC = inrarch::acc_t<T_>;
  static constexpr int B = B_, K = K_, N = N_, LI = LI_, LO = LO_, MACS = MACS_;
  static constexpr bool TRANSPOSE_W = TW_;
};

template <class T, int B, int K, int N, int LI, int LO, int MACS, bool TW, int WL>
void run(const char* tname, double tol) {
  char name[160];
  const std::vector<T> x = tst::random_vec<T>(B * K, 50);
  const std::vector<T> w = tst::random_vec<T>(K * N, 51);  // [K,N] or [N,K] if TW
  inrarch::stream<inrarch::word<T, LI>> sx("x");
  inrarch::stream<inrarch::word<T, WL>> sw("w");
  inrarch::stream<inrarch::word<T, LO>> sy("y");
  inrarch::weights<tst::weights_cfg<T, K * N, WL>>(w.data(), sw);
  tst::push_rows<T, LI>(sx, x, B, K);
  inrarch::matmul<mm_cfg<T, B, K, N, LI, LO, MACS, TW>>(sx, sw, sy);
  std::vector<double> ref(B * N, 0.0);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k)
        ref[b * N + n] += double(x[b * K + k]) * double(TW ? w[n * K + k] : w[k * N + n]);
  std::snprintf(name, sizeof name, "matmul %s B=%d K=%d N=%d LI=%d LO=%d MACS=%d TW=%d WL=%d", tname,
                B, K, N, LI, LO, MACS, int(TW), WL);
  tst::check_close(name, tst::pop_rows<T, LO>(sy, B, N, name), ref, tol);
  if (!sw.empty()) {
    std::printf("FAIL %s: weight words left\n", name);
    ++tst::failures;
  }
}

template <class T>
void all(const char* tname, double tol) {
  run<T, 3, 8, 5, 2, 2, 4, false, 3>(tname, tol);   // MACS = 2 * LO, N padded
  run<T, 3, 8, 5, 2, 2, 4, true, 4>(tname, tol);    // PyTorch Linear layout
  run<T, 2, 7, 8, 3, 4, 2, false, 1>(tname, tol);   // MACS < LO
  run<T, 2, 7, 6, 1, 1, 1, true, 2>(tname, tol);    // one MAC per cycle
  run<T, 2, 9, 3, 4, 3, 6, true, 5>(tname, tol);    // K not a multiple of MACS/LO
  run<T, 4, 64, 16, 8, 4, 16, true, 8>(tname, tol);
}

int main() {
  all<float>("float", 1e-4);
  all<tst::fx32>("fx32", 1e-5);
  return tst::finish("test_matmul");
}
