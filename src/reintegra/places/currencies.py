"""The currency a country pays in, the one table every amount field defaults from (issue 18.5).

Pure Python (no Django): a plan item's amount, a community project's budget... are entered in the currency of
the country where the assistance is given, so a form proposes it and a service fills it in when left empty.
ISO 4217 codes; a country that uses the US dollar officially (El Salvador, Ecuador, Panama) says so. A country
not listed has no default: the user types the code.
"""

from __future__ import annotations

CURRENCY_BY_COUNTRY: dict[str, str] = {
    # Mesoamerica and the Caribbean, where the platform's programmes work
    "MX": "MXN",
    "GT": "GTQ",
    "HN": "HNL",
    "SV": "USD",
    "NI": "NIO",
    "CR": "CRC",
    "PA": "USD",
    "BZ": "BZD",
    "DO": "DOP",
    "HT": "HTG",
    "CU": "CUP",
    "JM": "JMD",
    # South America
    "CO": "COP",
    "VE": "VES",
    "EC": "USD",
    "PE": "PEN",
    "BO": "BOB",
    "CL": "CLP",
    "AR": "ARS",
    "BR": "BRL",
    "PY": "PYG",
    "UY": "UYU",
    # countries people return from, and partner installations
    "US": "USD",
    "CA": "CAD",
    "ES": "EUR",
    "FR": "EUR",
    "IT": "EUR",
    "DE": "EUR",
    "BE": "EUR",
    "GB": "GBP",
    "CH": "CHF",
}


def currency_of(country: object) -> str:
    """The ISO 4217 code of `country` (a code or a django-countries `Country`), "" when unknown."""
    return CURRENCY_BY_COUNTRY.get(str(country or "").upper(), "")
