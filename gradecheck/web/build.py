"""
Build the static site: the page, the Pyodide runtime, and wheels of gradecheck and its runtime dependencies.

Pyodide comes from the ``pyodide`` package of the npm registry (its CDN is not needed, and is never asked
for): the tarball is fetched once, checked against the sha512 pinned here (which must also be the one the
registry publishes), and kept in the cache directory. gradecheck's wheel is written from the installed
package itself (editable or not, no build tool needed); each runtime dependency is a pure-Python wheel
repacked from its installed distribution, or, for one with compiled code (python-calamine), the wheel built
for this Pyodide's platform, which ``pip download`` fetches once from PyPI. After the build the site needs
nothing from anywhere: the page loads Pyodide and every wheel from the address that serves it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata, resources
from pathlib import Path

from ..errors import GradecheckError
from ..version import __version__

__all__ = ["PYODIDE_INTEGRITY", "PYODIDE_VERSION", "BuildError", "Site", "build_site", "cache_dir", "cached_site",
           "content_security_policy", "pyodide_tarball"]

#: The Pyodide release the page runs (CPython 3.14.2 compiled to WebAssembly), and its tarball's sha512 as the
#: npm registry publishes it (``npm view pyodide@314.0.8 dist.integrity``).
PYODIDE_VERSION = "314.0.8"
PYODIDE_INTEGRITY = "sha512-74Wq1kXOC+CCEzAfxuRAO701nAcCMLjf8NrwvWpu8S41dVMXwXmLQ05dYB+F4e46AdnGo0oq7YHSVUpHsoarLQ=="
#: The platform of compiled wheels for that release (pyodide-lock.json: info.abi_version), and its Python.
PYODIDE_PLATFORM, PYODIDE_PYTHON = "pyemscripten_2026_0_wasm32", "3.14"
REGISTRY = "https://registry.npmjs.org/pyodide"
#: The files of the npm package the page needs (the rest are type declarations, source maps and a demo console).
RUNTIME = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
#: The page's own files (gradecheck/web/static).
STATIC = ("index.html", "app.js", "app.css", "worker.js")

Say = Callable[[str], None]


class BuildError(GradecheckError):
    """The site cannot be built: the runtime cannot be fetched, or a dependency has no wheel for the browser."""


def cache_dir() -> Path:
    """Where the Pyodide tarball, downloaded wheels and the served site are kept: $GRADECHECK_CACHE, else XDG's."""
    if os.environ.get("GRADECHECK_CACHE"):
        return Path(os.environ["GRADECHECK_CACHE"]) / "web"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "gradecheck" / "web"


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def pyodide_tarball(cache: Path, say: Say, *, fetch: bool = True, timeout: float = 30) -> Path:
    """
    The pinned Pyodide tarball, from the cache, or else fetched from the npm registry once.

    Raises:
        BuildError: not cached and *fetch* is false, the registry cannot be reached, or what it
            publishes or sends is not the pinned release byte for byte.
    """
    path = cache / f"pyodide-{PYODIDE_VERSION}.tgz"
    if path.is_file() and _integrity(path.read_bytes()) == PYODIDE_INTEGRITY:
        return path
    if not fetch:
        raise BuildError(f"pyodide {PYODIDE_VERSION} is not in the cache ({path}) and fetching is off")
    say(f"fetching pyodide {PYODIDE_VERSION} from registry.npmjs.org, once (about 6.5 MB, kept in {cache})")
    try:
        with urllib.request.urlopen(f"{REGISTRY}/{PYODIDE_VERSION}", timeout=timeout) as response:
            published = json.load(response)["dist"]
        if published.get("integrity") != PYODIDE_INTEGRITY:
            raise BuildError(f"the npm registry publishes pyodide {PYODIDE_VERSION} with integrity "
                             f"{published.get('integrity')}, not the {PYODIDE_INTEGRITY} pinned in gradecheck")
        with urllib.request.urlopen(published["tarball"], timeout=4 * timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError, ValueError, KeyError) as err:
        reason = getattr(err, "reason", None) or err
        raise BuildError(f"cannot fetch pyodide {PYODIDE_VERSION} from {REGISTRY} ({reason}): the first build needs "
                         f"the npm registry, later ones use the copy kept in {cache}") from err
    if _integrity(data) != PYODIDE_INTEGRITY:
        raise BuildError(f"the pyodide {PYODIDE_VERSION} tarball from the npm registry does not match its published "
                         "sha512: refused")
    cache.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(f".part{os.getpid()}")
    part.write_bytes(data)
    part.replace(path)
    return path


