"""Memory-bounded streaming over JSON: one study at a time out of a list response of any size.

``json.JSONDecoder.raw_decode`` decodes each array element from a sliding text buffer that is
refilled in chunks, so memory holds one record (capped) plus one chunk, never the whole file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from trialmatch.importers.errors import MAX_RECORD_BYTES

__all__ = ["TOO_LARGE", "JsonStream", "JsonStreamError", "RecordTooLarge"]

_WS = " \t\n\r"
_STRUCT = re.compile(r'[\[\]{}"]')
_IN_STRING = re.compile(r'["\\]')
#: Yielded by :meth:`JsonStream.items` in place of an element larger than the cap (it is skipped).
TOO_LARGE = object()
_DECODER = json.JSONDecoder()


class JsonStreamError(ValueError):
    """Malformed or truncated JSON; ``truncated`` tells a premature end of input from bad syntax."""

    def __init__(self, msg: str, truncated: bool = False) -> None:
        super().__init__(msg)
        self.truncated = truncated


class RecordTooLarge(JsonStreamError):
    pass


class JsonStream:
    """A cursor over JSON text read from ``fp`` in chunks."""

    def __init__(self, fp: TextIO, chunk_size: int = 1 << 20, max_value: int = MAX_RECORD_BYTES) -> None:
        self.fp = fp
        self.chunk_size = chunk_size
        self.max_value = max_value
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.anchor: int | None = None  # do not drop text after this index when compacting

    # -- buffer -----------------------------------------------------------------------------
    def _more(self, want: int | None = None) -> bool:
        if self.eof:
            return False
        keep = self.pos if self.anchor is None else min(self.pos, self.anchor)
        if keep > 0:
            self.buf = self.buf[keep:]
            self.pos -= keep
            if self.anchor is not None:
                self.anchor -= keep
        data = self.fp.read(max(self.chunk_size, want or 0))
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def peek(self) -> str:
        """The next non-blank character ('' at the end of input), not consumed."""
        while True:
            buf, n = self.buf, len(self.buf)
            p = self.pos
            while p < n and buf[p] in _WS:
                p += 1
            self.pos = p
            if p < n:
                return buf[p]
            if not self._more():
                return ""

    def expect(self, ch: str) -> None:
        got = self.peek()
        if got != ch:
            if got == "":
                raise JsonStreamError(f"input ends where {ch!r} was expected", truncated=True)
            raise JsonStreamError(f"expected {ch!r}, found {got!r}")
        self.pos += 1

    def mark(self) -> int:
        """Remember the current position so that :meth:`reset` can return to it."""
        self.peek()
        self.anchor = self.pos
        return self.pos

    def reset(self) -> None:
        if self.anchor is not None:
            self.pos = self.anchor
            self.anchor = None

    def release(self) -> None:
        self.anchor = None

    # -- values -----------------------------------------------------------------------------
    def value(self) -> tuple[Any, str]:
        """Decode the next JSON value; returns it with its source text."""
        if self.peek() == "":
            raise JsonStreamError("input ends where a value was expected", truncated=True)
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                pending = len(self.buf) - self.pos
                if pending > self.max_value:
                    raise RecordTooLarge(f"record larger than {self.max_value:,} characters") from None
                near_end = exc.pos >= len(self.buf) - 1 or exc.msg.startswith("Unterminated")
                where = f"{exc.msg} (char {exc.pos - self.pos} of the record)"
                if self.eof or not self._more(want=pending):  # grow geometrically: O(record) total
                    raise JsonStreamError(where, truncated=near_end) from None
                continue
            if end - self.pos > self.max_value:
                raise RecordTooLarge(f"record larger than {self.max_value:,} characters")
            # a number at the very end of the buffer may continue in the next chunk
            if (
                end == len(self.buf)
                and not self.eof
                and isinstance(obj, (int, float))
                and not isinstance(obj, bool)
                and self._more()
            ):
                continue
            raw = self.buf[self.pos : end]
            self.pos = end
            return obj, raw

    def skip_value(self) -> None:
        """Step over the value at the cursor without decoding or keeping it (memory stays one chunk)."""
        c = self.peek()
        if c not in '[{"':
            self.value()
            return
        self.anchor = None
        depth, in_str, carry = 0, False, 0
        while True:
            buf, p = self.buf, self.pos + carry
            n = len(buf)
            carry = 0
            while p < n:
                if in_str:
                    m = _IN_STRING.search(buf, p)
                    if m is None:
                        p = n
                        break
                    if m.group() == "\\":
                        p = m.end() + 1  # the escaped character may be in the next chunk
                        continue
                    in_str = False
                    p = m.end()
                    if depth == 0:
                        self.pos = p
                        return
                    continue
                m = _STRUCT.search(buf, p)
                if m is None:
                    p = n
                    break
                ch, p = m.group(), m.end()
                if ch == '"':
                    in_str = True
                elif ch in "[{":
                    depth += 1
                else:
                    depth -= 1
                    if depth <= 0:
                        self.pos = p
                        return
            carry = max(0, p - n)
            self.pos = min(p, n)
            if not self._more():
                raise JsonStreamError("input ends inside a value", truncated=True)

    def key(self) -> str | None:
        """Inside an object: the next key (after ``{`` or ``,``), or None at ``}``."""
        c = self.peek()
        if c == ",":
            self.pos += 1
            c = self.peek()
        if c == "}":
            self.pos += 1
            return None
        if c != '"':
            if c == "":
                raise JsonStreamError("input ends inside an object", truncated=True)
            raise JsonStreamError(f"expected a key, found {c!r}")
        k, _ = self.value()
        self.expect(":")
        return str(k)

    def items(self) -> Iterator[tuple[Any, str]]:
        """The elements of the array starting here, one at a time."""
        self.expect("[")
        first = True
        while True:
            c = self.peek()
            if c == "]":
                self.pos += 1
                return
            if c == "":
                raise JsonStreamError("input ends inside a list", truncated=True)
            if not first:
                if c != ",":
                    raise JsonStreamError(f"expected ',' between list items, found {c!r}")
                self.pos += 1
            first = False
            try:
                yield self.value()
            except RecordTooLarge:
                self.skip_value()
                yield TOO_LARGE, ""
