// A small SIREN-like graph using most kernels, written the way the emitter
// writes a top function (FIFOs, one dataflow region, a nested region), run in
// the mode it is compiled for: sequential over unbounded streams (default)
// or threaded over bounded FIFOs (-DINRARCH_BOUNDED_FIFO). Checked against a
// double-precision reference for float and ap_fixed<32,10>.
//
//   x[B,2] -> matmul(W0^T) -> +bias -> sin(30 .) = h[B,8] -> fork
//     h1 -> slice [0:4]                          -> s[B,4] --+-> map mul -> m[B,4]
//     h2 -> reduce sum -> r[B,1] -> fork -> broadcast [B,4] -+
//                                       \-> r2 ------------------------+
//   concat(m, r2) = y[B,5] -> store
#include "test_util.h"

using inrarch::shape;
constexpr int B = 6;

struct fn_sine_layer {  // emitted from the fused region: sin(30 * (a + b))
  template <class T>
  T operator()(T a, T b) const {
    return inrarch::sin(T(T(30) * T(a + b)));
  }
};
struct fn_mul {
  template <class T>
  T operator()(T a, T b) const {
    return T(a * b);
  }
};

// One config per process, as the emitter writes them. The emitter's are
// plain structs over data_t; here the ones that name the element type are
// templates over it (D), because the test runs float and ap_fixed.
template <class D>
struct load_x_cfg {
  using T = D;
  static constexpr int B = ::B, ROW = 2, LANES = 1;
};
template <class D>
struct weights_w0_cfg {
  using T = D;
  static constexpr int SIZE = 16, LANES = 2;
};
template <class D>
struct weights_b0_cfg {
  using T = D;
  static constexpr int SIZE = 8, LANES = 4;
};
template <class D>
struct mm0_cfg {
  using T = D;
  using ACC = inrarch::acc_t<D>;
  static constexpr int B = ::B, K = 2, N = 8, LI = 1, LO = 2, MACS = 4, L = 4, LATENCY = 8;
  static constexpr bool TRANSPOSE_W = true;
};
template <class D>
struct bias0_cfg {
  using T = D;
  using InShape = shape<8>;
  using OutShape = shape<8>;
  static constexpr int B = ::B, LANES = 2, WL = 4;
};
struct sine0_cfg {
  using F = fn_sine_layer;
  static constexpr int B = ::B, ROW = 8, LANES = 2, LATENCY = 17;
};
template <class D>
struct store_y_cfg {
  using T = D;
  static constexpr int B = ::B, ROW = 5, LANES = 3;
};
struct fork_h_cfg {
  static constexpr int B = ::B, ROW = 8, LANES = 2;
};
template <class D>
struct slice_h_cfg {
  using T = D;
  using InShape = shape<8>;
  using Offsets = shape<0>;
  using Sizes = shape<4>;
  using Strides = shape<1>;
  static constexpr int B = ::B, LI = 2, LO = 2;
};
template <class D>
struct reduce_h_cfg {
  using T = D;
  using ACC = inrarch::acc_t<D>;
  using InShape = shape<8>;
  using Mask = shape<1>;
  static constexpr int B = ::B, LI = 2, LO = 1, L = 4, LATENCY = 12;
};
struct fork_r_cfg {
  static constexpr int B = ::B, ROW = 1, LANES = 1;
};
template <class D>
struct bcast_r_cfg {
  using T = D;
  using InShape = shape<1>;
  using OutShape = shape<4>;
  static constexpr int B = ::B, LI = 1, LO = 2;
};
struct mul_cfg {
  using F = fn_mul;
  static constexpr int B = ::B, ROW = 4, LANES = 2, LATENCY = 3;
};
template <class D>
struct concat_y_cfg {
  using T = D;
  using Chunks = shape<4, 1>;
  static constexpr int B = ::B, OUTER = 1, LO = 3;
};

