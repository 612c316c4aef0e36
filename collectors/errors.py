"""Collector exceptions that carry an ``ErrorKind``, so every failure maps to one ``PollError``.

Readers raise ``CollectorError`` (or a subclass) for a poll kind that cannot be read; the
poller turns it into a ``PollError`` for that kind only and keeps the kinds that did complete.
``ProfileError`` is raised at start-up by the strict profile loader and names file and key path.
"""

from __future__ import annotations

from collectors.observations import ErrorKind, PollError, PollKind


class CollectorError(Exception):
    """A poll kind failed for a reason an operator can act on."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def to_poll_error(self, poll_kind: PollKind | None = None) -> PollError:
        return PollError(kind=self.kind, message=self.message, poll_kind=poll_kind)


class SnmpError(CollectorError):
    """An SNMP request failed (timeout, authentication, agent error, undecodable answer)."""


class ProfileError(Exception):
    """A profile file is invalid; the message names the file and the key path."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        super().__init__(f"{source}: {path}: {problem}" if path else f"{source}: {problem}")
        self.source = source
        self.path = path
        self.problem = problem
