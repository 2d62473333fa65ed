"""
Serve a built site on 127.0.0.1 only: files out of one directory, with the page's Content-Security-Policy.

The policy goes out as a header on every response as well as in the page's own ``<meta>``: a Web Worker
takes its policy from the header of its script, not from the page, so the header is what stops the worker
(where gradecheck runs) from connecting anywhere but here. WebAssembly is served as ``application/wasm``
so the browser compiles it while it downloads.
"""

from __future__ import annotations

import functools
import http.server
import json
from pathlib import Path

__all__ = ["make_server", "serve"]

HOST = "127.0.0.1"
#: The port tried first; another free one is taken when it is in use.
PORT = 8765

_TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript", ".json": "application/json",
          ".whl": "application/zip", ".zip": "application/zip", ".html": "text/html; charset=utf-8",
          ".css": "text/css"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    csp = "default-src 'none'"
    quiet = True

    def guess_type(self, path: str | object) -> str:
        return _TYPES.get(Path(str(path)).suffix, "application/octet-stream")

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if not self.quiet:
            super().log_message(format, *args)


def make_server(root: Path, port: int = 0, *, quiet: bool = True) -> http.server.ThreadingHTTPServer:
    """A server for the site in *root* bound to 127.0.0.1:*port* (0: any free port), not yet serving."""
    root = Path(root)
    csp = json.loads((root / "site.json").read_text(encoding="utf-8"))["csp"]
    handler = type("SiteHandler", (_Handler,), {"csp": csp, "quiet": quiet})
    return http.server.ThreadingHTTPServer((HOST, port), functools.partial(handler, directory=str(root)))


def serve(root: Path, port: int | None = None, *, open_browser: bool = False, say=print) -> None:
    """Serve *root* until interrupted, saying where; port *port*, or :data:`PORT`, or any free one if that is taken."""
    try:
        server = make_server(root, PORT if port is None else port)
    except OSError:
        if port is not None:
            raise
        server = make_server(root, 0)
    address = f"http://{HOST}:{server.server_address[1]}/"
    say(f"gradecheck web: serving {root} at {address} (127.0.0.1 only; press Ctrl-C to stop)")
    say("Open that address in a browser. Files you check there are read by the page itself: nothing is uploaded.")
    if open_browser:
        import webbrowser

        webbrowser.open(address)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        say("gradecheck web: stopped")
    finally:
        server.server_close()
