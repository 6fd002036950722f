"""Smoke test: benchmarks/documents.py runs at a tiny size and ends with its JSON line; it
validates with the official artefacts where they are, and says why it did not where they are
not (the rest of its figures do not depend on them)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from kantoor.invoices.documents.validation import ENVIRONMENT_VARIABLE, missing_reason

ROOT = Path(__file__).resolve().parents[2]


def test_documents_benchmark_runs():
    env = {**os.environ}
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "documents.py"), "--ubl", "20", "--pdf", "2"]
        + ["--validate", "3"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["name"] == "documents"
    assert figures["ubl"]["invoices"] == 20
    assert figures["pdf"]["invoices"] == 2
    reason = missing_reason()
    if reason:
        assert figures["validation"] == {"skipped": reason}
    else:
        assert figures["validation"]["with_fatal_errors"] == {"peppol": 0, "nlcius": 0}


def test_documents_benchmark_says_why_it_did_not_validate(tmp_path):
    """Without the artefacts (a fresh clone) the benchmark still runs and names the reason."""
    env = {**os.environ, ENVIRONMENT_VARIABLE: str(tmp_path / "absent")}
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "documents.py"), "--ubl", "2", "--pdf", "1"]
        + ["--validate", "2"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert "UBL validation artefacts are missing" in figures["validation"]["skipped"]
    assert str(tmp_path / "absent") in figures["validation"]["skipped"]
