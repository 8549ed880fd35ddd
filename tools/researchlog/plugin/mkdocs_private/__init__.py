"""Everything that relies on MkDocs 1.6's private API, in one place: rendering pages on one
shared Markdown instance (pagerender), rendering pages ahead in a worker (prerender), and the
reuse of rendered pages that both feed (rendering). If a MkDocs without these internals is
installed, MkDocs renders every page itself and the build is only slower."""
