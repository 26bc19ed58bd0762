// repeat and subsample (rate.h): row counts change, words copied whole, padding kept zero.
#include "test_util.h"

template <class T_, int BI_, int ROW_, int LANES_, int TIMES_>
struct repeat_cfg {
  using T = T_;
  static constexpr int BI = BI_, ROW = ROW_, LANES = LANES_, TIMES = TIMES_;
};

template <class T_, int BO_, int ROW_, int LANES_, int STRIDE_, int OFFSET_>
struct subsample_cfg {
  using T = T_;
  static constexpr int BO = BO_, ROW = ROW_, LANES = LANES_, STRIDE = STRIDE_, OFFSET = OFFSET_;
};

template <class T>
void run(const char* tname) {
  char name[128];
  {  // [3, 5] x4 -> [12, 5] in 2 lanes (padded words)
    constexpr int BI = 3, ROW = 5, R = 4;
    const std::vector<T> x = tst::random_vec<T>(BI * ROW, 40);
    inrarch::stream<inrarch::word<T, 2>> in("in"), out("out");
    tst::push_rows<T, 2>(in, x, BI, ROW);
    inrarch::repeat<repeat_cfg<T, BI, ROW, 2, R>>(in, out);
    std::vector<double> ref;
    for (int b = 0; b < BI * R; ++b)
      for (int e = 0; e < ROW; ++e) ref.push_back(double(x[(b / R) * ROW + e]));
    std::snprintf(name, sizeof name, "repeat [3,5] x4 %s", tname);
    tst::check_close(name, tst::pop_rows<T, 2>(out, BI * R, ROW, name), ref, 0.0);
  }
  {  // times = 1 is the identity
    constexpr int BI = 2, ROW = 3;
    const std::vector<T> x = tst::random_vec<T>(BI * ROW, 41);
    inrarch::stream<inrarch::word<T, 1>> in("in"), out("out");
    tst::push_rows<T, 1>(in, x, BI, ROW);
    inrarch::repeat<repeat_cfg<T, BI, ROW, 1, 1>>(in, out);
    std::vector<double> ref(x.begin(), x.end());
    std::snprintf(name, sizeof name, "repeat x1 %s", tname);
    tst::check_close(name, tst::pop_rows<T, 1>(out, BI, ROW, name), ref, 0.0);
  }
  {  // [12, 7][1::3] -> [4, 7] in 4 lanes
    constexpr int BO = 4, ROW = 7, S = 3, O = 1;
    const std::vector<T> x = tst::random_vec<T>(BO * S * ROW, 42);
    inrarch::stream<inrarch::word<T, 4>> in("in"), out("out");
    tst::push_rows<T, 4>(in, x, BO * S, ROW);
    inrarch::subsample<subsample_cfg<T, BO, ROW, 4, S, O>>(in, out);
    std::vector<double> ref;
    for (int b = 0; b < BO; ++b)
      for (int e = 0; e < ROW; ++e) ref.push_back(double(x[(b * S + O) * ROW + e]));
    std::snprintf(name, sizeof name, "subsample [12,7][1::3] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 4>(out, BO, ROW, name), ref, 0.0);
    if (!in.empty()) {
      std::printf("FAIL %s: input words left unread\n", name);
      ++tst::failures;
    }
  }
  {  // subsample then repeat: [8, 2] -> every 4th -> each x4 (ASMR's sharing round trip)
    constexpr int B = 8, ROW = 2, S = 4;
    const std::vector<T> x = tst::random_vec<T>(B * ROW, 43);
    inrarch::stream<inrarch::word<T, 2>> in("in"), mid("mid"), out("out");
    tst::push_rows<T, 2>(in, x, B, ROW);
    inrarch::subsample<subsample_cfg<T, B / S, ROW, 2, S, 0>>(in, mid);
    inrarch::repeat<repeat_cfg<T, B / S, ROW, 2, S>>(mid, out);
    std::vector<double> ref;
    for (int b = 0; b < B; ++b)
      for (int e = 0; e < ROW; ++e) ref.push_back(double(x[(b / S) * S * ROW + e]));
    std::snprintf(name, sizeof name, "subsample+repeat %s", tname);
    tst::check_close(name, tst::pop_rows<T, 2>(out, B, ROW, name), ref, 0.0);
  }
}

int main() {
  run<float>("float");
  run<tst::fx32>("fx32");
  return tst::finish("test_rate");
}