# Wheels ------------------------------------------------------------------------------------------------------------

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _wheel(files: Iterable[tuple[str, bytes]], dist_info: str) -> bytes:
    """A wheel (a zip with a RECORD of each file's hash) of *files*: the same bytes every time for the same files."""
    entries = sorted(files)
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name)


def gradecheck_wheel() -> tuple[str, bytes]:
    """gradecheck's wheel, from the package as installed: its modules, its data and the rule files."""
    from ..ruleset import builtin_rules_dir

    package = Path(__file__).resolve().parent.parent
    files: list[tuple[str, bytes]] = []
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if not path.is_file() or "__pycache__" in relative.parts or relative.parts[0] in ("rules", "static"):
            continue
        if relative.parts[:2] == ("web", "static") or path.suffix not in (".py", ".toml", ".json", ".typed"):
            continue
        files.append((f"gradecheck/{relative.as_posix()}", path.read_bytes()))
    rules = builtin_rules_dir()
    files += [(f"gradecheck/rules/{p.relative_to(rules).as_posix()}", p.read_bytes())
              for p in sorted(rules.rglob("*.toml"))]
    dist_info = f"gradecheck-{__version__}.dist-info"
    requires = "".join(f"Requires-Dist: {r}\n" for r in runtime_requirements())
    files.append((f"{dist_info}/METADATA", (f"Metadata-Version: 2.1\nName: gradecheck\nVersion: {__version__}\n"
                                            f"{requires}").encode()))
    files.append((f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: gradecheck.web.build\n"
                                        b"Root-Is-Purelib: true\nTag: py3-none-any\n"))
    return f"gradecheck-{__version__}-py3-none-any.whl", _wheel(files, dist_info)


