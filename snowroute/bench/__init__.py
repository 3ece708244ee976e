"""Public benchmarks: readers for their formats and the harness that runs them."""
