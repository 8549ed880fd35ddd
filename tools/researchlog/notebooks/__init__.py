"""Notebook entries as page bodies: converted with nbconvert in worker processes, cached by
content. `job` is what crosses to a worker and back; `conversions` runs and caches them;
`convert` drives nbconvert; `markdown`, `math` and `safety` are the parts of a page."""

from .conversions import NotebookConversions, NotebookPages
from .job import Converted, Job

__all__ = ["Converted", "Job", "NotebookConversions", "NotebookPages"]
