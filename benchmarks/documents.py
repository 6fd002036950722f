"""Invoice documents: UBL invoices per second on one core, PDF render time per invoice.

Builds realistic invoices (1-8 lines at 21/9/0 % VAT, prices including or excluding VAT, some
with a discount line and shipping, one in five a credit invoice, one in six for an EU business
customer with VAT reverse charged) through
``kantoor.invoices.documents.samples.build_document`` (priced by
``kantoor.core.money.compute_totals`` as an order is), then times in this one process:

- UBL: ``render_invoice_ubl`` (Peppol) over ``--ubl`` invoices, after a warm-up; invoices/s.
- PDF: ``render_invoice_pdf`` for ``--pdf`` invoices, each timed (p50/p95/max), after 3 warm-up
  renders (the first loads the fonts); and a cached ``invoice_pdf`` read.
- validation: ``--validate`` invoices through the official validation artefacts, both profiles
  (counts fatal errors; NLCIUS only where it applies). The artefacts are not in the repository:
  ``KANTOOR_UBL_ARTEFACTS`` names their folder (default ``../shared/validation``); without them
  the figures say ``"validation": {"skipped": "<why>"}``.

No database is used. ``python benchmarks/documents.py [--ubl 2000] [--pdf 60] [--validate 50]``

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from decimal import Decimal

from _common import ROOT, emit, machine, summary_ms

UBL_BUDGET_PER_S = 500
PDF_BUDGET_P50_MS = 150


def setup() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kantoor.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ.pop("DEBUG", None)
    os.environ["KANTOOR_VAR_DIR"] = tempfile.mkdtemp(prefix="kantoor-documents-bench-")
    import django

    django.setup()


def make_documents(count: int, seed: int = 5):
    from kantoor.invoices.documents.document import CREDIT, DEBIT, REVERSE_CHARGE, Party
    from kantoor.invoices.documents.samples import SAMPLE_CUSTOMER, SampleLine, build_document

    business = Party(
        name="Velo Brussel",
        legal_name="Velo Brussel BV",
        street="Rue Haute 5",
        postcode="1000",
        city="Brussel",
        country_code="BE",
        vat_number="BE0123456789",
        email="info@velo.be",
    )
    words = ["Fiets", "Slot", "Band", "Lamp", "Zadel", "Pomp", "Tas", "Helm", "Bel", "Ketting"]
    rnd = random.Random(seed)
    documents = []
    for index in range(count):
        reverse = rnd.random() < 1 / 6
        rates = [Decimal(0)] if reverse else [Decimal(21), Decimal(21), Decimal(9), Decimal(0)]
        category = REVERSE_CHARGE if reverse else ""
        lines = [
            SampleLine(
                f"{rnd.choice(words)} {rnd.choice(words).lower()} model {rnd.randint(1, 99)}",
                rnd.randint(1, 5),
                Decimal(rnd.randint(99, 99_999)) / 100,
                rnd.choice(rates),
                category,
                f"SKU-{rnd.randint(1000, 9999)}",
            )
            for _ in range(rnd.randint(1, 8))
        ]
        if rnd.random() < 0.3:
            lines.append(SampleLine("Korting", 1, Decimal("-5.00"), rates[0], category))
        if rnd.random() < 0.7:
            lines.append(SampleLine("Verzending", 1, Decimal("6.95"), rates[0], category))
        kind = CREDIT if rnd.random() < 0.2 else DEBIT
        documents.append(
            build_document(
                lines,
                prices_include_vat=rnd.random() < 0.7,
                kind=kind,
                number=f"{'C' if kind == CREDIT else 'F'}2026-{index + 1:05d}",
                issue_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=index % 300),
                customer=business if reverse else SAMPLE_CUSTOMER,
                corrects_number="F2026-00001" if kind == CREDIT else "",
                order_number=str(1000 + index),
            )
        )
    return documents


def bench_ubl(documents) -> dict:
    from kantoor.invoices.documents.ubl import render_invoice_ubl

    for document in documents[:50]:
        render_invoice_ubl(document)
    started = time.process_time()
    wall = time.perf_counter()
    size = 0
    for document in documents:
        size += len(render_invoice_ubl(document))
    cpu = time.process_time() - started
    wall = time.perf_counter() - wall
    return {
        "invoices": len(documents),
        "invoices_per_s": round(len(documents) / wall, 1),
        "invoices_per_cpu_s": round(len(documents) / cpu, 1),
        "mean_bytes": size // len(documents),
        "budget_per_s": UBL_BUDGET_PER_S,
        "within_budget": len(documents) / wall >= UBL_BUDGET_PER_S,
    }


def bench_pdf(documents) -> dict:
    from kantoor.invoices.documents.pdf import invoice_pdf, render_invoice_pdf

    for document in documents[:3]:
        render_invoice_pdf(document)
    times = []
    for document in documents:
        started = time.perf_counter()
        render_invoice_pdf(document)
        times.append(time.perf_counter() - started)
    invoice_pdf(documents[0])
    cached = []
    for _ in range(20):
        started = time.perf_counter()
        invoice_pdf(documents[0])
        cached.append(time.perf_counter() - started)
    summary = summary_ms(times)
    return {
        "invoices": len(documents),
        "render_ms": summary,
        "cached_ms": summary_ms(cached),
        "budget_p50_ms": PDF_BUDGET_P50_MS,
        "within_budget": summary["p50"] < PDF_BUDGET_P50_MS,
    }


def bench_validation(documents) -> dict:
    from kantoor.invoices.documents.ubl import nlcius_applies, render_invoice_ubl
    from kantoor.invoices.documents.validation import load_validator, missing_reason

    reason = missing_reason()
    if reason:
        return {"skipped": reason}
    validate = load_validator()

    checked = {"peppol": 0, "nlcius": 0}
    fatal = {"peppol": 0, "nlcius": 0}
    validate(render_invoice_ubl(documents[0]), "peppol")  # compiles the stylesheets
    started = time.perf_counter()
    for document in documents:
        for profile in ("peppol", "nlcius"):
            if profile == "nlcius" and not nlcius_applies(document):
                continue
            checked[profile] += 1
            fatal[profile] += bool(validate(render_invoice_ubl(document, profile), profile))
    elapsed = time.perf_counter() - started
    total = sum(checked.values())
    return {
        "checked": checked,
        "with_fatal_errors": fatal,
        "ms_per_validation": round(elapsed * 1000 / max(total, 1), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ubl", type=int, default=2000, help="invoices for the UBL timing")
    parser.add_argument("--pdf", type=int, default=60, help="invoices for the PDF timing")
    parser.add_argument("--validate", type=int, default=50, help="invoices to validate (0: none)")
    args = parser.parse_args()
    setup()
    documents = make_documents(max(args.ubl, args.pdf, args.validate, 1))
    ubl = bench_ubl(documents[: args.ubl])
    print(f"UBL: {ubl['invoices_per_s']} invoices/s ({ubl['invoices']} invoices)")
    pdf = bench_pdf(documents[: args.pdf])
    print(f"PDF: p50 {pdf['render_ms']['p50']} ms, p95 {pdf['render_ms']['p95']} ms")
    validation = bench_validation(documents[: args.validate]) if args.validate else {}
    if validation:
        print(f"validation: {validation}")
    emit(
        {
            "name": "documents",
            "ubl": ubl,
            "pdf": pdf,
            "validation": validation,
            "machine": machine(),
        }
    )
    shutil.rmtree(os.environ["KANTOOR_VAR_DIR"], ignore_errors=True)


if __name__ == "__main__":
    main()
