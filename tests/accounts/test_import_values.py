"""Values as Salesforce, HubSpot and spreadsheets write them (accounts.importing.values): each case is a
value a real export writes, read the way the person who exported it means it."""

import collections
import csv
import datetime
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.importing.values import (
    detect_date_order,
    detect_decimal_mark,
    is_report_footer,
    parse_amount,
    parse_date,
    parse_datetime,
    salesforce_id_18,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NEW_YEARS_EVE = datetime.date(2026, 12, 31)


def refusal(parse, *args) -> str:
    """The message of the ValueError that `parse(*args)` raises."""
    with pytest.raises(ValueError) as raised:
        parse(*args)
    return str(raised.value)


# --- Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("12/31/2026", "mdy", NEW_YEARS_EVE),  # Salesforce report, en_US user
        ("3/4/2026", "mdy", datetime.date(2026, 3, 4)),  # no leading zeros
        ("3/4/2026", "dmy", datetime.date(2026, 4, 3)),  # en_GB user: 3 April
        ("31/12/2026", "dmy", NEW_YEARS_EVE),
        ("31.12.2026", "dmy", NEW_YEARS_EVE),  # German Excel re-save
        ("31-12-2026", "dmy", NEW_YEARS_EVE),
        ("12/31/2026 5:00 PM", "mdy", NEW_YEARS_EVE),  # Salesforce Classic date-time
        ("12/31/2026, 5:00 PM", "mdy", NEW_YEARS_EVE),  # Salesforce Lightning date-time
        ("31.12.2026 14:30", "dmy", NEW_YEARS_EVE),
        ("2026-12-31", "mdy", NEW_YEARS_EVE),  # ISO whatever the order
        ("2026-12-31 00:00", "dmy", NEW_YEARS_EVE),  # HubSpot export
        ("2026-12-31T00:00:00Z", "mdy", NEW_YEARS_EVE),  # API dumps
        ("2026-12-31T23:30:00.000+0000", "dmy", NEW_YEARS_EVE),  # Salesforce Data Loader
        ("2026-12-31T18:00:00-05:00", "ymd", NEW_YEARS_EVE),  # the date as written, not converted
        ("2026/12/31", "dmy", NEW_YEARS_EVE),
        (" 12/31/2026 ", "mdy", NEW_YEARS_EVE),
    ],
)
def test_a_date_is_read_in_the_files_order(text, order, expected):
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(
    ("text", "order", "message"),
    [
        ("13/31/2026", "mdy", "“13/31/2026” is not a date in month/day/year order."),
        (
            "31/12/2026",
            "mdy",
            "“31/12/2026” is not a date in month/day/year order. It reads as a date in day/month/year "
            "order: choose that order for this file.",
        ),
        ("12/31/2026", "dmy", "“12/31/2026” is not a date in day/month/year order. It reads as a date"),
        ("12/31/26", "mdy", "“12/31/26” has a 2-digit year; write the year in full (e.g. 2026)."),
        ("31.12.26", "dmy", "“31.12.26” has a 2-digit year"),
        ("2/30/2026", "mdy", "“2/30/2026” is not a date in month/day/year order."),
        ("2026-02-30", "dmy", "“2026-02-30” is not a date in year-month-day order."),
        ("12/31/2026", "ymd", "“12/31/2026” is not a date in year-month-day order (its year comes last)."),
        ("12/31/2026 13:00 PM", "mdy", "“12/31/2026 13:00 PM” is not a time"),
        ("12/31/2026 25:00", "mdy", "“12/31/2026 25:00” is not a time of day."),
        ("Dec 31, 2026", "mdy", "“Dec 31, 2026” is not a date."),
        ("next Friday", "mdy", "“next Friday” is not a date."),
        ("", "mdy", "The date is empty."),
    ],
)
def test_a_date_that_is_not_one_in_the_files_order_is_refused_with_a_reason(text, order, message):
    assert refusal(parse_date, text, order).startswith(message)


