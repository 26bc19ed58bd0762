// Bounded-FIFO runtime on a reconvergent graph:
//   load -> fork -+-> matmul (needs the whole row) -+-> map add (join) -> store
//                 +---------- x_short --------------+
// Per sample the fork writes K words to both branches; the join cannot read
// x_short until the matmul has emitted its first output, i.e. read all K
// words of the row and, double-buffered, the first words of the next row,
// which it reads spread over its MAC loop (here K = 8, 4 MACs: a 16-step
// loop reading a word every 2 steps). With an adder latency L = 1 (-DMM_L=1,
// the default) the loop writes a word every 2 steps, the first at step 1
// (after reading one word of row 1): x_short needs depth >= 8. With L = 4
// (-DMM_L=4) the accumulators of 4 output words are interleaved and the
// first word is complete at step 4, after reading 3 words of row 1 (steps
// 0, 2, 4): x_short needs depth >= 10. Smaller depths deadlock (exit 3,
// FIFOs named on stderr). The dataflow model (Kernel.matmul) has the same
// program order.
// Build flags: -DSHORT_DEPTH=N, -DMM_L=L; -DINRARCH_BOUNDED_FIFO for the
// threaded mode (without it the same code runs sequentially on unbounded
// streams). -DSTARVE makes the store expect one sample more than produced: a
// process waiting forever on a finished producer is reported the same way.
#include "test_util.h"

#ifndef SHORT_DEPTH
#define SHORT_DEPTH 7
#endif
#ifndef MM_L
#define MM_L 1
#endif

constexpr int B = 4;
constexpr int K = 8;

struct fn_add {
  template <class T>
  T operator()(T a, T b) const {
    return T(a + b);
  }
};

#ifdef STARVE
constexpr int B_STORE = B + 1;
#else
constexpr int B_STORE = B;
#endif

// Written the way the emitter writes a top function: one config per
// process (templates over the element type D here, plain structs there).
template <class D>
struct load_x_cfg {
  using T = D;
  static constexpr int B = ::B, ROW = K, LANES = 1;
};
template <class D>
struct weights_w_cfg {
  using T = D;
  static constexpr int SIZE = K * K, LANES = 4;
};
struct fork_x_cfg {
  static constexpr int B = ::B, ROW = K, LANES = 1;
};
template <class D>
struct matmul_cfg {
  using T = D;
  using ACC = inrarch::acc_t<D>;
  static constexpr int B = ::B, K = ::K, N = ::K, LI = 1, LO = 1, MACS = 4, L = MM_L, LATENCY = 8;
  static constexpr bool TRANSPOSE_W = true;
};
struct join_add_cfg {
  using F = fn_add;
  static constexpr int B = ::B, ROW = K, LANES = 1, LATENCY = 4;
};
template <class D>
struct store_y_cfg {
  using T = D;
  static constexpr int B = B_STORE, ROW = K, LANES = 1;
};

template <class T>
void top(const T* x, const T* w, T* y) {
  using w1 = inrarch::word<T, 1>;
  INRARCH_FIFO(x_s, 2, w1);
  INRARCH_FIFO(x_mm, 2, w1);
  INRARCH_FIFO(x_short, SHORT_DEPTH, w1);
  INRARCH_FIFO(w_s, 2, inrarch::word<T, 4>);
  INRARCH_FIFO(mm_out, 2, w1);
  INRARCH_FIFO(y_s, 2, w1);
  INRARCH_DATAFLOW_BEGIN("top");
  INRARCH_PROCESS("load_x", inrarch::load<load_x_cfg<T>>(load_x_cfg<T>::B, x, x_s));
  INRARCH_PROCESS("weights_w", inrarch::weights<weights_w_cfg<T>>(w, w_s));
  INRARCH_PROCESS("fork_x", inrarch::fork<fork_x_cfg>(fork_x_cfg::B, x_s, x_mm, x_short));
  INRARCH_PROCESS("matmul", inrarch::matmul<matmul_cfg<T>>(matmul_cfg<T>::B, x_mm, w_s, mm_out));
  INRARCH_PROCESS("join_add", inrarch::map<join_add_cfg>(join_add_cfg::B, y_s, mm_out, x_short));
  INRARCH_PROCESS("store_y", inrarch::store<store_y_cfg<T>>(store_y_cfg<T>::B, y_s, y));
  INRARCH_DATAFLOW_END();
}

template <class T>
void run(const char* tname, double tol) {
  const std::vector<T> x = tst::random_vec<T>(B * K, 70);
  const std::vector<T> w = tst::random_vec<T>(K * K, 71);  // [N=K, K]
  std::vector<T> y((B + 1) * K, T(0));
  std::vector<double> ref(B * K);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < K; ++n) {
      double s = double(x[b * K + n]);
      for (int k = 0; k < K; ++k) s += double(x[b * K + k]) * double(w[n * K + k]);
      ref[b * K + n] = s;
    }
  for (int rep = 0; rep < 20; ++rep) {  // repeat: thread interleavings differ
    top<T>(x.data(), w.data(), y.data());
    y.resize(B * K);
    char name[96];
    std::snprintf(name, sizeof name, "reconvergent %s short depth %d run %d", tname, SHORT_DEPTH, rep);
    if (rep == 0 || tst::failures) tst::check_close(name, y, ref, tol);
    y.assign((B + 1) * K, T(0));
  }
}

int main() {
  run<float>("float", 1e-5);
  run<tst::fx32>("fx32", 1e-5);
  return tst::finish("test_reconvergent");
}
