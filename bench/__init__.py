"""Scale data generator and benchmarks (not part of the test run); see bench/README.md."""