@pytest.mark.parametrize(
    ("text", "order", "tz", "expected"),
    [
        ("12/31/2026 5:00 PM", "mdy", NEW_YORK, datetime.datetime(2026, 12, 31, 17, 0, tzinfo=NEW_YORK)),
        ("12/31/2026, 9:14 AM", "mdy", NEW_YORK, datetime.datetime(2026, 12, 31, 9, 14, tzinfo=NEW_YORK)),
        ("12/31/2026 12:05 AM", "mdy", NEW_YORK, datetime.datetime(2026, 12, 31, 0, 5, tzinfo=NEW_YORK)),
        ("12/31/2026 12:05 PM", "mdy", NEW_YORK, datetime.datetime(2026, 12, 31, 12, 5, tzinfo=NEW_YORK)),
        ("31.12.2026 14:30", "dmy", BERLIN, datetime.datetime(2026, 12, 31, 14, 30, tzinfo=BERLIN)),
        ("31.12.2026 14:30:15", "dmy", BERLIN, datetime.datetime(2026, 12, 31, 14, 30, 15, tzinfo=BERLIN)),
        ("31.12.2026", "dmy", BERLIN, datetime.datetime(2026, 12, 31, tzinfo=BERLIN)),
        ("2026-12-31 00:00", "mdy", BERLIN, datetime.datetime(2026, 12, 31, tzinfo=BERLIN)),
        ("2026-12-31 17:45", "dmy", NEW_YORK, datetime.datetime(2026, 12, 31, 17, 45, tzinfo=NEW_YORK)),
        ("2026-12-31T16:00:00Z", "mdy", BERLIN, datetime.datetime(2026, 12, 31, 16, tzinfo=datetime.UTC)),
        (
            "2026-12-31T16:00:00.250+01:00",
            "dmy",
            NEW_YORK,
            datetime.datetime(
                2026, 12, 31, 16, 0, 0, 250000, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
            ),
        ),
        ("12/31/2026 5:00 PM UTC", "mdy", BERLIN, datetime.datetime(2026, 12, 31, 17, tzinfo=datetime.UTC)),
    ],
)
def test_a_date_time_keeps_its_time_and_is_read_in_the_tenants_zone_when_it_names_none(
    text, order, tz, expected
):
    parsed = parse_datetime(text, order, tz)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_a_time_outside_the_12_hour_clock_is_refused_in_a_date_time():
    message = refusal(parse_datetime, "12/31/2026 0:30 AM", "mdy", NEW_YORK)
    assert message == "“12/31/2026 0:30 AM” is not a time: a 12-hour clock goes from 1 to 12."


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["1/5/2026", "12/31/2026", "3/4/2026"], "mdy"),  # a second part over 12: US
        (["5/1/2026", "31/12/2026"], "dmy"),  # a first part over 12: European
        (["31.12.2026", "1.2.2026"], "dmy"),
        (["1.2.2026", "3.4.2026"], "dmy"),  # dots: German, even when no day is over 12
        (["2026-12-31 00:00", "2026-01-05 09:30"], "ymd"),  # HubSpot: ISO only
        (["2026-12-31", "12/31/2026"], "mdy"),  # ISO beside others is no evidence
        (["", "12/31/2026", "n/a"], "mdy"),  # blanks and junk are left out
        (["1/2/2026", "3/4/2026"], None),  # could be either
        (["13/1/2026", "1/13/2026"], None),  # contradict each other
        (["45000", "Acme"], None),
        ([], None),
    ],
)
def test_the_date_order_is_detected_from_sample_values(samples, expected):
    assert detect_date_order(samples) == expected


