"""Real notebooks from public PyPI sdists, downloaded at test time (see README.md)."""
