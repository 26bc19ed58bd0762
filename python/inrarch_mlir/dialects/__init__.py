"""Dialects defined by inrarch-mlir (the `stream` dialect)."""
