"""The accounting connectors: one interface (base.py) and one module per package.

``connector_for(connection)`` is the shop's connector with its credentials (a locked database
row, ``DatabaseCredentialStore``) and the package's base URL (``ACCOUNTING_BASE_URLS`` can point
it elsewhere: a sandbox, the tests' stand-in).
"""

from __future__ import annotations

from django.conf import settings

from kantoor.accounting.connectors.acumulus import AcumulusConnector
from kantoor.accounting.connectors.base import AccountingConnector
from kantoor.accounting.connectors.exact_online import ExactOnlineConnector
from kantoor.accounting.connectors.twinfield import TwinfieldConnector
from kantoor.accounting.credentials import DatabaseCredentialStore
from kantoor.accounting.models import AccountingConnection, Package

CONNECTORS: dict[str, type[AccountingConnector]] = {
    Package.EXACT_ONLINE: ExactOnlineConnector,
    Package.TWINFIELD: TwinfieldConnector,
    Package.ACUMULUS: AcumulusConnector,
}


def connector_for(connection: AccountingConnection) -> AccountingConnector:
    connector = CONNECTORS[connection.package]
    return connector(
        store=DatabaseCredentialStore(connection.pk),
        base_url=settings.ACCOUNTING_BASE_URLS.get(connection.package, ""),
    )
