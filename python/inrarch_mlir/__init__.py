"""inrarch-mlir: nth-order INR gradients to deadlock-free FIFO dataflow HLS.

The package is import-light on purpose: `inrarch-opt --help` and the pass
registry must not pull in torch. Heavy entry points are loaded on first use.
"""

__version__ = "0.1.0"

__all__ = ["Pipeline", "compile", "make_context", "__version__"]


def __getattr__(name):
    # Lazy re-exports (PEP 562): keep `import inrarch_mlir` cheap.
    if name == "Pipeline":
        from .pipeline import Pipeline

        return Pipeline
    if name == "make_context":
        from .context import make_context

        return make_context
    if name == "compile":
        from .compiler import compile

        return compile
    raise AttributeError(f"module 'inrarch_mlir' has no attribute {name!r}")
