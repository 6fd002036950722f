"""Exports (My orders > Export): orders, order lines, invoices, invoice lines, credit invoices,
payments, customers, products with stock, returns and quotes as CSV or XLSX (docs/exports.md).

``columns`` declares each export kind and its columns, ``writers`` writes the files, ``services``
starts, runs and expires them, ``selectors`` reads the rows and the recent exports.
"""
