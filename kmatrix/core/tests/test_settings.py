"""Settings come from the environment and stop the process on a bad value, naming the variable.

Each case starts a fresh Python, because settings are read once, when the process starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
GOOD_SECRET = "k" * 20 + "-deploy-check-secret-with-enough-characters-0123456789"


def run(args, **env):
    """Run Python with a clean copy of the environment plus ``env``."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("KMATRIX_", "SECRET_KEY", "DEBUG"))
    }
    base.update(DJANGO_SETTINGS_MODULE="kmatrix.settings", **env)
    base.setdefault("KMATRIX_VAR_DIR", str(PROJECT_DIR / "var"))
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**env):
    return run(["-c", "import django; django.setup()"], **env)


def test_the_default_settings_load(tmp_path):
    result = load_settings(KMATRIX_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false, not 'maybe'"),
        ({"KMATRIX_MODE": "prod"}, "KMATRIX_MODE must be development or production, not 'prod'"),
        ({"DB_CONN_MAX_AGE": "abc"}, "DB_CONN_MAX_AGE must be a whole number, not 'abc'"),
        ({"KMATRIX_MODE": "production"}, "SECRET_KEY must be set"),
        ({"KMATRIX_MODE": "production", "SECRET_KEY": "too-short"}, "SECRET_KEY must be set"),
        (
            {"KMATRIX_MODE": "production", "SECRET_KEY": GOOD_SECRET, "DEBUG": "true"},
            "DEBUG must be off when KMATRIX_MODE is production",
        ),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT must be a whole number"),
        ({"SECURE_COOKIES": "perhaps"}, "SECURE_COOKIES must be true or false"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a database address"),
        ({"OIDC_CLIENT_ID": "kmatrix"}, "OIDC_SERVER_URL must be set when OIDC_CLIENT_ID is set"),
    ],
)
def test_a_bad_value_stops_start_up_and_names_the_variable(env, named):
    result = load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_the_deploy_check_is_clean_in_production(tmp_path):
    result = run(
        ["-m", "kmatrix.cli", "check", "--deploy", "--fail-level", "WARNING"],
        KMATRIX_MODE="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="kmatrix.example.org",
        KMATRIX_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_is_clean_when_the_operator_opts_into_hsts_preload(tmp_path):
    result = run(
        ["-m", "kmatrix.cli", "check", "--deploy", "--fail-level", "WARNING"],
        KMATRIX_MODE="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="kmatrix.example.org",
        SECURE_HSTS_PRELOAD="true",
        KMATRIX_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deploy_check_fails_on_an_insecure_production_setting(tmp_path):
    # The check does find problems: switching secure cookies off in production is one.
    result = run(
        ["-m", "kmatrix.cli", "check", "--deploy", "--fail-level", "WARNING"],
        KMATRIX_MODE="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="kmatrix.example.org",
        SECURE_COOKIES="false",
        KMATRIX_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE
