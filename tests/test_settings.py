"""Settings come from the environment; production defaults are safe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def settings_of(env: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}
    }
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "kantoor.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = settings_of({}, "settings.DEBUG")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_defaults_are_safe():
    result = settings_of(
        {"SECRET_KEY": "x" * 50},
        "settings.DEBUG, settings.ALLOWED_HOSTS, settings.SESSION_COOKIE_SECURE, "
        "settings.EMAIL_BACKEND, settings.PASSWORD_HASHERS[0]",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "False [] True django.core.mail.backends.smtp.EmailBackend "
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_development_defaults_and_database_url():
    result = settings_of(
        {"DEBUG": "1", "DATABASE_URL": "postgres://kantoor@db.example:5433/shopdb"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'], "
        "settings.DATABASES['default']['PORT'], settings.EMAIL_BACKEND",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "shopdb",
        "5433",
        "kantoor.messaging.dev_mail.DevelopmentEmailBackend",
    ]


def test_default_database_is_sqlite_under_var_with_wal_and_immediate_transactions():
    result = settings_of(
        {"DEBUG": "1", "DATABASE_URL": ""},
        "settings.DATABASES['default']['NAME'], settings.DATABASES['default']['OPTIONS']",
    )
    assert result.returncode == 0, result.stderr
    assert "var/kantoor.sqlite3" in result.stdout
    assert "'transaction_mode': 'IMMEDIATE'" in result.stdout
    assert "journal_mode=WAL" in result.stdout


def test_email_url():
    bad = settings_of({"DEBUG": "1", "EMAIL_URL": "smtp+tls://mail.example"}, "1")
    assert bad.returncode != 0
    assert "EMAIL_URL: use smtp://" in bad.stderr
    result = settings_of(
        {"DEBUG": "1", "EMAIL_URL": "submission://user:secret@mail.example:587"},
        "settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["mail.example", "587", "True"]
