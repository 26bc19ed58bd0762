// concat along a feature axis, inputs with different lane counts.
#include "test_util.h"

using inrarch::shape;

template <class T_, int B_, class Chunks_, int OUTER_, int LO_>
struct concat_cfg {
  using T = T_;
  using Chunks = Chunks_;
  static constexpr int B = B_, OUTER = OUTER_, LO = LO_;
};

template <class T>
void run(const char* tname) {
  char name[128];
  {  // [B,3] ++ [B,5] ++ [B,2] -> [B,10] (first feature axis)
    constexpr int B = 3;
    const std::vector<T> a = tst::random_vec<T>(B * 3, 40), b = tst::random_vec<T>(B * 5, 41),
                         c = tst::random_vec<T>(B * 2, 42);
    inrarch::stream<inrarch::word<T, 2>> sa("a");
    inrarch::stream<inrarch::word<T, 4>> sb("b");
    inrarch::stream<inrarch::word<T, 1>> sc("c");
    inrarch::stream<inrarch::word<T, 3>> out("out");
    tst::push_rows<T, 2>(sa, a, B, 3);
    tst::push_rows<T, 4>(sb, b, B, 5);
    tst::push_rows<T, 1>(sc, c, B, 2);
    inrarch::concat<concat_cfg<T, B, shape<3, 5, 2>, 1, 3>>(B, out, sa, sb, sc);
    std::vector<double> ref;
    for (int r = 0; r < B; ++r) {
      for (int i = 0; i < 3; ++i) ref.push_back(double(a[r * 3 + i]));
      for (int i = 0; i < 5; ++i) ref.push_back(double(b[r * 5 + i]));
      for (int i = 0; i < 2; ++i) ref.push_back(double(c[r * 2 + i]));
    }
    std::snprintf(name, sizeof name, "concat [3,3]++[3,5]++[3,2] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 3>(out, B, 10, name), ref, 0.0);
  }
  {  // [B,2,3] ++ [B,2,1] along the last axis -> [B,2,4] (OUTER = 2)
    constexpr int B = 2;
    const std::vector<T> a = tst::random_vec<T>(B * 6, 43), b = tst::random_vec<T>(B * 2, 44);
    inrarch::stream<inrarch::word<T, 4>> sa("a");
    inrarch::stream<inrarch::word<T, 1>> sb("b");
    inrarch::stream<inrarch::word<T, 8>> out("out");
    tst::push_rows<T, 4>(sa, a, B, 6);
    tst::push_rows<T, 1>(sb, b, B, 2);
    inrarch::concat<concat_cfg<T, B, shape<3, 1>, 2, 8>>(B, out, sa, sb);
    std::vector<double> ref;
    for (int r = 0; r < B; ++r)
      for (int o = 0; o < 2; ++o) {
        for (int i = 0; i < 3; ++i) ref.push_back(double(a[r * 6 + o * 3 + i]));
        ref.push_back(double(b[r * 2 + o]));
      }
    std::snprintf(name, sizeof name, "concat [2,2,3]++[2,2,1] axis 2 %s", tname);
    tst::check_close(name, tst::pop_rows<T, 8>(out, B, 8, name), ref, 0.0);
  }
}

int main() {
  run<float>("float");
  run<tst::fx32>("fx32");
  return tst::finish("test_concat");
}
