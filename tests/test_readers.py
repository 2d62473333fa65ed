"""Tests for gradecheck.read.files: JSON, JSON Lines and CSV into records, never losing one silently."""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradecheck import check
from gradecheck.errors import InputError
from gradecheck.read.files import discover, read_path, read_range, read_text
from gradecheck.records import Origin, Record, Unreadable

SIF = '{"id": "%s", "framework": "sif"}'


def _summary(items):
    """Each item as (line, id) for a record or (line, error) for an unreadable one."""
    return [(i.origin.line, i.id) if isinstance(i, Record) else (i.origin.line, i.error) for i in items]


class TestJsonLines:
    def test_lines(self):
        """Each line is a record, placed by its line number; blank lines are skipped but counted."""
        text = f"{SIF % 'a'}\n\n  {SIF % 'b'}  \n"
        assert _summary(read_text(text, "x.jsonl", ".jsonl")) == [(1, "a"), (3, "b")]

    @pytest.mark.parametrize(
        ("line", "error"),
        [
            ("[1]", "expected a JSON object for a record, found a list"),
            ("{bad", "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
            ('{"id": "b", "id": "c", "framework": "sif"}', "duplicate key 'id' in one object (which value is meant?)"),
            (f"{SIF % 'd'} {{}}", "invalid JSON: more than one value on the line"),
            ('{"framework": "sif"}', "field 'id': required, but missing or empty"),
            ("[" * 100_000, "JSON nested too deeply to read"),
        ],
        ids=["not-an-object", "bad-json", "duplicate-key", "two-values", "no-id", "too-deep"],
    )
    def test_bad_line(self, line, error):
        """A bad line is one unreadable record with its line and why; the lines around it are still read."""
        text = f"{SIF % 'a'}\n{line}\n{SIF % 'z'}\n"
        assert [(1, "a"), (2, error), (3, "z")] == _summary(read_text(text, "x.jsonl", ".jsonl"))

    @pytest.mark.parametrize(
        ("line", "readable"),
        [
            ('{"id": "a", "framework": "slac", "populations": {"looked_after": 5, "looked_after": 6}}', False),
            ('{"id": "a", "framework": "slac", "populations": {"looked_after": {"value": 5, "value": 6}}}', False),
            ('{"id": "a", "framework": "slac", "x": [{"k": 1, "k": 2}]}', False),
            ('{"id": "a", "framework": "slac", "id": "b"}', False),
            ('{"id": "a:{b}", "framework": "slac", "note": "x: {y}, z:"}', True),
            ('{"id": "a", "framework": "slac", "populations": {"looked_after": {"value": 5}}, '
             '"x": [[{"k": 1}]]}', True),
            ('{"id" : "a" , "framework" : "slac"}', True),
        ],
        ids=["group", "value-object", "list-of-objects", "top", "colons-and-braces-in-text", "nested", "spaced"],
    )
    def test_repeated_keys_at_any_depth(self, tmp_path, line, readable):
        """The quick reading used for speed catches a repeated key at any depth, and no more."""
        path = tmp_path / "x.jsonl"
        path.write_text(line + "\n")
        (item,) = read_path(str(path), raw=True)
        parsed = item.parse() if hasattr(item, "parse") else item
        assert isinstance(parsed, Record) is readable
        if not readable:
            assert "duplicate key" in parsed.error

    def test_ndjson(self, tmp_path):
        """.ndjson is JSON Lines too."""
        path = tmp_path / "x.ndjson"
        path.write_text(f"{SIF % 'a'}\n{SIF % 'b'}\n")
        assert _summary(read_path(str(path))) == [(1, "a"), (2, "b")]


class TestJson:
    def test_single_object(self):
        """A .json file may hold one object."""
        assert _summary(read_text(SIF % "a", "x.json", ".json")) == [(1, "a")]

    def test_array_places_each_record(self):
        """Records in an array are placed by the line they start on; bad ones do not stop the rest."""
        text = "[\n " + SIF % "a" + ",\n 3,\n {\"id\": \"b\", \"id\": \"c\"},\n " + SIF % "d" + "\n]\n"
        expected = [
            (2, "a"),
            (3, "expected a JSON object for a record, found a number"),
            (4, "duplicate key 'id' in one object (which value is meant?)"),
            (5, "d"),
        ]
        assert expected == _summary(read_text(text, "x.json", ".json"))

    @pytest.mark.parametrize("text", ["[]", " [ ] ", "", "  \n"], ids=["empty-array", "spaced-array", "empty", "blank"])
    def test_empty(self, text):
        """An empty file or array holds no records."""
        assert list(read_text(text, "x.json", ".json")) == []

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("[" + SIF % "a" + ",", [(1, "a"), (1, "invalid JSON: file ends before the closing ']'")]),
            ("[" + SIF % "a" + " {}]",
             [(1, "a"), (1, "invalid JSON: expected ',' or ']' after a record (file truncated?)")]),
            ("[" + SIF % "a" + "] x", [(1, "a"), (1, "invalid JSON: text after the closing ']'")]),
            (SIF % "a" + " x", [(1, "invalid JSON: text after the top-level value")]),
            ("[" + SIF % "a" + ",\n{oops}]", [
                (1, "a"),
                (2, "invalid JSON: Expecting property name enclosed in double quotes (line 2 column 2); "
                    "the rest of the file cannot be read"),
            ]),
        ],
        ids=["truncated", "missing-comma", "trailing-text", "object-trailing-text", "broken-element"],
    )
    def test_broken(self, text, expected):
        """A broken file yields the records before the break, then one unreadable entry saying where and why."""
        assert expected == _summary(read_text(text, "x.json", ".json"))


