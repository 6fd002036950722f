import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kantoor.numbering.formatting import InvalidPrefix, format_number, validate_prefix

dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))
literal = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ-/_", max_size=6)


def test_example():
    on = datetime.date(2026, 3, 9)
    assert format_number(prefix="ORD{year}-", counter=42, padding=4, on=on) == "ORD2026-0042"
    assert format_number(prefix="{year}{month}", counter=7, padding=3, on=on) == "202603007"
    assert format_number(prefix="", counter=12345, padding=3, on=on) == "12345"


@given(
    head=literal, tail=literal, counter=st.integers(1, 10**9), padding=st.integers(0, 12), on=dates
)
def test_number_is_prefix_then_padded_counter(head, tail, counter, padding, on):
    prefix = head + "{year}" + tail
    number = format_number(prefix=prefix, counter=counter, padding=padding, on=on)
    expected_head = f"{head}{on.year:04d}{tail}"
    assert number.startswith(expected_head)
    digits = number[len(expected_head) :]
    assert int(digits) == counter
    assert len(digits) == max(padding, len(str(counter)))


@given(
    head=literal,
    a=st.integers(1, 9999),
    b=st.integers(1, 9999),
    on=dates,
)
def test_padded_numbers_sort_like_their_counters(head, a, b, on):
    na = format_number(prefix=head + "{year}", counter=a, padding=4, on=on)
    nb = format_number(prefix=head + "{year}", counter=b, padding=4, on=on)
    assert (na < nb) == (a < b)
    assert (na == nb) == (a == b)


@given(counter=st.integers(1, 10**6), y1=dates, y2=dates)
def test_yearly_series_never_repeat_a_number_across_years(counter, y1, y2):
    n1 = format_number(prefix="INV{year}-", counter=counter, padding=4, on=y1)
    n2 = format_number(prefix="INV{year}-", counter=counter, padding=4, on=y2)
    assert (n1 == n2) == (y1.year == y2.year)


@pytest.mark.parametrize(
    "prefix",
    [
        "ORD{yaer}",
        "ORD{year:>8}",
        "ORD{",
        "ORD}",
        "{0}",
        "{year!r}",
        "{}",
        "ORD/{year}",
        "A B",
        "#1",
    ],
)
def test_unknown_or_malformed_placeholders_are_refused(prefix):
    with pytest.raises(InvalidPrefix):
        validate_prefix(prefix, yearly_restart=False)


def test_yearly_restart_needs_the_year():
    with pytest.raises(InvalidPrefix, match="year"):
        validate_prefix("ORD-", yearly_restart=True)
    validate_prefix("ORD-", yearly_restart=False)
    validate_prefix("ORD{year}{month}-", yearly_restart=True)
    validate_prefix("INV_{year}.", yearly_restart=True)
