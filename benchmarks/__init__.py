"""Benchmarks of live sessions (``make bench``): see ``python -m benchmarks --help``."""
