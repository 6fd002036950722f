"""Dutch and English are both complete: every string in the code is in the catalogues,
translated, and compiled."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "kantoor" / "locale"
LANGUAGES = ["nl", "en"]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_dutch_is_complete():
    po = catalogue("nl")
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []
    assert len(po) > 100


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language):
    po = catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    translated = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()}
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo if e.msgid}
    assert compiled == translated, "run `make messages` to recompile"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="make test installs gettext")
def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    copy = tmp_path / "kantoor"
    shutil.copytree(ROOT / "kantoor", copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, "../manage.py", "makemessages", "-l", "nl", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    fresh = polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    ours = {(e.msgctxt, e.msgid) for e in catalogue("nl") if not e.obsolete}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in ours)
    assert missing == [], "run `make messages` and translate the new strings"
