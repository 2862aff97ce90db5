"""Synthetic data (`manage.py seed_bulk`) and the benchmark (`manage.py bench`): tooling that the
registry's runtime never imports. Results land in bench/results.json."""
