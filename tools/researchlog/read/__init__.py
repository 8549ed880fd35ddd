"""Disk to validated data: entries, playbook pages and samples, with every problem found."""
