"""`make run` serves on PORT and builds every link in e-mails on that same port."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make") or "make"


def dry_run(*args: str) -> list[str]:
    result = subprocess.run(
        [MAKE, "-n", "-s", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_another_port_puts_that_port_in_base_url():
    lines = dry_run("PORT=8101")
    seed = next(line for line in lines if "seed_demo" in line)
    server = next(line for line in lines if "runserver" in line)
    assert "BASE_URL=http://127.0.0.1:8101" in seed
    assert "BASE_URL=http://127.0.0.1:8101" in server
    assert "runserver 127.0.0.1:8101" in server


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_an_explicit_base_url_wins():
    server = next(line for line in dry_run("BASE_URL=https://shop.example") if "runserver" in line)
    assert "BASE_URL=https://shop.example" in server
