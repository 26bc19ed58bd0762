"""Stream IR in NumPy: the interpreter, the fixed-point range analysis and the error metric.

- `scalar`: the arith/math ops of a map body, elementwise over arrays.
- `interpreter`: runs a stream function in float64 (each op by its kind's
  `evaluate`), recording the range of every kernel output.
- `ranges`: `stream.max_abs` annotations, measured over the testbench batch
  and extra sampled coordinates; the fixed-point emitter reads them.
- `compare`: per-output errors against a reference (csim, tests).

Kept light on purpose: `kernels.map` imports `scalar`, so this package must
not import the kernels at load time.
"""