class TestCsv:
    def test_rows(self):
        """The header names dotted fields; each row is placed by the line it starts on."""
        text = (
            "id,framework,populations.looked_after,judgements.overall_effectiveness,start\n"
            'a,sif,"1,234",Good,2014-01-01\n'
            "\n"
            "b,sif,c,,\n"
            '"c\nd",sif,5,,\n'
        )
        items = list(read_text(text, "x.csv", ".csv"))
        assert _summary(items) == [(2, "a"), (4, "b"), (5, "c\nd")]
        assert items[0].get("populations.looked_after") == 1234
        assert items[0].get("judgements.overall_effectiveness") == "Good"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("id,framework,start\na,sif\n", [(2, "row has 2 cells but the header has 3 columns")]),
            ("id,framework\na,sif,x\n", [(2, "row has 3 cells but the header has 2 columns")]),
            ("id,framework\na,sif,,\n", [(2, "a")]),
            ("id,framework,id\na,sif,b\n", [(1, "header repeats column(s) id; file not read")]),
            ("id,,framework\na,ignored,sif\n", [(2, "a")]),
            ("", []),
            ("id,framework\n", []),
        ],
        ids=["short-row", "long-row", "trailing-empty-cells", "repeated-header", "unnamed-column", "empty",
             "header-only"],
    )
    def test_shapes(self, text, expected):
        """Rows that do not fit the header are unreadable; a spreadsheet's trailing empty cells are not."""
        assert expected == _summary(read_text(text, "x.csv", ".csv"))


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        (f"{SIF % 'a'}\n{SIF % 'b'}\n", ["a", "b"]),
        (f"[{SIF % 'a'}, {SIF % 'b'}]", ["a", "b"]),
        ('{"id": "a",\n "framework": "sif"}\n', ["a"]),
        ("id,framework\na,sif\n", ["a"]),
    ],
    ids=["json-lines", "json-array", "pretty-object", "csv"],
)
def test_sniffing(text, ids):
    """Without a suffix (stdin) the format is told from the content."""
    assert ids == [r.id for r in read_text(text)]


