"""The INR-Arch benchmark: SIREN 2 -> 256 x4 -> 3 (w0 = 30), batch 64, orders 1 and 2, on the U50.

For each order and precision (INR-Arch's fixed<32,10>, and float):
`inrarch_mlir.compile(...)` for the Alveo U50 at a DSP budget like
INR-Arch's (3,200; --allow-overfit, so that a design that does not fit is
still measured, and marked) -> kernels, FIFOs, cycles from the timing model
and from the timed C simulation of the emitted C++ (`inrarch csim --bounded
--timed`), ms at 300 MHz, on-chip memory in MB (as the paper reports it),
DSP/BRAM18K/URAM/LUT utilization of the U50, fits yes/no; beside INR-Arch's
published figures and beside PyTorch on this machine's CPU computing the
same partials (all unique partials of orders 0..N of the 3 outputs w.r.t.
the 2 inputs):

- torch.func: `vmap` of nested `jacrev` per sample (full derivative tensors,
  the unique entries read out);
- autograd: `torch.autograd.grad(..., create_graph=True)` per parent partial
  (`inrarch_mlir.frontend.derivative_function`, the function we compile).

Latency: median of --runs runs after --warmup warm-up runs, float32,
torch's default thread count. Peak memory: the rise of the process's peak
resident set size (VmHWM, reset through /proc/self/clear_refs just before
the runs) over its RSS before them, each formulation in a fresh subprocess.

    python bench/inr_arch.py [--orders 1 2] [--precisions fixed<32,10> float] [--batch 64] [--budget 3200]
                             [--no-csim] [--no-pytorch]

OUR CYCLES, MS AND RESOURCES ARE ESTIMATES of our models (kernel timing
model + cycle simulator; `inrarch_mlir.resources`), not synthesis or
on-board measurements. FIFO counts, elements and bits are exact properties
of the emitted design. GPU: measured only when CUDA is available.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CLOCK_MHZ, INR_ARCH, RESULTS
from common import SIREN256 as SPEC


def timed_csim(outdir: Path) -> dict:
    """`inrarch csim OUTDIR --bounded --timed`: cycles of the emitted C++ (and its error against PyTorch)."""
    out = outdir / "timed.json"
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "inrarch_mlir.cli.main", "csim", str(outdir), "--bounded", "--timed",
                           "--json", str(out)], capture_output=True, text=True)
    res = {"rc": proc.returncode, "seconds": round(time.perf_counter() - t, 1)}
    if out.is_file():
        r = json.loads(out.read_text())
        res.update({k: r.get(k) for k in ("cycles_csim", "cycles_model", "max_rel_err")})
    if proc.returncode != 0:
        res["error"] = (proc.stderr.strip().splitlines() or [""])[-1]
    return res


def ours(order: int, batch: int, budget: int, precision: str, csim: bool) -> dict:
    import inrarch_mlir

    with tempfile.TemporaryDirectory() as d:
        outdir = Path(d) / "out"
        r = inrarch_mlir.compile(SPEC, order, batch, outdir=outdir, dsp_budget=budget, precision=precision,
                                 part="u50", allow_overfit=True)
        timed = timed_csim(outdir) if csim else None
    keys = ("kernels", "fifos", "fifo_elements", "fifo_bits", "fifo_bits_lower_bound", "fifo_bits_lp", "cycles",
            "cycles_lower_bound", "cycles_unbounded", "period", "dsp", "dsp_allocated", "bram18k", "uram", "lut", "ff",
            "fits", "utilization", "onchip_bytes", "compile_seconds", "stage_seconds")
    row = {k: getattr(r, k) for k in keys}
    row.update(order=order, batch=batch, budget=budget, precision=precision, part=r.part,
               ms=r.cycles / (CLOCK_MHZ * 1e3), onchip_mb=r.onchip_bytes["total"] / 1e6, timed=timed)
    return row


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _reset_peak_rss() -> None:
    """Resets the kernel's high-water mark (VmHWM) of this process (Linux),
    so the peak measured covers the timed runs only, not importing torch."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _peak_rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def torch_worker(order: int, batch: int, form: str, runs: int, warmup: int, device: str) -> dict:
    """One formulation in this (fresh) process: median ms and peak-RSS rise."""
    import statistics

    import torch

    from inrarch_mlir.frontend import DerivativeLayout, derivative_function, example_coords, load_model

    m = load_model(SPEC)
    module = m.module.float().to(device)
    names = [n for n, _ in module.named_parameters()]
    params = [p.detach() for _, p in module.named_parameters()]
    out_features = module(torch.zeros(1, m.in_features, device=device)).shape[-1]
    layout = DerivativeLayout.build(m.in_features, out_features, order, False, names)
    coords = example_coords(batch, m.in_features).float().to(device)

    if form == "autograd":
        fn = derivative_function(module, layout)

        def step():
            return fn(coords, *params)
    else:
        p = dict(zip(names, params))

        def per_sample(x):
            return torch.func.functional_call(module, p, (x.unsqueeze(0),)).reshape(-1)

        fs = {}
        for k in sorted(set(layout.orders)):
            f = per_sample
            for _ in range(k):
                f = torch.func.jacrev(f)
            fs[k] = torch.func.vmap(f)

        def step():
            full = {k: f(coords) for k, f in fs.items()}
            return [full[r.order][(slice(None), r.channel) + r.index] for r in layout.results]

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    _reset_peak_rss()
    rss0 = _rss_bytes()
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        step()
        sync()
        times.append((time.perf_counter() - t) * 1e3)
    peak = _peak_rss_bytes()
    res = {"order": order, "form": form, "device": device, "median_ms": statistics.median(times),
           "min_ms": min(times), "runs": runs, "threads": torch.get_num_threads(),
           "peak_rss_rise_mb": max(0, peak - rss0) / 2**20}
    if device == "cuda":
        res["peak_cuda_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return res


def baseline(order: int, batch: int, form: str, runs: int, warmup: int, device: str) -> dict:
    cmd = [sys.executable, __file__, "--worker", str(order), form, device, "--batch", str(batch),
           "--runs", str(runs), "--warmup", str(warmup)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orders", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--precisions", nargs="+", default=["fixed<32,10>", "float"])
    ap.add_argument("--no-csim", action="store_true", help="skip the timed C simulation")
    ap.add_argument("--no-pytorch", action="store_true", help="skip the PyTorch baseline")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--budget", type=int, default=3200)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--worker", nargs=3, default=None, metavar=("ORDER", "FORM", "DEVICE"), help=argparse.SUPPRESS)
    ap.add_argument("-o", "--output", default=str(RESULTS / "inr_arch.json"))
    args = ap.parse_args()
    if args.worker:
        o, form, dev = args.worker
        print(json.dumps(torch_worker(int(o), args.batch, form, args.runs, args.warmup, dev)))
        return

    import torch

    gpu = torch.cuda.is_available()
    devices = ["cpu"] + (["cuda"] if gpu else [])
    rows, base = [], []
    for order in args.orders:
        for precision in args.precisions:
            rows.append(ours(order, args.batch, args.budget, precision, not args.no_csim))
        for dev in devices if not args.no_pytorch else []:
            for form in ("torch.func", "autograd"):
                base.append(baseline(order, args.batch, form, args.runs, args.warmup, dev))

    print(f"SIREN 2-256x4-3 (w0=30), batch {args.batch}, DSP budget {args.budget:,}, Alveo U50; "
          f"ours = estimates of our models at {CLOCK_MHZ:g} MHz (cycles, ms, DSP, BRAM18K, URAM, LUT; "
          "cycles also from the timed C simulation of the emitted C++)\n")
    print("| design | kernels | FIFOs | FIFO elements | cycles (model) | cycles (timed csim) | ms @300 MHz | "
          "on-chip MB | DSP | BRAM18K | URAM | LUT | fits U50 | compile s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ia = INR_ARCH
    mb = {o: ia["paper_ms_mb"][str(o)]["fpga"] for o in (1, 2)}
    print(f"| INR-Arch order 1 (published, fixed<32,10>) | {ia['processes']} | {ia['fifos']} | "
          f"{ia['fifo_elements']:,} | {ia['cycles']:,} (co-sim) | - | {ia['ms']:.2f} | {mb[1][1]} | {ia['dsp']:,} | "
          f"{ia['bram18k']} | - | {ia['lut']:,} | - | - |")
    print(f"| INR-Arch order 2 (published) | - | - | - | - | - | {mb[2][0]} | {mb[2][1]} | - | - | - | - | - | - |")

    def pct(r, k):
        u = r["utilization"].get(k)
        return "n/a" if u is None else f"{u:.0%}"

    for r in rows:
        t = r["timed"] or {}
        if t.get("cycles_csim"):
            tc = f"{t['cycles_csim']:,} ({t['cycles_csim'] / r['cycles'] - 1:+.2%})"
        else:
            tc = "-" if not t else f"failed: {t.get('error', '')[:60]}"
        print(f"| ours order {r['order']}, {r['precision']} | {r['kernels']} | {r['fifos']} | {r['fifo_elements']:,} | "
              f"{r['cycles']:,} | {tc} | {r['ms']:.3f} | {r['onchip_mb']:.2f} | {r['dsp']:,} ({pct(r, 'dsp')}) | "
              f"{r['bram18k']:,} ({pct(r, 'bram18k')}) | {r['uram']:,} ({pct(r, 'uram')}) | "
              f"{r['lut']:,} ({pct(r, 'lut')}) | {'yes' if r['fits'] else 'NO'} | {r['compile_seconds']:.1f} |")
    print("\nlower bounds (ours): " + "; ".join(
        f"order {r['order']} {r['precision']}: cycles >= {r['cycles_lower_bound']:,}, FIFO bits >= "
        f"{r['fifo_bits_lower_bound']:,} (LP, not a bound: {r['fifo_bits_lp']:,})" for r in rows))
    print(f"\nPyTorch on this machine ({platform.processor() or platform.machine()}, "
          f"{base[0]['threads'] if base else '?'} threads), batch {args.batch}, median of {args.runs} runs:\n")
    print("| order | formulation | device | median ms | peak RSS rise MB | ours (estimate) ms | paper CPU / GPU ms |")
    print("|---|---|---|---|---|---|---|")
    for b in base:
        r = next(x for x in rows if x["order"] == b["order"] and x["precision"] == rows[0]["precision"])
        paper = ia["paper_ms_mb"].get(str(b["order"]), {})
        pp = f"{paper['cpu'][0]} / {paper['gpu'][0]}" if paper else "-"
        mem = f"{b['peak_rss_rise_mb']:.1f}" + (f" (CUDA {b['peak_cuda_mb']:.1f})" if "peak_cuda_mb" in b else "")
        print(f"| {b['order']} | {b['form']} | {b['device']} | {b['median_ms']:.2f} | {mem} | {r['ms']:.3f} | {pp} |")
    if not gpu:
        print("\nGPU: not measured (no GPU on this machine).")
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "model": SPEC, "batch": args.batch, "budget": args.budget, "clock_mhz": CLOCK_MHZ, "part": "u50",
        "inr_arch": INR_ARCH, "ours": rows, "pytorch": base, "gpu_measured": gpu,
        "machine": {"processor": platform.processor(), "machine": platform.machine(), "cpus": os.cpu_count()},
        "notes": "ours: cycles/ms/DSP/BRAM18K/LUT/FF are estimates of our timing and resource models; "
                 "peak memory = rise of the peak RSS (VmHWM, reset just before the runs) over the RSS before them, fresh process per formulation",
    }, indent=2) + "\n")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
