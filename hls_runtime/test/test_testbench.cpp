// testbench.h: compare / print_summary / exit_status. Checks the exact text
// (a case with a saturated output, a NaN and a tiny output), the returned
// summary, the actual_*.bin files, and that the output is byte-identical to
// the loop the emitter used to print into every tb.cpp (kept below as
// `legacy_compare`, transcribed with printf -> fprintf(f, ...)).
#include "inrarch/testbench.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"

namespace {

constexpr double TINY = 1e-6;  // inrarch_mlir.emit.data.TINY

bool legacy_write_file(const std::string& path, const void* buf, std::size_t bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) { std::fprintf(stderr, "error: cannot write %s\n", path.c_str()); return false; }
  const std::size_t n = std::fwrite(buf, 1, bytes, f);
  std::fclose(f);
  return n == bytes;
}

/// The comparison loop of the tb.cpp the emitter printed before testbench.h
/// (same statements; arrays instead of generated initializers).
bool legacy_compare(std::FILE* f, const std::string& outd, int n_out, const char* const* names,
                    const char* const* cnames, const int* orders, const float* const* act,
                    const double* const* ref, const int* sizes, const double* sat, int overflows) {
  bool ok = true;
  int max_order = 0;
  for (int j = 0; j < n_out; ++j) max_order = orders[j] > max_order ? orders[j] : max_order;
  std::vector<double> order_max_v(max_order + 1, 0.0);
  double* order_max = order_max_v.data();
  for (int j = 0; j < n_out; ++j)
    for (int i = 0; i < sizes[j]; ++i) order_max[orders[j]] = std::fmax(order_max[orders[j]], std::fabs(ref[j][i]));
  double max_abs = 0, max_rel = 0;
  const char* worst = "";
  long saturated_total = 0;
  for (int j = 0; j < n_out; ++j) {
    double err = 0, mag = 0;
    long saturated = 0;
    std::vector<double> out(sizes[j]);
    for (int i = 0; i < sizes[j]; ++i) {
      out[i] = act[j][i];
      const double e = std::fabs(out[i] - ref[j][i]);
      err = (e > err || std::isnan(e)) ? e : err;
      mag = std::fmax(mag, std::fabs(ref[j][i]));
      if (std::fabs(out[i]) >= sat[j]) ++saturated;
    }
    const bool tiny = mag <= TINY * std::fmax(order_max[orders[j]], 1e-30);
    const double rel = tiny ? 0.0 : err / mag;
    std::fprintf(f, "output %s (order %d): max_abs_err=%.3e ref_max=%.3e rel_err=%.3e%s saturated=%ld\n",
                names[j], orders[j], err, mag, rel, tiny ? " (tiny, not counted)" : "", saturated);
    if (saturated) std::fprintf(f, "OVERFLOW: output %s: %ld value(s) at the saturation bound\n", names[j], saturated);
    saturated_total += saturated;
    max_abs = std::fmax(max_abs, err);
    if (rel >= max_rel || std::isnan(rel)) { max_rel = rel; worst = names[j]; }
    ok = ok && legacy_write_file(outd + "/actual_" + std::string(cnames[j]) + ".bin", out.data(), sizeof(double) * sizes[j]);
  }
  std::fprintf(f, "max_abs_err=%.6e max_rel_err=%.6e worst=%s overflows=%ld\n", max_abs, max_rel, worst,
              saturated_total + overflows);
  return ok;
}

