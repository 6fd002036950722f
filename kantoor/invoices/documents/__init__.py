"""The invoice as a document: the mapping from an issued invoice (document.py, EN 16931 terms),
its PDF (pdf.py, WeasyPrint) and its UBL (ubl.py, Peppol BIS Billing 3.0 / NLCIUS); samples.py
makes documents for the tests and benchmarks."""