def runtime_requirements() -> list[str]:
    """
    gradecheck's runtime dependencies (no extras): from pyproject.toml in a source tree, else the installed metadata.

    An editable install's metadata is as old as the last ``pip install -e``; the source tree's own file is
    what the code beside it needs.
    """
    source = Path(__file__).resolve().parent.parent.parent / "pyproject.toml"
    if source.is_file():
        import tomllib

        project = tomllib.loads(source.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "gradecheck":
            return [r.split(";")[0].strip() for r in project.get("dependencies", [])]
    try:
        requires = metadata.requires("gradecheck") or []
    except metadata.PackageNotFoundError:
        raise BuildError("gradecheck is neither installed nor run from its source tree: its dependencies are "
                         "unknown") from None
    return [r.split(";")[0].strip() for r in requires if not re.search(r"""extra\s*==""", r)]


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    if match is None:
        raise BuildError(f"cannot read the requirement {requirement!r}")
    return match.group(0)


def _pure_wheel(dist: metadata.Distribution) -> tuple[str, bytes] | None:
    """The installed distribution *dist* repacked as a wheel, if it is pure Python (else None)."""
    wheel = dist.read_text("WHEEL") or ""
    if "Root-Is-Purelib: true" not in wheel or not dist.files:
        return None
    dist_info = next((f.parts[0] for f in dist.files if f.parts[0].endswith(".dist-info")), None)
    if dist_info is None:
        return None
    files: list[tuple[str, bytes]] = []
    for item in dist.files:
        posix = item.as_posix()
        if posix.endswith((".so", ".pyd", ".dylib")):
            return None  # compiled code after all: the browser needs its own build
        if ".." in item.parts or "__pycache__" in item.parts or posix.endswith(".pyc") or posix in (
                f"{dist_info}/RECORD", f"{dist_info}/INSTALLER", f"{dist_info}/REQUESTED",
                f"{dist_info}/direct_url.json"):
            continue
        path = Path(str(dist.locate_file(item)))
        if path.is_file():
            files.append((posix, path.read_bytes()))
    name = _normal(dist.metadata["Name"])
    return f"{name}-{dist.version}-py3-none-any.whl", _wheel(files, dist_info)


def _downloaded_wheel(requirement: str, cache: Path, say: Say, *, fetch: bool,
                      timeout: float = 30) -> tuple[str, bytes]:
    """A wheel for Pyodide's platform (or a pure one) of *requirement*, from the cache or ``pip download`` once."""
    folder = cache / "wheels"
    name = _normal(_requirement_name(requirement)).lower()
    pinned = requirement if "==" in requirement else None

    def cached() -> Path | None:
        for path in sorted(folder.glob("*.whl"), reverse=True):
            parts = path.name.split("-")
            if _normal(parts[0]).lower() != name or not (path.name.endswith(f"{PYODIDE_PLATFORM}.whl")
                                                         or path.name.endswith("-none-any.whl")):
                continue
            if pinned is None or parts[1] == pinned.split("==", 1)[1].strip():
                return path
        return None

    found = cached()
    if found is None and fetch:
        say(f"fetching the {requirement} wheel for pyodide ({PYODIDE_PLATFORM}) from PyPI, once")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                   "--timeout", str(timeout), "--retries", "1", "--disable-pip-version-check",
                   "--platform", PYODIDE_PLATFORM, "--platform", "any", "--python-version", PYODIDE_PYTHON,
                   "--implementation", "cp", "--abi", f"cp{PYODIDE_PYTHON.replace('.', '')}", "--abi", "none",
                   "-d", str(folder), requirement]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BuildError(f"no wheel of {requirement} for pyodide {PYODIDE_VERSION} ({PYODIDE_PLATFORM}): "
                             f"pip download said: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
        found = cached()
    if found is None:
        raise BuildError(f"no wheel of {requirement} for pyodide in {folder}, and fetching is off")
    return found.name, found.read_bytes()


def dependency_wheels(cache: Path, say: Say, *, fetch: bool = True, timeout: float = 30) -> list[tuple[str, bytes]]:
    """A wheel the browser can load for each runtime dependency: repacked if pure Python, else Pyodide's platform's."""
    wheels = []
    for requirement in runtime_requirements():
        try:
            dist = metadata.distribution(_requirement_name(requirement))
        except metadata.PackageNotFoundError:
            dist = None
        pure = _pure_wheel(dist) if dist is not None else None
        if pure is None:
            pinned = f"{_requirement_name(requirement)}=={dist.version}" if dist is not None else requirement
            try:
                pure = _downloaded_wheel(pinned, cache, say, fetch=fetch, timeout=timeout)
            except BuildError:
                if pinned == requirement:
                    raise
                pure = _downloaded_wheel(requirement, cache, say, fetch=fetch, timeout=timeout)  # none for that version
        wheels.append(pure)
    return wheels


# The site ----------------------------------------------------------------------------------------------------------

def _report_style_hash() -> str:
    """The hash the HTML report's own Content-Security-Policy allows its one style sheet by (the page shows it)."""
    from ..report import Report
    from ..report.render import render

    page = render(Report(records=0, checked=0, findings=(), unreadable=(), errors=()), "html")
    match = re.search(r"style-src ('sha256-[A-Za-z0-9+/=]+')", page)
    if match is None:
        raise BuildError("the HTML report names no style hash in its Content-Security-Policy")
    return match.group(1)


def content_security_policy() -> str:
    """
    What the page may do: its own scripts and WebAssembly, connections to the address it came from only.

    ``connect-src 'self'`` is what keeps data in the browser: neither the page nor its worker may send
    anything to another address. The report is shown in a frame made from a blob, which inherits this
    policy, so the report's own style sheet is allowed by its hash here as well.
    """
    return ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
            f"style-src 'self' {_report_style_hash()}; img-src 'self' data: blob:; frame-src blob:; "
            "base-uri 'none'; form-action 'none'; object-src 'none'")


