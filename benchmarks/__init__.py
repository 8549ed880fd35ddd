"""Benchmarks of researchlog against plain mkdocs-material, run from the repository root:
`python -m benchmarks.bench CORPUS` (see README.md, Benchmarks). Not part of the package."""
