"""KANTOOR_UBL_ARTEFACTS: where the tests and the documents benchmark find the validator."""

import os
import subprocess

from kantoor.invoices.documents import validation
from kantoor.invoices.documents.validation import missing_reason, ubl_artefacts_dir


def test_the_default_is_shared_validation_next_to_the_repository(monkeypatch):
    monkeypatch.delenv("KANTOOR_UBL_ARTEFACTS", raising=False)
    assert ubl_artefacts_dir() == (validation.REPOSITORY.parent / "shared" / "validation").resolve()


def test_an_absolute_or_relative_folder_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KANTOOR_UBL_ARTEFACTS", str(tmp_path))
    assert ubl_artefacts_dir() == tmp_path.resolve()
    monkeypatch.setenv("KANTOOR_UBL_ARTEFACTS", "var/artefacts")
    assert ubl_artefacts_dir() == (validation.REPOSITORY / "var" / "artefacts").resolve()


def test_a_folder_without_the_validator_is_missing_with_a_reason(monkeypatch, tmp_path):
    monkeypatch.setenv("KANTOOR_UBL_ARTEFACTS", str(tmp_path))
    reason = missing_reason()
    assert reason.startswith("The UBL validation artefacts are missing")
    assert str(tmp_path.resolve()) in reason and "KANTOOR_UBL_ARTEFACTS" in reason
    (tmp_path / "validate_ubl.py").write_text("def validate(xml, profile):\n    return []\n")
    assert missing_reason() is None
    assert validation.load_validator()(b"<x/>", "peppol") == []


def test_ci_refuses_to_run_without_the_artefacts(tmp_path):
    """`.ci/run` checks KANTOOR_UBL_ARTEFACTS first and stops, so no UBL test skips in CI."""
    env = {**os.environ, "KANTOOR_UBL_ARTEFACTS": str(tmp_path / "absent")}
    result = subprocess.run(
        ["/bin/bash", str(validation.REPOSITORY / ".ci" / "run")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert "The UBL validation artefacts are missing" in result.stderr
    assert str(tmp_path / "absent") in result.stderr
