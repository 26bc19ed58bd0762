// fork: every output receives every word, in order.
#include "test_util.h"

template <int B_, int ROW_, int LANES_>
struct fork_cfg {
  static constexpr int B = B_, ROW = ROW_, LANES = LANES_;
};

template <class T, int B, int ROW, int L>
void run(const char* name) {
  const std::vector<T> x = tst::random_vec<T>(B * ROW, 4);
  inrarch::stream<inrarch::word<T, L>> in("in"), o0("o0"), o1("o1"), o2("o2");
  tst::push_rows<T, L>(in, x, B, ROW);
  inrarch::fork<fork_cfg<B, ROW, L>>(B, in, o0, o1, o2);
  const auto r = tst::to_double(x);
  tst::check_close(name, tst::pop_rows<T, L>(o0, B, ROW, name), r, 0.0);
  tst::check_close(name, tst::pop_rows<T, L>(o1, B, ROW, name), r, 0.0);
  tst::check_close(name, tst::pop_rows<T, L>(o2, B, ROW, name), r, 0.0);
  tst::push_rows<T, L>(in, x, B, ROW);
  inrarch::fork<fork_cfg<B, ROW, L>>(B, in, o0);
  tst::check_close(name, tst::pop_rows<T, L>(o0, B, ROW, name), r, 0.0);
}

int main() {
  run<float, 3, 5, 2>("fork3 float ROW=5 L=2");
  run<tst::fx32, 4, 6, 3>("fork3 fx32 ROW=6 L=3");
  return tst::finish("test_fork");
}
