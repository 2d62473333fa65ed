"""``python -m gradecheck web``: write the static site (``--build DIR``), or build it into a cache and serve it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from ..errors import GradecheckError

__all__ = ["web_command"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gradecheck web",
        description="A page that checks files in the browser, with gradecheck running inside it (Pyodide): the files "
                    "never leave the machine. Without --build, the site is built into a cache directory (once) and "
                    "served on 127.0.0.1; open the address it prints.",
        epilog="The first build fetches Pyodide from the npm registry (and, for python-calamine, its WebAssembly wheel "
               "from PyPI) and keeps them in the cache ($GRADECHECK_CACHE/web, else ~/.cache/gradecheck/web); after "
               "that nothing is fetched, and the page works with the network off.")
    parser.add_argument("--build", metavar="DIR", help="write the static site to DIR and stop (any static web server "
                                                       "can serve it; see --site)")
    parser.add_argument("--site", metavar="DIR", help="serve the site already built in DIR instead of the cached one")
    parser.add_argument("--port", type=int, default=None, metavar="N",
                        help="port on 127.0.0.1 (default: 8765, or any free one if that is taken)")
    parser.add_argument("--open", action="store_true", help="open the page in the default browser")
    parser.add_argument("--offline", action="store_true",
                        help="fetch nothing: build only from what the cache already holds")
    return parser


def web_command(argv: list[str], out: TextIO) -> int:
    args = _parser().parse_args(argv)

    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    from .build import build_site, cached_site

    try:
        if args.build:
            site = build_site(Path(args.build), say=say, fetch=not args.offline)
            wheels = ", ".join(site.manifest["wheels"])
            say(f"gradecheck web: built {site.root} ({site.size() / 1e6:.1f} MB): the page, pyodide "
                f"{site.manifest['pyodide']} and the wheels {wheels}")
            say(f"serve it with 'python -m gradecheck web --site {site.root}' (or any static server on 127.0.0.1)")
            return 0
        if args.site:
            from .build import Site

            if not (Path(args.site) / "site.json").is_file():
                raise GradecheckError(f"--site {args.site}: no site built there (build one with --build DIR)")
            site = Site(Path(args.site))
        else:
            site = cached_site(say=say, fetch=not args.offline)
        from .serve import serve

        serve(site.root, args.port, open_browser=args.open, say=say)
    except GradecheckError as err:
        sys.stderr.write(f"gradecheck: {err}\n")
        return 2
    except OSError as err:
        sys.stderr.write(f"gradecheck: web: {err.strerror or err}\n")
        return 2
    return 0
