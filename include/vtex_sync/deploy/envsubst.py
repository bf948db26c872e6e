"""Compose-style `${NAME}` substitution in parsed YAML values, without leaking values.

Forms: `${NAME}` (must be set), `${NAME:-default}` (default when unset or empty),
`${NAME-default}` (default only when unset). Defaults may hold references themselves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REFERENCE_PATTERN = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:-|-)?")


class MissingVariableError(KeyError):
    """An `${NAME}` reference without a default names a variable that is not set."""

    def __init__(self, name: str, where: str) -> None:
        super().__init__(name)
        self.name = name
        self.where = where

    def __str__(self) -> str:
        return f"environment variable {self.name} is not set (needed by {self.where}) and has no default"


def substitute(value: Any, env: Mapping[str, str], where: str = "settings") -> Any:
    """Return `value` with every reference in its strings replaced from `env`.

    Walks mappings and lists; `where` is a readable location used in error messages.
    """
    if isinstance(value, str):
        text, _ = _expand(value, 0, env, where, inside_default=False)
        return text
    if isinstance(value, Mapping):
        return {key: substitute(item, env, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, env, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


def _expand(
    text: str, start: int, env: Mapping[str, str], where: str, inside_default: bool
) -> tuple[str, int]:
    """Expand `text` from `start`; inside a default, stop at its closing brace and return past it."""
    out: list[str] = []
    position = start
    while position < len(text):
        if inside_default and text[position] == "}":
            return "".join(out), position + 1
        match = REFERENCE_PATTERN.match(text, position)
        if match is None:
            out.append(text[position])
            position += 1
            continue
        name, operator = match["name"], match["op"]
        if operator is None:
            if not text.startswith("}", match.end()):
                raise ValueError(f"{where}: malformed reference to {name}")
            if name not in env:
                raise MissingVariableError(name, where)
            out.append(env[name])
            position = match.end() + 1
            continue
        default, position = _expand(text, match.end(), env, where, inside_default=True)
        current = env.get(name)
        use_default = current is None or (operator == ":-" and current == "")
        out.append(default if use_default or current is None else current)
    if inside_default:
        raise ValueError(f"{where}: unclosed reference")
    return "".join(out), position
