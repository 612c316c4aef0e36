"""The demo's control hook: a small request queue of JSON files in the data directory.

The running demo writes ``<data_dir>/demo/demo.json`` (its pid, SNMP port, devices and the
faults now active) and watches ``<data_dir>/demo/requests/``. ``netops demo fault cut-link A B``
(or a test) drops a request file there and waits for the answer in ``responses/``. Files
need no open port, work for any process of the same user, and leave a trace to read.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.faults import FaultCommand, FaultError

STATUS_FILE = "demo.json"


class ControlError(RuntimeError):
    """No demo is running here, or it did not answer in time; one plain sentence."""


def demo_dir(data_dir: str | Path) -> Path:
    return Path(data_dir) / "demo"


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def write_status(directory: Path, doc: dict[str, Any]) -> None:
    _write_json(directory / STATUS_FILE, doc)


def read_status(directory: Path) -> dict[str, Any] | None:
    """The running demo's status, or None when none runs (missing file or dead pid)."""
    try:
        doc: dict[str, Any] = json.loads((directory / STATUS_FILE).read_text(encoding="utf-8"))
        os.kill(int(doc["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return doc


def submit(directory: Path, command: FaultCommand, timeout_s: float = 10.0) -> dict[str, Any]:
    """Ask the running demo to apply ``command``; its answer (``ok``, ``message``, ``faults``)."""
    if read_status(directory) is None:
        raise ControlError(f"no demo is running with data directory {directory.parent}")
    request_id = f"{time.time():.6f}-{uuid.uuid4().hex[:8]}"
    _write_json(directory / "requests" / f"{request_id}.json",
                {"action": command.action, "a": command.a, "b": command.b})
    answer = directory / "responses" / f"{request_id}.json"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if answer.exists():
            doc: dict[str, Any] = json.loads(answer.read_text(encoding="utf-8"))
            answer.unlink(missing_ok=True)
            return doc
        time.sleep(0.05)
    raise ControlError(f"the demo did not answer within {timeout_s:.0f} s")


def process_requests(directory: Path, handle: Callable[[FaultCommand], dict[str, Any]]) -> int:
    """Answer every waiting request (oldest first); how many were handled."""
    requests = directory / "requests"
    if not requests.is_dir():
        return 0
    handled = 0
    for path in sorted(requests.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            command = FaultCommand(str(doc.get("action", "")), str(doc.get("a", "")), str(doc.get("b", "")))
            answer = handle(command)
        except (ValueError, OSError, FaultError) as exc:
            answer = {"ok": False, "message": str(exc)}
        path.unlink(missing_ok=True)
        _write_json(directory / "responses" / path.name, answer)
        handled += 1
    return handled
