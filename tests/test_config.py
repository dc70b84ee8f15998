"""Settings: read from the environment, and documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

from crmlink.config import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(re.findall(r"^\| `(CRMLINK_[A-Z0-9_]+)` \|", DOCS.read_text(), flags=re.M))
    assert documented == set(Settings.env_names())


def test_settings_from_environment() -> None:
    env = {"CRMLINK_PORT": "9001", "CRMLINK_DATA_DIR": "/tmp/x", "CRMLINK_DATABASE_URL": "postgres://h/db"}
    settings = Settings.from_env(env)
    assert settings.port == 9001
    assert settings.data_dir == Path("/tmp/x")
    assert settings.resolved_database_url == "postgres://h/db"
    assert Settings.from_env({}, port=7000).port == 7000
    assert Settings.from_env({}).resolved_database_url.endswith(".crmlink/crmlink.db")


def test_documented_defaults_are_the_settings_defaults() -> None:
    """The table's Default column and ``Settings`` agree (the upload limit among them)."""
    rows = re.findall(r"^\| `CRMLINK_([A-Z0-9_]+)` \| ([^|]+) \|", DOCS.read_text(), flags=re.M)
    defaults = Settings()
    for name, shown in rows:
        value = getattr(defaults, name.lower())
        shown = shown.strip().strip("`")
        if shown == "*(empty)*":
            assert value == "", name
        elif isinstance(value, bool):
            assert str(value).lower() == shown, name
        else:
            assert str(value) == shown, name
    assert defaults.max_upload_bytes == 100 * 1024 * 1024  # Zoho's 100 MB per attachment
