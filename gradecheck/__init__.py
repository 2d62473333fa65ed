"""gradecheck: check Ofsted children's-services inspection records for internal consistency."""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING as _TYPE_CHECKING

from .version import __version__

# Names are imported on first use (PEP 562): `python -m gradecheck` on a small file must start fast,
# and a user who needs only the strategies or the readers should not pay for every renderer.
_EXPORTS = {
    "Authority": ".authorities",
    "Register": ".authorities",
    "default_register": ".authorities",
    "load_register": ".authorities",
    "use_register": ".authorities",
    "Comparison": ".comparison",
    "compare": ".comparison",
    "Editions": ".editions",
    "compare_editions": ".editions",
    "check": ".engine",
    "check_frame": ".engine",
    "check_paths": ".engine",
    "default_ruleset": ".ruleset",
    "prepare": ".engine",
    "GradecheckError": ".errors",
    "InputError": ".errors",
    "Problem": ".errors",
    "RuleFileError": ".errors",
    "Framework": ".frameworks",
    "Grade": ".frameworks",
    "Scale": ".frameworks",
    "Version": ".frameworks",
    "discover": ".read",
    "read_path": ".read",
    "read_text": ".read",
    "Origin": ".records",
    "Record": ".records",
    "Unreadable": ".records",
    "record_from_mapping": ".records",
    "FORMATS": ".report.render",
    "render": ".report.render",
    "render_explain": ".report.render",
    "render_rules": ".report.render",
    "report_to_dict": ".report.render",
    "Finding": ".report",
    "Report": ".report",
    "RuleError": ".report",
    "RuleStats": ".report",
    "Undecided": ".report",
    "Rule": ".ruleset",
    "RuleSet": ".ruleset",
    "builtin_rules_dir": ".ruleset",
    "load_ruleset": ".ruleset",
    "MISSING": ".values",
    "Interval": ".values",
    "Invalid": ".values",
    "UnknownGrade": ".values",
    "write_csv": ".writers",
    "write_json": ".writers",
    "write_jsonl": ".writers",
}

if _TYPE_CHECKING:
    from .authorities import Authority, Register, default_register, load_register, use_register
    from .comparison import Comparison, compare
    from .editions import Editions, compare_editions
    from .engine import check, check_frame, check_paths, prepare
    from .errors import GradecheckError, InputError, Problem, RuleFileError
    from .frameworks import Framework, Grade, Scale, Version
    from .read import discover, read_path, read_text
    from .records import Origin, Record, Unreadable, record_from_mapping
    from .report import Finding, Report, RuleError, RuleStats, Undecided
    from .report.render import FORMATS, render, render_explain, render_rules, report_to_dict
    from .ruleset import Rule, RuleSet, builtin_rules_dir, default_ruleset, load_ruleset
    from .values import MISSING, Interval, Invalid, UnknownGrade
    from .writers import write_csv, write_json, write_jsonl

__all__ = [
    "FORMATS",
    "MISSING",
    "Authority",
    "Comparison",
    "Editions",
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
    "Register",
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
    "check_frame",
    "check_paths",
    "compare",
    "compare_editions",
    "default_register",
    "default_ruleset",
    "discover",
    "load_register",
    "load_ruleset",
    "prepare",
    "read_path",
    "read_text",
    "record_from_mapping",
    "render",
    "render_explain",
    "render_rules",
    "report_to_dict",
    "use_register",
    "write_csv",
    "write_json",
    "write_jsonl",
]

def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'gradecheck' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(_import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
