"""What every stage uses: problems, settings, caches, worker processes."""
