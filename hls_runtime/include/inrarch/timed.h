// inrarch/timed.h -- the timed simulation's stall resolution (-DINRARCH_TIMED).
//
// During the bounded run every FIFO access is recorded with its nominal cycle
// (stream.h, timing.h). When the outermost dataflow region has joined,
// resolve_timing() gives every access its cycle by the rules of the Python
// timing model (inrarch_mlir.dataflow.events):
//   * read k of a FIFO:  no earlier than write k + 1 (the FIFO's latency);
//   * write k:           no earlier than read k - depth + 1 (the slot it needs
//                        was freed by that read; depth 0 = unbounded);
//   * program order:     per process, accesses are taken in nominal order
//                        (reads before writes within a cycle, then in the
//                        order they were made); an access happens at its
//                        nominal cycle plus the largest stall of any access
//                        before it: a stall delays every later access of the
//                        process, as a stalled HLS pipeline stalls all its
//                        iterations in flight.
// That is the longest path over the recorded events; it is computed
// process by process, each advancing over the accesses whose dependencies are
// resolved, with a work list of the processes waiting on another. If some
// access can never resolve, the cycle-stamped schedule deadlocks at these
// depths although the untimed run did not (the stalls of the pipelined
// schedule form a cycle); that is reported with the accesses waiting.
// The result: "TIMED: cycles=N ..." on stdout (N = last access's cycle + 1,
// the Python simulator's `total_cycles`), and per-process figures as JSON in
// the file named by the environment variable INRARCH_TIMED_OUT, if set.
#ifndef INRARCH_TIMED_H
#define INRARCH_TIMED_H

#ifdef INRARCH_TIMED

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "inrarch/stream.h"

