// inrarch/stream.h -- the stream abstraction used by every kernel.
//
// Three modes, chosen at compile time:
//  * Vitis HLS (__SYNTHESIS__): inrarch::stream<T> is hls::stream<T>; the
//    depth comes from `#pragma HLS STREAM` emitted by INRARCH_FIFO.
//  * unbounded C simulation (default under g++): hls::stream<T> from the
//    ap_types headers (an unbounded std::deque); processes run sequentially.
//  * bounded simulation (-DINRARCH_BOUNDED_FIFO): inrarch::rt::bounded_stream,
//    a blocking queue of exactly the declared depth, registered by name in a
//    global registry so a deadlock can be reported (see dataflow.h).
//
// Declare FIFOs with INRARCH_FIFO(name, depth, element type); the element
// type goes last because it usually contains commas.
#ifndef INRARCH_STREAM_H
#define INRARCH_STREAM_H

#include "inrarch/timing.h"
#include "inrarch/types.h"

#if defined(INRARCH_BOUNDED_FIFO) && defined(__SYNTHESIS__)
#error "INRARCH_BOUNDED_FIFO is a C-simulation mode; do not define it for synthesis"
#endif

#ifdef INRARCH_BOUNDED_FIFO

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace inrarch {
namespace rt {

struct fifo_base;

/// One dataflow process (a thread in bounded mode).
struct process_info {
  std::string name;
  const fifo_base* waiting_on = nullptr;  // FIFO it is blocked on, if any
  bool waiting_write = false;             // blocked on write (full) or read (empty)
  int timed_index = -1;                   // its record in scheduler::timed_procs (timed mode)
};

/// Type-erased FIFO: what the deadlock report needs to know.
struct fifo_base {
  std::string name;
  std::size_t depth = 0;  // 0 = unbounded (testbench-facing streams only)
  process_info* blocked_reader = nullptr;
  process_info* blocked_writer = nullptr;
  int timed_index = -1;  // its record in scheduler::timed_fifos (timed mode)
  virtual ~fifo_base() = default;
  virtual std::size_t occupancy() const = 0;
  bool can_read() const { return occupancy() > 0; }
  bool can_write() const { return depth == 0 || occupancy() < depth; }
};

#ifdef INRARCH_TIMED
/// One recorded FIFO access of a process, at its nominal cycle (timing.h).
struct timed_event {
  std::int64_t nominal;
  std::int64_t word;  // index of the word on its FIFO (k-th write or k-th read)
  std::int32_t fifo;  // index into scheduler::timed_fifos
  std::int32_t write;
};
/// A process's accesses, kept after the process (and its region) is gone.
struct timed_process {
  std::string name;
  std::vector<timed_event> events;
};
/// A FIFO's depth and, per word, the access that wrote it and the one that read it:
/// (process index << 32 | event index), or -1 for an access outside any process.
struct timed_fifo {
  std::string name;
  std::size_t depth = 0;
  std::vector<std::int64_t> writes, reads;
};
#endif

/// The process of the calling thread (nullptr outside any dataflow region).
inline thread_local process_info* current_process = nullptr;

/// Global scheduler state. One mutex guards every FIFO and the counters, so
/// "every live process is blocked" is decided exactly, without timeouts.
class scheduler {
 public:
  static scheduler& instance() {
    static scheduler s;
    return s;
  }
  std::mutex mu;
  std::vector<fifo_base*> fifos;       // registry, declaration order
  std::vector<process_info*> waiting;  // processes inside a blocking wait
  int live = 0;                        // processes running or blocked (not finished)
#ifdef INRARCH_TIMED
  std::deque<timed_process> timed_procs;  // every process that ran (stable addresses)
  std::deque<timed_fifo> timed_fifos;     // every FIFO declared

  /// Records an access of `f` by the calling thread (with `mu` held) at its nominal cycle.
  void record_locked(fifo_base& f, bool is_write) {
    timed_fifo& tf = timed_fifos[f.timed_index];
    std::vector<std::int64_t>& ends = is_write ? tf.writes : tf.reads;
    process_info* p = current_process;
    if (p == nullptr) {  // the testbench side of a FIFO: no timing
      ends.push_back(-1);
      return;
    }
    if (!proc_clock.in_loop) {
      std::fprintf(stderr, "INRARCH timed: process '%s' %s FIFO '%s' outside an instrumented loop "
                   "(INRARCH_LOOP_BEGIN/INRARCH_ITER/INRARCH_LOOP_END)\n", p->name.c_str(),
                   is_write ? "writes" : "reads", f.name.c_str());
      std::fflush(stderr);
      std::_Exit(4);
    }
    if (p->timed_index < 0) {
      p->timed_index = static_cast<int>(timed_procs.size());
      timed_procs.push_back(timed_process{p->name, {}});
    }
    std::vector<timed_event>& evs = timed_procs[p->timed_index].events;
    if (is_write) proc_clock.wrote = true;
    const std::int64_t t = proc_clock.now() + (is_write ? proc_clock.latency : 0);
    ends.push_back((static_cast<std::int64_t>(p->timed_index) << 32) | static_cast<std::int64_t>(evs.size()));
    evs.push_back(timed_event{t, static_cast<std::int64_t>(ends.size() - 1), f.timed_index, is_write ? 1 : 0});
  }
#endif

  void add_fifo(fifo_base* f) {
    std::lock_guard<std::mutex> lk(mu);
    fifos.push_back(f);
#ifdef INRARCH_TIMED
    f->timed_index = static_cast<int>(timed_fifos.size());
    timed_fifos.push_back(timed_fifo{f->name, f->depth, {}, {}});
#endif
  }
  void remove_fifo(fifo_base* f) {
    std::lock_guard<std::mutex> lk(mu);
    fifos.erase(std::remove(fifos.begin(), fifos.end(), f), fifos.end());
  }

  /// Called with `mu` held whenever a process starts waiting or finishes.
  /// A waiter whose condition already holds (notified, not yet scheduled)
  /// will make progress, so it does not count as stuck.
  void check_deadlock_locked(const char* why) {
    if (live <= 0 || static_cast<int>(waiting.size()) < live) return;
    for (const process_info* p : waiting) {
      const fifo_base* f = p->waiting_on;
      if (p->waiting_write ? f->can_write() : f->can_read()) return;
    }
    report_deadlock_locked(why);
  }

  [[noreturn]] void report_deadlock_locked(const char* why) {
    std::fprintf(stderr, "DEADLOCK: all %d live dataflow process(es) are blocked (%s)\n", live, why);
    for (const fifo_base* f : fifos) {
      if (!f->blocked_reader && !f->blocked_writer) continue;
      std::fprintf(stderr, "  FIFO '%s' depth=%zu occupancy=%zu:", f->name.c_str(), f->depth,
                   f->occupancy());
      if (f->blocked_writer)
        std::fprintf(stderr, " writer '%s' blocked on write (full)", f->blocked_writer->name.c_str());
      if (f->blocked_reader)
        std::fprintf(stderr, " reader '%s' blocked on read (empty)", f->blocked_reader->name.c_str());
      std::fprintf(stderr, "\n");
    }
    std::fflush(stderr);
    std::fflush(stdout);
    std::_Exit(3);  // other threads are blocked forever: do not run destructors
  }

  /// Block the calling process on `f` until `cv` is notified; the caller
  /// re-checks its condition in a loop.
  void block(std::unique_lock<std::mutex>& lk, fifo_base& f, bool is_write,
             std::condition_variable& cv) {
    process_info* p = current_process;
    if (p == nullptr) {
      std::fprintf(stderr,
                   "DEADLOCK: %s of FIFO '%s' (depth=%zu occupancy=%zu) would block outside a "
                   "dataflow process; give testbench-facing FIFOs depth 0 (unbounded)\n",
                   is_write ? "write" : "read", f.name.c_str(), f.depth, f.occupancy());
      std::fflush(stderr);
      std::_Exit(3);
    }
    p->waiting_on = &f;
    p->waiting_write = is_write;
    (is_write ? f.blocked_writer : f.blocked_reader) = p;
    waiting.push_back(p);
    check_deadlock_locked(is_write ? "last one blocked on a full FIFO" : "last one blocked on an empty FIFO");
    cv.wait(lk);
    waiting.erase(std::find(waiting.begin(), waiting.end(), p));
    (is_write ? f.blocked_writer : f.blocked_reader) = nullptr;
    p->waiting_on = nullptr;
  }
};

/// A blocking FIFO of exactly `depth` elements (depth 0: unbounded).
template <class T>
class bounded_stream : public fifo_base {
 public:
  using value_type = T;
  explicit bounded_stream(const char* n = "fifo", std::size_t d = 2) {
    name = n;
    depth = d;
    scheduler::instance().add_fifo(this);
  }
  ~bounded_stream() override {
    scheduler::instance().remove_fifo(this);
    if (!q_.empty())
      std::fprintf(stderr, "WARNING: FIFO '%s' destroyed with %zu unread word(s)\n", name.c_str(),
                   q_.size());
  }
  bounded_stream(const bounded_stream&) = delete;
  bounded_stream& operator=(const bounded_stream&) = delete;

  std::size_t occupancy() const override { return q_.size(); }

  T read() {
    scheduler& s = scheduler::instance();
    std::unique_lock<std::mutex> lk(s.mu);
    while (q_.empty()) s.block(lk, *this, false, not_empty_);
    T v = q_.front();
    q_.pop_front();
#ifdef INRARCH_TIMED
    s.record_locked(*this, false);
#endif
    if (blocked_writer) not_full_.notify_all();
    return v;
  }
  void read(T& v) { v = read(); }
  void write(const T& v) {
    scheduler& s = scheduler::instance();
    std::unique_lock<std::mutex> lk(s.mu);
    while (!can_write()) s.block(lk, *this, true, not_full_);
    q_.push_back(v);
#ifdef INRARCH_TIMED
    s.record_locked(*this, true);
#endif
    if (blocked_reader) not_empty_.notify_all();
  }
  bool read_nb(T& v) {
    std::unique_lock<std::mutex> lk(scheduler::instance().mu);
    if (q_.empty()) return false;
    v = q_.front();
    q_.pop_front();
#ifdef INRARCH_TIMED
    scheduler::instance().record_locked(*this, false);
#endif
    if (blocked_writer) not_full_.notify_all();
    return true;
  }
  bool write_nb(const T& v) {
    std::unique_lock<std::mutex> lk(scheduler::instance().mu);
    if (!can_write()) return false;
    q_.push_back(v);
#ifdef INRARCH_TIMED
    scheduler::instance().record_locked(*this, true);
#endif
    if (blocked_reader) not_empty_.notify_all();
    return true;
  }
  bool empty() {
    std::lock_guard<std::mutex> lk(scheduler::instance().mu);
    return q_.empty();
  }
  bool full() {
    std::lock_guard<std::mutex> lk(scheduler::instance().mu);
    return !can_write();
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lk(scheduler::instance().mu);
    return q_.size();
  }
  void operator>>(T& v) { v = read(); }
  void operator<<(const T& v) { write(v); }

 private:
  std::deque<T> q_;
  std::condition_variable not_empty_, not_full_;
};

}  // namespace rt

template <class T>
using stream = rt::bounded_stream<T>;

}  // namespace inrarch

#define INRARCH_FIFO(name, fifo_depth, ...) ::inrarch::stream<__VA_ARGS__> name(#name, fifo_depth)

#else  // HLS synthesis or unbounded C simulation

#include <hls_stream.h>

namespace inrarch {
template <class T>
using stream = hls::stream<T>;
}  // namespace inrarch

#define INRARCH_FIFO(name, fifo_depth, ...)   \
  ::inrarch::stream<__VA_ARGS__> name(#name); \
  INRARCH_PRAGMA(HLS STREAM variable=name depth=fifo_depth)

#endif  // INRARCH_BOUNDED_FIFO

#endif  // INRARCH_STREAM_H
