"""Shared helpers for the frontend tests: run `inrarch import` in-process."""

import argparse
import os

import pytest

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
USER_MODEL = os.path.join(FIXTURES, "user_model.py")


def run_import(argv):
    """Runs the `import` subcommand in-process; returns its exit status."""
    from inrarch_mlir.cli import import_cmd

    parser = argparse.ArgumentParser(prog="inrarch import")
    import_cmd.add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return e.code
    return import_cmd.run(args)


@pytest.fixture
def inrarch_import(capsys):
    """Call with argv; returns (status, stdout, stderr)."""

    def call(*argv):
        status = run_import(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return call
