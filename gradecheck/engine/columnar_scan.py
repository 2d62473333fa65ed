"""
Read a native CSV file with polars, a batch of lines at a time, and judge each row column-wise.

Lines are read as lines (no quoting, split on commas here), so that row *i* is line *i* + 1 by
construction; a line with a quote character, or with more or fewer cells than the header, is read by
the csv module (or by the CSV reader itself) instead. What a row's cells mean is decided as the fast
path's reader decides it (gradecheck/engine/fastpath.py, ``FastPath._reading``), only more strictly: a cell with
surrounding spaces, a grade spelling that needs folding, an alias met twice, all go to the row engine.
Imported only by gradecheck/engine/columnar.py, and only when the engine is used.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl

from ..frameworks import Framework
from ..kinds import CODE_FIELDS, NAME_FIELDS, Places, Rows, View
from . import columnar_plan as columnar
from .batches import reads_of
from .columnar_kinds import PASS, PY_WHITESPACE, SKIP, UNSURE, Values, verdict
from .columnar_plan import Plan, Result, Unsuitable, one_row
from .views import ReadView

__all__ = ["Scan"]

# What a block comes to: rows that pass, passes per rule, rows for the row engine, passed rows as columns for the
# dataset rules (a Rows per framework).
_Outcome = tuple[int, dict[str, int], list[tuple[int, Any]], list[Rows]]

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_LEAD = b"lead\n"
_NEWLINE = re.compile(b"\n")
_SPACE = "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE)
_BLANK = f"^[{_SPACE},]*$"  # every cell blank, as Python's str.strip() sees blank: the reader skips the row
_NOT_BLANK = f"[^{_SPACE}]"
# A line whose quotes only enclose whole cells, none of them holding a quote ("Bristol, City of"): the csv module
# reads each such cell as what is between its quotes, with no doubt. Its cells are read here (see Scan.requote).
_CELL = r'(?:[^",]*|"[^"]*")'
_SIMPLE = f"^{_CELL}(?:,{_CELL})*$"
_QUOTED = r'"[^"]*"'


def _cell(j: int) -> pl.Expr:
    return pl.col(f"c{j}")


#: Text fields whose values (not only presence) pass forms read, in Call nodes: who a record is about.
_RAW_TEXT = ("authority", "area", "authority_code", "area_code")


def _text_value(j: int) -> pl.Expr:
    """
    A text cell as the fast reader keeps it: stripped as str.strip() does, null when blank. (Eager steps do not
    share subexpressions: ``when(value != "").then(value)`` stripped every cell twice.)
    """
    return _cell(j).str.strip_chars(PY_WHITESPACE).replace("", None)


def _coalesce(exprs: list[pl.Expr]) -> pl.Expr:
    return exprs[0] if len(exprs) == 1 else pl.coalesce(exprs)


def _twice(exprs: list[pl.Expr]) -> pl.Expr:
    """Two columns give the same field a value: the fast path cannot tell which is meant."""
    if len(exprs) < 2:
        return pl.lit(False)
    return pl.sum_horizontal([e.is_not_null().cast(pl.Int32) for e in exprs]) >= 2


def _spellings(framework: Framework) -> dict[str, str]:
    """
    Grade spellings read without folding: the fast path's exact-match table (name, label, aliases,
    numbers, in five cases), less any spelling the scale itself would read otherwise.
    """
    scale = framework.scale
    if scale is None:
        return {}
    return {s: name for s, name in scale.exact_spellings().items() if scale.canonical(s) == name}


class Scan:
    """One file's pass: blocks of lines in, a :class:`~gradecheck.engine.columnar_plan.Result` out."""

    def __init__(self, plan: Plan, run: Any) -> None:
        self.plan = plan
        self.run = run
        ruleset = plan.ruleset
        self.codes = {fid: k for k, fid in enumerate(sorted(ruleset.frameworks))}
        self.frameworks = {k: ruleset.frameworks[fid] for fid, k in self.codes.items()}
        self.population_keys = {p: p for p in ruleset.populations}
        for alias, target in ruleset.field_aliases.items():
            self.population_keys[alias.split(".", 1)[1]] = target.split(".", 1)[1]
        self.judges: dict[int, _Judge] = {}
        self.asked: dict[Any, dict[str, Any]] = {}  # see columnar_kinds.Values.asked
        self.lock = threading.Lock()
        self.result = Result()
        self.ncols = len(plan.header)
        # The dataset rules' summaries of the rows that pass here (the row engine folds the others into its own;
        # they merge when the file is read), and per framework the fields those rules read of a row.
        self.summaries = self.result.summaries = [rule.check.summary() for rule in run.dataset_rules]
        Places.shared(self.summaries, ruleset.frameworks)
        self.folds: dict[str, list[Any]] = {}
        self.needs: dict[str, set[str]] = {}
        unfoldable = set()
        for fid in ruleset.frameworks:
            covering = [(r, s) for r, s in zip(run.dataset_rules, self.summaries, strict=True) if r.covers(fid)]
            needs = [reads_of(rule) for rule, _ in covering]  # None: a kind that does not say
            if any(n is None for n in needs):
                unfoldable.add(self.codes[fid])  # a dataset rule this engine cannot feed: the row engine reads these
            elif covering:
                self.folds[fid] = [s for _, s in covering]
                # Who a row is about, whatever the rules read: a finding names the register's authority, which the
                # name and the code find together (with only the name, a name the register lacks named no code).
                self.needs[fid] = {"id", *NAME_FIELDS, *CODE_FIELDS}.union(*needs)
        self.unfoldable = sorted(unfoldable)
        self.stage = self._stage()

    def _stage(self) -> list[list[pl.Expr]]:
        """
        What a line gives whatever its framework: its cells, and whether they read cleanly.

        Three steps (each a ``with_columns``), each using the columns of the one before: the line's
        shape and cells; their values; and ``cand``, whether the row can be judged column-wise at all.
        """
        plan = self.plan
        line = pl.col("line")
        cells = pl.col("cells")
        shape: list[pl.Expr] = [
            cells.list.len().alias("nf"), line.str.contains('"', literal=True).alias("quote"),
            line.str.contains(_BLANK).alias("blank"), line.str.contains("\r", literal=True).alias("cr"),
            line.str.len_bytes().alias("nbytes"),
        ]
        # A cell past the end of a short row is null; such a row is not judged here (nf differs), whatever it holds.
        shape += [cells.list.get(j, null_on_oob=True).alias(f"c{j}") for j in plan.used]
        values: list[pl.Expr] = [
            _cell(plan.text["framework"]).replace_strict(self.codes, default=None, return_dtype=pl.Int32).alias("fw"),
        ]
        bad: list[pl.Expr] = [pl.col("nf") != self.ncols, pl.col("quote") & ~pl.col("simple"), pl.col("blank"),
                              pl.col("i") == 0]
        for name, j in plan.text.items():
            values.append(_cell(j).str.contains(_NOT_BLANK).alias(f"t:{name}"))
        bad.append(~pl.col("t:id"))  # the values step's column (a step computes what it is given, each time)
        for name, j in plan.dates.items():
            c = _cell(j)
            # A date of year 1 or later (a Python date), each cell read once: an eager step computes a subexpression
            # as often as it is written, and a test of the parsed date's year parsed every date twice (a third of a
            # block's stage).
            valid = c.str.contains(_DATE) & ~c.str.starts_with("0000")
            day = pl.when(valid).then(c.str.to_date("%Y-%m-%d", strict=False))
            values.append(day.alias(f"d:{name}"))
            bad.append((c != "") & pl.col(f"d:{name}").is_null())  # the column, once computed (not the expression)
        for group in ("grade_counts", "populations", "facts"):
            for j, _ in plan.columns[group]:
                values.append(_cell(j).str.to_integer(strict=False).alias(f"n{j}"))
                bad.append((_cell(j) != "") & pl.col(f"n{j}").is_null())
        populations: dict[str, list[pl.Expr]] = {}
        for j, member in plan.columns["populations"]:
            key = self.population_keys.get(member)
            if key is None:
                bad.append(_cell(j) != "")
            else:
                populations.setdefault(key, []).append(pl.col(f"n{j}"))
        facts = []
        for j, member in plan.columns["facts"]:
            if member != member.strip():
                bad.append(_cell(j) != "")
            else:
                facts.append(pl.col(f"n{j}").alias(f"F:{member}"))
        canonical = [*facts, *(_coalesce(v).alias(f"P:{k}") for k, v in populations.items())]
        bad += [_twice(v) for v in populations.values()]
        known = pl.col("fw").is_not_null()
        if self.unfoldable:
            known = known & ~pl.col("fw").is_in(self.unfoldable)
        canonical.append((~pl.any_horizontal([b.fill_null(True) for b in bad]) & known).alias("cand"))
        # An empty line is null in some polars versions; its cells are named once, then read by position.
        split = [pl.col("line").fill_null(""), pl.col("line").fill_null("").str.split(",").alias("cells")]
        return [split, shape, values, canonical]

    def read(self, start: int = 0, end: int | None = None, first: int = 0) -> Result:
        """
        Judge the file block by block, one at a time in a thread of its own (polars releases the GIL): this thread
        reads the next block and folds the passed rows of the one before meanwhile.

        One block at a time, of 8 MB: a block costs 35 to 45 ms whatever its size (polars planning its
        expressions), and the 200k file's ten 4 MB blocks, two at a time, took 1.06 times as long in the same
        memory (at a million rows: the same time, a peak about 20 MiB higher).

        Results are taken in file order, so rows reach the row engine in file order. A share of the file (a
        worker's: see gradecheck/engine/columnar.py) is bytes [*start*, *end*), cut at line ends, whose first
        line is line *first* of the file (the header is line 0).
        """
        result = self.result
        pending: deque[Future[_Outcome]] = deque()
        read = 0  # lines of this share read so far
        try:
            with open(self.plan.path, "rb") as handle, ThreadPoolExecutor(1) as pool:
                for offset, block in _blocks(handle, start, end):
                    lines = block.count(b"\n") - 1 + (not block.endswith(b"\n"))  # not the lead's line
                    pending.append(pool.submit(self.block, block, first + read, lines, offset))
                    read += lines
                    while len(pending) > 1 or (pending and pending[0].done()):
                        self._take(pending.popleft().result(), read)
                while pending:
                    self._take(pending.popleft().result(), read)
        except OSError as err:
            raise Unsuitable(f"cannot read it ({err.strerror or err})") from None
        return result

    def _take(self, outcome: _Outcome, read: int) -> None:
        passed, tally, handover, passed_rows = outcome
        result = self.result
        folds = self.folds
        try:
            # A framework's rows at a time: summaries do not depend on the order records are folded in (they
            # merge across a file's shares, and report in file order).
            for rows in passed_rows:
                for summary in folds[rows.framework.id]:
                    add_rows = getattr(summary, "add_rows", None)
                    if add_rows is not None:
                        add_rows(rows)
                    else:
                        for view in _views(rows):
                            summary.add(view)
        except Exception:  # the row engine reports a broken rule, with the record it broke on
            raise Unsuitable("a dataset rule broke on a row that passed every record rule") from None
        result.passed += passed
        for rule, n in tally.items():
            result.tally[rule] = result.tally.get(rule, 0) + n
        result.handover += handover
        if read > columnar.BATCH_ROWS and len(result.handover) > columnar.MAX_HANDOVER_SHARE * read:
            raise Unsuitable("most rows need the row engine, which is faster on its own")

    def block(self, block: bytes, first: int, lines: int, start: int) -> _Outcome:
        """
        Judge one block of lines: (rows that pass, passes per rule, rows for the row engine).

        *block* is the lines after a line of our own (_LEAD: see _blocks). *first* is the index of its first line
        (the header is line 0), *start* the byte of the file where it begins.
        """
        try:
            # The lead goes first: what starts polars' input is read specially (a byte-order mark is dropped;
            # polars 1.0 also drops leading spaces), and no line of the file should be.
            frame = pl.read_csv(block, has_header=False, separator="\x00", quote_char=None,
                                schema={"line": pl.String}, encoding="utf8")
        except pl.exceptions.PolarsError as err:  # not UTF-8, a NUL byte: the reader knows what to make of it
            raise Unsuitable(f"polars cannot read it as UTF-8 lines ({type(err).__name__})") from None
        if frame.height != lines + 1 or frame["line"][0] != _LEAD.decode().strip():
            raise Unsuitable("polars did not split its lines as the reader does")
        frame = frame.slice(1).with_row_index("i", offset=first)
        split, shape, *rest = self.stage
        frame = self.requote(frame.with_columns(split).with_columns(shape))
        for step in rest:  # eager steps: planning a lazy query costs more than it saves here
            frame = frame.with_columns(step)
        # Every '\r' left must have ended a line ('\r\n'): one inside a line is the csv module's business.
        if frame["cr"].any():
            raise Unsuitable("a line holds a carriage return that does not end it")
        newlines = lines - (not block.endswith(b"\n"))  # the block's own (counted once: 3 ms a block each time)
        if frame["nbytes"].sum() != len(block) - len(_LEAD) - newlines - (block.count(b"\r") if b"\r" in block else 0):
            raise Unsuitable("polars did not read its lines byte for byte")
        codes = frame.select(pl.col("fw").filter(pl.col("cand")).unique())["fw"].to_list()
        passed = 0
        tally: dict[str, int] = {}
        failed: list[int] = []
        passed_rows: list[Rows] = []
        for code in codes:
            with self.lock:
                judge = self.judges.get(code)
                if judge is None:
                    judge = self.judges[code] = _Judge(self, self.frameworks[code])
            mine = pl.col("cand") & (pl.col("fw") == code)
            if len(codes) > 1:
                mine_only = frame.lazy().filter(mine).select(judge.reads).collect()
                ok, fail, counts, kept = judge.judge(mine_only, pl.lit(True))
            else:
                ok, fail, counts, kept = judge.judge(frame, mine)
            passed += ok
            failed += fail
            if kept is not None:
                passed_rows.append(judge.rows(kept))
            for rule, n in counts.items():
                tally[rule] = tally.get(rule, 0) + n
        others = ~pl.col("cand") | pl.col("i").is_in(failed)
        rest = (frame.lazy().filter((pl.col("i") > 0) & ~pl.col("blank") & others)
                .select("i", "line", "quote", "nf").collect())
        return passed, tally, self._handover(rest, block, first, start), passed_rows

    def requote(self, frame: pl.DataFrame) -> pl.DataFrame:
        """
        The cells of lines whose quotes only enclose whole cells (see _SIMPLE), read by polars' CSV reader, in place of
        the cells cut at every comma; ``simple`` marks them. Names such as "Bristol, City of" are quoted on every
        record of their authority (2% of the benchmark's rows), which the row engine checked one at a time.
        A line of another shape, or whose cells do not account for each of its bytes, is left to the row engine.
        """
        no = frame.with_columns(simple=pl.lit(False))
        quoted = frame["quote"].arg_true()
        if not len(quoted):
            return no
        ncols = self.ncols
        lines = frame["line"].gather(quoted)  # a few rows of a block: the tests below look at those alone
        simple = (lines.str.contains(_SIMPLE)
                  & (lines.str.replace_all(_QUOTED, "").str.count_matches(",", literal=True) == ncols - 1))
        at, lines = quoted.filter(simple), lines.filter(simple)
        if not len(at):
            return no
        schema = {f"x{j}": pl.String for j in range(ncols)}
        text = "\n".join([",".join(["lead"] * ncols), *lines.to_list()]).encode()  # our own line leads (block())
        try:
            cells = pl.read_csv(text, has_header=False, quote_char='"', schema=schema,
                                encoding="utf8").slice(1).fill_null("")  # an empty cell is null in polars
        except pl.exceptions.PolarsError:
            return no
        # Each byte of a line is a cell's, a comma between cells or one of the quotes around a cell.
        if cells.height != len(lines) or not (
                cells.select(pl.sum_horizontal(pl.all().str.len_bytes()))[:, 0] + (ncols - 1)
                + lines.str.count_matches('"', literal=True) == lines.str.len_bytes()).all():
            return no
        n = frame.height
        blank = cells.select(pl.all_horizontal(pl.all().str.strip_chars(PY_WHITESPACE) == ""))[:, 0]
        return frame.with_columns(
            *(frame[f"c{j}"].scatter(at, cells[f"x{j}"]) for j in self.plan.used),
            pl.Series("simple", [False] * n, dtype=pl.Boolean).scatter(at, True),
            frame["nf"].scatter(at, ncols), frame["blank"].scatter(at, blank))

    def _handover(self, rows: pl.DataFrame, block: bytes, first: int, start: int) -> list[tuple[int, Any]]:
        """What the row engine gets for these rows: the line, the cells, or where the reader finds the row itself."""
        out: list[tuple[int, Any]] = []
        newlines = None
        ncols = self.ncols
        for i, line, quote, nf in rows.iter_rows():
            number = i + 1
            cells: list[str] | None = None
            if quote:
                cells = one_row(line)
                if cells is None:
                    raise Unsuitable(f"a quoted cell spans lines (line {number})")
                if not any(c.strip() for c in cells):
                    continue  # a blank row: the reader skips it
            elif nf != ncols:
                cells = line.split(",")
            if cells is not None and len(cells) != ncols:
                if len(cells) > ncols and not any(c.strip() for c in cells[ncols:]):
                    cells = cells[:ncols]  # trailing empty cells, which the reader drops
                else:  # not the header's shape: the reader itself says what it makes of the row
                    if newlines is None:
                        lead = len(_LEAD)  # the block's lines start after it
                        newlines = [-1, *(m.start() - lead for m in _NEWLINE.finditer(block, lead))]
                    k = i - first
                    end = newlines[k + 1] + 1 if k + 1 < len(newlines) else len(block) - len(_LEAD)
                    out.append((number, (start + newlines[k] + 1, start + end)))
                    continue
            out.append((number, line if cells is None else cells))
        return out


