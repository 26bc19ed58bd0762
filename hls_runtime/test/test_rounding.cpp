// rounding: floor, ceil, trunc, round-half-even against <cmath>, in float and
// ap_fixed (exact: every quarter and sixteenth, ties included, both signs).
#include "test_util.h"

#include "inrarch/rounding.h"

template <class T>
void check(const char* tname, double lo, double hi, double step) {
  int bad = 0;
  for (double v = lo; v <= hi; v += step) {
    const T x = T(v);
    const double xv = double(x);
    const double got[4] = {double(inrarch::floor(x)), double(inrarch::ceil(x)), double(inrarch::trunc(x)),
                           double(inrarch::roundeven(x))};
    const double want[4] = {std::floor(xv), std::ceil(xv), std::trunc(xv), std::nearbyint(xv)};
    for (int i = 0; i < 4; ++i)
      if (got[i] != want[i]) {
        if (bad++ < 5) std::printf("FAIL %s op %d at %g: got %g, want %g\n", tname, i, xv, got[i], want[i]);
      }
  }
  if (bad) tst::failures += bad;
}

int main() {
  check<float>("float", -9.0, 9.0, 0.0625);
  check<tst::fx32>("fx32", -9.0, 9.0, 0.0625);
  check<ap_fixed<24, 8>>("ap_fixed<24,8>", -100.0, 100.0, 0.25);
  check<ap_fixed<8, 8>>("ap_fixed<8,8> (no fraction)", -100.0, 100.0, 1.0);
  return tst::finish("test_rounding");
}