namespace inrarch {
namespace rt {

namespace detail {
inline void json_string(std::FILE* f, const std::string& s) {
  std::fputc('"', f);
  for (char c : s) {
    if (c == '"' || c == '\\') std::fputc('\\', f);
    std::fputc(c, f);
  }
  std::fputc('"', f);
}
}  // namespace detail

/// Resolves the recorded accesses (see above), prints the result, clears the records.
/// Returns the cycles (-1 when the timed schedule deadlocks).
inline std::int64_t resolve_timing() {
  scheduler& s = scheduler::instance();
  std::lock_guard<std::mutex> lk(s.mu);
  const int P = static_cast<int>(s.timed_procs.size());
  constexpr std::int64_t UNSET = INT64_MIN;
  std::vector<std::vector<std::int32_t>> order(P);
  std::vector<std::vector<std::int64_t>> time(P);
  std::size_t n_events = 0;
  for (int p = 0; p < P; ++p) {
    const std::vector<timed_event>& ev = s.timed_procs[p].events;
    n_events += ev.size();
    order[p].resize(ev.size());
    std::iota(order[p].begin(), order[p].end(), 0);
    std::stable_sort(order[p].begin(), order[p].end(), [&ev](std::int32_t a, std::int32_t b) {
      if (ev[a].nominal != ev[b].nominal) return ev[a].nominal < ev[b].nominal;
      return ev[a].write < ev[b].write;
    });
    time[p].assign(ev.size(), UNSET);
  }
  // Processes sharing a FIFO wake each other.
  std::vector<std::vector<int>> neighbours(P);
  for (const timed_fifo& f : s.timed_fifos) {
    int w = -1, r = -1;
    if (!f.writes.empty() && f.writes.front() >= 0) w = static_cast<int>(f.writes.front() >> 32);
    if (!f.reads.empty() && f.reads.front() >= 0) r = static_cast<int>(f.reads.front() >> 32);
    if (w >= 0 && r >= 0 && w != r) {
      neighbours[w].push_back(r);
      neighbours[r].push_back(w);
    }
  }
  std::vector<std::size_t> ptr(P, 0);
  std::vector<std::int64_t> stall(P, 0), first(P, UNSET), last(P, UNSET);
  std::vector<char> queued(P, 1);
  std::vector<int> work(P);
  std::iota(work.begin(), work.end(), 0);
  // The cycle before which event `ref` lets its dependant happen, UNSET while unresolved.
  auto ready = [&](std::int64_t ref) -> std::int64_t {
    if (ref < 0) return INT64_MIN / 2;  // the testbench side: no constraint
    const std::int64_t t = time[ref >> 32][ref & 0xffffffff];
    return t == UNSET ? UNSET : t + 1;
  };
  while (!work.empty()) {
    const int p = work.back();
    work.pop_back();
    queued[p] = 0;
    const std::vector<timed_event>& ev = s.timed_procs[p].events;
    const std::size_t start = ptr[p];
    while (ptr[p] < ev.size()) {
      const std::int32_t i = order[p][ptr[p]];
      const timed_event& e = ev[i];
      const timed_fifo& f = s.timed_fifos[e.fifo];
      std::int64_t c = INT64_MIN / 2;
      if (e.write) {
        if (f.depth > 0 && e.word >= static_cast<std::int64_t>(f.depth)) {
          const std::size_t k = static_cast<std::size_t>(e.word) - f.depth;
          c = k < f.reads.size() ? ready(f.reads[k]) : UNSET;
        }
      } else {
        c = ready(f.writes[static_cast<std::size_t>(e.word)]);
      }
      if (c == UNSET) break;
      const std::int64_t t = std::max(e.nominal + stall[p], c);
      stall[p] = t - e.nominal;
      time[p][i] = t;
      if (first[p] == UNSET) first[p] = t;
      last[p] = std::max(last[p], t);
      ++ptr[p];
    }
    if (ptr[p] != start)
      for (int q : neighbours[p])
        if (!queued[q]) {
          queued[q] = 1;
          work.push_back(q);
        }
  }
  std::int64_t total = 0;
  bool stuck = false;
  for (int p = 0; p < P; ++p) {
    if (ptr[p] < s.timed_procs[p].events.size()) stuck = true;
    if (last[p] != UNSET) total = std::max(total, last[p] + 1);
  }
  if (stuck) {
    std::printf("TIMED: deadlock: the cycle-stamped schedule cannot complete at these FIFO depths\n");
    for (int p = 0; p < P; ++p) {
      const std::vector<timed_event>& ev = s.timed_procs[p].events;
      if (ptr[p] >= ev.size()) continue;
      const timed_event& e = ev[order[p][ptr[p]]];
      std::printf("TIMED:   process '%s' waits to %s word %lld of FIFO '%s' (depth %zu)\n",
                  s.timed_procs[p].name.c_str(), e.write ? "write" : "read", static_cast<long long>(e.word),
                  s.timed_fifos[e.fifo].name.c_str(), s.timed_fifos[e.fifo].depth);
    }
    total = -1;
  } else {
    std::size_t used = 0;
    for (const timed_fifo& f : s.timed_fifos) used += !f.writes.empty() || !f.reads.empty();
    std::printf("TIMED: cycles=%lld events=%zu processes=%d fifos=%zu\n", static_cast<long long>(total), n_events, P,
                used);
  }
  std::fflush(stdout);
  if (const char* path = std::getenv("INRARCH_TIMED_OUT")) {
    if (std::FILE* f = std::fopen(path, "w")) {
      std::fprintf(f, "{\"cycles\": %lld, \"events\": %zu, \"deadlocked\": %s, \"processes\": [",
                   static_cast<long long>(total), n_events, stuck ? "true" : "false");
      for (int p = 0; p < P; ++p) {
        std::fprintf(f, "%s\n {\"name\": ", p ? "," : "");
        detail::json_string(f, s.timed_procs[p].name);
        std::fprintf(f, ", \"events\": %zu, \"resolved\": %zu, \"first\": %lld, \"last\": %lld, \"stall\": %lld}",
                     s.timed_procs[p].events.size(), ptr[p], static_cast<long long>(first[p] == UNSET ? -1 : first[p]),
                     static_cast<long long>(last[p] == UNSET ? -1 : last[p]), static_cast<long long>(stall[p]));
      }
      std::fprintf(f, "\n]}\n");
      std::fclose(f);
    }
  }
  s.timed_procs.clear();
  for (timed_fifo& f : s.timed_fifos) {
    f.writes.clear();
    f.reads.clear();
  }
  return total;
}

}  // namespace rt
}  // namespace inrarch

#endif  // INRARCH_TIMED

#endif  // INRARCH_TIMED_H
