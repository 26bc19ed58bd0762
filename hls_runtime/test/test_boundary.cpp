// boundary.h: load_cvt/store_cvt (float memory <-> scaled channel), the
// affine weights_view, and from_data/to_data with saturation counting
// through note_overflow (which a program defines: here, to count).
#include "inrarch/boundary.h"

#include "test_util.h"

using inrarch::shape;

static long overflow_counts[4];
void inrarch::note_overflow(int counter) { ++overflow_counts[counter]; }

template <class T_, int B_, int ROW_, int LANES_, int S_>
struct cvt_cfg {
  using T = T_;
  static constexpr int B = B_, ROW = ROW_, LANES = LANES_, S = S_;
};

template <class T_, class Shape_, class Strides_, int SIZE_, int OFFSET_, int LANES_, int S_>
struct view_cfg {
  using T = T_;
  using Shape = Shape_;
  using Strides = Strides_;
  static constexpr int SIZE = SIZE_, OFFSET = OFFSET_, LANES = LANES_, S = S_;
};

// Compile-time helpers.
static_assert(inrarch::pow2(0) == 1.0 && inrarch::pow2(10) == 1024.0 && inrarch::pow2(-3) == 0.125);
static_assert(!inrarch::is_fixed<float>::value);
static_assert(std::is_same<inrarch::widen_t<float, 7>, float>::value);
static_assert(std::is_same<inrarch::widen_t<ap_fixed<56, 24, AP_RND, AP_SAT>, 20>,
                           ap_fixed<76, 44, AP_RND, AP_SAT>>::value);
static_assert(inrarch::is_fixed<tst::fx32>::value && inrarch::is_fixed<tst::fx32>::width == 32 &&
              inrarch::is_fixed<tst::fx32>::int_bits == 10);

/// Stored values are true * 2^-S; T's quantization error bounds the
/// difference (ap_fixed<32,10>: truncation to 22 fractional bits).
template <class T>
double lsb() {
  if constexpr (inrarch::is_fixed<T>::value)
    return inrarch::pow2(inrarch::is_fixed<T>::int_bits - inrarch::is_fixed<T>::width);
  else
    return 0.0;  // power-of-two scaling of a float is exact here
}

template <class T, int B, int ROW, int L, int S>
void case_cvt(const char* tname) {
  char name[128];
  using cfg = cvt_cfg<T, B, ROW, L, S>;
  const std::vector<float> x = tst::random_vec<float>(B * ROW, 90 + S, -4.0, 4.0);
  inrarch::stream<inrarch::word<T, L>> s("s");
  inrarch::load_cvt<cfg>(cfg::B, x.data(), s);
  if (int(s.size()) != B * inrarch::words_per_row(ROW, L)) {
    std::printf("FAIL load_cvt wrote %zu words\n", s.size());
    ++tst::failures;
  }
  std::vector<double> stored(B * ROW);
  for (int i = 0; i < B * ROW; ++i) stored[i] = double(x[i]) * inrarch::pow2(-S);
  std::snprintf(name, sizeof name, "load_cvt %s B=%d ROW=%d L=%d S=%d", tname, B, ROW, L, S);
  const std::vector<T> got = tst::pop_rows<T, L>(s, B, ROW, name);  // checks the zero padding
  tst::check_close(name, got, stored, lsb<T>());

  // Round trip: memory -> channel -> memory gives the true values back.
  inrarch::load_cvt<cfg>(cfg::B, x.data(), s);
  std::vector<float> y(B * ROW, -99.0f);
  inrarch::store_cvt<cfg>(cfg::B, s, y.data());
  std::snprintf(name, sizeof name, "load_cvt/store_cvt round trip %s B=%d ROW=%d L=%d S=%d", tname, B,
                ROW, L, S);
  tst::check_close(name, y, tst::to_double(x), lsb<T>() * inrarch::pow2(S));
  if (!s.empty()) {
    std::printf("FAIL %s: store_cvt left words behind\n", name);
    ++tst::failures;
  }
  // store_cvt of given stored values writes true = stored * 2^S.
  tst::push_rows<T, L>(s, got, B, ROW);
  inrarch::store_cvt<cfg>(cfg::B, s, y.data());
  std::vector<double> truth(B * ROW);
  for (int i = 0; i < B * ROW; ++i) truth[i] = double(got[i]) * inrarch::pow2(S);
  std::snprintf(name, sizeof name, "store_cvt %s S=%d", tname, S);
  tst::check_close(name, y, truth, 1e-6 * inrarch::pow2(S));  // float rounding of to_float
}

