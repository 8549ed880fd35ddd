"""git to the history of every file of the log: one `git log` pass, and its store."""
