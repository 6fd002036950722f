"""Where the official UBL validation artefacts are, for the tests and ``benchmarks/documents.py``.

The artefacts (the OASIS UBL 2.1 schemas, the CEN EN 16931 rules, the Peppol BIS Billing 3.0 and
the Dutch NLCIUS / SI-UBL 2.0 rules, compiled to XSLT, with ``validate_ubl.py`` that runs them)
are official releases and are not part of this repository. ``KANTOOR_UBL_ARTEFACTS`` names the
folder that holds ``validate_ubl.py``; unset, it is ``../shared/validation`` next to the
repository. A relative value is taken from the repository root. Without the folder the tests that
need it skip (``.ci/run`` refuses to run without it), and the rest of the suite runs.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path

ENVIRONMENT_VARIABLE = "KANTOOR_UBL_ARTEFACTS"
REPOSITORY = Path(__file__).resolve().parents[3]
DEFAULT = Path("..") / "shared" / "validation"
VALIDATOR = "validate_ubl.py"

Validate = Callable[[bytes, str], list]


def ubl_artefacts_dir() -> Path:
    """The folder ``KANTOOR_UBL_ARTEFACTS`` names (absolute, or from the repository root)."""
    folder = Path(os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT)
    return (folder if folder.is_absolute() else REPOSITORY / folder).resolve()


def missing_reason() -> str | None:
    """Why the artefacts cannot be used (a sentence naming the folder), or None when they can."""
    folder = ubl_artefacts_dir()
    if (folder / VALIDATOR).is_file():
        return None
    return (
        f"The UBL validation artefacts are missing: no {VALIDATOR} in {folder} "
        f"(set {ENVIRONMENT_VARIABLE} to the folder that has it)"
    )


def load_validator() -> Validate:
    """``validate(xml_bytes, profile)`` from the artefacts: a list of findings, empty if valid.
    Call only when ``missing_reason()`` is None."""
    path = ubl_artefacts_dir() / VALIDATOR
    spec = importlib.util.spec_from_file_location("validate_ubl", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.validate
