// reduce_sum: full reduction to [B,1] and partial reductions over feature
// dims, at adder latencies L = 1, 4 and 7 (partial sums interleaved).
#include "test_util.h"

using inrarch::shape;

template <class T_, int B_, class InShape_, class Mask_, int LI_, int LO_, int L_>
struct reduce_cfg {
  using T = T_;
  using ACC = inrarch::acc_t<T_>;
  using InShape = InShape_;
  using Mask = Mask_;
  static constexpr int B = B_, LI = LI_, LO = LO_, L = L_, LATENCY = 4;
};

template <class T, int L>
void run(const char* tname, double tol) {
  char name[128];
  {  // [B=3, 7] -> [B, 1], in at 3 lanes
    constexpr int B = 3, N = 7;
    const std::vector<T> x = tst::random_vec<T>(B * N, 20);
    inrarch::stream<inrarch::word<T, 3>> in("in");
    inrarch::stream<inrarch::word<T, 1>> out("out");
    tst::push_rows<T, 3>(in, x, B, N);
    inrarch::reduce_sum<reduce_cfg<T, B, shape<N>, shape<1>, 3, 1, L>>(B, in, out);
    std::vector<double> ref(B, 0.0);
    for (int b = 0; b < B; ++b)
      for (int n = 0; n < N; ++n) ref[b] += double(x[b * N + n]);
    std::snprintf(name, sizeof name, "reduce [3,7]->[3,1] %s L=%d", tname, L);
    tst::check_close(name, tst::pop_rows<T, 1>(out, B, 1, name), ref, tol);
  }
  {  // [B=2, 4, 6] sum over the last dim -> [B, 4], and over the first -> [B, 6]
    constexpr int B = 2, M = 4, N = 6;
    const std::vector<T> x = tst::random_vec<T>(B * M * N, 21);
    inrarch::stream<inrarch::word<T, 4>> in("in");
    inrarch::stream<inrarch::word<T, 3>> out("out");
    tst::push_rows<T, 4>(in, x, B, M * N);
    inrarch::reduce_sum<reduce_cfg<T, B, shape<M, N>, shape<0, 1>, 4, 3, L>>(B, in, out);
    std::vector<double> ref(B * M, 0.0);
    for (int b = 0; b < B; ++b)
      for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) ref[b * M + m] += double(x[(b * M + m) * N + n]);
    std::snprintf(name, sizeof name, "reduce [2,4,6] dim 2 -> [2,4] %s L=%d", tname, L);
    tst::check_close(name, tst::pop_rows<T, 3>(out, B, M, name), ref, tol);

    tst::push_rows<T, 4>(in, x, B, M * N);
    inrarch::reduce_sum<reduce_cfg<T, B, shape<M, N>, shape<1, 0>, 4, 3, L>>(B, in, out);
    std::vector<double> ref2(B * N, 0.0);
    for (int b = 0; b < B; ++b)
      for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) ref2[b * N + n] += double(x[(b * M + m) * N + n]);
    std::snprintf(name, sizeof name, "reduce [2,4,6] dim 1 -> [2,6] %s L=%d", tname, L);
    tst::check_close(name, tst::pop_rows<T, 3>(out, B, N, name), ref2, tol);
  }
}

int main() {
  run<float, 1>("float", 1e-5);
  run<float, 4>("float", 1e-5);
  run<float, 7>("float", 1e-5);
  run<tst::fx32, 1>("fx32", 1e-5);
  run<tst::fx32, 4>("fx32", 1e-5);
  return tst::finish("test_reduce");
}
