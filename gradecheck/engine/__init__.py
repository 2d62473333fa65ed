"""Run a RuleSet over records: the row path, the fast path generated from the rules, the columnar path, the
split over processes, and the dataset rules' summaries."""

from __future__ import annotations

from .run import check, check_frame, check_paths, prepare

__all__ = ["check", "check_frame", "check_paths", "prepare"]
