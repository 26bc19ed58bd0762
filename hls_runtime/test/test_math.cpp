// sin/cos: float path equals std::sin; fixed-point paths meet the documented
// error bound against double std::sin/cos of the quantized input.
#include "test_util.h"

template <class T, int SEGS = 64>
double max_err(double lo, double hi, int n, bool cosine) {
  double m = 0;
  tst::rng r(7);
  for (int i = 0; i <= n; ++i) {
    // a uniform sweep plus random points
    const double xv = (i % 2) ? lo + (hi - lo) * i / n : r.next(lo, hi);
    const T x = T(xv);
    const double ref = cosine ? std::cos(double(x)) : std::sin(double(x));
    const double got = double(cosine ? inrarch::cos<SEGS>(x) : inrarch::sin<SEGS>(x));
    m = std::fmax(m, std::fabs(got - ref));
  }
  return m;
}

template <class T, int SEGS = 64>
void report(const char* name, double lo, double hi, double tol) {
  const double es = max_err<T, SEGS>(lo, hi, 400000, false);
  const double ec = max_err<T, SEGS>(lo, hi, 400000, true);
  const bool ok = es <= tol && ec <= tol;
  std::printf("%s %s SEGS=%d over [%g, %g]: sin max_abs_err=%.3g cos max_abs_err=%.3g (bound %.3g)\n",
              ok ? "ok  " : "FAIL", name, SEGS, lo, hi, es, ec, tol);
  if (!ok) ++tst::failures;
}

int main() {
  // float path
  for (float x : {-3.0f, -0.5f, 0.0f, 1.0f, 10.0f})
    if (inrarch::sin(x) != std::sin(x) || inrarch::cos(x) != std::cos(x)) {
      std::printf("FAIL float path differs from std::sin/cos at %g\n", double(x));
      ++tst::failures;
    }
  // exact special points
  const tst::fx32 z = inrarch::sin(tst::fx32(0));
  const tst::fx32 one = inrarch::cos(tst::fx32(0));
  if (double(z) != 0.0 || std::fabs(double(one) - 1.0) > 1e-6) {
    std::printf("FAIL sin(0)=%g cos(0)=%g\n", double(z), double(one));
    ++tst::failures;
  }
  report<tst::fx32>("ap_fixed<32,10>", -64, 64, 1e-5);
  report<tst::fx32>("ap_fixed<32,10>", -512, 511.99, 1e-5);
  report<tst::fx32>("ap_fixed<32,10>", -1, 1, 1e-5);
  report<tst::fx24>("ap_fixed<24,8>", -64, 64, 1e-5);
  report<tst::fx32, 32>("ap_fixed<32,10>", -64, 64, 1e-5);
  report<tst::fx32, 16>("ap_fixed<32,10>", -64, 64, 1e-5);
  return tst::finish("test_math");
}
