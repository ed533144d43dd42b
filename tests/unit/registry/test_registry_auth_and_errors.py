"""Basic-auth user files and the error-code enum."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from registry.auth import AuthFileError, authenticate, load_users
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


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("", "no users"),
        ("# only a comment\n\n", "no users"),
        ('{"users": []}', "no users"),
        ("{}", "users"),
        ("alice\n", "line 1"),
        ("ok:pw\nbob:\n", "line 2"),
        (":pw:readwrite\n", "line 1"),
        ("a:p\na:q\n", "'a'"),
        ('{"users": [{"username": "u", "password": 5}]}', "users[0].password"),
        ('{"users": [{"username": "u", "password": ""}]}', "users[0].password"),
        ('{"users": [{"password": "p"}]}', "users[0].username"),
        ('{"users": [{"username": "a:b", "password": "p"}]}', "users[0].username"),
        ('{"users": [{"username": "u", "password": "p", "role": 1}]}', "users[0].role"),
        ('{"users": ["u"]}', "users[0]"),
        ('{"users": {"u": "p"}}', "users"),
        ("[1, 2]", "users"),
        ('{"users": [', "not valid JSON"),
    ],
)
def test_bad_auth_files_are_refused_naming_file_and_key(
    tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "users"
    path.write_text(text)
    with pytest.raises(AuthFileError) as caught:
        load_users(path)
    message = str(caught.value)
    assert str(path) in message and named in message and "\n" not in message


def test_missing_or_undecodable_auth_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AuthFileError, match="cannot read"):
        load_users(tmp_path / "absent")
    (tmp_path / "binary").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(AuthFileError, match="binary"):
        load_users(tmp_path / "binary")


def test_password_compare_never_raises(tmp_path: Path) -> None:
    path = tmp_path / "users"
    path.write_text("alice:sécret:readwrite\n")
    users = load_users(path)
    assert authenticate(users, basic("alice", "sécret")) == users["alice"]
    assert authenticate(users, basic("alice", "secret")) is None
    assert authenticate(users, "Basic " + base64.b64encode(b"\xff:\xfe").decode()) is None
