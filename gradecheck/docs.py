"""
docs/rules.md, generated from the rule files: every rule's code, title, severity, frameworks, source,
and an example that passes and one that fails, drawn by the rule's own hypothesis strategies.

``python -m gradecheck docs > docs/rules.md`` writes it; ``python -m gradecheck docs --check`` (and a
test) says when the committed file is stale, drawing nothing (:func:`check_document`). Examples come
from :func:`gradecheck.strategies.records`, :func:`~gradecheck.strategies.datasets`,
:func:`~gradecheck.strategies.satisfying` and :func:`~gradecheck.strategies.violating` with hypothesis
derandomized (the same examples on every run), then cut down to the fields the outcome needs. This
module needs hypothesis (the ``strategies`` extra) only to draw the examples.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from .engine import check
from .kinds import KINDS
from .records import Origin, record_from_mapping
from .report import Report
from .ruleset import Rule, RuleSet, default_ruleset
from .values import show

__all__ = ["FAMILIES", "check_document", "docs_command", "rules_markdown", "without_examples"]

#: Rule families by code letter, in the order the document lists them.
FAMILIES = {
    "C": "Grade counts", "P": "Populations", "J": "Overall and limiting judgements", "S": "Grade scales",
    "F": "Framework versions", "V": "Visits", "D": "Dates", "R": "Ranges", "I": "Input", "X": "Dataset rules",
    "A": "Authorities: who a record is about (docs/authorities.md)",
}
REGENERATE = "python -m gradecheck docs > docs/rules.md"
_EXAMPLES_START, _EXAMPLES_END = "<!-- examples -->", "<!-- /examples -->"
_EXAMPLE_FILE = "example.jsonl"
_KEEP = ("id", "framework")

Dataset = list[dict[str, Any]]


# --- examples -----------------------------------------------------------------------------------

def _run(dataset: Dataset, ruleset: RuleSet) -> Report:
    return check([record_from_mapping(r, Origin(_EXAMPLE_FILE, i)) for i, r in enumerate(dataset, start=1)], ruleset)


def _prune(dataset: Dataset, ok: Callable[[Dataset], bool], keep: frozenset[str] = frozenset()) -> Dataset:
    """
    Drop every record, then every field (whole groups first, then members) whose absence keeps *ok* true.

    Fields named in *keep* stay: a group rule passes a row that has no value to compare, and an example
    stripped of its values would show nothing.
    """
    current = [json.loads(json.dumps(r)) for r in dataset]
    for i in reversed(range(len(current))):
        trial = current[:i] + current[i + 1:]
        if trial and ok(trial):
            current = trial
    for i in range(len(current)):
        for key in sorted(current[i]):
            if key in _KEEP or key in keep:
                continue
            kept_members = any(k.startswith(f"{key}.") for k in keep)
            if not kept_members:
                trial = [dict(r) for r in current]
                del trial[i][key]
                if ok(trial):
                    current = trial
                    continue
            if isinstance(current[i][key], dict):
                current = _prune_members(current, i, key, ok, keep)
    return current


def _prune_members(current: Dataset, i: int, key: str, ok: Callable[[Dataset], bool], keep: frozenset[str]) -> Dataset:
    """Drop the members of group *key* of record *i* whose absence keeps *ok* true, never the group's last."""
    value = current[i][key]
    for member in sorted(value):
        if f"{key}.{member}" in keep:
            continue
        trial = [dict(r) for r in current]
        trial[i][key] = {k: v for k, v in value.items() if k != member}
        if trial[i][key] and ok(trial):
            current, value = trial, trial[i][key]
    return current


def _rename(dataset: Dataset) -> Dataset:
    """Plain ids (``example``, ``example-2``...), keeping equal ids equal."""
    names: dict[str, str] = {}
    for r in dataset:
        names.setdefault(str(r["id"]), "example" if not names else f"example-{len(names) + 1}")
    return [{**r, "id": names[str(r["id"])]} for r in dataset]


