"""The join: entries, git history and the playbook in one Log, with the links between them."""

from .join import build_log, start_log_history, with_edited
from .model import Contributor, EntryHistory, Log, LogCard, LogEntry, StatusChange

__all__ = [
    "Contributor",
    "EntryHistory",
    "Log",
    "LogCard",
    "LogEntry",
    "StatusChange",
    "build_log",
    "start_log_history",
    "with_edited",
]