template <class T>
void case_views(const char* tname) {
  char name[128];
  // A [4, 6] weight tensor in memory, plus two trailing elements.
  const std::vector<float> mem = tst::random_vec<float>(26, 95, -3.0, 3.0);
  {  // rows 1..3, columns 0, 2, 4: offset 6, strides <6, 2>, 4 lanes (last word padded)
    constexpr int S = -1;
    inrarch::stream<inrarch::word<T, 4>> out("out");
    inrarch::weights_view<view_cfg<T, shape<3, 3>, shape<6, 2>, 9, 6, 4, S>>(mem.data(), out);
    std::vector<double> ref;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) ref.push_back(double(mem[6 + i * 6 + j * 2]) * inrarch::pow2(-S));
    std::snprintf(name, sizeof name, "weights_view strided [3,3] at 6 %s", tname);
    tst::check_close(name, tst::pop_rows<T, 4>(out, 1, 9, name), ref, lsb<T>());
  }
  {  // the transpose [6, 4] of the [4, 6] tensor: strides <1, 6>, 5 lanes, S = 2
    constexpr int S = 2;
    inrarch::stream<inrarch::word<T, 5>> out("out");
    inrarch::weights_view<view_cfg<T, shape<6, 4>, shape<1, 6>, 24, 0, 5, S>>(mem.data(), out);
    std::vector<double> ref;
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 4; ++j) ref.push_back(double(mem[j * 6 + i]) * inrarch::pow2(-S));
    std::snprintf(name, sizeof name, "weights_view transposed [6,4] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 5>(out, 1, 24, name), ref, lsb<T>());
  }
  {  // a scalar (rank-0 view) at offset 25
    inrarch::stream<inrarch::word<T, 2>> out("out");
    inrarch::weights_view<view_cfg<T, shape<>, shape<>, 1, 25, 2, 0>>(mem.data(), out);
    std::snprintf(name, sizeof name, "weights_view scalar at 25 %s", tname);
    tst::check_close(name, tst::pop_rows<T, 2>(out, 1, 1, name), std::vector<double>{double(mem[25])},
                     lsb<T>());
  }
}

void expect_count(const char* what, int counter, long expected) {
  const bool ok = overflow_counts[counter] == expected;
  std::printf("%s %s: counter %d = %ld (expected %ld)\n", ok ? "ok  " : "FAIL", what, counter,
              overflow_counts[counter], expected);
  if (!ok) ++tst::failures;
}

void expect_eq(const char* what, double got, double want) {
  const bool ok = got == want;
  std::printf("%s %s: %.9g (expected %.9g)\n", ok ? "ok  " : "FAIL", what, got, want);
  if (!ok) ++tst::failures;
}

