"""Settings: no default key-encryption key outside dev mode."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from confide.errors import BadConfiguration
from confide.settings import load_settings

GOOD = base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "no key-encryption key"),
        ({"CONFIDE_KEK": "not base64!"}, "not valid base64"),
        ({"CONFIDE_KEK": base64.b64encode(bytes(16)).decode()}, "must be 32 bytes"),
        ({"CONFIDE_KEK": base64.b64encode(bytes(32)).decode()}, "not random"),
        ({"CONFIDE_KEK_FILE": "/nonexistent/kek"}, "cannot read the KEK file"),
    ],
)
def test_unsafe_keys_are_refused(tmp_path: Path, env: dict[str, str], says: str) -> None:
    with pytest.raises(BadConfiguration, match=says):
        load_settings(tmp_path, env=env)


def test_dev_mode_makes_one_local_key(tmp_path: Path) -> None:
    first = load_settings(tmp_path, env={"CONFIDE_DEV": "1"})
    second = load_settings(tmp_path, env={"CONFIDE_DEV": "1"})
    assert first.kek == second.kek and len(first.kek) == 32
    assert (tmp_path / "dev-kek").stat().st_mode & 0o077 == 0


def test_explicit_key_and_database(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path, env={"CONFIDE_KEK": GOOD, "CONFIDE_DATABASE_URL": "postgresql://db/confide"}
    )
    assert settings.kek == base64.b64decode(GOOD)
    assert settings.database_url == "postgresql://db/confide"
    assert GOOD not in repr(settings)
    assert load_settings(tmp_path, env={"CONFIDE_KEK": GOOD}).database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("value", "trusted"),
    [
        ("", ""),
        (" 127.0.0.1 , 10.0.0.0/8,::1 ", "127.0.0.1,10.0.0.0/8,::1"),
        ("proxy.example", None),
        ("10.0.0.0/33", None),
        ("127.0.0.1, nonsense", None),
    ],
)
def test_trusted_proxies_are_addresses_or_networks(
    tmp_path: Path, value: str, trusted: str | None
) -> None:
    env = {"CONFIDE_KEK": GOOD, "CONFIDE_TRUSTED_PROXIES": value}
    if trusted is None:
        with pytest.raises(BadConfiguration, match="CONFIDE_TRUSTED_PROXIES"):
            load_settings(tmp_path, env=env)
    else:
        assert load_settings(tmp_path, env=env).trusted_proxies == trusted


@pytest.mark.parametrize(
    ("month", "total", "caps"),
    [
        (None, None, (20, 200)),
        ("5", "50", (5, 50)),
        (" 0 ", "0", (0, 0)),
        ("200", None, (200, 200)),
        ("-1", None, "CONFIDE_REVIEW_CAP_MONTH must be a whole number"),
        ("twenty", None, "CONFIDE_REVIEW_CAP_MONTH must be a whole number"),
        (None, "1.5", "CONFIDE_REVIEW_CAP_TOTAL must be a whole number"),
        (None, "", "CONFIDE_REVIEW_CAP_TOTAL must be a whole number"),
        ("\u00b2", None, "CONFIDE_REVIEW_CAP_MONTH must be a whole number"),
        ("30", "20", r"CONFIDE_REVIEW_CAP_MONTH \(30\) cannot be more than"),
    ],
)
def test_review_caps_are_whole_numbers_month_within_total(
    tmp_path: Path, month: str | None, total: str | None, caps: tuple[int, int] | str
) -> None:
    env = {"CONFIDE_KEK": GOOD}
    for name, value in (("CONFIDE_REVIEW_CAP_MONTH", month), ("CONFIDE_REVIEW_CAP_TOTAL", total)):
        if value is not None:
            env[name] = value
    if isinstance(caps, str):
        with pytest.raises(BadConfiguration, match=caps):
            load_settings(tmp_path, env=env)
    else:
        settings = load_settings(tmp_path, env=env)
        assert (settings.review_cap_month, settings.review_cap_total) == caps


@pytest.mark.parametrize(
    ("value", "hour"),
    [(None, 3), ("0", 0), ("23", 23), ("24", None), ("-1", None), ("3am", None), ("", None)],
)
def test_the_learn_hour_is_an_hour_of_the_day(
    tmp_path: Path, value: str | None, hour: int | None
) -> None:
    env = {"CONFIDE_KEK": GOOD, **({"CONFIDE_LEARN_HOUR": value} if value is not None else {})}
    if hour is None:
        with pytest.raises(BadConfiguration, match="CONFIDE_LEARN_HOUR"):
            load_settings(tmp_path, env=env)
    else:
        assert load_settings(tmp_path, env=env).learn_hour == hour