def _find(strategy: Any, ok: Callable[[Dataset], bool], tries: int = 200,
          keep: frozenset[str] = frozenset()) -> Dataset | None:
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample, Unsatisfiable

    fixed = settings(database=None, derandomize=True, max_examples=tries, phases=[Phase.generate],
                     suppress_health_check=list(HealthCheck), deadline=None)
    try:
        found = find(strategy, ok, settings=fixed)
    except (NoSuchExample, Unsatisfiable):
        return None
    shaped = _prune(found, ok, keep)
    renamed = _rename(shaped)
    return renamed if ok(renamed) else shaped


def _examples(rule: Rule, ruleset: RuleSet) -> tuple[Dataset | None, Dataset | None, list[str]]:
    """A dataset the rule passes (it applies, and nothing fires), one it fails, and what gradecheck says."""
    from hypothesis import strategies as st

    from .strategies import datasets, records, satisfying, violating

    def passes(ds: Dataset) -> bool:
        report = _run(ds, ruleset)
        return not report.findings and not report.undecided and report.stats[rule.code].passed >= 1

    def fails_alone(ds: Dataset) -> bool:
        found = _run(ds, ruleset).findings
        return bool(found) and all(f.rule == rule.code for f in found)

    def fails(ds: Dataset) -> bool:
        return any(f.rule == rule.code for f in _run(ds, ruleset).findings)

    frameworks = [f for f in sorted(ruleset.frameworks) if rule.covers(f)]
    # One record of a framework the rule covers; for a dataset rule, then whole authority histories.
    good = _find(st.sampled_from(frameworks).flatmap(lambda f: records(f, ruleset)).map(lambda r: [r]), passes,
                 100 if rule.dataset else 200)
    if good is None and rule.dataset:
        good = _find(datasets(ruleset), passes, 40)
    if good is None:  # a shape no drawn record has (a table's groups, a rate beside its parts): the kind builds one
        reads = rule.check.reads() if rule.dataset and hasattr(rule.check, "reads") else set()
        good = _find(satisfying(rule.code, ruleset), passes, 20, frozenset(reads))
    try:
        bad_strategy = violating(rule.code, ruleset)
    except (NotImplementedError, ValueError):
        bad = None
    else:
        bad = _find(bad_strategy, fails_alone) or _find(bad_strategy, fails)
    said = ([f"{f.source}: {f.rule} [{f.severity}] {f.record}: {f.message}" for f in _run(bad, ruleset).findings]
            if bad else [])
    return good, bad, said


# --- the document -------------------------------------------------------------------------------

def _md(text: str) -> str:
    """Free text from a rule file, safe in Markdown: no accidental emphasis, code or HTML; ``code`` stays code."""
    pieces = re.split(r"``(.+?)``", " ".join(text.split()))
    return "".join(f"`{piece}`" if i % 2 else re.sub(r"([\\`*<>\[\]])", r"\\\1", piece)
                   for i, piece in enumerate(pieces))


def _scope(rule: Rule) -> str:
    frameworks = "every framework" if "*" in rule.frameworks else ", ".join(f"`{f}`" for f in rule.frameworks)
    dates = (f" from {rule.start}" if rule.start else "") + (f" to {rule.end}" if rule.end else "")
    return frameworks + dates


def _where(rule: Rule) -> str:
    from .ruleset import builtin_rules_dir

    path = Path(rule.path)
    return f"rules/{path.name}" if path.resolve().parent == builtin_rules_dir().resolve() else path.name


def _block(language: str, lines: Sequence[str]) -> list[str]:
    return [f"```{language}", *lines, "```"]


