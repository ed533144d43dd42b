"""Optional HTTP basic auth: read-only and read-write users from a file.

File format (path from `--auth-file` or REGISTRY_AUTH_FILE): either JSON
`{"users": [{"username": "u", "password": "p", "role": "readwrite"}]}` or one `user:password:role`
per line (`#` comments allowed; `user:password` means `readonly`). Roles: `readonly` (reads,
including schema lookups and compatibility checks) and `readwrite`.

The file fails closed: a file that cannot be read or parsed, that defines no user, or that gives a
user an empty name or password raises `AuthFileError`, whose one-line message names the file and
the line or key; the server does not start.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROLES = ("readonly", "readwrite")
READ_METHODS = ("GET", "HEAD", "OPTIONS")
# POSTs that only read: "is this schema registered?" and compatibility checks. Matched on the
# routing path, where a `/` inside a subject stays encoded (`%2F`).
READ_ONLY_POSTS = re.compile(r"/subjects/[^/]+/?|/compatibility/subjects/[^/]+/versions(/[^/]+)?/?")


class AuthFileError(ValueError):
    """The auth file is unusable; the message names the file and the line or key."""


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str


def load_users(path: Path) -> dict[str, User]:
    """Every user of the file, by name. Raises AuthFileError (never returns no users)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise AuthFileError(f"auth file {path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise AuthFileError(f"auth file {path}: not UTF-8 text (a binary file?)") from None
    if text.lstrip().startswith(("{", "[")):
        entries = _json_users(path, text)
    else:
        entries = _line_users(path, text)
    users: dict[str, User] = {}
    for where, user in entries:
        if user.name in users:
            raise AuthFileError(f"auth file {path} {where}: user '{user.name}' is defined twice")
        users[user.name] = user
    if not users:
        raise AuthFileError(
            f"auth file {path} defines no users; give at least one user, or drop --auth-file "
            "(and REGISTRY_AUTH_FILE) to run without authentication"
        )
    return users


def _check(path: Path, where: str, name: Any, password: Any, role: Any) -> User:
    """One user; `where` names its line (`line 3`) or key (`key users[0]`)."""
    sep = "." if where.startswith("key") else ": "
    for key, value in (("username", name), ("password", password)):
        if not isinstance(value, str) or not value:
            raise AuthFileError(f"auth file {path} {where}{sep}{key} must be a non-empty string")
    if ":" in name:
        raise AuthFileError(f"auth file {path} {where}{sep}username must not contain ':'")
    if role not in ROLES:
        raise AuthFileError(
            f"auth file {path} {where}{sep}role {role!r} is unknown for user {name!r}; use one "
            f"of {', '.join(ROLES)}"
        )
    return User(name, password, role)


def _json_users(path: Path, text: str) -> list[tuple[str, User]]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise AuthFileError(f"auth file {path}: not valid JSON ({exc})") from None
    entries = document.get("users") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise AuthFileError(f'auth file {path}: expected {{"users": [...]}} with a list of users')
    users = []
    for i, entry in enumerate(entries):
        where = f"key users[{i}]"
        if not isinstance(entry, dict):
            raise AuthFileError(f"auth file {path} {where}: expected an object")
        fields = (entry.get("username"), entry.get("password"), entry.get("role", "readonly"))
        users.append((where, _check(path, where, *fields)))
    return users


def _line_users(path: Path, text: str) -> list[tuple[str, User]]:
    users = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"line {number}"
        name, colon, rest = line.partition(":")  # user:password:role; the password may hold ':'
        if not colon:
            raise AuthFileError(f"auth file {path} {where}: expected user:password[:role]")
        password, sep, role = rest.rpartition(":")
        if not sep:
            password, role = rest, "readonly"
        users.append((where, _check(path, where, name, password, role)))
    return users


def may_request(user: User, method: str, path: str) -> bool:
    """Whether `user` may send this request: readwrite anything, readonly only reads."""
    if user.role == "readwrite" or method in READ_METHODS:
        return True
    return method == "POST" and READ_ONLY_POSTS.fullmatch(path) is not None


def authenticate(users: dict[str, User], header: str | None) -> User | None:
    """The user named by a `Basic` Authorization header, if the password matches."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, _, password = decoded.partition(":")
    user = users.get(name)
    if user is None or not hmac.compare_digest(user.password.encode(), password.encode()):
        return None
    return user