@contextlib.contextmanager
def _locked(cache: Path) -> Iterator[None]:
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Site:
    """A built site: its directory, and what went into it (site.json)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest = json.loads((root / "site.json").read_text(encoding="utf-8"))

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def _static(name: str) -> str:
    return (resources.files("gradecheck.web") / "static" / name).read_text(encoding="utf-8")


def build_site(target: Path, *, cache: Path | None = None, say: Say = print, fetch: bool = True,
               timeout: float = 30) -> Site:
    """
    Write the site to *target* (created, or emptied of a previous build's files first).

    Raises:
        BuildError: Pyodide or a dependency's wheel is neither cached nor fetchable, or *target* is a
            directory that holds something other than a built site.
    """
    cache = cache or cache_dir()
    target = Path(target)
    if target.exists() and any(target.iterdir()) and not (target / "site.json").is_file():
        raise BuildError(f"{target} is not empty and holds no gradecheck site (site.json): choose a new directory")
    with _locked(cache):  # two builds at once (test processes) fetch once, and never read a half-written file
        tarball = pyodide_tarball(cache, say, fetch=fetch, timeout=timeout)
        wheels = [gradecheck_wheel(), *dependency_wheels(cache, say, fetch=fetch, timeout=timeout)]
    for old in ("pyodide", "wheels"):
        shutil.rmtree(target / old, ignore_errors=True)
    (target / "pyodide").mkdir(parents=True, exist_ok=True)
    (target / "wheels").mkdir()
    with tarfile.open(tarball) as archive:
        for name in RUNTIME:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise BuildError(f"the pyodide tarball has no {name}")
            (target / "pyodide" / name).write_bytes(member.read())
    for name, data in wheels:
        (target / "wheels" / name).write_bytes(data)
    csp = content_security_policy()
    for name in STATIC:
        text = _static(name).replace("{{CSP}}", csp).replace("{{VERSION}}", __version__)
        text = text.replace("{{PYODIDE}}", PYODIDE_VERSION)
        (target / name).write_text(text, encoding="utf-8")
    from ..read import DATA_SUFFIXES

    manifest = {"gradecheck": __version__, "pyodide": PYODIDE_VERSION, "wheels": [name for name, _ in wheels],
                "suffixes": list(DATA_SUFFIXES), "csp": csp}
    (target / "site.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Site(target)


def _fingerprint(cache: Path, say: Say, fetch: bool) -> str:
    """What a built site depends on: gradecheck's wheel, the dependencies' wheels, the page and Pyodide's version."""
    digest = hashlib.sha256(PYODIDE_VERSION.encode())
    for name, data in [gradecheck_wheel(), *dependency_wheels(cache, say, fetch=fetch)]:
        digest.update(name.encode() + hashlib.sha256(data).digest())
    for name in STATIC:
        digest.update(_static(name).encode())
    return digest.hexdigest()[:16]


def cached_site(*, cache: Path | None = None, say: Say = print, fetch: bool = True) -> Site:
    """The site built for this gradecheck in the cache, built there first if it is not (older builds removed)."""
    cache = cache or cache_dir()
    key = _fingerprint(cache, say, fetch)
    target = cache / f"site-{key}"
    if (target / "site.json").is_file():
        return Site(target)
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="site-building-", dir=cache))
    try:
        build_site(work, cache=cache, say=say, fetch=fetch)
        for old in cache.glob("site-*"):
            if old.is_dir() and old != work and not old.name.startswith("site-building-"):
                shutil.rmtree(old, ignore_errors=True)
        if not (target / "site.json").is_file():  # another process may have built the same site meanwhile
            work.replace(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Site(target)
