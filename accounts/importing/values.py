"""Values as CRMs and spreadsheets write them: dates in a country's order, amounts with a currency and a
locale's separators, Salesforce's two forms of a record id, and the footer a Salesforce report appends.

Pure functions of text (no database): the import's mapping step calls them for every cell, once it knows
the file's date order and decimal mark (detected from the samples, or chosen by the user). Each refusal
is a ValueError whose message names the value and can be shown to the user as is.

The standard library reads ISO 8601 (`datetime.fromisoformat`); the other forms are read by the small
grammars below rather than by a guessing parser (dateutil's would take 12/31/26 or "Dec 31" and pick a
century or a year silently), because a wrong date imported without a word is worse than a refusal.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from decimal import Decimal

from partnerhub.tenancy.taxonomy import currency_code

DATE_ORDERS = ("ymd", "mdy", "dmy")  # ISO, US 12/31/2026, European 31.12.2026 / 31/12/2026

_ORDER_NAMES = {"ymd": "year-month-day", "mdy": "month/day/year", "dmy": "day/month/year"}

# --- Dates ---------------------------------------------------------------------------------------

# A time as CRMs write it after a date: 5:00 PM, 5:00pm, 17:00, 14:30:15, 09:14:02.123, with an
# optional zone (Z, UTC, GMT, +01:00, +0100).
_TIME = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
)
# A date with the year last (12/31/2026, 31.12.2026, 31-12-2026), a time possibly after it (Salesforce
# Lightning writes "12/31/2026, 5:00 PM").
_YEAR_LAST = re.compile(
    r"(?P<part1>\d{1,2})(?P<sep>[./-])(?P<part2>\d{1,2})(?P=sep)(?P<year>\d+)"
    rf"(?:(?:\s*,\s*|\s+|T)(?P<time>{_TIME}))?"
)
# A date with the year first: ISO 2026-12-31 (with any ISO time) or 2026/12/31, 2026.12.31.
_YEAR_FIRST = re.compile(
    r"(?P<year>\d{4})(?P<sep>[./-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    rf"(?:(?:\s*,\s*|\s+|T)(?P<time>{_TIME}))?"
)


def _clean(text: str) -> str:
    # A no-break space is what a spreadsheet often writes between date and time.
    return re.sub(r"[\s\u00a0\u202f]+", " ", str(text)).strip()


def _check_year(text: str, year: str) -> int:
    if len(year) != 4:
        raise ValueError(f"“{text}” has a {len(year)}-digit year; write the year in full (e.g. 2026).")
    return int(year)


def _build_date(text: str, year: int, month: int, day: int, order: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text}” is not a date in {_ORDER_NAMES[order]} order.") from None


def _year_last_date(text: str, match: re.Match, order: str) -> datetime.date:
    year = _check_year(text, match["year"])
    first, second = int(match["part1"]), int(match["part2"])
    if order == "ymd":
        raise ValueError(f"“{text}” is not a date in {_ORDER_NAMES[order]} order (its year comes last).")
    month, day = (first, second) if order == "mdy" else (second, first)
    try:
        return _build_date(text, year, month, day, order)
    except ValueError as exc:
        other = "dmy" if order == "mdy" else "mdy"
        other_month, other_day = day, month
        try:
            datetime.date(year, other_month, other_day)
        except ValueError:
            raise exc from None
        raise ValueError(
            f"{exc} It reads as a date in {_ORDER_NAMES[other]} order: choose that order for this file."
        ) from None


def _read_date(text: str, order: str) -> tuple[datetime.date, re.Match | None, datetime.datetime | None]:
    """The date `text` writes, with the match of its time part (year-last forms) or the datetime ISO
    gave (year-first forms)."""
    if order not in DATE_ORDERS:
        raise ValueError(f"Unknown date order {order!r}; one of {', '.join(DATE_ORDERS)}.")
    cleaned = _clean(text)
    if not cleaned:
        raise ValueError("The date is empty.")
    if re.match(r"\d{4}-\d{1,2}-\d{1,2}", cleaned):
        try:
            parsed = datetime.datetime.fromisoformat(cleaned.replace(" UTC", "Z").replace(" GMT", "Z"))
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed.date(), None, parsed
    match = _YEAR_FIRST.fullmatch(cleaned)
    if match:
        day = _build_date(text, int(match["year"]), int(match["month"]), int(match["day"]), "ymd")
        return day, match, None
    match = _YEAR_LAST.fullmatch(cleaned)
    if match:
        return _year_last_date(text, match, order), match, None
    raise ValueError(f"“{text}” is not a date.")


def parse_date(text: str, order: str) -> datetime.date:
    """A date as a CRM or spreadsheet writes it, read in `order` for slash/dot/dash forms with the year
    last; ISO (2026-12-31, 2026-12-31 00:00, 2026-12-31T00:00:00Z, with seconds/fraction/offset) is always
    accepted whatever the order; a trailing time part (12/31/2026 5:00 PM, 31.12.2026 14:30) is ignored;
    two-digit years are refused. Raises ValueError with a message a user can act on, e.g.
    '“13/31/2026” is not a date in month/day/year order.'"""
    day, match, _ = _read_date(text, order)
    if match is not None and match["time"]:
        _time_of(text, match)  # ignored, but it must be a time
    return day


def _time_of(text: str, match: re.Match) -> tuple[datetime.time, datetime.tzinfo | None]:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    microsecond = int((match["fraction"] or "0").ljust(6, "0"))
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"“{text}” is not a time: a 12-hour clock goes from 1 to 12.")
        hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
    zone = None
    if match["zone"]:
        if match["zone"] in ("Z", "UTC", "GMT"):
            zone = datetime.UTC
        else:
            sign = -1 if match["zone"][0] == "-" else 1
            digits = match["zone"][1:].replace(":", "")
            offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            zone = datetime.timezone(sign * offset)
    try:
        return datetime.time(hour, minute, second, microsecond), zone
    except ValueError:
        raise ValueError(f"“{text}” is not a time of day.") from None


def parse_datetime(text: str, order: str, tz: zoneinfo.ZoneInfo) -> datetime.datetime:
    """Like parse_date but keeps the time (12-hour with AM/PM or 24-hour); a value without a zone is read in
    `tz`; a date alone is midnight in `tz`. Always aware."""
    day, match, parsed = _read_date(text, order)
    if parsed is not None:
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)
    if match is None or not match["time"]:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    time, zone = _time_of(text, match)
    return datetime.datetime.combine(day, time, tzinfo=zone or tz)


def detect_date_order(samples: Iterable[str]) -> str | None:
    """The order the samples show: 'dmy' if some value's first part is > 12 (31/12/2026 or 31.12.2026),
    'mdy' if some value's second part is > 12, 'ymd' if they are ISO; dots as separator suggest dmy
    (German 31.12.2026); None when the samples give no evidence or contradict each other.

    Samples that are not dates are left out (the import reports them row by row). ISO values are read
    the same in every order, so beside year-last values they are no evidence either way."""
    shown: set[str] = set()
    dotted = year_first = year_last = False
    for sample in samples:
        cleaned = _clean(sample)
        if _YEAR_FIRST.fullmatch(cleaned) or re.match(r"\d{4}-\d{1,2}-\d{1,2}", cleaned):
            year_first = True
            continue
        match = _YEAR_LAST.fullmatch(cleaned)
        if not match:
            continue
        year_last = True
        first, second = int(match["part1"]), int(match["part2"])
        if first > 12 and second <= 12:
            shown.add("dmy")
        elif second > 12 and first <= 12:
            shown.add("mdy")
        dotted = dotted or match["sep"] == "."
    if len(shown) > 1:
        return None
    if shown:
        return shown.pop()
    if dotted:
        return "dmy"
    if year_first and not year_last:
        return "ymd"
    return None


# --- Amounts -------------------------------------------------------------------------------------

# Symbols and their currency. "$" is the caller's dollar (the tenant's, USD unless it says otherwise);
# "kr" and "R" name several currencies each and are not read.
_SYMBOLS = {
    "US$": "USD",
    "C$": "CAD",
    "CA$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "R$": "BRL",
    "MX$": "MXN",
    "€": "EUR",
    "£": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "₩": "KRW",
    "₪": "ILS",
    "₺": "TRY",
    "₱": "PHP",
    "฿": "THB",
    "zł": "PLN",
    "Fr.": "CHF",
    "SFr.": "CHF",
}
_SYMBOL = "|".join(re.escape(symbol) for symbol in sorted([*_SYMBOLS, "$"], key=len, reverse=True))
_CURRENCY_TOKEN = rf"(?:{_SYMBOL}|(?<![A-Za-z])[A-Za-z]{{3}}(?![A-Za-z]))"
_LEADING = re.compile(rf"\s*(?P<token>{_CURRENCY_TOKEN}|[-\u2212+])\s*")
_TRAILING = re.compile(rf"\s*(?P<token>{_CURRENCY_TOKEN})\s*$")

# Thousands separators that are never a decimal mark: a space, a no-break space, a narrow no-break
# space (French, Swiss, Nordic exports), an apostrophe or a right single quote (Swiss 1'234.50).
_GROUPING = "\u0020\u00a0\u202f'\u2019"
_NUMBER_CHARACTERS = re.compile(rf"[0-9.,{_GROUPING}]+")
_OTHER_MARK = {".": ",", ",": "."}


def _grouped(whole: str, thousands: str) -> bool:
    """Whether `whole` is digits grouped by `thousands`: in threes (45,000 or 45.000), or with commas the
    Indian way, a group of three then twos (12,50,000: 12 lakh), as en_IN exports write INR."""
    sep = re.escape(thousands)
    if re.fullmatch(rf"\d{{1,3}}(?:{sep}\d{{3}})+", whole):
        return True
    return thousands == "," and bool(re.fullmatch(r"\d{1,2}(?:,\d{2})+,\d{3}", whole))


def _currency(text: str, token: str, dollar: str) -> str:
    if token == "$":
        return dollar
    if token in _SYMBOLS:
        return _SYMBOLS[token]
    code = currency_code(token) if re.fullmatch(r"[A-Za-z]{3}", token) else None
    if code is None or code != token.upper():
        raise ValueError(f"“{text}” is not an amount: {token} is not a currency code.")
    return code


def _split_amount(text: str, dollar: str) -> tuple[bool, str, str | None]:
    """(negative?, the number as written, the currency written with it) of an amount."""
    rest = _clean(text)
    if not rest:
        raise ValueError("The amount is empty.")
    negative = False
    currencies: list[str] = []
    if rest.startswith("(") and rest.endswith(")"):  # accounting style: (5,000.00)
        negative, rest = True, rest[1:-1].strip()
    while match := _LEADING.match(rest):
        token = match["token"]
        if token in "-\u2212+":
            if negative and token != "+":
                raise ValueError(f"“{text}” is not an amount.")
            negative = negative or token != "+"
        else:
            currencies.append(_currency(text, token, dollar))
        rest = rest[match.end() :]
    if match := _TRAILING.search(rest):
        currencies.append(_currency(text, match["token"], dollar))
        rest = rest[: match.start()]
    if not negative and rest.startswith("(") and rest.endswith(")"):  # USD (5,000.00)
        negative, rest = True, rest[1:-1].strip()
    if len(set(currencies)) > 1:
        raise ValueError(f"“{text}” names two currencies ({' and '.join(dict.fromkeys(currencies))}).")
    return negative, rest.strip(), currencies[0] if currencies else None


def _read_number(text: str, number: str, decimal_mark: str | None) -> tuple[str, str | None]:
    """The number in plain digits ("45000.00") and the decimal mark it shows unambiguously, if any.
    With `decimal_mark` None an ambiguous value is read with "." as its mark."""
    if not number or not _NUMBER_CHARACTERS.fullmatch(number) or not re.search(r"\d", number):
        raise ValueError(f"“{text}” is not an amount.")
    malformed = ValueError(
        f"“{text}” is not an amount: its digits are not grouped in threes (45,000.00 or 45.000,00)."
    )

    def contradicts(mark: str) -> ValueError:
        return ValueError(f"“{text}” has “{mark}” as its decimal mark, but this file's is “{decimal_mark}”.")

    spaced = re.sub(f"[{_GROUPING}]", "_", number)
    if "_" in spaced:
        match = re.fullmatch(r"([\d_]+)(?:([.,])(\d+))?", spaced)
        if not match or not _grouped(match[1], "_"):
            raise malformed
        whole, mark, fraction = match.groups()
        if mark and decimal_mark and mark != decimal_mark:
            raise contradicts(mark)
        return whole.replace("_", "") + (f".{fraction}" if mark else ""), mark
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        mark = "." if number.rfind(".") > number.rfind(",") else ","
        thousands = _OTHER_MARK[mark]
        whole, _, fraction = number.rpartition(mark)
        if not _grouped(whole, thousands) or not fraction.isdigit():
            raise malformed
        if decimal_mark and mark != decimal_mark:
            raise contradicts(mark)
        return whole.replace(thousands, "") + "." + fraction, mark
    if not (dots or commas):
        return number, None
    separator = "." if dots else ","
    if dots + commas > 1:  # 1.234.567 or 1,234,567: thousands; the mark is the other one
        if not _grouped(number, separator):
            raise malformed
        if decimal_mark == separator:
            raise ValueError(f"“{text}” is not an amount with “{decimal_mark}” as its decimal mark.")
        return number.replace(separator, ""), _OTHER_MARK[separator]
    whole, fraction = number.split(separator)
    if not fraction:
        raise malformed
    could_be_thousands = len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0")
    if decimal_mark is None:
        if could_be_thousands:  # 1,234 or 1.234: read with "." as the mark
            return (whole + fraction, None) if separator == "," else (f"{whole}.{fraction}", None)
        return f"{whole or '0'}.{fraction}", separator
    if separator == decimal_mark:
        return f"{whole or '0'}.{fraction}", None
    if could_be_thousands:
        return whole + fraction, None
    raise ValueError(f"“{text}” is not an amount with “{decimal_mark}” as its decimal mark.")


def parse_amount(
    text: str, decimal_mark: str | None = None, dollar: str = "USD"
) -> tuple[Decimal, str | None]:
    """An amount and the currency written with it: 'USD 45,000.00', '45,000.00 USD', '$80,000', '€ 1.234,56',
    '45.000,00 €', '£1,200', '¥5000', 'EUR 1.234,56', '1 234,56' (space or narrow no-break space or
    apostrophe thousands, Swiss 1'234.50), '45000'.

    The currency is a 3-letter ISO 4217 code (any active one) or a symbol ($ is `dollar`, € EUR, £ GBP,
    ¥ JPY, ₹ INR, Fr. CHF, R$ BRL...); None when none is written, and the caller then applies the tenant's
    default (visibly). A symbol and a code that agree ("$80,000 USD") are one currency.

    `decimal_mark` is the file's ("." or ","). None means: decide from the value itself when it shows its
    mark (45,000.00, 45.000,00, 1234,5, 1.234.567) and read it with "." otherwise, so "1,234" is 1234 and
    "1.234" is 1.234. Refused with a readable ValueError: malformed groupings (12,3,4), two currencies,
    letters, an empty value, a value whose mark contradicts `decimal_mark`. Negative amounts (-5, (5),
    -$5) parse as negative; the caller refuses them."""
    if decimal_mark not in (None, ".", ","):
        raise ValueError(f"Unknown decimal mark {decimal_mark!r}; one of “.” and “,”.")
    negative, number, currency = _split_amount(text, dollar)
    digits, _ = _read_number(text, number, decimal_mark)
    amount = Decimal(digits)
    return (-amount if negative else amount), currency


def detect_decimal_mark(samples: Iterable[str]) -> str | None:
    """'.' or ',' as the samples show it (45,000.00 -> '.'; 45.000,00 or 1234,5 -> ','; 1.234.567 -> ',';
    1,234,567 -> '.'); None when no sample decides (e.g. only 45000 or 1,234 — ambiguous) or when they
    contradict each other. Samples that are not amounts are left out."""
    shown = set()
    for sample in samples:
        try:
            _, number, _ = _split_amount(sample, "USD")
            _, mark = _read_number(sample, number, None)
        except ValueError:
            continue
        if mark:
            shown.add(mark)
    return shown.pop() if len(shown) == 1 else None


# --- Salesforce record ids -----------------------------------------------------------------------

_CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id_18(value: str) -> str:
    """A Salesforce record id in its 18-character case-safe form: a 15-character case-sensitive id gets its
    3-character checksum suffix; an 18-character one is returned as is; any other value is returned
    unchanged (stripped). So the 15- and 18-character forms of one record compare equal.

    The suffix is Salesforce's documented one (the CASESAFEID() formula): each 5-character chunk of the
    id gives one character, whose index in A-Z0-5 has bit i set when the chunk's i-th character is an
    upper-case letter. A value of 15 digits only is left unchanged: it is a number from another system
    (a HubSpot record id, an ERP customer number), never worth an "AAA" suffix."""
    value = str(value).strip()
    if not re.fullmatch(r"[A-Za-z0-9]{15}", value) or value.isdigit():
        return value
    suffix = ""
    for start in range(0, 15, 5):
        chunk = value[start : start + 5]
        index = sum(1 << position for position, character in enumerate(chunk) if "A" <= character <= "Z")
        suffix += _CHECKSUM_ALPHABET[index]
    return value + suffix


# --- Report footers ------------------------------------------------------------------------------

# The lines Salesforce writes under a report's data (Classic exports, Lightning's formatted exports),
# as exports seen in the wild spell them; compared in lower case with spaces collapsed.
_FOOTER_LINES = [
    re.compile(
        r"copyright (?:\(c\)|©) ?\d{4}(?: ?- ?\d{4})? salesforce(?:\.com)?,? inc\.?,? all rights reserved\.?"
    ),
    re.compile(r"confidential information ?- ?do not distribute\.?"),
    re.compile(r"generated by: ?\S.*\d{1,2}[/.]\d{1,2}[/.]\d{4}.*"),
    re.compile(r"filtered by:.*"),
]
_GRAND_TOTALS = re.compile(r"grand totals? \(\d[\d,. \u00a0]* records?\)")


def is_report_footer(cells: Sequence[str], width: int) -> bool:
    """Whether a CSV record (after the data) is part of the footer Salesforce Classic, and Lightning's
    formatted-report exports, append: "Grand Totals (12 records)" (its other cells may carry the totals),
    "Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved." (or ©), "Confidential Information -
    Do Not Distribute", "Generated By:  Jane Doe  12/1/2026 9:14 AM", "Filtered By: ...", and the org's (or
    the report's) name such as "Acme Corp".

    A record with a single non-empty cell matching one of those lines is a footer line, whatever else the
    record holds in empty cells. The org's name matches no pattern: it is taken for a footer line only as
    a lone cell with the rest of the record missing (not empty), in a file `width` columns wide: Salesforce
    writes every column of a data row, so a data row never looks like that, and a one-column file's rows
    are never footers by that rule. Blank records are not footers: the caller handles the separator line,
    and should apply this only to the records after the last data row (a lone cell among the data is a
    broken row to report, not a footer)."""
    values = [_clean(cell) for cell in cells]
    filled = [value for value in values if value]
    if not filled:
        return False
    if _GRAND_TOTALS.fullmatch(values[0].lower()):
        return True
    if len(filled) != 1:
        return False
    line = filled[0].lower()
    if any(pattern.fullmatch(line) for pattern in _FOOTER_LINES):
        return True
    return len(cells) == 1 and width > 1