# --- Amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USD 45,000.00", (Decimal("45000.00"), "USD")),  # Salesforce, multi-currency org
        ("45,000.00 USD", (Decimal("45000.00"), "USD")),
        ("$80,000", (Decimal("80000"), "USD")),  # HubSpot, formatted
        ("$80,000.50 USD", (Decimal("80000.50"), "USD")),  # symbol and code that agree
        ("€ 1.234,56", (Decimal("1234.56"), "EUR")),
        ("45.000,00 €", (Decimal("45000.00"), "EUR")),  # German
        ("EUR 1.234,56", (Decimal("1234.56"), "EUR")),
        ("£1,200", (Decimal("1200"), "GBP")),
        ("¥5000", (Decimal("5000"), "JPY")),
        ("₹ 12,50,000.00", (Decimal("1250000.00"), "INR")),  # en_IN lakh grouping
        ("INR 1,23,45,678", (Decimal("12345678"), "INR")),
        ("CHF 1'234.50", (Decimal("1234.50"), "CHF")),  # Swiss apostrophe
        ("1\u2019234.50 CHF", (Decimal("1234.50"), "CHF")),  # Swiss, typographic apostrophe
        ("Fr. 1'234.50", (Decimal("1234.50"), "CHF")),
        ("1 234,56", (Decimal("1234.56"), None)),  # French, space
        ("1\u202f234,56 €", (Decimal("1234.56"), "EUR")),  # French, narrow no-break space
        ("1\u00a0234\u00a0567,89", (Decimal("1234567.89"), None)),  # no-break spaces
        ("SEK 12 500,00", (Decimal("12500.00"), "SEK")),  # any active ISO code
        ("usd 45000", (Decimal("45000"), "USD")),
        ("45000", (Decimal("45000"), None)),  # HubSpot, plain
        ("45000.5", (Decimal("45000.5"), None)),
        ("1234,5", (Decimal("1234.5"), None)),  # decimal comma, shown by the value itself
        ("12,50", (Decimal("12.50"), None)),  # two decimals: never a thousands group
        ("1,2345", (Decimal("1.2345"), None)),
        ("1.234.567", (Decimal("1234567"), None)),
        ("1,234,567", (Decimal("1234567"), None)),
        ("0,125", (Decimal("0.125"), None)),  # a leading zero is no thousands group
        ("1,234", (Decimal("1234"), None)),  # ambiguous: read with "." as the mark, so thousands
        ("1.234", (Decimal("1.234"), None)),  # ambiguous: read with "." as the mark
        ("-5", (Decimal("-5"), None)),
        ("(5)", (Decimal("-5"), None)),  # accounting negative
        ("-$1,500.00", (Decimal("-1500.00"), "USD")),
        ("(USD 5,000.00)", (Decimal("-5000.00"), "USD")),
        ("USD (5,000.00)", (Decimal("-5000.00"), "USD")),
    ],
)
def test_an_amount_is_read_with_the_currency_written_with_it(text, expected):
    assert parse_amount(text) == expected


def test_the_dollar_sign_is_the_callers_dollar():
    assert parse_amount("$80,000", dollar="CAD") == (Decimal("80000"), "CAD")
    assert parse_amount("US$80,000", dollar="CAD") == (Decimal("80000"), "USD")


@pytest.mark.parametrize(
    ("text", "decimal_mark", "expected"),
    [
        ("1,234", ",", Decimal("1.234")),
        ("1,234", ".", Decimal("1234")),
        ("1.234", ",", Decimal("1234")),
        ("1.234", ".", Decimal("1.234")),
        ("45.000,00", ",", Decimal("45000.00")),
        ("45,000.00", ".", Decimal("45000.00")),
        ("45000", ",", Decimal("45000")),
        ("12,5", ",", Decimal("12.5")),
    ],
)
def test_the_files_decimal_mark_decides_an_ambiguous_amount(text, decimal_mark, expected):
    assert parse_amount(text, decimal_mark) == (expected, None)


@pytest.mark.parametrize(
    ("text", "decimal_mark", "message"),
    [
        ("12,3,4", None, "“12,3,4” is not an amount: its digits are not grouped in threes"),
        ("1,2345.00", None, "“1,2345.00” is not an amount: its digits are not grouped in threes"),
        ("1.234,567.5", None, "“1.234,567.5” is not an amount: its digits are not grouped in threes"),
        ("1 23 456", None, "“1 23 456” is not an amount: its digits are not grouped in threes"),
        ("€5 USD", None, "“€5 USD” names two currencies (EUR and USD)."),
        ("EUR 5 GBP", None, "“EUR 5 GBP” names two currencies (EUR and GBP)."),
        ("XYZ 500", None, "“XYZ 500” is not an amount: XYZ is not a currency code."),
        ("won 5", None, "“won 5” is not an amount: won is not a currency code."),  # a name, not a code
        ("12abc", None, "“12abc” is not an amount"),
        ("about 5k", None, "“about 5k” is not an amount"),
        ("USD", None, "“USD” is not an amount."),
        ("--5", None, "“--5” is not an amount."),
        ("", None, "The amount is empty."),
        ("   ", None, "The amount is empty."),
        ("45.000,00", ".", "“45.000,00” has “,” as its decimal mark, but this file's is “.”."),
        ("45,000.00", ",", "“45,000.00” has “.” as its decimal mark, but this file's is “,”."),
        ("1234,5", ".", "“1234,5” is not an amount with “.” as its decimal mark."),
        ("1,234,567", ",", "“1,234,567” is not an amount with “,” as its decimal mark."),
    ],
)
def test_a_malformed_amount_is_refused_with_a_reason(text, decimal_mark, message):
    assert refusal(parse_amount, text, decimal_mark).startswith(message)


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["45,000.00"], "."),
        (["USD 45,000.00", "USD 1,200.00"], "."),
        (["45.000,00"], ","),
        (["1234,5"], ","),
        (["12,50"], ","),
        (["1.234.567"], ","),
        (["1,234,567"], "."),
        (["1 234,56"], ","),
        (["CHF 1'234.50"], "."),
        (["45000", "1,234", "45.000,00 €"], ","),  # one deciding sample is enough
        (["45000", "80000"], None),
        (["1,234"], None),  # ambiguous
        (["1,5", "1.5"], None),  # contradict each other
        (["", "n/a", "12,3,4"], None),  # not amounts: no evidence
    ],
)
def test_the_decimal_mark_is_detected_from_sample_values(samples, expected):
    assert detect_decimal_mark(samples) == expected


