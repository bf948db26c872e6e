"""Errors that stop a step before it writes anything: the ERP data cannot be read as a whole."""

from __future__ import annotations


class ErpSourceError(ValueError):
    """A staging file or table cannot be read at all (wrong delimiter, missing column...)."""


class MissingColumnError(ErpSourceError):
    """A required column is absent; no default is ever substituted for it."""

    def __init__(self, source: str, columns: list[str]) -> None:
        self.source, self.columns = source, columns
        names = ", ".join(repr(c) for c in columns)
        super().__init__(f"{source}: required column(s) {names} missing; nothing was written "
                         "(these columns decide what reaches VTEX, so they are never defaulted)")
