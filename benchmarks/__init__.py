"""Benchmarks: ``python -m benchmarks`` (``make bench``). See ``docs/performance.md``."""
