"""Smoke test: benchmarks/documents.py runs at a tiny size and ends with its JSON line."""

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert figures["validation"]["with_fatal_errors"] == {"peppol": 0, "nlcius": 0}
