"""JSON pointer -> line:col in the text of an .avsc file (and a key path -> line:col in YAML).

A small scanner over JSON tokens records where every value (and every object key) starts, keyed by
its JSON pointer, so a finding about `/fields/3/type` points at that exact spot of the file.
"""

from __future__ import annotations

import contextlib
import json
from bisect import bisect_right

from avrokit.yamlfile import locate_yaml

__all__ = ["Locator", "locate_yaml"]

_WS = " \t\r\n"


class Locator:
    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.values: dict[str, int] = {}  # pointer -> offset of the value
        self.keys: dict[str, int] = {}  # pointer -> offset of the key naming it
        # malformed JSON: whatever was recorded before the error still locates
        with contextlib.suppress(IndexError, ValueError, AssertionError):
            self._value(self._skip(0), "")

    def _skip(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _WS:
            i += 1
        return i

    def _string_end(self, i: int) -> int:
        j = i + 1
        while self.text[j] != '"':
            j += 2 if self.text[j] == "\\" else 1
        return j + 1

    def _value(self, i: int, ptr: str) -> int:
        self.values[ptr] = i
        ch = self.text[i]
        if ch == "{":
            i = self._skip(i + 1)
            if self.text[i] == "}":
                return i + 1
            while True:
                end = self._string_end(i)
                key = json.loads(self.text[i:end])
                child = f"{ptr}/{_escape(key)}"
                self.keys[child] = i
                i = self._skip(end)
                assert self.text[i] == ":"
                i = self._skip(self._value(self._skip(i + 1), child))
                if self.text[i] == "}":
                    return i + 1
                i = self._skip(i + 1)  # ","
        if ch == "[":
            i = self._skip(i + 1)
            if self.text[i] == "]":
                return i + 1
            n = 0
            while True:
                i = self._skip(self._value(i, f"{ptr}/{n}"))
                n += 1
                if self.text[i] == "]":
                    return i + 1
                i = self._skip(i + 1)
        if ch == '"':
            return self._string_end(i)
        j = i
        while j < len(self.text) and self.text[j] not in ",]}" + _WS:
            j += 1
        return j

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def locate(self, pointer: str) -> tuple[int, int]:
        """1-based line and column of `pointer`; the nearest existing ancestor if it is absent.

        A field (`/fields/N`) is located at its `"name"` value, the spot a reader looks for."""
        ptr = pointer.rstrip("/") if pointer != "/" else ""
        while True:
            if f"{ptr}/name" in self.values and ptr.rsplit("/", 2)[-2:-1] == ["fields"]:
                return self.line_col(self.values[f"{ptr}/name"])
            if ptr in self.values:
                return self.line_col(self.values[ptr])
            if not ptr:
                return 1, 1
            ptr = ptr.rsplit("/", 1)[0]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
