"""Performance benchmarks: a ten-year database generator and the budget runner (issue 8)."""
