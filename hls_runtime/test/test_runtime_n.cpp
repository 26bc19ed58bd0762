// Runtime sample counts: every kernel with a batch loop, configured for a
// nominal batch B = 8, called with n = 1, 3 and 8 samples. Each call must
// consume and produce exactly n samples (no word left in any stream, no
// memory row past n written) and match a double reference on them; the
// kernels that hold weights (matmul, broadcast_buffer) read every weight
// word in each call, whatever n is.
#include "inrarch/boundary.h"
#include "inrarch/jet.h"
#include "test_util.h"

using inrarch::shape;
using inrarch::word;

// boundary.h declares it for the fixed-point helpers; nothing here saturates.
void inrarch::note_overflow(int) {}

constexpr int B = 8;  // the nominal (design) batch of every config below

template <class T_, int ROW_, int LANES_>
struct mem_cfg {
  using T = T_;
  static constexpr int B = ::B, ROW = ROW_, LANES = LANES_, S = 0;
};
struct fn_sin_add {
  template <class T>
  T operator()(T a, T b) const {
    return inrarch::sin(T(a + b));
  }
};
struct map_cfg {
  using F = fn_sin_add;
  static constexpr int B = ::B, ROW = 5, LANES = 2, LATENCY = 3;
};
struct fork_cfg {
  static constexpr int B = ::B, ROW = 5, LANES = 2;
};
template <class T_>
struct mm_cfg {
  using T = T_;
  using ACC = inrarch::acc_t<T_>;
  static constexpr int B = ::B, K = 3, N = 5, LI = 1, LO = 2, MACS = 2, L = 4, LATENCY = 8;
  static constexpr bool TRANSPOSE_W = true;
};
template <class T_>
struct bias_cfg {
  using T = T_;
  using InShape = shape<5>;
  using OutShape = shape<5>;
  static constexpr int B = ::B, LANES = 2, WL = 2;
};
template <class T_>
struct bcast_cfg {
  using T = T_;
  using InShape = shape<1>;
  using OutShape = shape<4>;
  static constexpr int B = ::B, LI = 1, LO = 2;
};
template <class T_, class InShape_, class Mask_, int LO_>
struct reduce_cfg {
  using T = T_;
  using ACC = inrarch::acc_t<T_>;
  using InShape = InShape_;
  using Mask = Mask_;
  static constexpr int B = ::B, LI = 2, LO = LO_, L = 4, LATENCY = 4;
};
template <class T_>
struct slice_cfg {
  using T = T_;
  using InShape = shape<5>;
  using Offsets = shape<1>;
  using Sizes = shape<2>;
  using Strides = shape<2>;
  static constexpr int B = ::B, LI = 2, LO = 1;
};
template <class T_>
struct concat_cfg {
  using T = T_;
  using Chunks = shape<5, 2>;
  static constexpr int B = ::B, OUTER = 1, LO = 3;
};
template <class T>
struct square_jet {  // (x, dx) -> (x^2, 2 x dx)
  void operator()(const T (&in)[2], T (&out)[2]) const {
    out[0] = T(in[0] * in[0]);
    out[1] = T(T(2) * in[0] * in[1]);
  }
};
template <class T>
struct jet_cfg {
  using F = square_jet<T>;
  static constexpr int B = ::B, R = 2, RO = 2, N = 3, LANES = 2, UNROLL = 1, LATENCY = 4;
};

template <class T>
void check_empty(const char* what, inrarch::stream<word<T, 2>>& s) {
  if (!s.empty()) {
    std::printf("FAIL %s: %zu word(s) left unread\n", what, s.size());
    ++tst::failures;
  }
}

