"""Reports: the VAT return summary (btw-aangifte) and the ICP listing (docs/reports.md)."""
