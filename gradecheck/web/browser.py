"""
Drive headless Chromium from the standard library, to check the page as a person would use it.

The tests, the benchmark and the README's screenshot use it; gradecheck itself never does. Two parts:

- :class:`Chromium` talks the DevTools protocol over ``--remote-debugging-pipe`` (JSON messages ended by a
  NUL byte on file descriptors 3 and 4), so no websocket client, selenium or playwright is needed, and
  Debian's ``chromium`` package is enough (``chromedriver`` is a separate package).
- :class:`RecordingProxy` is the browser's only way out (``--proxy-server`` with ``<-loopback>`` taken off
  the bypass list, so even 127.0.0.1 goes through it): it records every request the browser makes, from the
  page, its worker or Chromium itself, forwards those for 127.0.0.1 and refuses every other one.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["FLAGS", "BrowserError", "Chromium", "RecordingProxy", "Tab", "find_chromium"]

#: Chromium started for a test: headless, nothing of its own on the network, a fresh profile (we may run as root).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
         "--disable-extensions", "--mute-audio", "--disable-domain-reliability",
         "--disable-client-side-phishing-detection", "--no-default-browser-check", "--disable-breakpad",
         "--metrics-recording-only", "--no-service-autorun", "--disable-component-extensions-with-background-pages",
         "--password-store=basic", "--use-mock-keychain", "--disable-search-engine-choice-screen",
         "--disable-field-trial-config",
         "--disable-features=OptimizationHints,MediaRouter,DialMediaRouteProvider,Translate,AutofillServerCommunication,"
         "NetworkTimeServiceQuerying,CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,"
         "OptimizationGuideModelDownloading,OptimizationHintsFetching,OptimizationTargetPrediction,"
         "OptimizationGuideOnDeviceModel,OnDeviceModelService")


class BrowserError(RuntimeError):
    """Chromium did not start, answered with an error, or did not do something in time."""


def find_chromium() -> str | None:
    """The first Chromium or Chrome on PATH (or Debian's /usr/bin/chromium), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class Chromium:
    """One headless Chromium, spoken to over the DevTools pipe. Use as a context manager."""

    def __init__(self, executable: str, profile: Path, *, proxy: str | None = None,
                 size: tuple[int, int] = (1280, 1600), extra: Sequence[str] = ()) -> None:
        # Our ends stay in this process; Chromium's ends are moved above 9 first, so that putting them on
        # descriptors 3 and 4 in the child cannot overwrite one with the other.
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        theirs = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser_r, from_browser_w)]
        os.close(to_browser_r)
        os.close(from_browser_w)
        args = [executable, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}",
                "--remote-debugging-pipe", *extra]
        if proxy:
            args += [f"--proxy-server=http://{proxy}", "--proxy-bypass-list=<-loopback>"]
        args.append("about:blank")

        # Python opens every descriptor close-on-exec (PEP 446), so close_fds=False lets only these two through.
        def wire() -> None:  # in the child: commands in on descriptor 3, answers out on 4 (dup2 clears close-on-exec)
            os.dup2(theirs[0], 3)
            os.dup2(theirs[1], 4)

        try:
            self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, preexec_fn=wire, close_fds=False)
        finally:
            for fd in theirs:
                os.close(fd)
        self._next = 0
        self._lock = threading.Lock()
        self._waiting: dict[int, queue.Queue[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self._stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        self.call("Browser.getVersion", timeout=30)

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in iter(self.process.stderr.readline, b""):
            self._stderr.append(line.decode("utf-8", "replace"))

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_browser, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                for waiting in list(self._waiting.values()):
                    waiting.put({"error": {"message": "Chromium closed the pipe"}})
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message and message["id"] in self._waiting:
                    self._waiting.pop(message["id"]).put(message)
                elif "method" in message:
                    self.events.append(message)
                    if message["method"] == "Target.attachedToTarget":
                        self._follow(message["params"]["sessionId"])

    def _follow(self, session: str) -> None:
        """A worker of a tab, attached and paused at its start: watch its network and console, then let it run."""
        for method in ("Network.enable", "Runtime.enable", "Runtime.runIfWaitingForDebugger"):
            self.send(method, session)

    def send(self, method: str, session: str | None = None, **params: Any) -> None:
        """Send one command without waiting for its answer (from the reader thread, which must not wait)."""
        with self._lock:
            self._next += 1
            message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")

    def call(self, method: str, session: str | None = None, timeout: float = 60, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer."""
        answer: queue.Queue[dict[str, Any]] = queue.Queue()
        with self._lock:
            self._next += 1
            ident = self._next
            self._waiting[ident] = answer
            message: dict[str, Any] = {"id": ident, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        try:
            reply = answer.get(timeout=timeout)
        except queue.Empty:
            raise BrowserError(f"{method}: no answer in {timeout} s") from None
        if "error" in reply:
            raise BrowserError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}".strip())
        return reply.get("result", {})

    def tab(self) -> Tab:
        """A new tab, attached, with page, runtime, log and network events on."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        tab = Tab(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            tab.call(f"{domain}.enable")
        # Workers the page starts are attached paused, so their requests are seen from the first one.
        tab.call("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=True, flatten=True)
        return tab

    def log(self) -> str:
        """What Chromium wrote on stderr (for a failing test's message)."""
        return "".join(self._stderr[-60:])

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Tab:
    """One page of a :class:`Chromium`."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session

    def call(self, method: str, timeout: float = 60, **params: Any) -> dict[str, Any]:
        return self.browser.call(method, self.session, timeout, **params)

    def go(self, url: str, timeout: float = 60) -> None:
        """Open *url* (again, if it is open already) and return once the new document is there."""
        with contextlib.suppress(BrowserError):
            self.evaluate("window.__leaving = true")  # gone with the old document
        self.call("Page.navigate", url=url)
        self.wait("!window.__leaving && document.readyState !== 'loading'", timeout)

    def evaluate(self, expression: str, timeout: float = 60) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise)."""
        reply = self.call("Runtime.evaluate", timeout, expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            raise BrowserError(f"{expression[:80]}: {details.get('exception', {}).get('description') or details}")
        return reply["result"].get("value")

    def wait(self, expression: str, timeout: float = 60, every: float = 0.05) -> Any:
        """Wait until a JavaScript expression is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError:  # the page is still loading (no body yet, or its context just replaced)
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"waited {timeout} s for {expression}")
            time.sleep(every)

    def choose_files(self, selector: str, paths: Sequence[Path | str]) -> None:
        """Set the files of an ``<input type=file>`` as a person choosing them would (a change event follows)."""
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        self.call("DOM.setFileInputFiles", nodeId=node, files=[str(Path(p).resolve()) for p in paths])

    def download_to(self, folder: Path) -> None:
        """Let the page's downloads through, into *folder*."""
        self.browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder),
                          eventsEnabled=True)

    def screenshot(self, path: Path, *, full: bool = True) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", **params)["data"]))

    def sessions(self) -> set[str]:
        """This tab's session and those of the workers it started."""
        mine = {self.session}
        for event in self.browser.events:
            if event["method"] == "Target.attachedToTarget" and event.get("sessionId") in mine:
                mine.add(event["params"]["sessionId"])
        return mine

    def requests(self) -> list[str]:
        """The URL of every request the page and its workers made, in order (from the DevTools network events)."""
        mine = self.sessions()
        return [e["params"]["request"]["url"] for e in self.browser.events
                if e["method"] == "Network.requestWillBeSent" and e.get("sessionId") in mine]

    def console(self) -> list[str]:
        """Console messages, uncaught exceptions and browser log entries (CSP refusals among them) so far."""
        lines = []
        mine = self.sessions()
        for event in self.browser.events:
            if event.get("sessionId") not in mine:
                continue
            params = event.get("params", {})
            if event["method"] == "Runtime.consoleAPICalled":
                lines.append(f"console.{params.get('type')}: " + " ".join(
                    str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif event["method"] == "Runtime.exceptionThrown":
                lines.append(f"exception: {params['exceptionDetails'].get('exception', {}).get('description')}")
            elif event["method"] == "Log.entryAdded":
                entry = params.get("entry", {})
                lines.append(f"log.{entry.get('level')}: {entry.get('text')} {entry.get('url', '')}".strip())
        return lines


class RecordingProxy:
    """
    An HTTP proxy on 127.0.0.1 that records every request and forwards only those for 127.0.0.1.

    ``requests`` lists (method, target) in order: ``http://127.0.0.1:8000/x`` for a plain request, and
    ``host:443`` for a CONNECT (TLS), which is always refused.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.refused: list[tuple[str, str]] = []
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with contextlib.suppress(OSError):  # the browser may drop a connection it no longer needs
                    proxy._handle(self.connection, self.rfile)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def _handle(self, client: socket.socket, rfile: Any) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            line = rfile.readline(65536)
            if not line:
                return
            head += line
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        self.requests.append((method, target))
        host = target.split("://", 1)[-1].split("/", 1)[0]
        hostname, _, port = host.rpartition(":") if ":" in host else (host, "", "80")
        if method == "CONNECT" or hostname not in ("127.0.0.1", "localhost") or not target.startswith("http://"):
            self.refused.append((method, target))
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        headers = [h for h in header_lines if h and not h.lower().startswith(("connection:", "proxy-connection:",
                                                                               "keep-alive:"))]
        length = next((int(h.split(":", 1)[1]) for h in headers if h.lower().startswith("content-length:")), 0)
        body = rfile.read(length) if length else b""
        path = "/" + target.split("://", 1)[1].split("/", 1)[1] if "/" in target.split("://", 1)[1] else "/"
        with socket.create_connection((hostname, int(port)), timeout=60) as upstream:
            upstream.sendall(f"{method} {path} HTTP/1.1\r\n".encode("latin-1")
                             + "".join(f"{h}\r\n" for h in headers).encode("latin-1")
                             + b"Connection: close\r\n\r\n" + body)
            while True:
                chunk = upstream.recv(1 << 16)
                if not chunk:
                    break
                client.sendall(chunk)

    def outside(self, allowed: str = "127.0.0.1") -> list[tuple[str, str]]:
        """Every request for anything but *allowed* (a host)."""
        return [(m, t) for m, t in self.requests
                if t.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0] != allowed]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def served(root: Path) -> Iterator[str]:
    """The site in *root* served on 127.0.0.1 for the block; its address."""
    from .serve import make_server

    server = make_server(root, 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