def _rule_section(rule: Rule, examples: tuple[Dataset | None, Dataset | None, list[str]] | None) -> list[str]:
    kind = KINDS[rule.kind]
    kind_doc = (kind.__doc__ or "").strip().splitlines()[0] if kind.__doc__ else ""
    out = [f"### {rule.code}", "", f"**{_md(rule.title)}**", "",
           f"- severity: {rule.severity}",
           f"- kind: `{rule.kind}` ({_md(kind_doc)})" if kind_doc else f"- kind: `{rule.kind}`",
           f"- applies to: {_scope(rule)}",
           f"- defined in: `{_where(rule)}`"]
    if rule.params:
        shown = []
        for key, value in rule.params.items():
            text = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else show(value)
            shown.append(f"`{key} = {text}`")
        out.append(f"- parameters: {'; '.join(shown)}")
    out.append("")
    if rule.why:
        out += [_md(rule.why), ""]
    out += [f"Source: {_md(rule.source)}", ""]
    if rule.cites:
        out += ["Cited:", ""]
        out += [f"- {_md(c.publisher)}, [{_md(c.title)}]({c.url}), {c.date}" if c.url
                else f"- {_md(c.publisher)}, {_md(c.title)} (`{c.doc}`)" for c in rule.cites]
        out.append("")
    if examples is not None:
        good, bad, said = examples
        out.append(_EXAMPLES_START)
        if good:
            passing = [json.dumps(r, ensure_ascii=False) for r in good]
            out += ["Passes (nothing fires):", "", *_block("json", passing), ""]
        else:
            out += ["No passing example could be drawn.", ""]
        if bad:
            out += ["Fails:", "", *_block("json", [json.dumps(r, ensure_ascii=False) for r in bad]), "",
                    f"`python -m gradecheck {_EXAMPLE_FILE}` reports:", "", *_block("text", said), ""]
        else:
            out += ["No failing example could be drawn.", ""]
        out += [_EXAMPLES_END, ""]
    return out


def rules_markdown(ruleset: RuleSet | None = None, *, examples: bool = True) -> str:
    """The rules document as Markdown; deterministic for a given rule set (and hypothesis version)."""
    rs = ruleset or default_ruleset()
    rules = sorted(rs.rules, key=lambda r: (list(FAMILIES).index(r.code[0]) if r.code[0] in FAMILIES else 99, r.code))
    out = ["# gradecheck rules", "",
           "<!-- Generated from the rule files by `python -m gradecheck docs`: do not edit by hand. -->", "",
           f"Generated from the rule files in `rules/`; a test fails when it is stale (to refresh: `{REGENERATE}`). "
           f"{len(rules)} rules: an **error** is a contradiction, a **warning** asks a person to check (a habit "
           "seen in the data rather than a written rule). `python -m gradecheck explain CODE` shows the same "
           "on the command line.", ""]
    if examples:
        import hypothesis

        out += [_EXAMPLES_START,
                "Each rule has an example that passes and one that fails, drawn by the rule's own strategies "
                "(`gradecheck.strategies.records`, `datasets` and `violating`) with a fixed seed "
                f"(hypothesis {hypothesis.__version__}), cut down to the fields that matter, and the finding "
                "gradecheck reports on the failing one.", "",
                f"<!-- examples drawn from: {examples_fingerprint(rs)} -->", _EXAMPLES_END, ""]
    out += ["| code | severity | title |", "|---|---|---|"]
    out += [f"| [{r.code}](#{r.code.lower()}) | {r.severity} | {_md(r.title).replace('|', chr(92) + '|')} |"
            for r in rules]
    out.append("")
    family = None
    for rule in rules:
        if rule.code[0] != family:
            family = rule.code[0]
            out += [f"## {family}: {FAMILIES.get(family, 'Other rules')}", ""]
        out += _rule_section(rule, _examples(rule, rs) if examples else None)
    return "\n".join(out).rstrip("\n") + "\n"


