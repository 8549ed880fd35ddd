"""Writing the log: new entries from templates (`new`), and a log added to a repository
(`init`)."""
