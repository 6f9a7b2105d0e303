"""Headless Chromium driven over the DevTools protocol, with a small standard-library WebSocket client.

Only what the HTML report's tests need: open a page, collect console errors, uncaught exceptions and
JavaScript dialogs (answered at once, so a page that opens one never hangs), evaluate expressions and
take screenshots. Chromium comes from Debian's `chromium` package; `find_chromium` installs it with
apt-get where it is missing and that is possible, and otherwise says why it cannot.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _which() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def find_chromium() -> tuple[str | None, str]:
    """The browser's path, or None and the reason it is absent."""
    found = _which()
    if found:
        return found, ""
    if not shutil.which("apt-get"):
        return (
            None,
            "headless Chromium is not installed, and there is no apt-get to install Debian's chromium",
        )
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return None, "headless Chromium is not installed, and installing Debian's chromium needs root"
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=900, env=environment, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"could not install Debian's chromium: {error}"
        if done.returncode != 0 and command[1] == "install":
            return None, f"could not install Debian's chromium: {done.stderr.strip()[-300:]}"
    found = _which()
    return (found, "") if found else (None, "apt-get installed chromium, but no chromium binary is on PATH")


class _WebSocket:
    """A client WebSocket (RFC 6455) over a plain socket: text frames, masked, as a client must send."""

    def __init__(self, url: str, timeout: float = 30) -> None:
        rest = url.removeprefix("ws://")
        address, _, path = rest.partition("/")
        host, _, port = address.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        request = (
            f"GET /{path} HTTP/1.1\r\nHost: {address}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode("ascii"))
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the browser closed the DevTools connection during the handshake")
            response += chunk
        head, _, self.buffer = response.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"DevTools refused the WebSocket: {head[:200]!r}")

    def _exactly(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the browser closed the DevTools connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, text: str) -> None:
        payload = text.encode("utf-8")
        header = bytes([0x81])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def receive(self) -> str:
        message = b""
        while True:
            first, second = self._exactly(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._exactly(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._exactly(8))[0]
            mask = self._exactly(4) if second & 0x80 else b""
            payload = self._exactly(length)
            if mask:
                payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
            if opcode == 0x8:
                raise ConnectionError("the browser closed the DevTools connection")
            if opcode == 0x9:  # ping: answer, keep reading
                continue
            message += payload
            if first & 0x80:
                return message.decode("utf-8")

    def close(self) -> None:
        self.sock.close()


class Browser:
    """One headless Chromium with one page, driven over DevTools."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="redphase-chromium-")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "--window-size=1280,1600", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.is_file() or not port_file.read_text(encoding="utf-8").strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("headless Chromium did not start its DevTools server")
            time.sleep(0.1)
        port = port_file.read_text(encoding="utf-8").split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            targets = json.loads(answer.read())
        page = next(target for target in targets if target.get("type") == "page")
        self.socket = _WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        wanted = self.next_id
        self.socket.send(json.dumps({"id": wanted, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.receive())
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            if "method" in message:
                self._event(message)

    def _event(self, message: dict[str, Any]) -> None:
        self.events.append(message)
        if message["method"] == "Page.javascriptDialogOpening":
            self.next_id += 1
            self.socket.send(
                json.dumps(
                    {"id": self.next_id, "method": "Page.handleJavaScriptDialog", "params": {"accept": True}}
                )
            )

    def wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(event["method"] == method for event in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout}s")
            message = json.loads(self.socket.receive())
            if "method" in message:
                self._event(message)

    def open(self, url: str) -> None:
        """Load `url` afresh (by way of about:blank: a change of #fragment alone loads nothing)."""
        self.events = []
        self.call("Page.navigate", url="about:blank")
        self.wait_for("Page.loadEventFired")
        self.events = []
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        self.evaluate("new Promise((done) => setTimeout(done, 100))")  # let the page's script settle

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression!r} raised: {answer['exceptionDetails']}")
        return answer.get("result", {}).get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries (a CSP refusal is one)."""
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event["method"] == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(
                    " ".join(
                        str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])
                    )
                )
            elif event["method"] == "Runtime.exceptionThrown":
                found.append(str(params.get("exceptionDetails", {}).get("text", "exception")))
            elif event["method"] == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(str(params["entry"].get("text", "")))
        return found

    def dialogs(self) -> list[str]:
        return [
            str(event["params"].get("message", ""))
            for event in self.events
            if event["method"] == "Page.javascriptDialogOpening"
        ]

    def screenshot(self, path: Path) -> Path:
        height = int(self.evaluate("document.documentElement.scrollHeight") or 1600)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=1280,
            height=min(height, 4000),
            deviceScaleFactor=1,
            mobile=False,
        )
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        socket_ = getattr(self, "socket", None)
        if socket_ is not None:
            socket_.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
