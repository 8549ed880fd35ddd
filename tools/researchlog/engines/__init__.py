"""The engines that render the site: MkDocs (and ProperDocs, its continuation) through the
plugin, in this process, with a build that never half-replaces a site."""
