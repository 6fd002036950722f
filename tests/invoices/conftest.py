"""The storefront's customer fixtures, for the invoice tests that look at the account page."""

from tests.storefront.conftest import customer, customer_client, make_customer  # noqa: F401
