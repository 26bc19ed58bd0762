"""What every benchmark shares (imported as `common`: scripts run as `python bench/<x>.py`): the model specs and INR-Arch's published figures, once.

INR-Arch (Liu et al., the `seeds/000_*` and `seeds/001_*` papers and the
public repository sharc-lab/inr-arch): SIREN 2 -> 256 x4 sine layers (w0 =
30 on every layer) -> 3, linear output, batch 64, 64 MAC lanes, Alveo U50 at
300 MHz. Its first-order design: 238 FIFOs, 215 processes, hand-tuned FIFO
depths totalling 178,289 elements, 557,713 co-simulated cycles; a separate
csynth run reported DSP 3,199, LUT 502k, BRAM18K 347. The paper's latency
(ms) / memory (MB) per platform are in `INR_ARCH["paper_ms_mb"]`.
"""

from __future__ import annotations

from pathlib import Path

#: The INR-Arch benchmark model.
SIREN256 = "siren:in=2,hidden=256,layers=4,out=3,w0=30"
#: The clock INR-Arch reports at (and our default).
CLOCK_MHZ = 300.0
#: Where benchmarks write their JSON and plots.
RESULTS = Path(__file__).resolve().parent / "results"

#: INR-Arch's published figures (first-order design unless stated).
INR_ARCH = {
    "order": 1, "fifos": 238, "processes": 215, "fifo_elements": 178_289, "cycles": 557_713, "ms": 1.83,
    "dsp": 3_199, "lut": 502_000, "bram18k": 347,
    "paper_ms_mb": {"1": {"fpga": [1.83, 0.85], "cpu": [3.34, 7.63], "gpu": [2.80, 3.64]},
                    "2": {"fpga": [2.54, 7.67], "cpu": [12.17, 23.58], "gpu": [9.22, 13.09]}},
}
#: Nodes per output in INR-Arch's derivative graphs, by order (its paper's table).
INR_ARCH_PER_OUTPUT_NODES = {0: 41, 1: 52, 2: 93, 3: 201, 4: 500}

