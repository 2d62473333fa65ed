"""Findings and the report, baselines and waivers, and one module per output format.

Only the report's data types are imported here; each format (render, html, ci, baseline) is imported
by whoever writes it.
"""

from __future__ import annotations

from .model import (
    Event,
    Figure,
    FileStats,
    Finding,
    Report,
    RuleError,
    RuleStats,
    Triage,
    Undecided,
    Waived,
    Waiver,
    WaiverProblem,
)

__all__ = [
    "Event",
    "Figure",
    "FileStats",
    "Finding",
    "Report",
    "RuleError",
    "RuleStats",
    "Triage",
    "Undecided",
    "Waived",
    "Waiver",
    "WaiverProblem",
]
