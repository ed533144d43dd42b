"""Basic-auth user files and the error-code enum."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from registry.auth import authenticate, load_users
from registry.errors import ErrorCode, RegistryError, invalid_version


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_line_format_with_comments_and_roles(tmp_path: Path) -> None:
    path = tmp_path / "users"
    path.write_text("# comment\nalice:secret:readwrite\n\nbob:pa:ss:readonly\n")
    users = load_users(path)
    assert users["alice"].role == "readwrite"
    assert users["bob"].password == "pa:ss" and users["bob"].role == "readonly"
    assert authenticate(users, basic("alice", "secret")) == users["alice"]
    assert authenticate(users, basic("alice", "wrong")) is None
    assert authenticate(users, basic("carol", "secret")) is None
    assert authenticate(users, "Basic !!!notbase64") is None
    assert authenticate(users, None) is None
    assert authenticate(users, "Bearer token") is None


def test_json_format_and_unknown_role(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(
        json.dumps({"users": [{"username": "ci", "password": "p", "role": "readonly"}]})
    )
    assert load_users(path)["ci"].role == "readonly"
    path.write_text("root:p:superuser\n")
    with pytest.raises(ValueError, match="superuser"):
        load_users(path)


def test_error_codes_carry_their_http_status() -> None:
    assert ErrorCode.SUBJECT_NOT_FOUND.http_status == 404
    assert ErrorCode.SCHEMAVERSION_NOT_SOFT_DELETED.http_status == 404
    assert ErrorCode.INVALID_SCHEMA.http_status == 422
    assert ErrorCode.INCOMPATIBLE_SCHEMA.http_status == 409
    assert ErrorCode.STORE_ERROR.http_status == 500
    err = invalid_version("abc")
    assert isinstance(err, RegistryError) and err.status == 422
    assert err.body() == {"error_code": 42202, "message": err.message} and "'abc'" in err.message
    assert len({c.value for c in ErrorCode}) == len(ErrorCode)  # no code named twice