def examples_fingerprint(ruleset: RuleSet) -> str:
    """
    What the examples were made for: the rule set (its version's hash) and this generator.

    Drawing is deterministic, so a document whose fingerprint matches has the examples it would get
    again (for the same strategies and hypothesis); the freshness test compares fingerprints instead
    of drawing every example anew, and another test runs the committed examples to show they are
    still true. A change to the strategies alone does not make the document stale: its examples stay
    correct, only perhaps not the ones drawn today.
    """
    import hashlib

    digest = hashlib.sha256(ruleset.version.split("+")[-1].encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def without_examples(text: str) -> str:
    """*text* less its example blocks: what must match whatever hypothesis version drew the examples."""
    blocks = rf"{re.escape(_EXAMPLES_START)}.*?{re.escape(_EXAMPLES_END)}\n\n?"
    return re.sub(blocks, "", text, flags=re.S).rstrip("\n") + "\n"


def _sections(text: str) -> dict[str, str]:
    return dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", text, flags=re.S | re.M))


def check_document(text: str, ruleset: RuleSet | None = None) -> list[str]:
    """
    What is wrong with *text* as the rules document of *ruleset*: an empty list when it is up to date.

    Nothing is drawn, so the answer does not depend on the installed hypothesis: the text from the rule
    files must match in full, the examples must have been drawn for these rule files (fingerprint), every
    rule must have a passing and a failing example, and each example must still do what the document says
    (the passing one passes every rule and engages its own; the failing one makes gradecheck print exactly
    the lines shown).
    """
    rs = ruleset or default_ruleset()
    problems = []
    if without_examples(text) != rules_markdown(rs, examples=False):
        problems.append("the text from the rule files has changed")
    if f"<!-- examples drawn from: {examples_fingerprint(rs)} -->" not in text:
        problems.append("the examples were drawn for other rule files")
    codes = {r.code for r in rs.rules}
    for code, body in _sections(text).items():
        if code in codes:
            problems += [f"{code}: {p}" for p in _example_problems(code, body, rs)]
    return problems


def _example_problems(code: str, body: str, ruleset: RuleSet) -> list[str]:
    blocks = re.findall(r"```(json|text)\n(.*?)\n```", body, flags=re.S)
    try:
        datasets = [[json.loads(line) for line in b.splitlines()] for kind, b in blocks if kind == "json"]
    except ValueError as err:
        return [f"an example is not JSON Lines ({err})"]
    said = [b.splitlines() for kind, b in blocks if kind == "text"]
    if len(datasets) != 2 or len(said) != 1:
        return ["expected a passing and a failing example, and what gradecheck says on the failing one"]
    good, bad = datasets
    problems = []
    report = _run(good, ruleset)
    if report.findings or not report.stats[code].passed:
        problems.append("the passing example does not pass (or the rule does not apply to it)")
    lines = [f"{f.source}: {f.rule} [{f.severity}] {f.record}: {f.message}" for f in _run(bad, ruleset).findings]
    if lines != said[0] or not any(f" {code} [" in line for line in lines):
        problems.append("gradecheck no longer says what the document shows on the failing example")
    return problems


def _default_path() -> Path:
    from .ruleset import builtin_rules_dir

    return builtin_rules_dir().parent / "docs" / "rules.md"


def docs_command(argv: Sequence[str], out: TextIO) -> int:
    """``python -m gradecheck docs [--check [--file PATH]]``: print docs/rules.md, or say whether it is stale."""
    parser = argparse.ArgumentParser(prog="python -m gradecheck docs",
                                     description="Write the rules document (docs/rules.md) from the rule files.")
    parser.add_argument("--check", action="store_true",
                        help="check the committed file against the rule files and run its examples, drawing "
                             "nothing (so any hypothesis version agrees); exit 1 when stale")
    parser.add_argument("--file", metavar="PATH", help="the file --check compares with (default: docs/rules.md)")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as stop:
        return int(stop.code or 0)
    if args.check:
        path = Path(args.file) if args.file else _default_path()
        try:
            committed = path.read_text(encoding="utf-8")
        except OSError as err:
            sys.stderr.write(f"gradecheck: {path}: {err.strerror or err}; run: {REGENERATE}\n")
            return 1
        problems = check_document(committed)
        if not problems:
            out.write(f"{path} is up to date.\n")
            return 0
        sys.stderr.write(f"gradecheck: {path} is stale; run: {REGENERATE}\n"
                         + "".join(f"  {p}\n" for p in problems))
        return 1
    try:
        text = rules_markdown()
    except ImportError as err:
        sys.stderr.write("gradecheck: docs needs hypothesis for its examples: "
                         f"pip install 'gradecheck[strategies]' ({err})\n")
        return 2
    out.write(text)
    return 0
