"""Uvicorn as Confide runs it: which address a client has, through a proxy or not."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from confide.service.runtime import Runtime
from confide.service.server import background_server
from confide.service.throttle import ADDRESS_FREE_FAILURES
from confide.settings import Settings


@pytest.mark.parametrize(
    ("trusted_proxies", "last_guess"),
    [
        ("", 429),  # X-Forwarded-For is the client's own claim: every guess counts as 127.0.0.1
        ("127.0.0.1", 401),  # from a trusted proxy it names the client: each address is apart
        ("10.0.0.0/8", 429),  # a proxy elsewhere is trusted, but these guesses did not come by it
    ],
)
def test_the_throttled_address_is_the_proxys_word_only_when_trusted(
    settings: Settings, trusted_proxies: str, last_guess: int
) -> None:
    runtime = Runtime(replace(settings, trusted_proxies=trusted_proxies))
    try:
        with background_server(runtime) as url, httpx.Client(base_url=url, timeout=10) as client:
            statuses = [
                client.post(
                    "/api/devices/pair",
                    json={"code": "0000000000"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"},
                ).status_code
                for n in range(ADDRESS_FREE_FAILURES + 1)
            ]
    finally:
        runtime.close()
    assert statuses[:-1] == [401] * ADDRESS_FREE_FAILURES
    assert statuses[-1] == last_guess
