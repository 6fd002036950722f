"""The one totals function: EN 16931 rounding, per-rate VAT, incl./excl. VAT agreement."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from kantoor.core.money import PriceLine, compute_totals, round_money

RATES = [Decimal("21"), Decimal("9"), Decimal("0")]

prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2)
lines_strategy = st.lists(
    st.builds(
        PriceLine,
        unit_price=prices,
        quantity=st.integers(min_value=1, max_value=50),
        vat_rate=st.sampled_from(RATES),
    ),
    min_size=1,
    max_size=12,
)


def test_example_excluding_vat_rounds_vat_once_per_rate():
    # Ten lines of 0.02 at 21 %: per-line VAT rounds each 0.0042 to 0.00; per rate 0.20 -> 0.04.
    lines = [PriceLine(Decimal("0.02"), 1, Decimal("21"))] * 10
    totals = compute_totals(lines, prices_include_vat=False)
    assert totals.net == Decimal("0.20")
    assert totals.vat == Decimal("0.04")
    assert totals.gross == Decimal("0.24")


def test_example_including_vat():
    lines = [
        PriceLine(Decimal("12.99"), 2, Decimal("21")),
        PriceLine(Decimal("9.95"), 1, Decimal("9")),
        PriceLine(Decimal("6.95"), 1, Decimal("21")),
    ]
    totals = compute_totals(lines, prices_include_vat=True)
    assert totals.gross == Decimal("42.88")  # what the customer saw: 25.98 + 9.95 + 6.95
    by_rate = {row.rate: row for row in totals.vat_breakdown}
    assert by_rate[Decimal("21.00")].vat == Decimal("5.72")  # 32.93 x 21/121 = 5.7151
    assert by_rate[Decimal("9.00")].vat == Decimal("0.82")  # 9.95 x 9/109 = 0.8216
    assert by_rate[Decimal("21.00")].net == Decimal("27.21")


def test_rounding_is_half_up_and_symmetric():
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")
    assert round_money(Decimal("2.675")) == Decimal("2.68")


@given(lines_strategy, st.booleans())
def test_sum_of_lines_is_the_total(lines, include):
    totals = compute_totals(lines, prices_include_vat=include)
    assert sum((line.net for line in totals.lines), Decimal(0)) == totals.net
    assert sum((row.net for row in totals.vat_breakdown), Decimal(0)) == totals.net
    assert sum((row.vat for row in totals.vat_breakdown), Decimal(0)) == totals.vat
    assert totals.gross == totals.net + totals.vat
    for amount in (totals.net, totals.vat, totals.gross):
        assert amount == amount.quantize(Decimal("0.01"))


@given(lines_strategy)
def test_vat_is_rounded_once_per_rate_excluding(lines):
    totals = compute_totals(lines, prices_include_vat=False)
    for row in totals.vat_breakdown:
        rate_net = sum(
            (
                round_money(line.unit_price * line.quantity)
                for line in lines
                if line.vat_rate == row.rate
            ),
            Decimal(0),
        )
        assert row.net == rate_net
        assert row.vat == round_money(rate_net * row.rate / 100)


@given(lines_strategy)
def test_including_vat_customer_pays_what_they_saw(lines):
    totals = compute_totals(lines, prices_include_vat=True)
    assert totals.gross == sum(
        (round_money(line.unit_price * line.quantity) for line in lines), Decimal(0)
    )
    for row in totals.vat_breakdown:
        # The VAT of the including-VAT path agrees with the excluding-VAT rule on its own
        # net amount within one cent (EN 16931 BR-CO-17 allows that rounding).
        assert abs(row.vat - round_money(row.net * row.rate / 100)) <= Decimal("0.01")


@given(lines_strategy)
def test_including_and_excluding_agree_on_gross_prices(lines):
    # Price a document excluding VAT; then price the same lines with their gross unit prices
    # (net x (1 + rate), only where that is a whole number of cents) including VAT: the net,
    # VAT and total per rate agree within one cent.
    exact = [
        line
        for line in lines
        if (line.unit_price * (100 + line.vat_rate) / 100)
        == round_money(line.unit_price * (100 + line.vat_rate) / 100)
    ]
    if not exact:
        return
    excl = compute_totals(exact, prices_include_vat=False)
    incl = compute_totals(
        [
            PriceLine(line.unit_price * (100 + line.vat_rate) / 100, line.quantity, line.vat_rate)
            for line in exact
        ],
        prices_include_vat=True,
    )
    for a, b in zip(excl.vat_breakdown, incl.vat_breakdown, strict=True):
        assert a.rate == b.rate
        assert abs(a.vat - b.vat) <= Decimal("0.01")
        assert abs(a.net - b.net) <= Decimal("0.01")


@given(lines_strategy, st.booleans())
def test_a_credit_mirrors_a_debit(lines, include):
    debit = compute_totals(lines, prices_include_vat=include)
    credit = compute_totals(
        [PriceLine(line.unit_price, -line.quantity, line.vat_rate) for line in lines],
        prices_include_vat=include,
    )
    assert credit.net == -debit.net
    assert credit.vat == -debit.vat
    assert credit.gross == -debit.gross


def test_zero_rate_only_both_modes_equal():
    lines = [PriceLine(Decimal("25.00"), 3, Decimal("0"))]
    assert compute_totals(lines, prices_include_vat=True).gross == Decimal("75.00")
    assert compute_totals(lines, prices_include_vat=False).gross == Decimal("75.00")
