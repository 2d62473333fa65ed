"""gradecheck: check Ofsted children's-services inspection records for internal consistency."""

from __future__ import annotations

__version__ = "0.1.0"

from .engine import check, check_paths, default_ruleset, prepare
from .errors import GradecheckError, InputError, Problem, RuleFileError
from .frameworks import Framework, Grade, Scale, Version
from .readers import discover, read_path, read_text
from .records import Origin, Record, Unreadable, record_from_mapping
from .render import FORMATS, render, render_explain, render_rules, report_to_dict
from .report import Finding, Report, RuleError, RuleStats, Undecided
from .rulesets import Rule, RuleSet, builtin_rules_dir, load_ruleset
from .values import MISSING, Interval, Invalid, UnknownGrade
from .writers import write_csv, write_json, write_jsonl

__all__ = [
    "FORMATS",
    "MISSING",
    "Finding",
    "Framework",
    "Grade",
    "GradecheckError",
    "InputError",
    "Interval",
    "Invalid",
    "Origin",
    "Problem",
    "Record",
    "Report",
    "Rule",
    "RuleError",
    "RuleFileError",
    "RuleSet",
    "RuleStats",
    "Scale",
    "Undecided",
    "UnknownGrade",
    "Unreadable",
    "Version",
    "__version__",
    "builtin_rules_dir",
    "check",
    "check_paths",
    "default_ruleset",
    "discover",
    "load_ruleset",
    "prepare",
    "read_path",
    "read_text",
    "record_from_mapping",
    "render",
    "render_explain",
    "render_rules",
    "report_to_dict",
    "write_csv",
    "write_json",
    "write_jsonl",
]
