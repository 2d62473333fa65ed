"""The rule kinds: a few relations in code, which rule files combine into many rules."""

from __future__ import annotations

from ._base import Failure, Subject, Unknown, View
from .dataset import GroupTotal, Unique, VisitsFollow
from .fields import Absent, Known, Order, Present, Valid
from .grades import Agree, Implies, Overall, Scale
from .numbers import Range, Total, Within
from .shares import GroupShare, Ratio

__all__ = ["DATASET_KINDS", "KINDS", "RECORD_KINDS", "Failure", "Subject", "Unknown", "View"]

#: Kinds that judge one record at a time, by the name a rule file gives in ``kind = "..."``.
RECORD_KINDS = {k.kind: k for k in (Total, Within, Range, Overall, Implies, Agree, Scale, Order, Present, Absent, Valid, Known, Ratio)}
#: Kinds that judge a whole dataset (one input file) at once.
DATASET_KINDS = {k.kind: k for k in (Unique, VisitsFollow, GroupTotal, GroupShare)}
#: Every kind; the one registry the loader, ``explain`` and the strategies read.
KINDS = {**RECORD_KINDS, **DATASET_KINDS}
