// slice_batch and concat_batch: barriers that cut or join along dim 0.
#include "test_util.h"

using inrarch::shape;

template <class T_, class InShape_, class Offsets_, class Sizes_, class Strides_, int LI_, int LO_>
struct slb_cfg {
  using T = T_;
  using InShape = InShape_;
  using Offsets = Offsets_;
  using Sizes = Sizes_;
  using Strides = Strides_;
  static constexpr int LI = LI_, LO = LO_;
};

template <class T_, int ROW_, class Rows_, int LO_>
struct cb_cfg {
  using T = T_;
  using Rows = Rows_;
  static constexpr int ROW = ROW_, LO = LO_;
};

template <class T>
void run(const char* tname) {
  char name[128];
  {  // [6, 4] rows 1, 3, 5 and columns 1..2 -> [3, 2]
    const std::vector<T> x = tst::random_vec<T>(24, 70);
    inrarch::stream<inrarch::word<T, 3>> in("in");
    inrarch::stream<inrarch::word<T, 2>> out("out");
    tst::push_rows<T, 3>(in, x, 6, 4);
    inrarch::slice_batch<slb_cfg<T, shape<6, 4>, shape<1, 1>, shape<3, 2>, shape<2, 1>, 3, 2>>(in, out);
    std::vector<double> ref;
    for (int r = 1; r < 6; r += 2)
      for (int c = 1; c < 3; ++c) ref.push_back(double(x[r * 4 + c]));
    std::snprintf(name, sizeof name, "slice_batch [6,4]->[3,2] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 2>(out, 3, 2, name), ref, 0.0);
  }
  {  // one sample of [5, 3]: select row 4 -> [1, 3]
    const std::vector<T> x = tst::random_vec<T>(15, 71);
    inrarch::stream<inrarch::word<T, 1>> in("in");
    inrarch::stream<inrarch::word<T, 1>> out("out");
    tst::push_rows<T, 1>(in, x, 5, 3);
    inrarch::slice_batch<slb_cfg<T, shape<5, 3>, shape<4, 0>, shape<1, 3>, shape<1, 1>, 1, 1>>(in, out);
    std::vector<double> ref{double(x[12]), double(x[13]), double(x[14])};
    std::snprintf(name, sizeof name, "slice_batch select row %s", tname);
    tst::check_close(name, tst::pop_rows<T, 1>(out, 1, 3, name), ref, 0.0);
  }
  {  // [2, 5] ++ [3, 5] -> [5, 5]
    const std::vector<T> a = tst::random_vec<T>(10, 72);
    const std::vector<T> b = tst::random_vec<T>(15, 73);
    inrarch::stream<inrarch::word<T, 2>> ina("ina");
    inrarch::stream<inrarch::word<T, 4>> inb("inb");
    inrarch::stream<inrarch::word<T, 3>> out("out");
    tst::push_rows<T, 2>(ina, a, 2, 5);
    tst::push_rows<T, 4>(inb, b, 3, 5);
    inrarch::concat_batch<cb_cfg<T, 5, shape<2, 3>, 3>>(out, ina, inb);
    std::vector<double> ref;
    for (T v : a) ref.push_back(double(v));
    for (T v : b) ref.push_back(double(v));
    std::snprintf(name, sizeof name, "concat_batch [2,5]++[3,5] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 3>(out, 5, 5, name), ref, 0.0);
  }
}

int main() {
  run<float>("float");
  run<tst::fx32>("fx32");
  return tst::finish("test_batch_barriers");
}
