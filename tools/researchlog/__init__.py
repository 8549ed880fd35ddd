"""researchlog: a research log for applied-ML teams, built on plain files in git."""

__version__ = "0.1.0"
