"""Small specs of every built-in family for the whole-flow tests (a few kernels
wide; importable from every test under test/pytest, whose conftest directory
pytest puts on sys.path)."""

SMALL = {
    "asmr": "asmr:hidden=8,layers=2,out=1",  # input: 3 levels of 2 coordinates
    "ffn": "ffn:hidden=8,layers=2,out=1,freqs=4",
    "finer": "finer:hidden=8,layers=2,out=1",
    "gauss": "gauss:hidden=8,layers=2,out=1",
    "patch": "patch:hidden=8,layers=2,out=1,patch=2",
    "quad": "quad:hidden=8,layers=2,out=1",
    "scone": "scone:hidden=8,layers=2,out=1",
    "siren": "siren:hidden=8,layers=2,out=1",
    "tanh": "tanh:hidden=8,layers=2,out=1",
}
