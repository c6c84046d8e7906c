"""Developers' and operators' tooling, out of the product's import path: the national dataset,
the benchmark, screenshots and the translation catalog tooling."""
