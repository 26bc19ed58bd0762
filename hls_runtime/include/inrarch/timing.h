// inrarch/timing.h -- loop instrumentation of the kernels: cycle stamping for
// the timed simulation (-DINRARCH_TIMED, with -DINRARCH_BOUNDED_FIFO) and the
// accumulator recurrence check (-DINRARCH_CHECK_RECURRENCE, any C mode).
// Under Vitis HLS and in the plain builds every macro expands to nothing.
//
// Every pipelined loop of every kernel is framed so:
//
//   INRARCH_LOOP_BEGIN(LATENCY);            // its writes leave LATENCY cycles after their iteration
//   for (int i = 0; i < N; ++i) {
//     INRARCH_PRAGMA(HLS PIPELINE II=1)
//     INRARCH_ITER();                       // one iteration = one cycle of its process
//     ... reads / writes / INRARCH_ACC_UPDATE(&acc[j], L) ...
//   }
//   INRARCH_LOOP_END();
//
// A loop pipelined at II = K > 1 calls INRARCH_ITER_II(K) instead: each of
// its iterations takes K cycles of its process, its accesses stamped with
// the iteration's first cycle.
//
// Timed mode. Each process (thread) keeps a nominal clock: a loop starts where
// the previous one ended; iteration i of a loop starting at s runs at s + i
// (II = 1); a read is stamped with its iteration's cycle, a write with its
// iteration's cycle + LATENCY; a loop that wrote ends LATENCY cycles after
// its last iteration (the pipeline drains before the next loop), one that
// only read ends right after it -- the phase rule of the Python timing model
// (`inrarch_mlir.dataflow.Phase`). Every FIFO access is recorded with its
// nominal cycle during the bounded run; when the outermost dataflow region
// has joined, the stalls are resolved exactly by the FIFO rules of the model
// (`inrarch_mlir.dataflow.events`): read k of a FIFO no earlier than write k
// + 1, write k no earlier than read k-depth + 1, and a stall delays every
// later event (in nominal order) of its process, as a stalled HLS pipeline
// does. That is a longest path over the recorded events (see
// `rt::resolve_timing` in stream.h); it prints
//   TIMED: cycles=N events=E processes=P fifos=F
// and, when the environment variable INRARCH_TIMED_OUT names a file, writes
// per-process figures there as JSON.
//
// Recurrence check. INRARCH_ACC_UPDATE(ptr, L) records that the accumulator
// at `ptr` is updated in the current iteration of the current loop; two
// updates of one accumulator in one execution of a pipelined loop less than
// L iterations apart would force Vitis to schedule the loop at II > 1 (the
// adder's latency is L), and the check reports them (see
// `rt::recurrence_report`). Updates in different loop executions are
// sequenced by the loop exit and do not count.
#ifndef INRARCH_TIMING_H
#define INRARCH_TIMING_H

#if (defined(INRARCH_TIMED) || defined(INRARCH_CHECK_RECURRENCE)) && defined(__SYNTHESIS__)
#error "INRARCH_TIMED and INRARCH_CHECK_RECURRENCE are C-simulation modes; do not define them for synthesis"
#endif
#if defined(INRARCH_TIMED) && !defined(INRARCH_BOUNDED_FIFO)
#error "INRARCH_TIMED needs the bounded simulation: define INRARCH_BOUNDED_FIFO too"
#endif
#if defined(INRARCH_CHECK_RECURRENCE) && defined(INRARCH_BOUNDED_FIFO)
#error "INRARCH_CHECK_RECURRENCE runs in the unbounded (sequential) simulation: do not define INRARCH_BOUNDED_FIFO"
#endif

#if defined(INRARCH_TIMED) || defined(INRARCH_CHECK_RECURRENCE)

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

namespace inrarch {
namespace rt {

/// The nominal clock of the calling process (one per thread).
struct loop_clock {
  std::int64_t next = 0;   // nominal cycle at which the next loop starts
  std::int64_t start = 0;  // the current loop's first cycle
  std::int64_t iters = 0;  // cycles begun in the current loop (iterations at II = 1)
  std::int64_t skew = 0;   // cycles of the current iteration after its first (II - 1)
  int latency = 0;         // the current loop's write latency
  bool in_loop = false;
  bool wrote = false;
  std::uint64_t loop_id = 0;  // executions of instrumented loops so far (this thread)

