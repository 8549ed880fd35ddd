"""`researchlog import`: past work from other tools as entries, with their own dates.

One module per source turns what it reads into drafts; `common.write` writes them, never
overwriting and skipping sources already imported. Imports only from read/, core/ and
authoring.
"""

from .common import ImportFailed, Report
from .sources import SOURCES, run

__all__ = ["SOURCES", "ImportFailed", "Report", "run"]
