// inrarch/testbench.h -- the design-independent part of a generated tb.cpp
// (C simulation only; not synthesizable, not included by inrarch/inrarch.h).
//
// The generated testbench reads the inputs and the PyTorch reference outputs
// with read_file (the coordinates with read_samples: their count is the n
// top() is called with), calls top(), then describes each output with an `output`
// record and calls
//
//   const inrarch::tb::summary s = inrarch::tb::compare(outs, n_out, TINY, out_dir);
//   const int overflows = top_report_overflows(stdout);  // the design's kernel counters
//   inrarch::tb::print_summary(s, overflows);
//   return inrarch::tb::exit_status(s, tolerance);
//
// compare prints, per output,
//   output <name> (order <o>): max_abs_err=%.3e ref_max=%.3e rel_err=%.3e[ (tiny, not counted)] saturated=%ld
//   OVERFLOW: output <name>: <n> value(s) at the saturation bound      (only when n > 0)
// and writes actual_<cname>.bin (the output as doubles) into out_dir;
// print_summary prints
//   max_abs_err=%.6e max_rel_err=%.6e worst=<name> overflows=%ld
// with overflows = values at the saturation bound over all outputs + the
// count passed in. Rules (the contract of csim.json / inrarch's csim runner):
//  * err = max |actual - ref| (a NaN difference makes err NaN), mag = max |ref|;
//  * tiny: mag <= TINY * max(order_max[order], 1e-30), order_max = max |ref|
//    over the outputs of the same derivative order; rel = tiny ? 0 : err / mag;
//  * an actual value with |actual| >= sat counts as saturated (sat = HUGE_VAL
//    for float designs);
//  * max_abs = max err (fmax: NaN errors do not enter it), max_rel and worst
//    from the last output with rel >= max_rel or rel NaN.
// C++17, header-only, `inline` functions.
#ifndef INRARCH_TESTBENCH_H
#define INRARCH_TESTBENCH_H

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace inrarch {
namespace tb {

/// Reads exactly `bytes` bytes of `path` into buf; prints an error and
/// returns false otherwise.
inline bool read_file(const std::string& path, void* buf, std::size_t bytes) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) { std::fprintf(stderr, "error: cannot open %s\n", path.c_str()); return false; }
  const std::size_t n = std::fread(buf, 1, bytes, f);
  std::fclose(f);
  if (n != bytes) { std::fprintf(stderr, "error: %s has %zu bytes, expected %zu\n", path.c_str(), n, bytes); return false; }
  return true;
}

/// Reads whole rows of `row_bytes` bytes from `path` into buf (at most
/// max_rows), setting *rows; prints an error and returns false when the file
/// cannot be read, is empty, ends inside a row or holds more than max_rows.
inline bool read_samples(const std::string& path, void* buf, std::size_t row_bytes, long max_rows, long* rows) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) { std::fprintf(stderr, "error: cannot open %s\n", path.c_str()); return false; }
  const std::size_t cap = row_bytes * static_cast<std::size_t>(max_rows);
  const std::size_t n = std::fread(buf, 1, cap, f);
  const bool more = std::fgetc(f) != EOF;
  std::fclose(f);
  if (more || n == 0 || n % row_bytes != 0) {
    std::fprintf(stderr, "error: %s must hold 1 to %ld rows of %zu bytes (%s)\n", path.c_str(), max_rows, row_bytes,
                 more ? "it holds more" : n == 0 ? "it is empty" : "it ends inside a row");
    return false;
  }
  *rows = static_cast<long>(n / row_bytes);
  return true;
}

/// Writes `bytes` bytes of buf to `path`; false (and an error on stderr
/// when the file cannot be opened) on failure.
inline bool write_file(const std::string& path, const void* buf, std::size_t bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) { std::fprintf(stderr, "error: cannot write %s\n", path.c_str()); return false; }
  const std::size_t n = std::fwrite(buf, 1, bytes, f);
  std::fclose(f);
  return n == bytes;
}

/// One output of the top function and its reference.
struct output {
  const char* name;     // source name, printed
  const char* cname;    // C identifier: actual_<cname>.bin
  int order;            // derivative order (groups the tiny rule)
  const float* actual;  // what top() wrote (true values)
  const double* ref;    // the PyTorch reference
  int size;             // elements
  double sat;           // |true value| at which a stored value saturates (HUGE_VAL: never)
};

/// What compare found; `worst` points at one of the outputs' names.
struct summary {
  double max_abs;
  double max_rel;
  const char* worst;
  long saturated;  // values at the saturation bound, all outputs
  bool ok;         // every actual_*.bin was written
};

/// Compares every output with its reference, prints one line per output
/// (and an OVERFLOW line when it has saturated values) to `f`, writes
/// out_dir/actual_<cname>.bin (double). After a failed write the later
/// outputs' files are not written (ok = false).
inline summary compare(const output* outs, int n, double tiny_ratio, const std::string& out_dir,
                       std::FILE* f = stdout) {
  int max_order = 0;
  for (int j = 0; j < n; ++j) max_order = outs[j].order > max_order ? outs[j].order : max_order;
  std::vector<double> order_max(max_order + 1, 0.0);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < outs[j].size; ++i)
      order_max[outs[j].order] = std::fmax(order_max[outs[j].order], std::fabs(outs[j].ref[i]));
  summary s{0.0, 0.0, "", 0, true};
  for (int j = 0; j < n; ++j) {
    const output& o = outs[j];
    double err = 0, mag = 0;
    long saturated = 0;
    std::vector<double> out(o.size);
    for (int i = 0; i < o.size; ++i) {
      out[i] = o.actual[i];
      const double e = std::fabs(out[i] - o.ref[i]);
      err = (e > err || std::isnan(e)) ? e : err;
      mag = std::fmax(mag, std::fabs(o.ref[i]));
      if (std::fabs(out[i]) >= o.sat) ++saturated;
    }
    const bool tiny = mag <= tiny_ratio * std::fmax(order_max[o.order], 1e-30);
    const double rel = tiny ? 0.0 : err / mag;
    std::fprintf(f, "output %s (order %d): max_abs_err=%.3e ref_max=%.3e rel_err=%.3e%s saturated=%ld\n",
                 o.name, o.order, err, mag, rel, tiny ? " (tiny, not counted)" : "", saturated);
    if (saturated) std::fprintf(f, "OVERFLOW: output %s: %ld value(s) at the saturation bound\n", o.name, saturated);
    s.saturated += saturated;
    s.max_abs = std::fmax(s.max_abs, err);
    if (rel >= s.max_rel || std::isnan(rel)) { s.max_rel = rel; s.worst = o.name; }
    s.ok = s.ok && write_file(out_dir + "/actual_" + std::string(o.cname) + ".bin", out.data(),
                              sizeof(double) * o.size);
  }
  return s;
}

/// The final line; extra_overflows = what top_report_overflows returned.
inline void print_summary(const summary& s, long extra_overflows, std::FILE* f = stdout) {
  std::fprintf(f, "max_abs_err=%.6e max_rel_err=%.6e worst=%s overflows=%ld\n", s.max_abs, s.max_rel, s.worst,
               s.saturated + extra_overflows);
}

/// The testbench's exit status: 2 if a file could not be written, 1 if
/// tolerance > 0 and max_rel exceeds it (or is NaN), else 0.
inline int exit_status(const summary& s, double tolerance) {
  if (!s.ok) return 2;
  if (tolerance > 0 && !(s.max_rel <= tolerance)) return 1;
  return 0;
}

}  // namespace tb
}  // namespace inrarch

#endif  // INRARCH_TESTBENCH_H