std::string read_all(std::FILE* f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

std::vector<double> read_doubles(const std::string& path, int n) {
  std::vector<double> v(n + 1, -1.0);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {};
  const std::size_t got = std::fread(v.data(), sizeof(double), n + 1, f);
  std::fclose(f);
  v.resize(got);
  return v;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check(bool cond, const char* what) {
  std::printf("%s %s\n", cond ? "ok  " : "FAIL", what);
  if (!cond) ++tst::failures;
}

std::string make_dir(const char* tag) {
  std::string tmpl = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/inrarch_tb_" + tag +
                     "_XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::printf("FAIL cannot create a temp dir from %s\n", tmpl.c_str());
    std::exit(1);
  }
  return buf.data();
}

void remove_files(const std::string& dir, const std::vector<inrarch::tb::output>& outs) {
  for (const auto& o : outs) std::remove((dir + "/actual_" + o.cname + ".bin").c_str());
  std::remove(dir.c_str());
}

/// Runs testbench.h and the legacy loop on the same outputs; checks the text
/// is byte-identical and the .bin files hold the actual values as doubles.
std::string run_both(const char* tag, const std::vector<inrarch::tb::output>& outs, int extra,
                     inrarch::tb::summary* sum_out) {
  const int n = static_cast<int>(outs.size());
  const std::string d_new = make_dir(tag), d_old = make_dir(tag);
  std::FILE* f_new = std::tmpfile();
  std::FILE* f_old = std::tmpfile();
  const inrarch::tb::summary s = inrarch::tb::compare(outs.data(), n, TINY, d_new, f_new);
  inrarch::tb::print_summary(s, extra, f_new);
  std::vector<const char*> names, cnames;
  std::vector<int> orders, sizes;
  std::vector<const float*> act;
  std::vector<const double*> ref;
  std::vector<double> sat;
  for (const auto& o : outs) {
    names.push_back(o.name);
    cnames.push_back(o.cname);
    orders.push_back(o.order);
    act.push_back(o.actual);
    ref.push_back(o.ref);
    sizes.push_back(o.size);
    sat.push_back(o.sat);
  }
  const bool ok_old = legacy_compare(f_old, d_old, n, names.data(), cnames.data(), orders.data(), act.data(),
                                     ref.data(), sizes.data(), sat.data(), extra);
  const std::string t_new = read_all(f_new), t_old = read_all(f_old);
  std::fclose(f_new);
  std::fclose(f_old);
  char what[160];
  std::snprintf(what, sizeof what, "%s: text byte-identical to the legacy tb.cpp loop (%zu bytes)", tag,
                t_new.size());
  check(t_new == t_old && !t_new.empty(), what);
  if (t_new != t_old) std::printf("--- new:\n%s--- legacy:\n%s", t_new.c_str(), t_old.c_str());
  std::snprintf(what, sizeof what, "%s: summary.ok and the legacy ok agree (%d)", tag, int(s.ok));
  check(s.ok == ok_old && s.ok, what);
  bool files_ok = true;
  for (const auto& o : outs) {
    const std::vector<double> a = read_doubles(d_new + "/actual_" + o.cname + ".bin", o.size);
    const std::vector<double> b = read_doubles(d_old + "/actual_" + o.cname + ".bin", o.size);
    files_ok = files_ok && int(a.size()) == o.size && int(b.size()) == o.size;
    for (int i = 0; files_ok && i < o.size; ++i)
      files_ok = same_bits(a[i], double(o.actual[i])) && same_bits(b[i], a[i]);
  }
  std::snprintf(what, sizeof what, "%s: actual_*.bin hold the outputs as doubles", tag);
  check(files_ok, what);
  remove_files(d_new, outs);
  remove_files(d_old, outs);
  if (sum_out) *sum_out = s;
  return t_new;
}

void case_nan_tiny_saturated() {
  // u: order 0, one value at the saturation bound (sat = 3.5).
  const double ref_u[] = {1.0, -2.0, 0.5, 4.0};
  const float act_u[] = {1.0f, -2.25f, 0.5f, 4.0f};
  // du_dx: order 1, a NaN -> max_abs_err=nan, rel=nan, it is the worst.
  const double ref_dx[] = {2.0, -8.0, 1.0};
  const float act_dx[] = {2.0f, std::nanf(""), 1.5f};
  // du_dy: order 1, |ref| <= 1e-6 * 8: tiny, not counted.
  const double ref_dy[] = {1e-7, -2e-7};
  const float act_dy[] = {0.0f, 0.0f};
  const std::vector<inrarch::tb::output> outs = {
      {"u", "out_u", 0, act_u, ref_u, 4, 3.5},
      {"du_dx", "out_du_dx", 1, act_dx, ref_dx, 3, HUGE_VAL},
      {"du_dy", "out_du_dy", 1, act_dy, ref_dy, 2, HUGE_VAL},
  };
  inrarch::tb::summary s{};
  const std::string text = run_both("nan_tiny", outs, 2, &s);
  const std::string expected =
      "output u (order 0): max_abs_err=2.500e-01 ref_max=4.000e+00 rel_err=6.250e-02 saturated=1\n"
      "OVERFLOW: output u: 1 value(s) at the saturation bound\n"
      "output du_dx (order 1): max_abs_err=nan ref_max=8.000e+00 rel_err=nan saturated=0\n"
      "output du_dy (order 1): max_abs_err=2.000e-07 ref_max=2.000e-07 rel_err=0.000e+00 (tiny, not counted) "
      "saturated=0\n"
      "max_abs_err=2.500000e-01 max_rel_err=nan worst=du_dx overflows=3\n";
  check(text == expected, "nan_tiny: exact text");
  if (text != expected) std::printf("--- got:\n%s--- expected:\n%s", text.c_str(), expected.c_str());
  check(s.max_abs == 0.25 && std::isnan(s.max_rel) && std::strcmp(s.worst, "du_dx") == 0 && s.saturated == 1,
        "nan_tiny: summary (max_abs 0.25, max_rel NaN, worst du_dx, 1 saturated)");
  check(inrarch::tb::exit_status(s, 1e-2) == 1, "nan_tiny: exit 1 with a tolerance (NaN fails it)");
  check(inrarch::tb::exit_status(s, -1.0) == 0, "nan_tiny: exit 0 without a tolerance");
}

void case_ties_and_zeros() {
  // Two outputs with the same rel_err: the later one is the worst. An all-
  // zero output (of its own order) is tiny.
  const double ref_a[] = {2.0, -4.0};
  const float act_a[] = {3.0f, -4.0f};  // err 1, mag 4: 0.25
  const double ref_b[] = {0.5, 1.0, -8.0};
  const float act_b[] = {0.5f, 1.0f, -6.0f};  // err 2, mag 8: 0.25
  const double ref_z[] = {0.0, 0.0};
  const float act_z[] = {0.0f, 0.0f};
  const std::vector<inrarch::tb::output> outs = {
      {"a", "out_a", 0, act_a, ref_a, 2, HUGE_VAL},
      {"b", "out_b", 0, act_b, ref_b, 3, HUGE_VAL},
      {"z", "out_z", 2, act_z, ref_z, 2, HUGE_VAL},
  };
  inrarch::tb::summary s{};
  const std::string text = run_both("ties", outs, 0, &s);
  const std::string expected =
      "output a (order 0): max_abs_err=1.000e+00 ref_max=4.000e+00 rel_err=2.500e-01 saturated=0\n"
      "output b (order 0): max_abs_err=2.000e+00 ref_max=8.000e+00 rel_err=2.500e-01 saturated=0\n"
      "output z (order 2): max_abs_err=0.000e+00 ref_max=0.000e+00 rel_err=0.000e+00 (tiny, not counted) "
      "saturated=0\n"
      "max_abs_err=2.000000e+00 max_rel_err=2.500000e-01 worst=b overflows=0\n";
  check(text == expected, "ties: exact text");
  if (text != expected) std::printf("--- got:\n%s--- expected:\n%s", text.c_str(), expected.c_str());
  check(inrarch::tb::exit_status(s, 0.3) == 0 && inrarch::tb::exit_status(s, 0.2) == 1,
        "ties: exit status against tolerances 0.3 and 0.2");
}

void case_random() {
  // Many outputs, several orders, random errors, saturation and tiny ones.
  tst::rng r(7);
  const int n = 9;
  std::vector<std::vector<double>> refs(n);
  std::vector<std::vector<float>> acts(n);
  std::vector<std::string> names(n), cnames(n);
  std::vector<inrarch::tb::output> outs;
  for (int j = 0; j < n; ++j) {
    const int size = 1 + int(r.next(0, 40));
    const double scale = j == 4 ? 1e-9 : std::pow(10.0, r.next(-2, 3));
    for (int i = 0; i < size; ++i) {
      refs[j].push_back(scale * r.next());
      acts[j].push_back(float(refs[j].back() * (1 + 1e-3 * r.next()) + 1e-6 * r.next()));
    }
    if (j == 6) acts[j][size / 2] = std::nanf("");
    names[j] = "r" + std::to_string(j);
    cnames[j] = "out_r" + std::to_string(j);
  }
  for (int j = 0; j < n; ++j)
    outs.push_back({names[j].c_str(), cnames[j].c_str(), j % 3, acts[j].data(), refs[j].data(),
                    int(refs[j].size()), j % 2 ? 0.5 * std::fabs(refs[j][0]) + 1e-12 : HUGE_VAL});
  run_both("random", outs, 5, nullptr);
}

void case_files() {
  // read_file / write_file round trip and their failures.
  const std::string d = make_dir("files");
  const double v[3] = {1.5, -2.0, 3.25};
  double w[3] = {0, 0, 0};
  check(inrarch::tb::write_file(d + "/x.bin", v, sizeof v), "write_file");
  check(inrarch::tb::read_file(d + "/x.bin", w, sizeof w) && w[0] == 1.5 && w[1] == -2.0 && w[2] == 3.25,
        "read_file reads what write_file wrote");
  std::fprintf(stderr, "(two expected error lines follow)\n");
  double big[4];
  check(!inrarch::tb::read_file(d + "/x.bin", big, sizeof big), "read_file rejects a short file");
  check(!inrarch::tb::read_file(d + "/missing.bin", w, sizeof w), "read_file fails on a missing file");
  // read_samples: whole rows, at most max_rows (x.bin: 3 doubles).
  long rows = -1;
  check(inrarch::tb::read_samples(d + "/x.bin", big, sizeof(double), 4, &rows) && rows == 3 && big[2] == 3.25,
        "read_samples counts the rows of a shorter file");
  std::fprintf(stderr, "(two expected error lines follow)\n");
  check(!inrarch::tb::read_samples(d + "/x.bin", big, sizeof(double), 2, &rows), "read_samples rejects extra rows");
  check(!inrarch::tb::read_samples(d + "/x.bin", big, 2 * sizeof(double), 2, &rows),
        "read_samples rejects a partial row");
  std::remove((d + "/x.bin").c_str());
  std::remove(d.c_str());
}

}  // namespace

int main() {
  case_nan_tiny_saturated();
  case_ties_and_zeros();
  case_random();
  case_files();
  return tst::finish("test_testbench");
}