def _blocks(handle: Any, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes]]:
    """
    Bytes [*start*, *end*) of the file (*end* None: to its end, else a line's end) in blocks of whole lines, each
    after the line _LEAD (which polars reads first: see Scan.block), with the offset where the block begins.

    The lead and the block's two reads are joined in one copy, where there were two more: each copy of a
    block is a fresh mapping whose every page the kernel faults in (about 10,000 of the 200k run's 186,000 faults).
    """
    offset = start
    handle.seek(start)
    while end is None or offset < end:
        data = handle.read(columnar.BLOCK_BYTES if end is None else min(columnar.BLOCK_BYTES, end - offset))
        if not data:
            return
        rest = b"" if data.endswith(b"\n") else handle.readline()  # never past *end*, which ends a line
        yield offset, b"".join((_LEAD, data, rest))
        offset += len(data) + len(rest)


class _Judge:
    """
    One framework's rules as one polars query over its rows: which rows pass, and how often each rule passed.

    The query is built once and run on every block, in steps that each name their results, so that no
    value is computed twice: grade ranks per column; canonical judgements and counts, and whether the
    row reads cleanly for this framework; the version; each rule's verdict per version; then "ok".
    """

    def __init__(self, scan: Scan, framework: Framework) -> None:
        plan = scan.plan
        spellings = _spellings(framework)
        rank = {g: i for i, g in enumerate(framework.scale.names)} if framework.scale is not None else {}
        to_rank = {s: rank[name] for s, name in spellings.items()}
        names = {j: j for j in framework.judgements}
        names.update(framework.judgement_aliases)
        ranks: list[pl.Expr] = []
        bad: list[pl.Expr] = []
        judgements: dict[str, list[pl.Expr]] = {}
        for j, member in plan.columns["judgements"]:
            name = names.get(member)
            if name is None or not to_rank:
                bad.append(_cell(j) != "")
                continue
            ranks.append(_cell(j).replace_strict(to_rank, default=None, return_dtype=pl.Int8).alias(f"r{j}"))
            bad.append((_cell(j) != "") & pl.col(f"r{j}").is_null())
            judgements.setdefault(name, []).append(pl.col(f"r{j}"))
        counts: dict[str, list[pl.Expr]] = {}
        for j, member in plan.columns["grade_counts"]:
            grade = spellings.get(member)
            if grade is None:
                bad.append(_cell(j) != "")
            else:
                counts.setdefault(grade, []).append(pl.col(f"n{j}"))
        canonical: list[pl.Expr] = []
        for prefix, group in (("J", judgements), ("C", counts)):
            for key, values in group.items():
                canonical.append(_coalesce(values).alias(f"{prefix}:{key}"))
                bad.append(_twice(values))
        canonical.append(_any(bad).alias("unread"))
        groups = {
            "judgements": {k: pl.col(f"J:{k}") for k in judgements},
            "grade_counts": {k: pl.col(f"C:{k}") for k in counts},
            "populations": {k: pl.col(f"P:{k}") for _, m in plan.columns["populations"]
                            if (k := scan.population_keys.get(m)) is not None},
            "facts": {m: pl.col(f"F:{m}") for _, m in plan.columns["facts"] if m == m.strip()},
        }
        nonempty = [_any([v.is_not_null() for v in members.values()]).alias(f"E:{g}") for g, members in groups.items()]
        dates = {name: pl.col(f"d:{name}") for name in plan.dates}
        raw = {name: _text_value(plan.text[name]) for name in _RAW_TEXT if name in plan.text}
        values = Values(framework, {name: pl.col(f"t:{name}") for name in plan.text}, dates, groups,
                        nonempty={g: pl.col(f"E:{g}") for g in groups}, raw=raw, calls={}, asked=scan.asked)
        day = pl.coalesce([dates[d] for d in ("start", "end", "published") if d in dates]
                          or [pl.lit(None, dtype=pl.Date)])
        self.steps = [ranks, canonical, [*nonempty, day.alias("day")],
                      [self._version(framework, pl.col("day")).alias("version")]]
        # The stage's columns a judge reads (the line and the other cells stay behind when rows are picked out).
        counted = plan.columns["grade_counts"]
        self.reads = ["i", *(f"c{j}" for j, _ in plan.columns["judgements"] + counted), *(f"n{j}" for j, _ in counted),
                      *(f"P:{k}" for k in groups["populations"]), *(f"F:{k}" for k in groups["facts"]),
                      *(f"t:{name}" for name in plan.text), *(f"d:{name}" for name in plan.dates),
                      *(f"c{plan.text[name]}" for name in _RAW_TEXT if name in plan.text)]
        day = pl.col("day")
        rules = scan.run.by_framework.get(framework.id, [])
        verdicts: list[pl.Expr] = []
        made: list[tuple[pl.Expr, str]] = []  # each verdict computed, and its column
        fits: list[pl.Expr] = []
        self.passes: dict[str, list[pl.Expr]] = {r.code: [] for r in rules}
        for k, version in enumerate(framework.versions):
            here = pl.col("version") == k
            checks = [(r, verdict(r, values, version)) for r in rules]
            if any(e is None for _, e in checks):
                continue  # a rule with no columnar form: these rows go to the row engine
            outcomes = []
            for n, (rule, expr) in enumerate(checks):
                if rule.start is not None or rule.end is not None:
                    inside = pl.lit(True)
                    if rule.start is not None:
                        inside = inside & (day >= rule.start)
                    if rule.end is not None:
                        inside = inside & (day <= rule.end)
                    expr = (pl.when(day.is_null()).then(pl.lit(UNSURE, dtype=pl.Int8))
                            .when(~inside).then(pl.lit(SKIP, dtype=pl.Int8)).otherwise(expr))
                # A rule whose form does not change with the version has one verdict for all (ILACS: 28 of 66).
                column = next((name for other, name in made if other.meta.eq(expr)), None)
                if column is None:
                    column = f"v{k}:{n}"
                    made.append((expr, column))
                    verdicts.append(expr.alias(column))
                outcomes.append(pl.col(column) != UNSURE)
                self.passes[rule.code].append(here & (pl.col(column) == PASS))
            fits.append(here & pl.all_horizontal(outcomes) if outcomes else here)
        calls = values.call_columns()  # each Call once, before the verdicts that read it
        if calls:
            self.steps.append(calls)
        self.steps.append(verdicts)
        self.ok = (~pl.col("unread") & (pl.any_horizontal(fits) if fits else pl.lit(False))).fill_null(False)
        self._folding(scan, framework, groups)

    def _folding(self, scan: Scan, framework: Framework, groups: dict[str, dict[str, pl.Expr]]) -> None:
        """
        What the dataset rules read of a passed row, as the fast path reads it (gradecheck/engine/fastpath.py):
        texts stripped (blank: absent), dates, judgements by canonical name (grade ranks here), counts and
        numbers under canonical names. ``self.kept`` selects them (None: no dataset rule covers the framework).
        """
        self.framework = framework
        self.path = scan.plan.path
        needs = scan.needs.get(framework.id)
        self.kept: list[pl.Expr] | None = None
        if needs is None:
            return
        plan = scan.plan
        kept = [pl.col("i"), pl.col("day")]
        self.tops: list[str] = []
        self.members: list[tuple[str, str]] = []
        for name in sorted(n for n in needs if "." not in n):
            if name in plan.text:
                kept.append(_text_value(plan.text[name]).alias(f"T:{name}"))
                self.reads.append(f"c{plan.text[name]}")
            elif name in plan.dates:
                kept.append(pl.col(f"d:{name}").alias(f"T:{name}"))
            else:
                continue  # no such column ("framework" is the framework's id): never in a row's values
            self.tops.append(name)
        wanted = {tuple(n.split(".", 1)) for n in needs if "." in n}
        if ("judgements", "*") in wanted:  # every judgement: the visit rule reads a record's grades
            wanted |= {("judgements", k) for k in groups["judgements"]}
        for group, key in sorted(wanted):
            column = groups.get(group, {}).get(key)
            if column is not None:
                kept.append(column.alias(f"G:{group}.{key}"))
                self.members.append((group, key))
        self.reads = list(dict.fromkeys(self.reads))
        self.kept = kept
        self.grade_names = framework.scale.names if framework.scale is not None else ()

    def rows(self, kept: pl.DataFrame) -> Rows:
        """The passed rows, column by column, for the dataset rules' summaries (judgements by grade name)."""
        names = self.grade_names
        columns: dict[str, list[Any]] = {name: kept[f"T:{name}"].to_list() for name in self.tops}
        for group, key in self.members:
            values = kept[f"G:{group}.{key}"].to_list()
            if group == "judgements":
                values = [None if v is None else names[v] for v in values]
            columns[f"{group}.{key}"] = values
        lines = (kept["i"] + 1).to_list()
        return Rows(self.path, self.framework, lines, kept["day"].to_list(), columns)

    @staticmethod
    def _version(framework: Framework, day: pl.Expr) -> pl.Expr:
        """Which version a row falls under (Framework.version_at); null when that needs a date and there is none."""
        versions = framework.versions
        if len(versions) == 1:
            return pl.lit(0, dtype=pl.Int32)
        chain: Any = pl
        for k, v in enumerate(versions):
            covers = pl.lit(True)
            if v.start is not None:
                covers = covers & (day >= v.start)
            if v.end is not None:
                covers = covers & (day <= v.end)
            chain = chain.when(covers).then(pl.lit(k, dtype=pl.Int32))
        return (pl.when(day.is_null()).then(pl.lit(None, dtype=pl.Int32))
                .otherwise(chain.otherwise(pl.lit(len(versions) - 1, dtype=pl.Int32))))

    def judge(self, rows: pl.DataFrame, mine: pl.Expr) -> tuple[int, list[int], dict[str, int], pl.DataFrame | None]:
        """
        (how many of my rows pass, the indices of the others, passes per rule, what the dataset rules read of
        the rows that pass); *mine* picks my rows.
        """
        for step in self.steps:
            rows = rows.with_columns(step)
        ok = pl.col("ok")
        tallies = [(ok & pl.any_horizontal(p).fill_null(False)).sum().alias(code)
                   for code, p in self.passes.items() if p]
        rows = rows.with_columns((mine & self.ok).alias("ok"))
        out = (rows.select(ok.sum().alias("passed"), pl.col("i").filter(mine & ~ok).implode().alias("failed"),
                           *tallies)
               .row(0, named=True))
        passed, failed = out.pop("passed"), out.pop("failed")
        kept = rows.lazy().filter(ok).select(self.kept).collect() if self.kept is not None and passed else None
        return passed, failed, {code: n for code, n in out.items() if n}, kept


def _any(exprs: list[pl.Expr]) -> pl.Expr:
    return pl.any_horizontal(exprs) if exprs else pl.lit(False)


def _views(rows: Rows) -> Iterator[View]:
    """A light view of each row, as the row engine's fast path gives it, for a summary that has no add_rows."""
    framework, path, columns = rows.framework, rows.path, rows.columns
    for row, (line, day) in enumerate(zip(rows.lines, rows.days, strict=True)):
        top: dict[str, Any] = {}
        groups: dict[str, dict[str, Any]] = {}
        for name, values in columns.items():
            value = values[row]
            if value is not None:
                group, dot, key = name.partition(".")
                if dot:
                    groups.setdefault(group, {})[key] = value
                else:
                    top[name] = value
        yield ReadView(path, line, framework, rows.version(row), day, top, groups)
