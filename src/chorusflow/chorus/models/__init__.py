"""Typed request and response bodies of the Chorus Pro operations the hub uses."""

from chorusflow.chorus.models.common import ChorusResponse, PageInfo, PageRequest, WireRequest
from chorusflow.chorus.models.factures import *  # noqa: F403
from chorusflow.chorus.models.structures import *  # noqa: F403
from chorusflow.chorus.models.transverses import *  # noqa: F403

__all__ = ["ChorusResponse", "PageInfo", "PageRequest", "WireRequest"]
