"""Tests that keep the benchmarks from rotting: each runs small, end to end."""