/// load -> matmul (weights of this call) + bias -> map -> fork -> store, reduce, slice, concat.
template <class T>
void pipeline(const char* tname, int n, std::uint64_t seed, double tol) {
  char name[128];
  const std::vector<float> x = tst::random_vec<float>(B * 3, seed);
  const std::vector<T> w = tst::random_vec<T>(5 * 3, seed + 1);  // [N=5, K=3] (Linear layout)
  const std::vector<T> bias = tst::random_vec<T>(5, seed + 2);
  inrarch::stream<word<T, 1>> xs("x"), ws("w");
  inrarch::stream<word<T, 2>> bs("bias_w"), z("z"), bz("bias"), h("h"), h0("h0"), h1("h1"), h2("h2"), h3("h3");
  inrarch::weights<tst::weights_cfg<T, 15, 1>>(w.data(), ws);
  inrarch::weights<tst::weights_cfg<T, 5, 2>>(bias.data(), bs);
  inrarch::load_cvt<mem_cfg<T, 3, 1>>(n, x.data(), xs);
  inrarch::matmul<mm_cfg<T>>(n, xs, ws, z);
  inrarch::broadcast_buffer<bias_cfg<T>>(n, bs, bz);
  inrarch::map<map_cfg>(n, h, z, bz);
  inrarch::fork<fork_cfg>(n, h, h0, h1, h2, h3);
  std::vector<float> y(B * 5, 7.0f);  // rows past n must keep this sentinel
  inrarch::store_cvt<mem_cfg<T, 5, 2>>(n, h0, y.data());
  inrarch::stream<word<T, 1>> full("full"), sl("slice");
  inrarch::reduce_sum<reduce_cfg<T, shape<5>, shape<1>, 1>>(n, h1, full);
  inrarch::slice<slice_cfg<T>>(n, h2, sl);
  inrarch::stream<word<T, 3>> cat("concat");
  inrarch::concat<concat_cfg<T>>(n, cat, h3, sl);  // [n, 5 + 2]

  std::vector<double> hr(n * 5), fr(n), sr(n * 2), cr(n * 7);
  for (int b = 0; b < n; ++b) {
    for (int j = 0; j < 5; ++j) {
      double s = double(bias[j]);
      for (int k = 0; k < 3; ++k) s += double(T(x[b * 3 + k])) * double(w[j * 3 + k]);
      hr[b * 5 + j] = std::sin(s);
      fr[b] += hr[b * 5 + j];
      cr[b * 7 + j] = hr[b * 5 + j];
    }
    for (int j = 0; j < 2; ++j) sr[b * 2 + j] = cr[b * 7 + 5 + j] = hr[b * 5 + 1 + 2 * j];
  }
  std::snprintf(name, sizeof name, "runtime n=%d of B=%d %s: load_cvt/matmul/bias/map/fork/store_cvt", n, B, tname);
  std::vector<double> got(y.begin(), y.begin() + n * 5);
  tst::check_close(name, got, hr, tol);
  for (int i = n * 5; i < B * 5; ++i)
    if (y[i] != 7.0f) {
      std::printf("FAIL %s: memory element %d past the n rows was written\n", name, i);
      ++tst::failures;
      break;
    }
  std::snprintf(name, sizeof name, "runtime n=%d of B=%d %s: reduce_sum (full)", n, B, tname);
  tst::check_close(name, tst::pop_rows<T, 1>(full, n, 1, name), fr, tol * 5);
  std::snprintf(name, sizeof name, "runtime n=%d of B=%d %s: slice -> concat", n, B, tname);
  tst::check_close(name, tst::pop_rows<T, 3>(cat, n, 7, name), cr, tol);
  check_empty<T>("pipeline streams", h);
  check_empty<T>("pipeline z", z);
  check_empty<T>("pipeline bias", bz);
  if (!ws.empty() || !bs.empty() || !xs.empty() || !sl.empty()) {
    std::printf("FAIL %s: weight or input words left\n", name);
    ++tst::failures;
  }
}

