"""Emitters: stream-dialect MLIR -> other artefacts.

- `hls`: a Vitis HLS project (top.cpp/top.h, testbench, run_hls.tcl, g++
  csim build files) over the `hls_runtime/` kernel library.
- `cpp_map`: one `stream.map` region -> a C++ functor.
- `data`: testbench data (inputs, weights, PyTorch reference outputs), a
  NumPy interpreter of stream IR and the range analysis that picks
  fixed-point scales.
"""
