"""The neutral page kit that views and notebooks share: the page model, where every page and
file of the site is, relative URLs, HTML helpers, charts, and the check of links."""
