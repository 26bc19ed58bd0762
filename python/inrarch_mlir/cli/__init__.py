"""Command-line entry points: inrarch-opt, inrarch-translate, inrarch."""
