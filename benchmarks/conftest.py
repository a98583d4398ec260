"""Seeded data for the benchmarks (sized for 2 cores / 24 GiB)."""