template <class T>
void tail(inrarch::stream<inrarch::word<T, 2>>& h, inrarch::stream<inrarch::word<T, 3>>& y) {
  INRARCH_FIFO(h1, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(h2, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(s, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(r, 1, inrarch::word<T, 1>);
  INRARCH_FIFO(r1, 1, inrarch::word<T, 1>);
  INRARCH_FIFO(r2, 1, inrarch::word<T, 1>);
  INRARCH_FIFO(rb, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(m, 2, inrarch::word<T, 2>);
  INRARCH_DATAFLOW_BEGIN("tail");
  INRARCH_PROCESS("fork_h", inrarch::fork<fork_h_cfg>(fork_h_cfg::B, h, h1, h2));
  INRARCH_PROCESS("slice_h", inrarch::slice<slice_h_cfg<T>>(slice_h_cfg<T>::B, h1, s));
  INRARCH_PROCESS("reduce_h", inrarch::reduce_sum<reduce_h_cfg<T>>(reduce_h_cfg<T>::B, h2, r));
  INRARCH_PROCESS("fork_r", inrarch::fork<fork_r_cfg>(fork_r_cfg::B, r, r1, r2));
  INRARCH_PROCESS("bcast_r", inrarch::broadcast<bcast_r_cfg<T>>(bcast_r_cfg<T>::B, r1, rb));
  INRARCH_PROCESS("mul", inrarch::map<mul_cfg>(mul_cfg::B, m, s, rb));
  INRARCH_PROCESS("concat_y", inrarch::concat<concat_y_cfg<T>>(concat_y_cfg<T>::B, y, m, r2));
  INRARCH_DATAFLOW_END();
}

template <class T>
void top(const T* x, const T* w0, const T* b0, T* y) {
  INRARCH_FIFO(x_s, 2, inrarch::word<T, 1>);
  INRARCH_FIFO(w0_s, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(b0_s, 2, inrarch::word<T, 4>);
  INRARCH_FIFO(z, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(bias, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(h, 2, inrarch::word<T, 2>);
  INRARCH_FIFO(y_s, 2, inrarch::word<T, 3>);
  INRARCH_DATAFLOW_BEGIN("top");
  INRARCH_PROCESS("load_x", inrarch::load<load_x_cfg<T>>(load_x_cfg<T>::B, x, x_s));
  INRARCH_PROCESS("weights_w0", inrarch::weights<weights_w0_cfg<T>>(w0, w0_s));
  INRARCH_PROCESS("weights_b0", inrarch::weights<weights_b0_cfg<T>>(b0, b0_s));
  INRARCH_PROCESS("mm0", inrarch::matmul<mm0_cfg<T>>(mm0_cfg<T>::B, x_s, w0_s, z));
  INRARCH_PROCESS("bias0", inrarch::broadcast_buffer<bias0_cfg<T>>(bias0_cfg<T>::B, b0_s, bias));
  INRARCH_PROCESS("sine0", inrarch::map<sine0_cfg>(sine0_cfg::B, h, z, bias));
  INRARCH_PROCESS("tail", tail<T>(h, y_s));
  INRARCH_PROCESS("store_y", inrarch::store<store_y_cfg<T>>(store_y_cfg<T>::B, y_s, y));
  INRARCH_DATAFLOW_END();
}

template <class T>
void run(const char* tname, double tol) {
  const std::vector<T> x = tst::random_vec<T>(B * 2, 80);
  const std::vector<T> w0 = tst::random_vec<T>(16, 81, -0.5, 0.5);  // [8, 2]
  const std::vector<T> b0 = tst::random_vec<T>(8, 82, -0.5, 0.5);
  std::vector<T> y(B * 5, T(0));
  top<T>(x.data(), w0.data(), b0.data(), y.data());
  std::vector<double> ref;
  for (int b = 0; b < B; ++b) {
    double h[8], r = 0;
    for (int n = 0; n < 8; ++n) {
      double z = double(b0[n]);
      for (int k = 0; k < 2; ++k) z += double(x[b * 2 + k]) * double(w0[n * 2 + k]);
      h[n] = std::sin(30 * z);
      r += h[n];
    }
    for (int n = 0; n < 4; ++n) ref.push_back(h[n] * r);
    ref.push_back(r);
  }
  char name[64];
  std::snprintf(name, sizeof name, "pipeline %s", tname);
  tst::check_close(name, y, ref, tol);
}

int main() {
  run<float>("float", 1e-4);
  run<tst::fx32>("fx32", 5e-5);  // sin(30 z): input error amplified by 30
  return tst::finish("test_pipeline");
}
