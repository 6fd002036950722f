"""Accounting links (docs/accounting.md): each issued invoice and credit invoice booked in the
shop's bookkeeping package through one connector (Exact Online, Twinfield, Acumulus), pushed
from a sync row written in the transaction that issued the invoice, at most once."""
