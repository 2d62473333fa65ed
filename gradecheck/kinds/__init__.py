"""
The rule kinds: a few relations in code, which rule files combine into many rules.

Each kind is one module: its parameters and their docs, its check with the finding's explanation,
when a record surely passes (the form both fast paths are generated from), and how to break it by
exactly one fault. Adding a kind is one new module and one line below (docs/adding-a-kind.md).
"""

from __future__ import annotations

from ._base import CODE_FIELDS, NAME_FIELDS, Failure, Subject, Unknown, View, who
from ._summary import Places, Rows
from ._texts import spilling
from .absent import Absent
from .agree import Agree
from .authority import AuthorityCheck
from .group_share import GroupShare
from .group_total import GroupTotal
from .implies import Implies
from .known import Known
from .order import Order
from .overall import Overall
from .present import Present
from .range import Range
from .ratio import Ratio
from .scale import Scale
from .total import Total
from .unique import Unique
from .valid import Valid
from .visits_follow import VisitsFollow
from .within import Within

__all__ = ["CODE_FIELDS", "DATASET_KINDS", "KINDS", "NAME_FIELDS", "RECORD_KINDS", "Failure", "Places", "Rows",
           "Subject", "Unknown", "View", "spilling", "who"]

#: Every kind, by the name a rule file gives in ``kind = "..."``: the one registry the loader, the engine,
#: ``explain``, the strategies and ``selftest`` read.
KINDS = {k.kind: k for k in (
    Total, Within, Range, Overall, Implies, Agree, Scale, Order, Present, Absent, Valid, Known, Ratio,
    Unique, VisitsFollow, GroupTotal, GroupShare, AuthorityCheck,
)}
#: Kinds that judge one record at a time.
RECORD_KINDS = {name: k for name, k in KINDS.items() if not getattr(k, "dataset", False)}
#: Kinds that judge a whole dataset (one input file), folding its records into a summary.
DATASET_KINDS = {name: k for name, k in KINDS.items() if getattr(k, "dataset", False)}
