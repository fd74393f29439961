"""Benchmarks of cspr_workflow: ratios against baselines measured in the same run."""
