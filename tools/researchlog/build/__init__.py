"""The build, whatever engine renders it: one session that owns a build's resources, the
site folder it writes, and the search index."""
