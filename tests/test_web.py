"""
The page that runs gradecheck in the browser (gradecheck/web): its Python side in CPython, the site it is built
into, and the built page driven in headless Chromium.

The browser test loads the page once, chooses and drops fixture files, and checks that what the page shows
and lets people download is what the command line gives on the same files: counts, the CSV, JSON and HTML
reports byte for byte, the messages about files it cannot read. Every request the browser makes goes through
a recording proxy that forwards only 127.0.0.1; the page's own requests (DevTools network events, its worker's
included) must all be for the address that served it. Skipped, saying why, where no Chromium is installed or
the site cannot be built from the cache (the first build fetches Pyodide from the npm registry: `.ci/run` does it
before the suite, so the suite never downloads).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from gradecheck.cli import main
from gradecheck.errors import GradecheckError
from gradecheck.web import build, page
from gradecheck.web.browser import Chromium, RecordingProxy, find_chromium, served
from gradecheck.web.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
#: Files the page is given: native JSON Lines, a published CSV, and .xlsx, .ods and .xls workbooks.
GOOD = {
    "liverpool.jsonl": FIXTURES / "liverpool.jsonl",
    "slac-counts.jsonl": FIXTURES / "broken" / "slac-counts.jsonl",
    "ofsted-ilacs-history.csv": FIXTURES / "real-excerpts" / "ofsted-ilacs-history.csv",
    "d2i-ilacs-overview.xlsx": FIXTURES / "real-excerpts" / "d2i-ilacs-overview.xlsx",
    "ofsted-la-outcomes.ods": FIXTURES / "real-excerpts" / "ofsted-la-outcomes.ods",
    "book.xls": ROOT / "tests" / "data" / "book.xls",
}
#: And two it cannot read: a workbook that is not one, and JSON Lines with a broken line.
BAD = {"broken.xlsx": b"PK\x03\x04 this is not a workbook",
       "half.jsonl": b'{"id": "a", "framework": "slac"}\n{"id": \n'}


def _data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in GOOD.items():
        shutil.copy(source, folder / name)
    for name, data in BAD.items():
        (folder / name).write_bytes(data)
    return folder


def _cli(folder: Path, *argv: str) -> tuple[int, str, str]:
    """The command line run in *folder* (so that places read NAME:LINE, as on the page): code, stdout, stderr."""
    here = os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    os.chdir(folder)
    try:
        with contextlib.redirect_stderr(err):
            code = main([*argv, "--isolated"], out)
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


# The Python side, in CPython ---------------------------------------------------------------------------------------

def test_page_gives_the_command_lines_reports_and_messages(tmp_path):
    folder = _data(tmp_path / "data")
    names = sorted(os.listdir(folder))
    result = json.loads(page.run(str(folder), names, select="", ignore="I", fail_on="warning"))
    for fmt, extra in (("html", ()), ("csv", ("--excel",)), ("json", ())):
        code, out, err = _cli(folder, *names, "--ignore", "I", "--fail-on", "warning", "--format", fmt, *extra)
        assert page.export(fmt) == out, fmt
        assert result["exit_code"] == code == 1
    assert result["html"] == page.export("html")
    assert page.export("csv").startswith("\ufeffsource,")
    assert "\r\n" in page.export("csv")
    assert result["summary"] == json.loads(out)["summary"]
    # What the command line says on stderr about a file it could not read, the page says word for word.
    assert result["messages"] == err.splitlines()
    assert any(m.startswith("gradecheck: broken.xlsx: ") for m in result["messages"]), result["messages"]
    assert os.getcwd() != str(folder)


def test_page_refuses_what_the_command_line_refuses(tmp_path):
    folder = _data(tmp_path / "data")
    refused = json.loads(page.run(str(folder), ["liverpool.jsonl"], select="C,Z9"))
    code, _, err = _cli(folder, "liverpool.jsonl", "--select", "C,Z9")
    assert code == 2
    assert refused == {"error": err.strip()}
    with pytest.raises(GradecheckError, match="nothing has been checked"):
        page.export("csv")  # a refused run leaves no report behind
    assert "no rule code starts with Z9" in refused["error"]
    twice = json.loads(page.run(str(folder), ["liverpool.jsonl", "liverpool.jsonl"]))
    assert "two files have this name" in twice["error"]
    assert "not a file name" in json.loads(page.run(str(folder), ["-"]))["error"]
    assert "neither" in json.loads(page.run(str(folder), ["liverpool.jsonl"], fail_on="never"))["error"]


def test_page_profile_and_progress(tmp_path):
    lines = [json.dumps({"id": f"r{i}", "framework": "slac", "grade_counts": {"good": 22}}) for i in range(2500)]
    (tmp_path / "many.jsonl").write_text("\n".join(lines) + "\n")
    calls = []
    result = json.loads(page.run(str(tmp_path), ["many.jsonl"], progress=lambda *a: calls.append(a)))
    assert result["summary"]["records"] == 2500
    assert calls
    assert all(estimate == 2500 for *_, estimate in calls)
    assert calls[-1][:3] == (2500, 1, 1)
    shutil.copy(GOOD["ofsted-ilacs-history.csv"], tmp_path / "history.csv")
    forced = json.loads(page.run(str(tmp_path), ["history.csv"], profile="dfe-cla-ees-rates"))
    _code, out, _ = _cli(tmp_path, "history.csv", "--profile", "dfe-cla-ees-rates", "--format", "json")
    assert forced["summary"] == json.loads(out)["summary"]
    assert page.export("json") == out
    assert json.loads(page.run(str(tmp_path), ["history.csv"], profile="nope"))["error"].startswith("gradecheck: --pro")


def test_options_name_the_rules_profiles_and_formats():
    offered = json.loads(page.options())
    codes = [code for code, _, _ in offered["rules"]]
    assert "C101" in codes
    assert len(codes) == len(set(codes))
    assert "dfe-cla-ees-rates" in [name for name, _ in offered["profiles"]]
    assert {".json", ".jsonl", ".csv", ".xlsx", ".ods"} <= set(offered["suffixes"])


# The site ----------------------------------------------------------------------------------------------------------

def test_gradecheck_wheel_is_a_wheel_that_runs(tmp_path):
    name, data = build.gradecheck_wheel()
    assert (name, data) == build.gradecheck_wheel()  # the same bytes each time: the cached site's key
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        names = wheel.namelist()
        record = wheel.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
        for line in record.splitlines():
            path, digest, _ = line.split(",")
            if digest:
                assert build._record_hash(wheel.read(path)) == digest, path
        assert "gradecheck/rules/frameworks.toml" in names
        assert "gradecheck/web/page.py" in names
        assert not any("__pycache__" in n or n.startswith("gradecheck/web/static") for n in names)
        wheel.extractall(tmp_path / "site-packages")
    script = ("import gradecheck, json; from gradecheck.web import page; "
              f"r = json.loads(page.run({str(FIXTURES)!r}, ['liverpool.jsonl'])); "
              "print(gradecheck.__file__, r['summary']['records'])")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site-packages")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True,
                          cwd=tmp_path)
    where, records = done.stdout.split()
    assert where.startswith(str(tmp_path))
    assert int(records) > 0


def test_pure_dependencies_are_repacked_from_what_is_installed(tmp_path):
    name, data = build._pure_wheel(build.metadata.distribution("attrs"))
    assert name.startswith("attrs-")
    assert name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        assert "attr/__init__.py" in wheel.namelist()
        assert any(n.endswith("dist-info/METADATA") for n in wheel.namelist())
    assert any(r.startswith("tabulate") for r in build.runtime_requirements())


def test_a_cached_tarball_that_is_not_the_pinned_one_is_refused(tmp_path):
    (tmp_path / f"pyodide-{build.PYODIDE_VERSION}.tgz").write_bytes(b"not pyodide")
    with pytest.raises(build.BuildError, match="not in the cache"):
        build.pyodide_tarball(tmp_path, print, fetch=False)


def test_server_binds_loopback_with_the_policy_and_wasm_type(tmp_path):
    (tmp_path / "site.json").write_text(json.dumps({"csp": "default-src 'none'; connect-src 'self'"}))
    (tmp_path / "x.wasm").write_bytes(b"\0asm")
    server = make_server(tmp_path, 0)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        assert server.server_address[0] == "127.0.0.1"
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # whatever http_proxy says
        with direct.open(f"http://127.0.0.1:{server.server_address[1]}/x.wasm", timeout=10) as response:
            assert response.headers["Content-Type"] == "application/wasm"
            assert response.headers["Content-Security-Policy"] == "default-src 'none'; connect-src 'self'"
    finally:
        server.shutdown()
        server.server_close()


def test_policy_allows_only_this_address():
    csp = build.content_security_policy()
    assert "connect-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "'unsafe-eval'" not in csp


# In the browser ----------------------------------------------------------------------------------------------------

BROWSER = find_chromium()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """
    The site, built once per test process from the cache: the suite never downloads (its minute is not spent
    waiting on a registry). `.ci/run` fills the cache first; elsewhere `python -m gradecheck web --build DIR`
    does, once.
    """
    try:
        return build.build_site(tmp_path_factory.mktemp("site"), say=lambda _text: None, fetch=False)
    except build.BuildError as err:
        pytest.skip(f"the site cannot be built from the cache ({err}); run 'python -m gradecheck web --build DIR' "
                    "once to fetch Pyodide")


def _drop(tab, paths):
    """Drop files on the page's drop zone, as dragging them from a file manager would."""
    box = tab.evaluate("(() => { const r = document.getElementById('drop').getBoundingClientRect(); "
                       "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    data = {"items": [], "files": [str(p) for p in paths], "dragOperationsMask": 1}
    for kind in ("dragEnter", "dragOver", "drop"):
        tab.call("Input.dispatchDragEvent", type=kind, x=box[0], y=box[1], data=data)


def _check(tab, timeout=90):
    tab.evaluate("window.gradecheck.result = null; document.getElementById('check').click()")
    return tab.wait("window.gradecheck.result || window.gradecheck.error", timeout)


def _downloads(tab, folder: Path) -> dict[str, bytes]:
    for old in folder.glob("*"):
        old.unlink()
    tab.evaluate("for (const id of ['download-csv', 'download-json', 'download-html']) "
                 "document.getElementById(id).click()")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done = {p.name for p in folder.glob("*") if not p.name.endswith(".crdownload")}
        if len(done) == 3:
            break
        time.sleep(0.05)
    return {p.name: p.read_bytes() for p in folder.glob("*")}


@pytest.mark.skipif(BROWSER is None, reason="no Chromium browser here (Debian: apt-get install chromium; .ci/run "
                                            "does this where apt-get works)")
def test_the_page_in_chromium(site, tmp_path):
    folder = _data(tmp_path / "data")
    proxy = RecordingProxy()
    try:
        with served(site.root) as address, Chromium(BROWSER, tmp_path / "profile", proxy=proxy.address) as chromium:
            tab = chromium.tab()
            (tmp_path / "downloads").mkdir()
            tab.download_to(tmp_path / "downloads")
            tab.go(address)
            state = tab.wait("['ready', 'error'].includes(document.body.dataset.state) && document.body.dataset.state",
                             timeout=90)
            assert state == "ready", (tab.evaluate("document.getElementById('status').textContent"), tab.console())
            promise = tab.evaluate("document.getElementById('private').textContent")
            assert "nothing is uploaded or sent anywhere" in promise

            # Chosen and dropped: five readable files and two that are not.
            tab.choose_files("#files", [folder / n for n in GOOD])
            _drop(tab, [folder / n for n in BAD])
            names = tab.evaluate("[...document.querySelectorAll('#chosen li > span:first-child')]"
                                 ".map(e => e.textContent.trim())")
            assert sorted(names) == sorted([*GOOD, *BAD])
            tab.evaluate("document.getElementById('ignore').value = 'I'")
            result = _check(tab)
            assert result
            assert not result.get("error"), result
            files = list(GOOD) + list(BAD)  # the page's order: chosen first, then dropped
            code, out, err = _cli(folder, *files, "--ignore", "I", "--format", "json")
            shown = tab.evaluate("({...document.getElementById('counts').dataset})")
            summary = json.loads(out)["summary"]
            assert {k: int(v) for k, v in shown.items()} == {
                "records": summary["records"], "checked": summary["checked"], "unreadable": summary["unreadable"],
                "errors": summary["findings"]["error"], "warnings": summary["findings"]["warning"],
                "unknown": summary["unknown"], "exit": code}
            assert tab.evaluate("[...document.querySelectorAll('#messages p')].map(p => p.textContent)") == \
                err.splitlines()
            assert any("broken.xlsx" in line for line in err.splitlines())

            # The same report the command line gives, shown and downloaded.
            html = _cli(folder, *files, "--ignore", "I", "--format", "html")[1]
            frame = tab.wait("(() => { const d = document.getElementById('report').contentDocument; "
                             "return d && d.querySelector('h1') && d; })() && "
                             "document.getElementById('report').contentDocument.title")
            assert frame == html.split("<title>")[1].split("</title>")[0]
            ids = tab.evaluate("document.getElementById('report').contentDocument.body.textContent")
            assert all(f["record"] in ids for f in json.loads(out)["findings"])
            got = _downloads(tab, tmp_path / "downloads")
            assert got["gradecheck-report.html"].decode() == html
            assert got["gradecheck-report.json"].decode() == out
            csv = _cli(folder, *files, "--ignore", "I", "--format", "csv", "--excel")[1]
            assert got["gradecheck-findings.csv"] == csv.encode()

            # Options: only some rules, warnings failing; then a code no rule has, refused as the command line does.
            tab.evaluate("document.getElementById('ignore').value = ''; "
                         "document.getElementById('select').value = 'C,J'; "
                         "document.getElementById('fail-on').value = 'warning'")
            result = _check(tab)
            code, out, _ = _cli(folder, *files, "--select", "C,J", "--fail-on", "warning", "--format", "json")
            assert (result["summary"], result["exit_code"]) == (json.loads(out)["summary"], code)
            assert _downloads(tab, tmp_path / "downloads")["gradecheck-report.json"].decode() == out
            tab.evaluate("document.getElementById('select').value = 'C,Q9'")
            result = _check(tab)
            shown = tab.evaluate("document.getElementById('messages').textContent")
            assert shown == result["error"] == _cli(folder, *files, "--select", "C,Q9")[2].strip()

            console = tab.console()
            page_requests = tab.requests()
    finally:
        proxy.close()
    origin = address.rstrip("/")
    # Every request of the page and its worker was for the address that served it (blob: ones are in memory).
    assert page_requests
    assert all(u.startswith((origin + "/", "blob:" + origin + "/")) for u in page_requests), page_requests
    assert any("/pyodide/pyodide.asm.wasm" in u for u in page_requests)  # the worker's requests are seen too
    # The proxy saw every request the browser made: those for 127.0.0.1 are exactly the page's, and all others
    # (Chromium's own: component updates, account list) were refused and made by none of the page's contexts.
    loopback = [t for m, t in proxy.requests if t.startswith(origin)]
    assert sorted(set(loopback)) == sorted({u for u in page_requests if u.startswith(origin)})
    assert proxy.outside() == proxy.refused
    assert not any(t in page_requests for _, t in proxy.refused)
    assert [line for line in console if line.startswith(("log.error", "exception", "console.error"))] == []


def test_web_command_builds_and_refuses(site, tmp_path):
    out = io.StringIO()
    assert main(["web", "--build", str(tmp_path / "built"), "--offline"], out) == 0  # Pyodide is in the cache now
    assert f"built {tmp_path / 'built'}" in out.getvalue()
    assert (tmp_path / "built" / "site.json").read_text() == (site.root / "site.json").read_text()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["web", "--build", str(tmp_path / "mine"), "--offline"], io.StringIO()) == 2
        assert main(["web", "--site", str(tmp_path / "nothing")], io.StringIO()) == 2
    assert "is not empty and holds no gradecheck site" in err.getvalue()
    assert "no site built there" in err.getvalue()
    assert (tmp_path / "mine" / "notes.txt").read_text() == "mine"


def test_site_manifest_and_size(site):
    manifest = site.manifest
    assert manifest["pyodide"] == build.PYODIDE_VERSION
    assert [w.split("-")[0] for w in manifest["wheels"]][:1] == ["gradecheck"]
    for wheel in manifest["wheels"]:
        assert (site.root / "wheels" / wheel).is_file()
    tarball = build.cache_dir() / f"pyodide-{build.PYODIDE_VERSION}.tgz"
    assert build._integrity(tarball.read_bytes()) == build.PYODIDE_INTEGRITY
    assert hashlib.sha256((site.root / "pyodide" / "pyodide.asm.wasm").read_bytes()).hexdigest()
    assert 5e6 < site.size() < 40e6