  /// The cycle of the current iteration.
  std::int64_t now() const { return start + iters - 1 - skew; }
};

inline thread_local loop_clock proc_clock;

inline void loop_begin(int latency) {
  if (proc_clock.in_loop) {
    std::fprintf(stderr, "INRARCH timing: a loop began inside another instrumented loop\n");
    std::_Exit(4);
  }
  proc_clock.start = proc_clock.next;
  proc_clock.iters = 0;
  proc_clock.skew = 0;
  proc_clock.latency = latency;
  proc_clock.wrote = false;
  proc_clock.in_loop = true;
  ++proc_clock.loop_id;
}

inline void loop_iter() {
  ++proc_clock.iters;
  proc_clock.skew = 0;
}

/// One iteration of a loop pipelined at II = ii: ii cycles, stamped at its first.
inline void loop_iter_ii(int ii) {
  proc_clock.iters += ii;
  proc_clock.skew = ii - 1;
}

inline void loop_end() {
  proc_clock.next = proc_clock.start + proc_clock.iters + (proc_clock.wrote ? proc_clock.latency : 0);
  proc_clock.in_loop = false;
}

#ifdef INRARCH_CHECK_RECURRENCE
/// Every accumulator update of this thread: (loop execution, iteration) of the last one.
struct recurrence_state {
  struct last_update {
    std::uint64_t loop;
    std::int64_t iter;
  };
  std::unordered_map<const void*, last_update> last;
  long long updates = 0;
  long long violations = 0;
  std::int64_t min_distance = -1;  // smallest distance seen within one loop execution (-1: none)
  /// At exit, what was not reported (a whole emitted design built with the check).
  ~recurrence_state() {
    if (updates > 0)
      std::fprintf(stderr, "RECURRENCE summary: %lld accumulator updates, min distance %lld, %lld violation(s)\n",
                   updates, static_cast<long long>(min_distance), violations);
  }
};

inline recurrence_state& recurrence() {
  static recurrence_state s;  // one thread: the unbounded simulation runs the processes in turn
  return s;
}

inline void acc_update(const void* acc, int L) {
  recurrence_state& s = recurrence();
  ++s.updates;
  if (!proc_clock.in_loop) {
    std::fprintf(stderr, "RECURRENCE: accumulator %p updated outside an instrumented loop\n", acc);
    ++s.violations;
    return;
  }
  const std::int64_t it = proc_clock.iters - 1;
  auto f = s.last.find(acc);
  if (f != s.last.end() && f->second.loop == proc_clock.loop_id) {
    const std::int64_t d = it - f->second.iter;
    if (s.min_distance < 0 || d < s.min_distance) s.min_distance = d;
    if (d < L) {
      if (s.violations < 10)
        std::fprintf(stderr, "RECURRENCE: accumulator %p updated at iterations %lld and %lld of one loop (%lld < L = %d)\n",
                     acc, static_cast<long long>(f->second.iter), static_cast<long long>(it),
                     static_cast<long long>(d), L);
      ++s.violations;
    }
  }
  s.last[acc] = {proc_clock.loop_id, it};
}

/// Prints `recurrence: U updates, min distance D, V violation(s)` and returns V; resets the state.
inline long long recurrence_report(const char* what, int L) {
  recurrence_state& s = recurrence();
  std::printf("recurrence %s (L = %d): %lld updates, min distance %lld, %lld violation(s)\n", what, L, s.updates,
              static_cast<long long>(s.min_distance), s.violations);
  const long long v = s.violations;
  s = recurrence_state();
  return v;
}
#endif  // INRARCH_CHECK_RECURRENCE

}  // namespace rt
}  // namespace inrarch

#define INRARCH_LOOP_BEGIN(latency) ::inrarch::rt::loop_begin(latency)
#define INRARCH_ITER() ::inrarch::rt::loop_iter()
#define INRARCH_ITER_II(ii) ::inrarch::rt::loop_iter_ii(ii)
#define INRARCH_LOOP_END() ::inrarch::rt::loop_end()

#else  // Vitis HLS, or a C simulation without instrumentation

#define INRARCH_LOOP_BEGIN(latency) static_cast<void>(latency)
#define INRARCH_ITER() static_cast<void>(0)
#define INRARCH_ITER_II(ii) static_cast<void>(ii)
#define INRARCH_LOOP_END() static_cast<void>(0)

#endif

#ifdef INRARCH_CHECK_RECURRENCE
#define INRARCH_ACC_UPDATE(acc, L) ::inrarch::rt::acc_update(static_cast<const void*>(acc), L)
#else
#define INRARCH_ACC_UPDATE(acc, L) static_cast<void>(L)
#endif

#endif  // INRARCH_TIMING_H
