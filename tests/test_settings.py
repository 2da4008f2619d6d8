"""The project's security settings (config/settings.py), as a deployment gets them."""

from pathlib import Path

import pytest

from config import settings as project_settings
from org.tests.factories import make_user


def test_passwords_are_hashed_with_argon2(db, settings) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = make_user(username="argon")
    assert user.password.startswith("argon2$")


def test_sessions_expire_when_idle_and_with_the_browser() -> None:
    assert project_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert project_settings.SESSION_SAVE_EVERY_REQUEST is True
    assert project_settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_generated_secret_key_is_private(tmp_path: Path) -> None:
    key_file = Path(project_settings.VAR_DIR) / "secret_key"
    if key_file.exists():
        assert key_file.stat().st_mode & 0o077 == 0
    else:
        pytest.skip("SECRET_KEY comes from the environment here")
