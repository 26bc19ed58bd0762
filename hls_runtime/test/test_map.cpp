// map: 1-, 2- and 3-input elementwise functors, zero padding lanes.
#include "test_util.h"

struct fn_sin_scale {  // as emitted from a fused region: sin(30 * a)
  template <class T>
  T operator()(T a) const {
    return inrarch::sin(T(a * T(30)));
  }
};
struct fn_cos {  // cos(0) = 1: padding lanes must still be zero
  template <class T>
  T operator()(T a) const {
    return inrarch::cos(a);
  }
};
struct fn_fma {
  template <class T>
  T operator()(T a, T b) const {
    return T(a * b + a);
  }
};
struct fn_sel3 {
  template <class T>
  T operator()(T a, T b, T c) const {
    return a > b ? T(a - c) : T(b + c);
  }
};

template <class F_, int B_, int ROW_, int LANES_>
struct map_cfg {
  using F = F_;
  static constexpr int B = B_, ROW = ROW_, LANES = LANES_, LATENCY = 3;
};

template <class T, int B, int ROW, int L>
void run(const char* tname, double tol) {
  char name[128];
  const int n = B * ROW;
  const std::vector<T> a = tst::random_vec<T>(n, 1, -0.1, 0.1);
  const std::vector<T> b = tst::random_vec<T>(n, 2);
  const std::vector<T> c = tst::random_vec<T>(n, 3);
  inrarch::stream<inrarch::word<T, L>> sa("a"), sb("b"), sc("c"), out("out");
  std::vector<double> ref(n);

  tst::push_rows<T, L>(sa, a, B, ROW);
  inrarch::map<map_cfg<fn_sin_scale, B, ROW, L>>(B, out, sa);
  for (int i = 0; i < n; ++i) ref[i] = std::sin(double(T(double(a[i]) * 30)));
  std::snprintf(name, sizeof name, "map1 sin(30a) %s ROW=%d L=%d", tname, ROW, L);
  tst::check_close(name, tst::pop_rows<T, L>(out, B, ROW, name), ref, tol);

  tst::push_rows<T, L>(sa, a, B, ROW);
  inrarch::map<map_cfg<fn_cos, B, ROW, L>>(B, out, sa);
  for (int i = 0; i < n; ++i) ref[i] = std::cos(double(a[i]));
  std::snprintf(name, sizeof name, "map1 cos %s ROW=%d L=%d", tname, ROW, L);
  tst::check_close(name, tst::pop_rows<T, L>(out, B, ROW, name), ref, tol);

  tst::push_rows<T, L>(sa, a, B, ROW);
  tst::push_rows<T, L>(sb, b, B, ROW);
  inrarch::map<map_cfg<fn_fma, B, ROW, L>>(B, out, sa, sb);
  for (int i = 0; i < n; ++i) ref[i] = double(a[i]) * double(b[i]) + double(a[i]);
  std::snprintf(name, sizeof name, "map2 a*b+a %s ROW=%d L=%d", tname, ROW, L);
  tst::check_close(name, tst::pop_rows<T, L>(out, B, ROW, name), ref, tol);

  tst::push_rows<T, L>(sa, a, B, ROW);
  tst::push_rows<T, L>(sb, b, B, ROW);
  tst::push_rows<T, L>(sc, c, B, ROW);
  inrarch::map<map_cfg<fn_sel3, B, ROW, L>>(B, out, sa, sb, sc);
  for (int i = 0; i < n; ++i)
    ref[i] = double(a[i]) > double(b[i]) ? double(a[i]) - double(c[i]) : double(b[i]) + double(c[i]);
  std::snprintf(name, sizeof name, "map3 select %s ROW=%d L=%d", tname, ROW, L);
  tst::check_close(name, tst::pop_rows<T, L>(out, B, ROW, name), ref, tol);
}

int main() {
  run<float, 3, 7, 3>("float", 1e-5);
  run<float, 2, 8, 1>("float", 1e-5);
  run<tst::fx32, 3, 7, 3>("fx32", 1e-5);
  run<tst::fx32, 2, 8, 4>("fx32", 1e-5);
  return tst::finish("test_map");
}
