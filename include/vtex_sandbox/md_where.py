"""Master Data `_where` filters: `(a=1 OR b=2) AND c between 1 AND 9`, `x is null`, `<>`, `*wild*`."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(r"""\s*(?:(\()|(\))|(<>|>=|<=|=|>|<)|"([^"]*)"|'([^']*)'|([^\s()<>=]+))""")


class WhereError(ValueError):
    """The expression could not be parsed."""


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise WhereError(f"Invalid _where near '{text[pos:]}'")
        lpar, rpar, op, dq, sq, word = match.groups()
        if lpar or rpar:
            tokens.append(("paren", lpar or rpar))
        elif op:
            tokens.append(("op", op))
        elif dq is not None or sq is not None:
            tokens.append(("str", dq if dq is not None else sq))
        else:
            tokens.append(("word", word))
        pos = match.end()
    return tokens


def _coerce(doc_value: Any, text: str) -> Any:
    if isinstance(doc_value, bool):
        return text.lower() == "true"
    if isinstance(doc_value, int | float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _compare(op: str, field: str, text: str) -> Predicate:
    def check(doc: dict[str, Any]) -> bool:
        value = doc.get(field)
        if value is None:
            return op == "<>"
        if op == "=" and "*" in text:
            return fnmatch.fnmatchcase(str(value).lower(), text.lower())
        target = _coerce(value, text)
        left = float(value) if isinstance(target, float) and not isinstance(value, bool) else value
        if op == "=":
            return left == target if not isinstance(left, str) else left.lower() == str(target).lower()
        if op == "<>":
            return left != target
        try:
            return {">": left > target, "<": left < target, ">=": left >= target, "<=": left <= target}[op]
        except TypeError:
            return False

    return check


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek_word(self) -> str:
        if self.pos < len(self.tokens) and self.tokens[self.pos][0] == "word":
            return self.tokens[self.pos][1].upper()
        return ""

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise WhereError("Unexpected end of _where")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.peek_word() == "OR":
            self.take()
            right, prev = self.conjunction(), left
            left = _either(prev, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.term()
        while self.peek_word() == "AND":
            self.take()
            right, prev = self.term(), left
            left = _both(prev, right)
        return left

    def term(self) -> Predicate:
        kind, text = self.take()
        if (kind, text) == ("paren", "("):
            inner = self.expression()
            if self.take() != ("paren", ")"):
                raise WhereError("Missing ')' in _where")
            return inner
        if kind != "word":
            raise WhereError(f"Expected a field name, got '{text}'")
        field = text
        if self.peek_word() == "IS":
            self.take()
            negate = self.peek_word() == "NOT"
            if negate:
                self.take()
            if self.take()[1].upper() != "NULL":
                raise WhereError("Expected NULL after IS")
            return lambda d: (d.get(field) is None) != negate
        if self.peek_word() == "BETWEEN":
            self.take()
            low = self.take()[1]
            if self.take()[1].upper() != "AND":
                raise WhereError("Expected AND in BETWEEN")
            high = self.take()[1]
            above, below = _compare(">=", field, low), _compare("<=", field, high)
            return lambda d: above(d) and below(d)
        op_kind, op = self.take()
        if op_kind != "op":
            raise WhereError(f"Expected an operator after '{field}'")
        return _compare(op, field, self.take()[1])


def parse_where(text: str) -> Predicate:
    """A predicate over documents for a ``_where`` expression."""
    parser = _Parser(_tokens(text))
    predicate = parser.expression()
    if parser.pos != len(parser.tokens):
        raise WhereError(f"Unexpected '{parser.tokens[parser.pos][1]}' in _where")
    return predicate


def equals_filter(field: str, text: str) -> Predicate:
    """A simple ``?field=value`` query filter."""
    return _compare("=", field, text)


def _either(a: Predicate, b: Predicate) -> Predicate:
    return lambda doc: a(doc) or b(doc)


def _both(a: Predicate, b: Predicate) -> Predicate:
    return lambda doc: a(doc) and b(doc)
