"""What handling one order event or one write-back came to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """``status`` is done, skipped, quarantined, failed (final) or retry (try again later)."""

    status: str
    message: str | None = None

    @classmethod
    def done(cls, message: str | None = None) -> Outcome:
        return cls("done", message)

    @classmethod
    def skipped(cls, message: str) -> Outcome:
        return cls("skipped", message)

    @classmethod
    def retry(cls, message: str) -> Outcome:
        return cls("retry", message)

    @classmethod
    def failed(cls, message: str) -> Outcome:
        return cls("failed", message)
