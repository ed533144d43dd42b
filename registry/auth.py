"""Optional HTTP basic auth: read-only and read-write users from a file.

File format (path from `--auth-file` or REGISTRY_AUTH_FILE): either JSON
`{"users": [{"username": "u", "password": "p", "role": "readwrite"}]}` or one `user:password:role`
per line (`#` comments allowed). Roles: `readonly` (GET/HEAD only) and `readwrite`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

ROLES = ("readonly", "readwrite")


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str


def load_users(path: Path) -> dict[str, User]:
    text = path.read_text()
    users: list[User] = []
    if text.lstrip().startswith("{"):
        for entry in json.loads(text).get("users", []):
            users.append(User(entry["username"], entry["password"], entry.get("role", "readonly")))
    else:
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, rest = line.partition(":")  # user:password:role; the password may hold ':'
            password, sep, role = rest.rpartition(":")
            if not sep:
                password, role = rest, "readonly"
            users.append(User(name, password, role))
    for user in users:
        if user.role not in ROLES:
            raise ValueError(
                f"unknown role {user.role!r} for user {user.name!r}; use one of {ROLES}"
            )
    return {u.name: u for u in users}


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
