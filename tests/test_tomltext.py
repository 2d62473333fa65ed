"""The plain register reader gives tomllib's document for what it reads, and gives way to tomllib for the rest."""

from __future__ import annotations

import tomllib

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gradecheck.tomltext import plain_document

# Lines of register files, plain and not: odd spacing, escapes, controls, comments, CRLF, dates, dotted keys,
# repeated keys, keys before any header, arrays with trailing commas, strings holding brackets and commas.
_VALUE = st.text(alphabet=st.sampled_from(['a', 'Z', ' ', '\t', '"', '\\', ',', ']', '}', '#', 'é', '\x01', '\x7f',
                                           '\r', '0', '[']), max_size=6)
_LINE = st.one_of(
    st.sampled_from(["[[authority]]", "[[area]]", "[[reorganisation]]", "[authority]", " [[authority]]",
                     "[[authority]] # c", "[[ area ]]", "", "   ", "\t", "# comment", "  # c\x01", "#\x7f",
                     'codes = []', 'codes = [ ]', 'codes = [,]', 'codes = [{ code = "E1" },]', 'from = 2020-01-01',
                     'name.x = "a"', '"id" = "q"', 'codes = [{ code = "E1" }, { code = "E2" }]', 'id = "a" # c',
                     'codes = [{code="E3"}]', 'codes = [{ code = "E1", from = 2020-01-01 }]', 'codes = ["E1"]',
                     'spellings = ["a"]', 'id = \'lit\'']),
    st.builds(lambda key, value, pad: f'{pad}{key}{pad}={pad}"{value}"{pad}',
              st.sampled_from(["id", "name", "note"]), _VALUE, st.sampled_from(["", " ", "\t"])),
    st.builds(lambda value: f'codes = [{{ code = "{value}" }}]', _VALUE),
)
# Values as a program writes them between quotes: a writer escapes a quote or a backslash, so neither is in them
# as written (a bare quote would open a string that tomllib may read across entries: not this shape).
_WRITTEN = st.text(alphabet=st.sampled_from(['a', 'Z', ' ', '\t', ',', ']', '}', '#', 'é', '\x01', '\x7f', '\r', '0',
                                             '[']), max_size=6)
_ENTRY = st.builds(lambda table, ident, name, code: f'[[{table}]]\nid = "{ident}"\nname = "{name}"\n'
                   f'codes = [{{ code = "{code}" }}]\n', st.sampled_from(["authority", "area"]), _WRITTEN, _WRITTEN,
                   _WRITTEN)


def _same_as_tomllib(text: str) -> dict | None:
    doc = plain_document(text)
    if doc is not None:
        assert doc == tomllib.loads(text)
    return doc


@example(["[[authority]]", 'id = "a"', 'id = "b"'], "\n")  # a key given twice: tomllib's error, never a document
@example(['id = "a"', "[[authority]]"], "\n")  # a key before any header
@example(["[[authority]]", 'codes = [,]'], "\n")
@example(["[[authority]]", 'codes = [{ code = "E1" },]'], "\n")
@example(["[[authority]]", 'codes = [{ code = "E1" } { code = "E2" }]'], "\n")  # no comma between
@example(["# \x7f"], "\n")  # a control character in a comment
@example(["[[area]] # \x01"], "\n")
@example(["[[area]]", 'id = "a\\tb"'], "\n")  # an escape: tomllib's to read
@given(st.lists(_LINE, max_size=10), st.sampled_from(["\n", "\r\n"]))
@settings(max_examples=300)
def test_what_the_plain_reader_reads_tomllib_reads_the_same(lines: list[str], newline: str) -> None:
    """Whatever lines make the text, the plain reader's document is tomllib's, or it reads nothing."""
    text = newline.join(lines)
    try:
        _same_as_tomllib(text)
    except tomllib.TOMLDecodeError:
        raise AssertionError(f"the plain reader read what tomllib refuses: {text!r}") from None


@given(st.lists(_ENTRY, max_size=6), st.sampled_from(["", "\n", "# head\n"]))
def test_entries_as_a_program_writes_them_are_read_without_tomllib(entries: list[str], before: str) -> None:
    """Entries written as the benchmark's register writes them: read (not given way) wherever tomllib reads them."""
    text = before + "\n".join(entries)
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assert plain_document(text) is None
        return
    assert _same_as_tomllib(text) == expected or not entries


def test_a_large_plain_register_is_read_without_tomllib() -> None:
    """The shape of the benchmark's made-up register, and the same written by hand, with comments and CRLF."""
    text = "".join(f'[[authority]]\nid = "a{i}"\nname = "Town {i}"\ncodes = [{{ code = "E06{i:06d}" }}]\n\n'
                   for i in range(600))
    assert _same_as_tomllib(text)["authority"][599] == {"id": "a599", "name": "Town 599",
                                                       "codes": [{"code": "E06000599"}]}
    by_hand = ('# made by hand\r\n[[area]]  # a region\r\nname="North" \r\n\tid = "n"\r\ncodes = [ ]\r\n\r\n'
               '[[authority]]\r\ncodes = [{code = "E1"}, { code = "E2" },]\r\nid = "x"\r\n')
    assert _same_as_tomllib(by_hand) == {"area": [{"name": "North", "id": "n", "codes": []}],
                                         "authority": [{"codes": [{"code": "E1"}, {"code": "E2"}], "id": "x"}]}


# Texts between the quotes, with what a kept entry must not have: blanks, spaces at either end, odd spaces.
_KEPT_TEXT = st.text(alphabet=st.sampled_from(['a', 'Z', ' ', '\t', '\u00a0', '\u2003', ',', 'é', '\x01', '0', '"',
                                               '\\', '\n']), max_size=5)
_KEPT_CODE = st.sampled_from(["E06000001", "e06000001", "E0600000", "X06000001", "E06000001 ", "W12345678",
                              "E\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"])  # Arabic-Indic digits are \d


@given(st.lists(st.tuples(st.sampled_from(["authority", "area"]), _KEPT_TEXT, _KEPT_TEXT, _KEPT_CODE,
                          st.sampled_from(["\n", "\n\n", "\n\n\n"]), st.sampled_from(["\n", "\n\n"])),
                max_size=6), st.sampled_from(["", "\n", "# head\n", "x"]))
@example([("authority", "a", "Town", "E06000001", "\n", "\n\n")], "")
@settings(max_examples=300)
def test_kept_entries_are_the_written_entries_that_need_no_look(entries, before) -> None:
    """
    kept_entries reads a text only where written_entries reads every entry of it, each one already stripped,
    not blank, and its code a GSS code in upper case; then it gives the same entries, in file order.
    """
    from gradecheck.authorities import _GSS
    from gradecheck.tomltext import kept_entries, written_entries

    text = before + "".join(f'[[{table}]]{gap}id = "{ident}"\nname = "{name}"\ncodes = [{{ code = "{code}" }}]{end}'
                            for table, ident, name, code, gap, end in entries)
    kept, written = kept_entries(text), written_entries(text)
    if kept is None:
        assert written is None or any(i != i.strip() or not i or n != n.strip() or not n or not c.isupper()
                                      or not _GSS.match(c) for _, i, n, c in written)
        return
    assert written is not None
    assert [(table, ident, name, code) for table, _, ident, name, code, _ in kept] == written
    assert all(i == i.strip() and i and n == n.strip() and n and c.isupper() and _GSS.match(c)
               for _, i, n, c in written)
