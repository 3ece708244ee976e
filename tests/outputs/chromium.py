"""Open a page in headless Chromium over the DevTools protocol (pipe transport).

``--remote-debugging-pipe`` makes Chromium read protocol messages from file
descriptor 3 and write them to 4, NUL-separated JSON: no websocket client, no
port, nothing to install beyond the Debian ``chromium`` package. Every console
message, uncaught exception, failed request and log entry is collected while the
page loads; then a script is evaluated and a screenshot taken.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# flags from /work/.library/env/machines/python.md: headless as root, no
# background networking (the closed network refuses those connections)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,900",
)


def chromium_path() -> str | None:
    """The chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class PageReport:
    """What happened while a page loaded."""

    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    value: Any = None
    screenshot: Path | None = None
    pdf_pages: int | None = None


class _Pipe:
    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int):
        self.proc = proc
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
    ) -> int:
        self.next_id += 1
        message: dict[str, Any] = {
            "id": self.next_id,
            "method": method,
            "params": params or {},
        }
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        return self.next_id

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.read_fd], [], [], max(left, 0.0))
            if not ready:
                msg = "Chromium did not answer in time."
                raise TimeoutError(msg)
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                msg = "Chromium closed the DevTools pipe."
                raise RuntimeError(msg)
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        out: dict[str, Any] = json.loads(raw)
        return out

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        wanted = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while True:
            message = self._read(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    msg = f"{method} failed: {message['error']}"
                    raise RuntimeError(msg)
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + timeout
        while True:
            message = self._read(deadline)
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message


def _describe(event: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, text) of an event worth reporting: kind 'error' or 'message'."""
    method = event["method"]
    params = event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        text = details.get("exception", {}).get("description") or details.get("text")
        return "error", f"uncaught exception: {text}"
    if method == "Runtime.consoleAPICalled":
        text = " ".join(
            str(a.get("value", a.get("description", "")))
            for a in params.get("args", [])
        )
        kind = (
            "error"
            if params.get("type") in ("error", "assert", "warning")
            else "message"
        )
        return kind, f"console.{params.get('type')}: {text}"
    if method == "Log.entryAdded":
        entry = params.get("entry", {})
        kind = "error" if entry.get("level") in ("error", "warning") else "message"
        return (
            kind,
            f"log {entry.get('level')}: {entry.get('text')} {entry.get('url', '')}",
        )
    if method == "Network.loadingFailed":
        return "error", f"request failed: {params.get('errorText')}"
    if method == "Network.requestWillBeSent":
        url = params.get("request", {}).get("url", "")
        if not url.startswith(("file:", "data:", "about:")):
            return "error", f"request to the network: {url}"
    return None


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF that Chromium printed (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def check_page(
    url: str,
    *,
    expression: str,
    screenshot: Path,
    init_script: str = "",
    settle_s: float = 1.0,
    pdf: Path | None = None,
    full_page: bool = False,
) -> PageReport:
    """Load ``url`` headless, collect errors, evaluate ``expression``, screenshot.

    ``init_script`` runs in the page before any of its own scripts. With ``pdf``,
    the page is also printed there (A4 from its own ``@page`` rule, as the print
    dialog does) and :attr:`PageReport.pdf_pages` counts its pages. ``full_page``
    screenshots the whole page, not only the window.
    """
    exe = chromium_path()
    if exe is None:
        msg = "chromium is not installed"
        raise FileNotFoundError(msg)
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="snowroute-chromium-")

    def wire_fds() -> None:  # in the child: fd 3 = commands in, fd 4 = replies out
        # move both ends above 4 first, so placing one cannot clobber the other
        high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
        high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
        os.dup2(high_r, 3)  # dup2 makes them inheritable across exec
        os.dup2(high_w, 4)

    proc = subprocess.Popen(
        [
            exe,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=wire_fds,  # the helper is single-threaded
        close_fds=False,
    )
    os.close(to_child_r)
    os.close(from_child_w)
    pipe = _Pipe(proc, to_child_w, from_child_r)
    report = PageReport()
    try:
        target = pipe.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = pipe.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}
        )["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            pipe.call(f"{domain}.enable", session=session)
        if init_script:
            pipe.call(
                "Page.addScriptToEvaluateOnNewDocument",
                {"source": init_script},
                session=session,
            )
        pipe.events.clear()
        pipe.call("Page.navigate", {"url": url}, session=session)
        pipe.wait_event("Page.loadEventFired", timeout=60.0)
        time.sleep(settle_s)
        result = pipe.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True},
            session=session,
        )
        report.value = result.get("result", {}).get("value")
        if "exceptionDetails" in result:
            report.errors.append(f"evaluation failed: {result['exceptionDetails']}")
        shot = pipe.call(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": full_page},
            session=session,
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        report.screenshot = screenshot
        if pdf is not None:
            printed = pipe.call(
                "Page.printToPDF",
                {"preferCSSPageSize": True, "printBackground": True},
                session=session,
                timeout=60.0,
            )
            data = base64.b64decode(printed["data"])
            pdf.write_bytes(data)
            report.pdf_pages = pdf_page_count(data)
        for event in pipe.events:
            described = _describe(event)
            if described is not None:
                kind, text = described
                (report.errors if kind == "error" else report.messages).append(text)
        with contextlib.suppress(RuntimeError, TimeoutError):
            pipe.call("Browser.close", timeout=5.0)
    finally:
        os.close(to_child_w)
        os.close(from_child_r)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return report
