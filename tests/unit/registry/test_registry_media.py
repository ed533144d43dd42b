"""Choice of the response media type from `Accept`, and request types read (registry.api.media)."""

from __future__ import annotations

import pytest

from registry.api.media import DEFAULT, JSON, V1, request_media_type_ok, response_media_type


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, V1),
        ("", V1),
        ("*", V1),
        ("*/*;q=0.1", V1),
        ("APPLICATION/JSON", JSON),
        ("application/json; charset=utf-8", JSON),
        (f"{JSON}, {DEFAULT}, {V1}", V1),  # equal q: the server's qs decides
        (f"{JSON};q=1, {V1};q=0.99", JSON),  # the client's q comes first
        (f"{V1};q=0, application/*;q=0.2", DEFAULT),  # most specific range gives V1 its q=0
        (f"{JSON};q=abc, {DEFAULT}", DEFAULT),  # a malformed range is skipped
        (f"{JSON};q=7", JSON),  # q above 1 counts as 1
        ("text/plain, nonsense, /json", None),
        ("application/xml", None),
        ("*/*;q=0", None),
    ],
)
def test_response_media_type(accept: str | None, chosen: str | None) -> None:
    assert response_media_type(accept) == chosen


@pytest.mark.parametrize(
    ("content_type", "ok"),
    [
        (None, True),
        ("", True),
        (V1, True),
        (f"{DEFAULT}; charset=utf-8", True),
        ("Application/JSON", True),
        ("application/octet-stream", True),
        ("text/plain", False),
        ("application/merge-patch+json", False),
        ("multipart/form-data; boundary=x", False),
    ],
)
def test_request_media_type_ok(content_type: str | None, ok: bool) -> None:
    assert request_media_type_ok(content_type) is ok