class TestReadPath:
    def test_missing_file(self, tmp_path):
        """A file that cannot be read is one unreadable entry at line 0."""
        path = str(tmp_path / "gone.jsonl")
        [item] = read_path(path)
        assert Origin(path, 0) == item.origin
        assert item.error.startswith("cannot read file: ")

    def test_binary(self, tmp_path):
        """Binary content is not read as text."""
        path = tmp_path / "x.jsonl"
        path.write_bytes(b"\x00\x01\x02{}")
        expected = [Unreadable(Origin(str(path), 0), "not a text file (binary content, or an encoding that is not "
                                                     "UTF-8, UTF-16 or Windows-1252)")]
        assert expected == list(read_path(str(path)))

    def test_bom_and_windows_1252(self, tmp_path):
        """A UTF-8 byte-order mark is dropped; Windows-1252 text (old DfE files) is read too."""
        bom = tmp_path / "bom.csv"
        bom.write_bytes(b"\xef\xbb\xbfid,framework,authority\na,sif,Bristol\n")
        cp1252 = tmp_path / "cp.csv"
        cp1252.write_bytes(b"id,framework,note\na,sif,\xa3 spent\n")
        assert next(read_path(str(bom))).get("authority") == "Bristol"
        assert next(read_path(str(cp1252))).get("note") == "\u00a3 spent"

    def test_each_line_decoded_on_its_own(self, tmp_path):
        """In JSON Lines, one Windows-1252 line among UTF-8 ones spoils neither."""
        path = tmp_path / "mixed.jsonl"
        path.write_bytes('{"id": "a", "framework": "sif", "note": "caf\u00e9"}\n'.encode()
                         + b'{"id": "b", "framework": "sif", "note": "\xa3 5"}\n')
        assert [r.get("note") for r in read_path(str(path))] == ["caf\u00e9", "\u00a3 5"]

    @pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
    def test_shares_of_a_file_read_as_the_whole(self, tmp_path, suffix):
        """Read in two shares (as two workers do), a file gives the records, lines and text of one reading."""
        rows = ['"\u00e9\u00e9"', b'"\xa3 5"'.decode("latin-1"), b'"\xa3 6"'.decode("latin-1"), '"\u20ac, \U0001f600"']
        if suffix == ".csv":
            head = b"\xef\xbb\xbfid,framework,note\n"
            body = [f"r{i},sif,{note}\n" for i, note in enumerate(rows)]
        else:
            head = b"\xef\xbb\xbf"
            body = [f'{{"id": "r{i}", "framework": "sif", "note": {note}}}\n' for i, note in enumerate(rows)]
        encoded = [line.encode("latin-1") if "\xa3" in line else line.encode() for line in body]
        data = head + b"".join(encoded)
        path = tmp_path / f"mixed{suffix}"
        path.write_bytes(data)
        whole = [(r.origin.line, r.get("note")) for r in read_path(str(path))]
        assert [n for _, n in whole] == ["\u00e9\u00e9", "\u00a3 5", "\u00a3 6", "\u20ac, \U0001f600"]
        cut = len(data) - len(encoded[-1]) - len(encoded[-2])
        header = head[3:] if suffix == ".csv" else b""
        first_line = 2 if suffix == ".csv" else 1
        shares = [*read_range(str(path), 0, cut, 1, b""),
                  *read_range(str(path), cut, len(data), first_line + 2, header)]
        assert whole == [(r.origin.line, r.get("note")) for r in shares]

    @pytest.mark.parametrize("suffix", [".json", ".jsonl", ".csv"])
    def test_empty_file(self, tmp_path, suffix):
        """An empty data file is reported, not silently passed as clean."""
        path = tmp_path / f"empty{suffix}"
        path.write_text("  \n")
        assert [Unreadable(Origin(str(path), 0), "empty file: no records")] == list(read_path(str(path)))

    def test_suffix_picks_format(self, tmp_path):
        """The suffix (in any case) decides the format: CSV in a .json file is invalid JSON."""
        as_csv, as_json = tmp_path / "x.CSV", tmp_path / "x.json"
        as_csv.write_text("id,framework\na,sif\n")
        as_json.write_text("id,framework\na,sif\n")
        assert _summary(read_path(str(as_csv))) == [(2, "a")]
        [item] = read_path(str(as_json))
        assert item.error.startswith("invalid JSON: Expecting value")

    def test_stdin(self, monkeypatch):
        """'-' reads standard input's bytes and places records at -:LINE."""
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(f"{SIF % 'a'}\n{SIF % 'b'}\n".encode())))
        assert [Origin("-", 1), Origin("-", 2)] == [r.origin for r in read_path("-")]


class TestDiscover:
    def test_directories_expand_sorted(self, tmp_path):
        """A directory expands to its data files, recursively and sorted; expected-findings files are skipped."""
        (tmp_path / "b").mkdir()
        for name in ("b/z.csv", "a.jsonl", "c.json", "a.jsonl.expected.json", "notes.txt", "d.NDJSON"):
            (tmp_path / name).write_text("")
        expected = [str(tmp_path / n) for n in ("a.jsonl", "b/z.csv", "c.json", "d.NDJSON")]
        assert expected == discover([str(tmp_path)])

    def test_files_and_stdin_pass_through(self, tmp_path):
        """Named files keep their order, whatever their suffix; '-' is stdin."""
        (tmp_path / "notes.txt").write_text("")
        assert [str(tmp_path / "notes.txt"), "-"] == discover([str(tmp_path / "notes.txt"), "-"])

    def test_missing(self, tmp_path):
        """A path that does not exist cannot be checked."""
        with pytest.raises(InputError, match="no such file or directory"):
            discover([str(tmp_path / "nope.jsonl")])

    def test_empty_directory(self, tmp_path):
        """A directory with no data files is an error, not a silent pass."""
        with pytest.raises(InputError, match="directory holds no data files"):
            discover([str(tmp_path)])


def _lines(text: str) -> int:
    return sum(1 for line in io.StringIO(text) if line.strip())


_JSONISH = st.text(alphabet=st.sampled_from('{}[]",:0123456789 \n\tabcdefinorstuwkz-.\\'), max_size=200)
_TEXT = st.text(max_size=300) | _JSONISH | st.lists(
    st.sampled_from([SIF % "a", SIF % "a", '{"id": 1}', "[", "]", ",", "{}", "x", "", "id,framework", "a,sif"]),
    max_size=10,
).map("\n".join)


@given(_TEXT, st.sampled_from([".json", ".jsonl", ".csv", None]))
def test_never_raises(ruleset, text, suffix):
    """Any text is read without raising, and every record read is counted as checked or unreadable."""
    items = list(read_text(text, "x", suffix))
    assert all(isinstance(i, (Record, Unreadable)) for i in items)
    report = check(items, ruleset)
    assert len(items) == report.records == report.checked + len(report.unreadable)
    if suffix == ".jsonl":
        assert _lines(text) == len(items)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_bytes_never_raise(tmp_path, data):
    """Any bytes in a data file are read without raising."""
    for suffix in (".json", ".jsonl", ".csv"):
        path = tmp_path / f"x{suffix}"
        path.write_bytes(data)
        assert all(isinstance(i, (Record, Unreadable)) for i in read_path(str(path)))
