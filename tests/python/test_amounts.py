"""Amounts are decimal.Decimal on the Python side: exact, two decimals out of the
library, read strictly on the way in, never a float."""

import decimal
from decimal import Decimal as D

import pytest

import cvconnect
from cvconnect import CvError

NNBSP = "\u202f"  # narrow no-break space, between groups of three digits
NBSP = "\u00a0"  # no-break space, before the euro sign


def test_format_amount_fr_writes_the_french_way():
    assert cvconnect.format_amount_fr(D("1234.5")) == f"1{NNBSP}234,50{NBSP}€"
    assert cvconnect.format_amount_fr(D("1234567.89")) == f"1{NNBSP}234{NNBSP}567,89{NBSP}€"
    assert cvconnect.format_amount_fr(D("0")) == f"0,00{NBSP}€"
    # Trailing zeros do not change the amount: 12.5, 12.50 and 12.500 are one amount.
    assert cvconnect.format_amount_fr(D("12.500")) == f"12,50{NBSP}€"


@pytest.mark.parametrize("amount", ["12.345", "0.001", "-1", "-0.01", "NaN", "Infinity"])
def test_an_amount_the_library_cannot_hold_is_invalid_amount(amount):
    with pytest.raises(CvError.InvalidAmount) as error:
        cvconnect.format_amount_fr(D(amount))
    assert error.value.user_message().startswith(("Montant invalide", "Le montant"))


def test_the_reasons_are_french():
    with pytest.raises(CvError.InvalidAmount) as decimals:
        cvconnect.format_amount_fr(D("12.345"))
    assert decimals.value.detail == "Le montant ne peut pas avoir plus de deux chiffres après la virgule."
    with pytest.raises(CvError.InvalidAmount) as negative:
        cvconnect.format_amount_fr(D("-1"))
    assert negative.value.detail == "Le montant ne peut pas être négatif."


@pytest.mark.parametrize("not_a_decimal", [12.5, 12, "12.50"])
def test_only_a_decimal_is_an_amount(not_a_decimal):
    # A float (or a string, or an int) is refused before anything reaches the library.
    with pytest.raises((AttributeError, TypeError)):
        cvconnect.format_amount_fr(not_a_decimal)


def test_parse_amount_reads_what_people_type():
    assert cvconnect.parse_amount("1 234,56 €") == D("1234.56")
    assert cvconnect.parse_amount(f"1{NNBSP}234,56{NBSP}€") == D("1234.56")
    assert str(cvconnect.parse_amount("12,5")) == "12.50"
    assert str(cvconnect.parse_amount("12")) == "12.00"
    with pytest.raises(CvError.InvalidAmount) as error:
        cvconnect.parse_amount("1,2,3")
    assert error.value.user_message().startswith("Montant invalide")


@pytest.mark.parametrize("text", ["0.00", "0.01", "0.10", "12.30", "100.00", "1234.56", "9999999.99"])
def test_amounts_round_trip_exactly(text):
    amount = D(text)
    written = cvconnect.format_amount_fr(amount)
    read = cvconnect.parse_amount(written)
    assert isinstance(read, D)
    assert str(read) == text, "same digits, two decimals, nothing rounded"
    assert read.as_tuple() == amount.as_tuple()


def test_arithmetic_on_amounts_stays_exact():
    # 0.10 + 0.20 is 0.30 exactly with Decimal; with floats it would not be.
    total = cvconnect.parse_amount("0,10") + cvconnect.parse_amount("0,20")
    assert total == D("0.30")
    assert cvconnect.format_amount_fr(total) == f"0,30{NBSP}€"


def test_an_amount_does_not_depend_on_the_callers_decimal_context():
    with decimal.localcontext(prec=3):
        assert cvconnect.format_amount_fr(D("1234.56")) == f"1{NNBSP}234,56{NBSP}€"
    with pytest.raises(CvError.InvalidAmount):
        cvconnect.format_amount_fr(D("0.0100000000000000000000000000001"))
