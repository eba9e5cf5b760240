"""The HTTP client's limits, against a real loopback server that misbehaves."""

from __future__ import annotations

import pytest
import responses

from frameio_desktop.core.errors import RequestTimeoutError, ResponseTooLargeError
from frameio_desktop.core.http import MAX_BODY_BYTES, HttpClient
from tests.helpers.hostile_http import hostile

# Each read gets a byte long before its timeout: only a total deadline can end these.
READ_TIMEOUT = (2.0, 2.0)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("behaviour", ["drip-body", "drip-headers"])
def test_a_dripping_server_is_cut_at_the_deadline(behaviour: str) -> None:
    http = HttpClient(timeout=READ_TIMEOUT, deadline=0.5)
    with hostile(behaviour) as server:
        with pytest.raises(RequestTimeoutError, match="took too long"):
            http.request("POST", server.url, data={"grant_type": "refresh_token"})
        # The connection was dropped, not left dripping in the background.
        assert server.client_gone.wait(10)
    http.close()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("behaviour", ["huge", "huge-unannounced"])
def test_a_huge_body_is_refused_early(behaviour: str) -> None:
    http = HttpClient()
    with hostile(behaviour) as server:
        with pytest.raises(ResponseTooLargeError):
            http.request("GET", server.url)
        assert server.client_gone.wait(10)
        # Refused within a few socket buffers of the cap, not after 300 MiB.
        assert server.sent < 20 * MAX_BODY_BYTES
    http.close()


@responses.activate
def test_a_body_under_the_cap_is_read_whole() -> None:
    body = b'{"a": "' + b"x" * (MAX_BODY_BYTES - 20) + b'"}'
    responses.get("https://api.example.test/me", body=body)
    response = HttpClient().request("GET", "https://api.example.test/me")
    assert response.content == body
    assert response.json()["a"].startswith("xxx")


@responses.activate
def test_a_body_over_the_cap_without_length_is_refused() -> None:
    responses.get("https://api.example.test/me", body=b"x" * (MAX_BODY_BYTES + 1))
    with pytest.raises(ResponseTooLargeError):
        HttpClient().request("GET", "https://api.example.test/me")


@pytest.mark.timeout(30)  # the lookup answers only once the request has ended
def test_a_name_lookup_that_never_answers_ends_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Finding the server's address is part of connecting: a DNS server that never
    answers (getaddrinfo takes no timeout) must not hold a request past its deadline."""
    import socket
    import threading

    released = threading.Event()
    real = socket.getaddrinfo

    def stuck(host: object, *args: object, **kwargs: object) -> object:
        if str(host).endswith(".test"):
            released.wait(120)
            raise socket.gaierror(socket.EAI_NONAME, "released")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    http = HttpClient(deadline=0.3)
    try:
        with pytest.raises(RequestTimeoutError, match="took too long"):
            http.request("GET", "https://id.stuck.test/token")
    finally:
        released.set()
        http.close()
