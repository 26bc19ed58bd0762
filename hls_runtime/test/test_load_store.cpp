// load / store / weights: memory <-> channel layout, padding of the last word.
#include "test_util.h"

template <class T, int B, int ROW, int L>
void case_load_store(const char* name) {
  const std::vector<T> x = tst::random_vec<T>(B * ROW, 11);
  inrarch::stream<inrarch::word<T, L>> s("s");
  inrarch::load<tst::mem_cfg<T, B, ROW, L>>(B, x.data(), s);
  if (int(s.size()) != B * inrarch::words_per_row(ROW, L)) {
    std::printf("FAIL %s: load wrote %zu words\n", name, s.size());
    ++tst::failures;
  }
  // check layout and padding, then push back and store
  const std::vector<T> got = tst::pop_rows<T, L>(s, B, ROW, name);
  tst::check_close(name, got, tst::to_double(x), 0.0);
  tst::push_rows<T, L>(s, x, B, ROW);
  std::vector<T> y(B * ROW, T(0));
  inrarch::store<tst::mem_cfg<T, B, ROW, L>>(B, s, y.data());
  tst::check_close(name, y, tst::to_double(x), 0.0);
  if (!s.empty()) {
    std::printf("FAIL %s: store left words behind\n", name);
    ++tst::failures;
  }
}

template <class T, int SIZE, int L>
void case_weights(const char* name) {
  const std::vector<T> w = tst::random_vec<T>(SIZE, 5);
  inrarch::stream<inrarch::word<T, L>> s("w");
  inrarch::weights<tst::weights_cfg<T, SIZE, L>>(w.data(), s);
  tst::check_close(name, tst::pop_rows<T, L>(s, 1, SIZE, name), tst::to_double(w), 0.0);
}

int main() {
  case_load_store<float, 3, 5, 2>("load/store float B=3 ROW=5 L=2");
  case_load_store<float, 2, 8, 4>("load/store float B=2 ROW=8 L=4");
  case_load_store<tst::fx32, 3, 5, 2>("load/store fx32 B=3 ROW=5 L=2");
  case_load_store<tst::fx32, 4, 3, 1>("load/store fx32 B=4 ROW=3 L=1");
  case_weights<float, 13, 4>("weights float SIZE=13 L=4");
  case_weights<tst::fx32, 12, 3>("weights fx32 SIZE=12 L=3");
  return tst::finish("test_load_store");
}
