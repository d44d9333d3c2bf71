"""Abbreviated month names as journalctl prints them under common locales.

journalctl calls ``setlocale(LC_ALL, "")`` and formats ``short`` timestamps
with ``strftime("%b")``, so a German host prints ``Mär``, a Chinese or
Japanese one ``3月``. Keys are lower case without a trailing dot.
"""

from __future__ import annotations

import re

_NAMES = {
    1: "jan ene gen sty janv янв jän",
    2: "feb fev lut févr фев",
    3: "mar mär mrt mars мар",
    4: "apr abr avr avril kwi апр",
    5: "may mai mag mei maj мая май",
    6: "jun juin giu cze juni июн",
    7: "jul juil lug lip juli июл",
    8: "aug ago août sie авг",
    9: "sep set sept wrz сен",
    10: "oct okt out ott paź окт",
    11: "nov lis ноя",
    12: "dec dez dic déc gru дек",
}

MONTHS: dict[str, int] = {name: n for n, names in _NAMES.items() for name in names.split()}
_NUMERIC = re.compile(r"^(\d{1,2})(?:月|월)$")  # zh_CN, ja_JP, ko_KR


def month_number(token: str) -> int | None:
    """The month (1-12) a locale's ``%b`` token names, or None."""
    key = token.strip().rstrip(".").lower()
    number = MONTHS.get(key)
    if number is not None:
        return number
    m = _NUMERIC.match(key)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None
