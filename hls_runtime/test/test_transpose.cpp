// transpose: barrier (batch moves) and per-sample (feature dims only).
#include "test_util.h"

using inrarch::shape;

template <class T_, class InShape_, class Perm_, int LI_, int LO_>
struct tr_cfg {
  using T = T_;
  using InShape = InShape_;
  using Perm = Perm_;
  static constexpr int LI = LI_, LO = LO_;
};

template <class T>
void run(const char* tname) {
  char name[128];
  {  // activation [4, 6] -> [6, 4]: a barrier
    const std::vector<T> x = tst::random_vec<T>(24, 60);
    inrarch::stream<inrarch::word<T, 4>> in("in");
    inrarch::stream<inrarch::word<T, 3>> out("out");
    tst::push_rows<T, 4>(in, x, 4, 6);
    inrarch::transpose<tr_cfg<T, shape<4, 6>, shape<1, 0>, 4, 3>>(in, out);
    std::vector<double> ref;
    for (int j = 0; j < 6; ++j)
      for (int i = 0; i < 4; ++i) ref.push_back(double(x[i * 6 + j]));
    std::snprintf(name, sizeof name, "transpose [4,6]->[6,4] barrier %s", tname);
    tst::check_close(name, tst::pop_rows<T, 3>(out, 6, 4, name), ref, 0.0);
  }
  {  // [B=2, 3, 4] -> [B, 4, 3]: per sample
    const std::vector<T> x = tst::random_vec<T>(24, 61);
    inrarch::stream<inrarch::word<T, 5>> in("in");
    inrarch::stream<inrarch::word<T, 2>> out("out");
    tst::push_rows<T, 5>(in, x, 2, 12);
    inrarch::transpose<tr_cfg<T, shape<2, 3, 4>, shape<0, 2, 1>, 5, 2>>(in, out);
    std::vector<double> ref;
    for (int b = 0; b < 2; ++b)
      for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 3; ++i) ref.push_back(double(x[b * 12 + i * 4 + j]));
    std::snprintf(name, sizeof name, "transpose [2,3,4]->[2,4,3] per sample %s", tname);
    tst::check_close(name, tst::pop_rows<T, 2>(out, 2, 12, name), ref, 0.0);
  }
  {  // [2, 3, 4] -> [4, 2, 3]: barrier with 3 dims
    const std::vector<T> x = tst::random_vec<T>(24, 62);
    inrarch::stream<inrarch::word<T, 3>> in("in");
    inrarch::stream<inrarch::word<T, 4>> out("out");
    tst::push_rows<T, 3>(in, x, 2, 12);
    inrarch::transpose<tr_cfg<T, shape<2, 3, 4>, shape<2, 0, 1>, 3, 4>>(in, out);
    std::vector<double> ref;
    for (int k = 0; k < 4; ++k)
      for (int b = 0; b < 2; ++b)
        for (int i = 0; i < 3; ++i) ref.push_back(double(x[b * 12 + i * 4 + k]));
    std::snprintf(name, sizeof name, "transpose [2,3,4]->[4,2,3] barrier %s", tname);
    tst::check_close(name, tst::pop_rows<T, 4>(out, 4, 6, name), ref, 0.0);
  }
}

int main() {
  run<float>("float");
  run<tst::fx32>("fx32");
  return tst::finish("test_transpose");
}
