// inrarch/dataflow.h -- dataflow regions: HLS DATAFLOW, sequential csim, or
// one thread per process over bounded FIFOs with exact deadlock detection.
//
//   INRARCH_DATAFLOW_BEGIN("top");
//   INRARCH_PROCESS("load_x", inrarch::load<load_x_cfg>(x, s0));
//   INRARCH_PROCESS("mm0", inrarch::matmul<mm0_cfg>(s0, w0s, s1));
//   INRARCH_DATAFLOW_END();
// (load_x_cfg, mm0_cfg: the kernels' config structs, see kernels.h.)
//
// * Vitis HLS: BEGIN is `#pragma HLS DATAFLOW`, PROCESS is the plain call.
// * unbounded csim (default): processes run one after the other in
//   declaration order -- valid for any feed-forward graph, since streams are
//   unbounded; declare processes in topological order.
// * bounded csim (-DINRARCH_BOUNDED_FIFO): each PROCESS becomes a std::thread
//   started at END; END joins them. Every FIFO is a blocking queue of exactly
//   its depth. When every live process is blocked on a FIFO whose condition
//   cannot hold, `DEADLOCK: ...` is printed to stderr naming each FIFO with a
//   blocked reader or writer (name, depth, occupancy, process, read/write)
//   and the program exits with status 3. Detection is exact: a global mutex
//   guards all FIFOs and the count of live/waiting processes (no timeouts).
//   Regions may nest (a process whose body is itself a region).
// * timed csim (-DINRARCH_BOUNDED_FIFO -DINRARCH_TIMED): the bounded mode,
//   with every FIFO access stamped with its nominal cycle (timing.h); when
//   the outermost region has joined, the stalls are resolved and
//   `TIMED: cycles=N ...` is printed (timed.h).
// One region per C++ scope.
#ifndef INRARCH_DATAFLOW_H
#define INRARCH_DATAFLOW_H

#include "inrarch/stream.h"
#include "inrarch/timed.h"

#ifdef INRARCH_BOUNDED_FIFO

#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <thread>
#include <utility>

namespace inrarch {
namespace rt {

/// A set of processes started together and joined together.
class dataflow_region {
 public:
  explicit dataflow_region(const char* name) : name_(name) {}
  dataflow_region(const dataflow_region&) = delete;
  dataflow_region& operator=(const dataflow_region&) = delete;

  void add(const char* process_name, std::function<void()> body) {
    auto p = std::make_unique<process_info>();
    p->name = process_name;
    procs_.push_back(std::move(p));
    bodies_.push_back(std::move(body));
  }

  /// Runs every process as a thread, returns when all have finished.
  void run() {
    scheduler& s = scheduler::instance();
    process_info* parent = current_process;
    const int n = static_cast<int>(procs_.size());
    if (n == 0) return;
    {
      std::lock_guard<std::mutex> lk(s.mu);
      // The parent only waits for the join: it is not a live process meanwhile.
      s.live += n - (parent ? 1 : 0);
      remaining_ = n;
    }
    std::vector<std::thread> threads;
    threads.reserve(n);
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([this, i, parent, &s] {
        current_process = procs_[i].get();
        try {
          bodies_[i]();
        } catch (const std::exception& e) {
          std::fprintf(stderr, "ERROR: process '%s' threw: %s\n", procs_[i]->name.c_str(), e.what());
          std::fflush(stderr);
          std::_Exit(2);
        }
        std::lock_guard<std::mutex> lk(s.mu);
        --s.live;
        // The last process of a nested region hands liveness back to its
        // parent atomically, so no false deadlock is seen in between.
        if (--remaining_ == 0 && parent) ++s.live;
        s.check_deadlock_locked("a process finished while the others wait");
      });
    }
    for (auto& t : threads) t.join();
#ifdef INRARCH_TIMED
    if (parent == nullptr) resolve_timing();  // the outermost region: every process has finished
#endif
  }

 private:
  const char* name_;
  std::vector<std::unique_ptr<process_info>> procs_;
  std::vector<std::function<void()>> bodies_;
  int remaining_ = 0;
};

}  // namespace rt
}  // namespace inrarch

#define INRARCH_DATAFLOW_BEGIN(region_name) ::inrarch::rt::dataflow_region inrarch_region_(region_name)
#define INRARCH_PROCESS(process_name, ...) inrarch_region_.add(process_name, [&]() { __VA_ARGS__; })
#define INRARCH_DATAFLOW_END() inrarch_region_.run()

#else  // HLS synthesis or unbounded (sequential) C simulation

#define INRARCH_DATAFLOW_BEGIN(region_name) INRARCH_PRAGMA(HLS DATAFLOW) static_cast<void>(0)
#define INRARCH_PROCESS(process_name, ...) __VA_ARGS__
#define INRARCH_DATAFLOW_END() static_cast<void>(0)

#endif  // INRARCH_BOUNDED_FIFO

#endif  // INRARCH_DATAFLOW_H
