"""Carry a JSON pointer from one version of a schema to another (the current file).

A finding about an older step of a contract's history points into that older version; the reader
needs the spot in the file as it is now. Fields are matched by name (or alias, either way), union
branches by named type or kind; where the path no longer exists, the pointer stops at the nearest
ancestor that does, and a vanished field is reported at its record's name.
"""

from __future__ import annotations

from typing import Any

from gate.rules.diff import kind_of


def _unescape(seg: str) -> str:
    return seg.replace("~1", "/").replace("~0", "~")


def _escape(seg: str) -> str:
    return seg.replace("~", "~0").replace("/", "~1")


def _same_field(old: Any, new: Any) -> bool:
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    o, n = old.get("name"), new.get("name")
    return o == n or o in (new.get("aliases") or []) or n in (old.get("aliases") or [])


def _branch(old: Any, branches: list[Any]) -> int | None:
    if isinstance(old, dict) and "name" in old:
        hits = [
            i
            for i, b in enumerate(branches)
            if isinstance(b, dict) and b.get("name") == old["name"]
        ]
    else:
        hits = [i for i, b in enumerate(branches) if b == old]
        hits = hits or [i for i, b in enumerate(branches) if kind_of(b) == kind_of(old)]
    return hits[0] if hits else None


def translate(pointer: str, src: Any, dst: Any) -> str:
    """`pointer` into `src` -> the same element of `dst` (or its nearest existing ancestor)."""
    segs = [_unescape(s) for s in pointer.split("/")[1:]] if pointer else []
    out: list[str] = []
    s, d = src, dst
    i = 0
    while i < len(segs):
        seg = segs[i]
        if (
            seg == "fields"
            and i + 1 < len(segs)
            and isinstance(s, dict)
            and isinstance(d, dict)
            and isinstance(s.get("fields"), list)
            and isinstance(d.get("fields"), list)
            and segs[i + 1].isdigit()
            and int(segs[i + 1]) < len(s["fields"])
        ):
            old_field = s["fields"][int(segs[i + 1])]
            hit = next((j for j, f in enumerate(d["fields"]) if _same_field(old_field, f)), None)
            if hit is None:  # the field is gone: point at its record
                return _join(out + ["name"] if "name" in d else out)
            out += ["fields", str(hit)]
            s, d = old_field, d["fields"][hit]
            i += 2
            continue
        if isinstance(s, list) and isinstance(d, list) and seg.isdigit() and int(seg) < len(s):
            j = _branch(s[int(seg)], d)
            if j is None:
                break
            out.append(str(j))
            s, d = s[int(seg)], d[j]
        elif isinstance(s, dict) and isinstance(d, dict) and seg in s and seg in d:
            out.append(seg)
            s, d = s[seg], d[seg]
        else:
            break
        i += 1
    return _join(out)


def _join(segs: list[str]) -> str:
    return "".join(f"/{_escape(s)}" for s in segs)