/// broadcast, a partial reduce_sum and the jet kernel at n samples; load/store at n.
template <class T>
void others(const char* tname, int n, double tol) {
  char name[128];
  const std::vector<T> a = tst::random_vec<T>(B * 1, 61);
  const std::vector<T> m = tst::random_vec<T>(B * 6, 62);  // [B, 2, 3]
  const std::vector<T> j = tst::random_vec<T>(B * 6, 63);  // [B, R=2, N=3]
  inrarch::stream<word<T, 1>> as("a");
  inrarch::stream<word<T, 2>> bo("bcast"), ms("m"), js("jet_in"), jo("jet_out"), ro("red"), ls("load");
  tst::push_rows<T, 1>(as, a, B, 1);  // B rows available: the kernel must take only n
  inrarch::broadcast<bcast_cfg<T>>(n, as, bo);
  std::vector<double> br(n * 4);
  for (int b = 0; b < n; ++b)
    for (int e = 0; e < 4; ++e) br[b * 4 + e] = double(a[b]);
  std::snprintf(name, sizeof name, "runtime n=%d of B=%d %s: broadcast", n, B, tname);
  tst::check_close(name, tst::pop_rows<T, 2>(bo, n, 4, name), br, 0.0);
  if (as.size() != std::size_t(B - n)) {
    std::printf("FAIL %s: read %zu words, expected %d\n", name, B - as.size(), n);
    ++tst::failures;
  }
  while (!as.empty()) as.read();  // the rows past n were not for this call

  tst::push_rows<T, 2>(ms, m, n, 6);
  inrarch::reduce_sum<reduce_cfg<T, shape<2, 3>, shape<1, 0>, 2>>(n, ms, ro);  // [n, 2, 3] -> [n, 3]
  std::vector<double> rr(n * 3);
  for (int b = 0; b < n; ++b)
    for (int c = 0; c < 3; ++c) rr[b * 3 + c] = double(m[b * 6 + c]) + double(m[b * 6 + 3 + c]);
  std::snprintf(name, sizeof name, "runtime n=%d of B=%d %s: reduce_sum (partial)", n, B, tname);
  tst::check_close(name, tst::pop_rows<T, 2>(ro, n, 3, name), rr, tol);

  tst::push_rows<T, 2>(js, j, n * 2, 3);
  inrarch::jet<jet_cfg<T>>(n, jo, js);
  std::vector<double> jr(n * 6);
  for (int b = 0; b < n; ++b)
    for (int e = 0; e < 3; ++e) {
      const double x0 = double(j[b * 6 + e]), dx = double(j[b * 6 + 3 + e]);
      jr[b * 6 + e] = x0 * x0;
      jr[b * 6 + 3 + e] = 2 * x0 * dx;
    }
  std::snprintf(name, sizeof name, "runtime n=%d of B=%d %s: jet", n, B, tname);
  tst::check_close(name, tst::pop_rows<T, 2>(jo, n * 2, 3, name), jr, tol);

  std::vector<T> mem(B * 3, T(0)), back(B * 3, T(5));
  for (int i = 0; i < B * 3; ++i) mem[i] = T(j[i]);
  inrarch::load<tst::mem_cfg<T, B, 3, 2>>(n, mem.data(), ls);
  inrarch::store<tst::mem_cfg<T, B, 3, 2>>(n, ls, back.data());
  bool ok = true;
  for (int i = 0; i < B * 3; ++i) ok = ok && (i < n * 3 ? back[i] == mem[i] : back[i] == T(5));
  std::printf("%s runtime n=%d of B=%d %s: load/store touch exactly n rows\n", ok ? "ok  " : "FAIL", n, B, tname);
  if (!ok) ++tst::failures;
}

int main() {
  for (int n : {1, 3, 8}) {
    pipeline<float>("float", n, 10 + n, 1e-5);
    pipeline<tst::fx32>("fixed<32,10>", n, 20 + n, 2e-5);
    others<float>("float", n, 1e-6);
    others<tst::fx32>("fixed<32,10>", n, 1e-5);
  }
  return tst::finish("runtime_n");
}
