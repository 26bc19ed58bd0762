"""Emitters: stream-dialect MLIR -> other artefacts.

- `hls`: a Vitis HLS project (top.cpp/top.h, testbench, run_hls.tcl, g++
  csim build files) over the `hls_runtime/` kernel library.
- `cpp_map`: one `stream.map` region -> a C++ functor (the map kind's body).
- `testbench`: the data files the testbench reads (inputs, weights, PyTorch
  reference outputs).

Kept light on purpose: `kernels.map` imports `cpp_map`, so this package must
not import the kernels at load time.
"""
