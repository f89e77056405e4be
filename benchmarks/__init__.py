"""snnjax benchmarks; run with `python -m benchmarks`."""