# --- Salesforce ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("short", "long"),
    [
        # Published pairs: the salesforce_id_formatter gem's README and the salesforce_id_converter
        # package's README (both checked by hand against the CASESAFEID algorithm).
        ("70130000001tcyI", "70130000001tcyIAAQ"),
        ("00558000001N0Ke", "00558000001N0KeAAK"),
        # Every bit of a chunk set, and none: the alphabet's ends (A-Z then 0-5).
        ("ABCDEABCDEABCDE", "ABCDEABCDEABCDE555"),
        ("abcdeabcdeabcde", "abcdeabcdeabcdeAAA"),
        ("0015g00000XyZ1a", "0015g00000XyZ1aAAF"),
    ],
)
def test_a_15_character_salesforce_id_gets_its_case_safe_suffix(short, long):
    assert salesforce_id_18(short) == long
    assert salesforce_id_18(long) == long
    assert salesforce_id_18(short) == salesforce_id_18(long)


def test_ids_that_differ_only_in_case_stay_different_records():
    assert salesforce_id_18("001Aa000000aaaa") != salesforce_id_18("001AA000000aaaa")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 0015g00000XyZ1a ", "0015g00000XyZ1aAAF"),
        (" 0015g00000XyZ1aAAF\t", "0015g00000XyZ1aAAF"),
        ("18934521077", "18934521077"),  # a HubSpot record id
        ("123456789012345", "123456789012345"),  # 15 digits: another system's number
        ("ACME-00042", "ACME-00042"),
        ("0015g00000XyZ1a!", "0015g00000XyZ1a!"),
        ("", ""),
    ],
)
def test_other_values_are_returned_as_they_are_stripped(value, expected):
    assert salesforce_id_18(value) == expected


# --- Report footers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells",
    [
        ["Grand Totals (12 records)"],
        ["Grand Totals (1 record)"],
        ["Grand Totals (1,204 records)", "", "", "", "USD 4,512,000.00"],  # a summary report's totals
        ["Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."],
        ["Copyright © 2000-2025 salesforce.com, inc. All rights reserved."],
        ["Confidential Information - Do Not Distribute"],
        ["Confidential Information - Do Not Distribute", "", "", ""],  # re-saved with its empty cells
        ["Generated By:  Jane Doe  12/1/2026 9:14 AM"],
        ["Generated By:  Max Müller  01.12.2026 09:14"],
        ["Filtered By:"],
        ["Northwind Cloud"],  # the org's name, a lone cell
        ["Opportunity Pipeline"],  # or the report's
    ],
)
def test_the_footer_salesforce_appends_to_a_report_is_recognised(cells):
    assert is_report_footer(cells, width=9)


@pytest.mark.parametrize(
    ("cells", "width"),
    [
        (["Acme Corp", "acme.com", "Healthcare"], 3),  # a data row
        (["Acme Corp", "", ""], 3),  # a data row with its other columns empty
        (["Acme Corp"], 1),  # a one-column file's row
        (["Grand Totals Inc", "grandtotals.com"], 2),
        (["Confidential Information - Do Not Distribute", "x"], 2),  # a data row that says so
        (["Generated By: Jane Doe"], 1),  # no export date: a one-column file's value
        ([""], 9),  # the blank separator: the caller's business
        ([], 9),
    ],
)
def test_data_rows_are_not_taken_for_footers(cells, width):
    assert not is_report_footer(cells, width)


# --- The CRM export fixtures (tests/fixtures/crm/README.md) read as their README says -------------

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crm"
GERMAN_EXCEL = {"encoding": "cp1252", "delimiter": ";"}


