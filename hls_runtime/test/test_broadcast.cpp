// broadcast_buffer (weight buffer -> channel) and broadcast (size-1 feature
// dims of a channel repeated).
#include "test_util.h"

using inrarch::shape;

template <class T_, int B_, class InShape_, class OutShape_, int LANES_, int WL_>
struct bbuf_cfg {
  using T = T_;
  using InShape = InShape_;
  using OutShape = OutShape_;
  static constexpr int B = B_, LANES = LANES_, WL = WL_;
};

template <class T_, int B_, class InShape_, class OutShape_, int LI_, int LO_>
struct bcast_cfg {
  using T = T_;
  using InShape = InShape_;
  using OutShape = OutShape_;
  static constexpr int B = B_, LI = LI_, LO = LO_;
};

template <class T>
void run(const char* tname) {
  char name[128];
  {  // bias [5] -> [B=3, 5], weights at 2 lanes, out at 2 lanes
    constexpr int B = 3, N = 5;
    const std::vector<T> w = tst::random_vec<T>(N, 8);
    inrarch::stream<inrarch::word<T, 2>> ws("w");
    inrarch::stream<inrarch::word<T, 2>> out("out");
    inrarch::weights<tst::weights_cfg<T, N, 2>>(w.data(), ws);
    inrarch::broadcast_buffer<bbuf_cfg<T, B, shape<N>, shape<N>, 2, 2>>(B, ws, out);
    std::vector<double> ref(B * N);
    for (int b = 0; b < B; ++b)
      for (int n = 0; n < N; ++n) ref[b * N + n] = double(w[n]);
    std::snprintf(name, sizeof name, "broadcast_buffer [5]->[3,5] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 2>(out, B, N, name), ref, 0.0);
  }
  {  // weight [1,4] -> [B=2, 3, 4], weights at 3 lanes, out at 5 lanes
    constexpr int B = 2, M = 3, N = 4;
    const std::vector<T> w = tst::random_vec<T>(N, 9);
    inrarch::stream<inrarch::word<T, 3>> ws("w");
    inrarch::stream<inrarch::word<T, 5>> out("out");
    inrarch::weights<tst::weights_cfg<T, N, 3>>(w.data(), ws);
    inrarch::broadcast_buffer<bbuf_cfg<T, B, shape<1, N>, shape<M, N>, 5, 3>>(B, ws, out);
    std::vector<double> ref(B * M * N);
    for (int b = 0; b < B; ++b)
      for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) ref[(b * M + m) * N + n] = double(w[n]);
    std::snprintf(name, sizeof name, "broadcast_buffer [1,4]->[2,3,4] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 5>(out, B, M * N, name), ref, 0.0);
  }
  {  // channel [B=4, 1] -> [B, 6], out at 4 lanes
    constexpr int B = 4, N = 6;
    const std::vector<T> x = tst::random_vec<T>(B, 10);
    inrarch::stream<inrarch::word<T, 1>> in("in");
    inrarch::stream<inrarch::word<T, 4>> out("out");
    tst::push_rows<T, 1>(in, x, B, 1);
    inrarch::broadcast<bcast_cfg<T, B, shape<1>, shape<N>, 1, 4>>(B, in, out);
    std::vector<double> ref(B * N);
    for (int b = 0; b < B; ++b)
      for (int n = 0; n < N; ++n) ref[b * N + n] = double(x[b]);
    std::snprintf(name, sizeof name, "broadcast [4,1]->[4,6] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 4>(out, B, N, name), ref, 0.0);
  }
  {  // channel [B=2, 3, 1] -> [B, 3, 5], in at 2 lanes, out at 3 lanes
    constexpr int B = 2, M = 3, N = 5;
    const std::vector<T> x = tst::random_vec<T>(B * M, 12);
    inrarch::stream<inrarch::word<T, 2>> in("in");
    inrarch::stream<inrarch::word<T, 3>> out("out");
    tst::push_rows<T, 2>(in, x, B, M);
    inrarch::broadcast<bcast_cfg<T, B, shape<M, 1>, shape<M, N>, 2, 3>>(B, in, out);
    std::vector<double> ref(B * M * N);
    for (int b = 0; b < B; ++b)
      for (int m = 0; m < M; ++m)
        for (int n = 0; n < N; ++n) ref[(b * M + m) * N + n] = double(x[b * M + m]);
    std::snprintf(name, sizeof name, "broadcast [2,3,1]->[2,3,5] %s", tname);
    tst::check_close(name, tst::pop_rows<T, 3>(out, B, M * N, name), ref, 0.0);
  }
}

int main() {
  run<float>("float");
  run<tst::fx32>("fx32");
  return tst::finish("test_broadcast");
}
