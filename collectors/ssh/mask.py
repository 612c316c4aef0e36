"""Secret masking for configuration text and session logs, driven by platform data.

A platform's ``config.mask`` rules (regular expressions with a replacement) hide password
hashes, SNMP communities, pre-shared keys and the like before a configuration leaves the
collector; ``skip_lines`` drops volatile lines (``! Last configuration change at ...``) so an
unchanged device does not produce a new version. ``MaskingSessionLog`` applies the same rules
plus the login secrets to a per-device netmiko session log, one whole line at a time, so a
secret split across two channel reads is still masked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from netmiko.session_log import SessionLog

from collectors.ssh.platform import ConfigSpec, MaskRule

MASK = "********"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.MULTILINE)


def mask_text(text: str, rules: Iterable[MaskRule], secrets: Iterable[str] = ()) -> str:
    """Apply masking rules, then blank out any literal secret left in the text."""
    for rule in rules:
        text = _compiled(rule.pattern).sub(rule.replace, text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


def clean_config(text: str, spec: ConfigSpec, secrets: Iterable[str] = ()) -> str:
    """A running configuration ready to store: volatile lines dropped, secrets masked."""
    skip = [_compiled(p) for p in spec.skip_lines]
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    kept = [ln for ln in lines if not any(p.search(ln) for p in skip)]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    return mask_text("\n".join(kept) + "\n", spec.mask, secrets) if kept else ""


class MaskingSessionLog(SessionLog):
    """A netmiko session log that writes whole lines with secrets and mask rules applied."""

    def __init__(self, file_name: str, rules: Iterable[MaskRule], secrets: Iterable[str]) -> None:
        super().__init__(file_name=file_name, file_mode="append", record_writes=False)
        self._rules = tuple(rules)
        self._secrets = tuple(s for s in secrets if s)
        self._pending = ""

    def write(self, data: str) -> None:
        self._pending += data
        head, sep, tail = self._pending.rpartition("\n")
        if sep:
            self._pending = tail
            self._emit(head + sep)

    def _emit(self, text: str) -> None:
        if self.session_log is not None and text:
            self._write(mask_text(text, self._rules, self._secrets))

    def close(self) -> None:
        self._emit(self._pending)
        self._pending = ""
        super().close()