def fixture(name: str, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    with open(FIXTURES / name, encoding=encoding, newline="") as file:
        return list(csv.reader(file, delimiter=delimiter))


def column(records: list[list[str]], label: str) -> list[str]:
    index = records[0].index(label)
    return [record[index] for record in records[1:] if record]


@pytest.mark.parametrize(
    ("name", "label", "dialect", "order", "mark"),
    [
        ("salesforce_accounts.csv", "Created Date", {}, "mdy", None),
        ("salesforce_accounts.csv", "Annual Revenue", {}, None, "."),
        ("salesforce_accounts_de_excel.csv", "Created Date", GERMAN_EXCEL, "dmy", None),
        ("salesforce_accounts_de_excel.csv", "Annual Revenue", GERMAN_EXCEL, None, ","),
        ("salesforce_opportunities.csv", "Close Date", {}, "mdy", None),
        ("salesforce_opportunities.csv", "Amount", {}, None, "."),
        ("hubspot_companies.csv", "Create Date", {}, "ymd", None),
        ("hubspot_deals.csv", "Close Date", {}, "ymd", None),
        ("hubspot_deals.csv", "Amount", {}, None, None),  # $120,000 could be either
    ],
)
def test_each_fixtures_date_order_and_decimal_mark_are_detected(name, label, dialect, order, mark):
    values = column(fixture(name, **dialect), label)
    assert (detect_date_order(values), detect_decimal_mark(values)) == (order, mark)


def test_the_german_excel_re_save_holds_the_lightning_accounts():
    lightning, german = (
        fixture("salesforce_accounts.csv"),
        fixture("salesforce_accounts_de_excel.csv", **GERMAN_EXCEL),
    )
    assert column(german, "Account Name") == column(lightning, "Account Name")
    assert "Zürcher Privatbank AG" in column(german, "Account Name")
    assert [parse_date(day, "dmy") for day in column(german, "Created Date")] == [
        parse_date(day, "mdy") for day in column(lightning, "Created Date")
    ]
    assert [parse_amount(revenue, ",") for revenue in column(german, "Annual Revenue")] == [
        (parse_amount(revenue, ".")[0], None) for revenue in column(lightning, "Annual Revenue")
    ]


def test_the_opportunities_name_the_accounts_by_either_form_of_their_id():
    accounts = fixture("salesforce_accounts.csv")
    names = dict(zip(column(accounts, "Account ID"), column(accounts, "Account Name"), strict=True))
    opportunities = fixture("salesforce_opportunities.csv")
    given = list(zip(column(opportunities, "Account ID"), column(opportunities, "Account Name"), strict=True))
    assert [names[salesforce_id_18(account_id)] for account_id, _ in given] == [name for _, name in given]
    assert sum(len(account_id) == 15 for account_id, _ in given) == 5


def test_the_classic_export_ends_with_its_footer_and_holds_the_lightning_opportunities():
    records = fixture("salesforce_opportunities_classic_footer.csv")
    blank = records.index([])
    data, footer = records[1:blank], records[blank + 1 :]
    width = len(records[0])
    assert len(data) == 12
    assert len(footer) == 5
    assert all(is_report_footer(line, width) for line in footer)
    assert not any(is_report_footer(row, width) for row in data)
    classic_ids = [
        salesforce_id_18(opportunity_id) for opportunity_id in column(records[:blank], "Opportunity ID")
    ]
    assert classic_ids == column(fixture("salesforce_opportunities.csv"), "Opportunity ID")


@pytest.mark.parametrize(
    ("name", "sums"),
    [
        (
            "salesforce_opportunities.csv",
            {
                "USD": Decimal("748500.00"),
                "EUR": Decimal("270000.00"),
                "CHF": Decimal("96000.00"),
                "GBP": Decimal("54000.00"),
            },
        ),
        ("hubspot_deals.csv", {"USD": Decimal("313750"), None: Decimal("645000")}),
    ],
)
def test_the_amounts_add_up_to_the_readmes_figures_per_currency(name, sums):
    totals = collections.Counter()
    for text in column(fixture(name), "Amount"):
        amount, currency = parse_amount(text)
        totals[currency] += amount
    assert totals == sums


def test_the_deals_name_the_companies_by_name_and_record_id():
    companies = fixture("hubspot_companies.csv")
    names = dict(zip(column(companies, "Record ID"), column(companies, "Company name"), strict=True))
    deals = fixture("hubspot_deals.csv")
    associated = zip(
        column(deals, "Associated Company IDs"), column(deals, "Associated Company"), strict=True
    )
    assert all(names[record_id] == name for record_id, name in associated)
    assert len(set(column(deals, "Associated Company"))) == 10
