"""Benchmarks: scripts that print measured figures (not part of `make test`)."""
