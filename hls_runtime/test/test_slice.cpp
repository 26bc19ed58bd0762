// slice: static offsets/sizes/strides over feature dims, lane repacking.
#include "test_util.h"

using inrarch::shape;

template <class T_, int B_, class InShape_, class Offsets_, class Sizes_, class Strides_, int LI_, int LO_>
struct slice_cfg {
  using T = T_;
  using InShape = InShape_;
  using Offsets = Offsets_;
  using Sizes = Sizes_;
  using Strides = Strides_;
  static constexpr int B = B_, LI = LI_, LO = LO_;
};

template <class T>
void run(const char* tname) {
  char name[128];
  {  // [B=3, 10][2:10:2] -> [3, 4], in 3 lanes, out 3 lanes
    constexpr int B = 3, N = 10;
    const std::vector<T> x = tst::random_vec<T>(B * N, 30);
    inrarch::stream<inrarch::word<T, 3>> in("in"), out("out");
    tst::push_rows<T, 3>(in, x, B, N);
    inrarch::slice<slice_cfg<T, B, shape<N>, shape<2>, shape<4>, shape<2>, 3, 3>>(B, in, out);
    std::vector<double> ref;
    for (int b = 0; b < B; ++b)
      for (int i = 0; i < 4; ++i) ref.push_back(double(x[b * N + 2 + 2 * i]));
    std::snprintf(name, sizeof name, "slice [3,10][2::2] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 3>(out, B, 4, name), ref, 0.0);
  }
  {  // [B=2, 6, 5][1:5:2, 0:5:2] -> [2, 2, 3], in 4 lanes, out 1 lane
    constexpr int B = 2, M = 6, N = 5;
    const std::vector<T> x = tst::random_vec<T>(B * M * N, 31);
    inrarch::stream<inrarch::word<T, 4>> in("in");
    inrarch::stream<inrarch::word<T, 1>> out("out");
    tst::push_rows<T, 4>(in, x, B, M * N);
    inrarch::slice<slice_cfg<T, B, shape<M, N>, shape<1, 0>, shape<2, 3>, shape<2, 2>, 4, 1>>(B, in, out);
    std::vector<double> ref;
    for (int b = 0; b < B; ++b)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 3; ++j) ref.push_back(double(x[(b * M + 1 + 2 * i) * N + 2 * j]));
    std::snprintf(name, sizeof name, "slice [2,6,5][1::2,::2] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 1>(out, B, 6, name), ref, 0.0);
  }
  {  // a single column: [B=4, 3][:, 1:2] -> [4, 1]
    constexpr int B = 4, N = 3;
    const std::vector<T> x = tst::random_vec<T>(B * N, 32);
    inrarch::stream<inrarch::word<T, 2>> in("in");
    inrarch::stream<inrarch::word<T, 1>> out("out");
    tst::push_rows<T, 2>(in, x, B, N);
    inrarch::slice<slice_cfg<T, B, shape<N>, shape<1>, shape<1>, shape<1>, 2, 1>>(B, in, out);
    std::vector<double> ref;
    for (int b = 0; b < B; ++b) ref.push_back(double(x[b * N + 1]));
    std::snprintf(name, sizeof name, "slice [4,3][1:2] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 1>(out, B, 1, name), ref, 0.0);
  }
}

int main() {
  run<float>("float");
  run<tst::fx32>("fx32");
  return tst::finish("test_slice");
}
