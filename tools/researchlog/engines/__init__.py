"""The engines that render the site: MkDocs, ProperDocs (its maintained continuation) and
Zensical (Material's successor), each building the same site from what researchlog makes."""

from .base import (
    BuildFailed,
    BuildInterrupted,
    BuildRefused,
    Engine,
    build_site_atomically,
    check_address,
    config_path,
)
from .choice import ENGINES, choose_engine

__all__ = [
    "ENGINES",
    "BuildFailed",
    "BuildInterrupted",
    "BuildRefused",
    "Engine",
    "build_site_atomically",
    "check_address",
    "choose_engine",
    "config_path",
]