void case_scaling() {
  // As emitted: data_t saturates, calc_t is 24 bits wider (14 integer).
  using data_t = ap_fixed<32, 10, AP_RND, AP_SAT>;
  using calc_t = ap_fixed<56, 24, AP_RND, AP_SAT>;
  const double hi = 512.0 - inrarch::pow2(-22);

  expect_eq("shift<3>(fx 1.5)", double(inrarch::shift<3>(data_t(1.5))), 12.0);
  expect_eq("shift<-2>(fx 1.0)", double(inrarch::shift<-2>(data_t(1.0))), 0.25);
  expect_eq("shift<-2>(float 1.0)", double(inrarch::shift<-2>(1.0f)), 0.25);
  expect_eq("to_float(fx -2.75)", double(inrarch::to_float(data_t(-2.75))), -2.75);
  expect_eq("from_mem<fx,3>(10)", double(inrarch::from_mem<data_t, 3>(10.0f)), 1.25);
  expect_eq("to_mem<fx,3>(1.25)", double(inrarch::to_mem<data_t, 3>(data_t(1.25))), 10.0);
  expect_eq("from_mem<float,-2>(0.75)", double(inrarch::from_mem<float, -2>(0.75f)), 3.0);

  expect_eq("saturated(fx hi)", inrarch::saturated(data_t(hi)), 1);
  expect_eq("saturated(fx -512)", inrarch::saturated(data_t(-512.0)), 1);
  expect_eq("saturated(fx 511.5)", inrarch::saturated(data_t(511.5)), 0);
  expect_eq("saturated(float 1e30)", inrarch::saturated(1e30f), 0);
  expect_eq("saturated(fx32 trn/wrap at -512)", inrarch::saturated(tst::fx32(-512.0)), 1);

  // from_data: stored (scale 2^-S) -> true value in calc_t; counts saturated inputs.
  expect_eq("from_data<calc,3>(1.5)", double(inrarch::from_data<calc_t, 3>(data_t(1.5), 0)), 12.0);
  expect_eq("from_data<calc,-1>(-3)", double(inrarch::from_data<calc_t, -1>(data_t(-3.0), 0)), -1.5);
  expect_count("from_data in range", 0, 0);
  // A stored 100 at scale 2^20 is 104,857,600: beyond calc_t (2^23; the shift drops the high bits), held
  // by widen_t<calc_t, 20>.
  using wide_t = inrarch::widen_t<calc_t, 20>;
  expect_eq("from_data<calc,20>(100) is out of calc_t's range", double(inrarch::from_data<calc_t, 20>(data_t(100.0), 0))
            == 104857600.0, 0);
  expect_eq("from_data<wide,20>(100)", double(inrarch::from_data<wide_t, 20>(data_t(100.0), 0)), 104857600.0);
  expect_eq("to_data<fx,20>(wide 104857600)", double(inrarch::to_data<data_t, 20>(wide_t(104857600.0), 0)), 100.0);
  expect_count("from_data in range", 0, 0);
  expect_eq("from_data<calc,2>(sat hi)", double(inrarch::from_data<calc_t, 2>(data_t(1e6), 0)), hi * 4);
  expect_eq("from_data<calc,0>(sat lo)", double(inrarch::from_data<calc_t, 0>(data_t(-1e6), 0)), -512.0);
  expect_count("from_data saturated inputs", 0, 2);

  // to_data: true value -> stored (scale 2^-S), saturating; counts saturated results.
  expect_eq("to_data<data,2>(1000)", double(inrarch::to_data<data_t, 2>(calc_t(1000.0), 1)), 250.0);
  expect_eq("to_data<data,-3>(-1.5)", double(inrarch::to_data<data_t, -3>(calc_t(-1.5), 1)), -12.0);
  expect_count("to_data in range", 1, 0);
  expect_eq("to_data<data,0>(1000) saturates", double(inrarch::to_data<data_t, 0>(calc_t(1000.0), 1)), hi);
  expect_eq("to_data<data,-1>(-300) saturates", double(inrarch::to_data<data_t, -1>(calc_t(-300.0), 1)),
            -512.0);
  expect_eq("to_data<data,-1>(255) in range", double(inrarch::to_data<data_t, -1>(calc_t(255.0), 1)), 510.0);
  expect_count("to_data saturated results", 1, 2);

  // float: no saturation, nothing counted.
  expect_eq("from_data<float,3>(1.5f)", double(inrarch::from_data<float, 3>(1.5f, 2)), 12.0);
  expect_eq("to_data<float,3>(12.0f)", double(inrarch::to_data<float, 3>(12.0f, 2)), 1.5);
  expect_eq("to_data<float,0>(1e30f)", double(inrarch::to_data<float, 0>(1e30f, 2)), double(1e30f));
  expect_count("float never saturates", 2, 0);
  expect_count("unused counter", 3, 0);
}

template <class T>
void all(const char* tname) {
  case_cvt<T, 3, 5, 2, -2>(tname);
  case_cvt<T, 2, 7, 3, 0>(tname);
  case_cvt<T, 4, 6, 4, 3>(tname);
  case_cvt<T, 2, 4, 1, 3>(tname);
  case_views<T>(tname);
}

int main() {
  all<float>("float");
  all<tst::fx32>("fx32");
  case_scaling();
  return tst::finish("test_boundary");
}
