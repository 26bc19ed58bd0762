// jet: the Taylor-mode jet kernel. A first-order sine jet in d = 2 (rows:
// primal, two tangents) and a product of two jets (Leibniz), against a
// double reference; padded lanes; fewer functor instances than lanes
// (UNROLL < LANES: the last row takes LANES/UNROLL iterations per word); a
// functor at II > 1 (one element every II cycles, its operators limited by
// ALLOCATION: the results must not change); float and ap_fixed<32,10>.
#include "test_util.h"

#include "inrarch/jet.h"

#include <type_traits>

// sin of a jet (x, dx0, dx1): (sin x, cos x dx0, cos x dx1).
template <class T>
struct sine_jet {
  void operator()(const T (&in)[3], T (&out)[3]) const {
    const T c = inrarch::cos(in[0]);
    out[0] = inrarch::sin(in[0]);
    out[1] = T(c * in[1]);
    out[2] = T(c * in[2]);
  }
};

// u * v for jets (u0, u1), (v0, v1): (u0 v0, u0 v1 + u1 v0).
template <class T>
struct product_jet {
  void operator()(const T (&in)[4], T (&out)[2]) const {
    out[0] = T(in[0] * in[2]);
    out[1] = T(in[0] * in[3] + in[1] * in[2]);
  }
};

template <class T, int B_, int N_, int L_, int U_>
struct sine_cfg {
  using F = sine_jet<T>;
  static constexpr int B = B_, R = 3, RO = 3, N = N_, LANES = L_, UNROLL = U_, LATENCY = 10;
};

template <class T, int B_, int N_, int L_, int II_>
struct shared_sine_cfg : sine_cfg<T, B_, N_, L_, 1> {
  static constexpr int II = II_, MUL_LIMIT = 1, ADD_LIMIT = 1, SUB_LIMIT = 1;
};

template <class T, int B_, int N_, int L_, int U_>
struct product_cfg {
  using F = product_jet<T>;
  static constexpr int B = B_, R = 2, RO = 2, N = N_, LANES = L_, UNROLL = U_, LATENCY = 3;
};

template <class T, int B, int N, int L, int U = L, int II = 1>
void sine(const char* tname, double tol) {
  char name[96];
  std::snprintf(name, sizeof name, "jet sine %s B=%d N=%d L=%d U=%d II=%d", tname, B, N, L, U, II);
  const std::vector<T> x = tst::random_vec<T>(B * 3 * N, 31);  // [B, 3, N]
  inrarch::stream<inrarch::word<T, L>> in("in"), out("out");
  tst::push_rows<T, L>(in, x, B * 3, N);
  using CFG = std::conditional_t<(II > 1), shared_sine_cfg<T, B, N, L, II>, sine_cfg<T, B, N, L, U>>;
  inrarch::jet<CFG>(B, out, in);
  std::vector<double> ref(B * 3 * N);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < N; ++n) {
      const double x0 = double(x[(b * 3) * N + n]);
      ref[(b * 3) * N + n] = std::sin(x0);
      for (int k = 1; k < 3; ++k) ref[(b * 3 + k) * N + n] = std::cos(x0) * double(x[(b * 3 + k) * N + n]);
    }
  tst::check_close(name, tst::pop_rows<T, L>(out, B * 3, N, name), ref, tol);
}

template <class T, int B, int N, int L, int U = L>
void product(const char* tname, double tol) {
  char name[96];
  std::snprintf(name, sizeof name, "jet product %s B=%d N=%d L=%d U=%d", tname, B, N, L, U);
  const std::vector<T> u = tst::random_vec<T>(B * 2 * N, 41), v = tst::random_vec<T>(B * 2 * N, 42);
  inrarch::stream<inrarch::word<T, L>> su("u"), sv("v"), out("out");
  tst::push_rows<T, L>(su, u, B * 2, N);
  tst::push_rows<T, L>(sv, v, B * 2, N);
  inrarch::jet<product_cfg<T, B, N, L, U>>(B, out, su, sv);
  std::vector<double> ref(B * 2 * N);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < N; ++n) {
      const double u0 = double(u[(b * 2) * N + n]), u1 = double(u[(b * 2 + 1) * N + n]);
      const double v0 = double(v[(b * 2) * N + n]), v1 = double(v[(b * 2 + 1) * N + n]);
      ref[(b * 2) * N + n] = u0 * v0;
      ref[(b * 2 + 1) * N + n] = u0 * v1 + u1 * v0;
    }
  tst::check_close(name, tst::pop_rows<T, L>(out, B * 2, N, name), ref, tol);
}

template <class T>
void all(const char* tname, double tol) {
  sine<T, 3, 8, 1>(tname, tol);
  sine<T, 2, 7, 4>(tname, tol);   // padded last word
  product<T, 3, 6, 2>(tname, tol);
  product<T, 1, 5, 4>(tname, tol);
  sine<T, 2, 7, 4, 1>(tname, tol);  // one functor, 4 iterations per word of the last row
  sine<T, 3, 16, 8, 2>(tname, tol);
  product<T, 2, 9, 4, 2>(tname, tol);
  sine<T, 3, 8, 1, 1, 3>(tname, tol);  // functor at II = 3, one multiplier
  sine<T, 2, 7, 4, 1, 2>(tname, tol);  // II = 2 over 4-lane words with a padded last word
}

int main() {
  all<float>("float", 1e-5);
  all<tst::fx32>("fx32", 1e-5);
  return tst::finish("test_jet");
}
