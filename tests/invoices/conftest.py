"""The official UBL validation artefacts for the tests that check documents against them.

They live outside the repository (``KANTOOR_UBL_ARTEFACTS``, default ``../shared/validation``;
see ``kantoor/invoices/documents/validation.py``). Where they are absent these tests skip with
that reason; ``.ci/run`` refuses to run without them, so nothing skips in CI. The storefront's
customer fixtures are shared here too, for the invoice tests that look at the account page.
"""

import pytest

from kantoor.invoices.documents.validation import load_validator, missing_reason, ubl_artefacts_dir
from tests.storefront.conftest import customer, customer_client, make_customer  # noqa: F401


@pytest.fixture(scope="session")
def ubl_artefacts():
    """The artefacts folder; skips the test when it has no validator."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    return ubl_artefacts_dir()


@pytest.fixture(scope="session")
def validate(ubl_artefacts):
    """``validate(xml, profile)``, compiled once per run (the first call takes about a second)."""
    return load_validator()
