"""NUTS regions the land emulator can cut to: code -> (name, west, south, east, north).

Real (clms.downloadtool ``validation.validate_nuts``; CLMS download docs): a NUTS 0-3 code is
accepted when it is alphanumeric and its first two letters are a country code of the service's
list; its name comes from a NUTS web service (``NAME_LATN``; the code itself when not found).
Emulated: about fifty real codes (the docs' ITC11 Torino and ITC1 Piemonte, countries, capitals,
regions); the bounding boxes are approximations of the real regions (a tenth of a degree)
[unverified]; France is its metropolitan part. A valid but unlisted code is accepted and its
task then fails (the emulator has no geometry for it).
"""

from __future__ import annotations

import re

__all__ = ["COUNTRIES", "NUTS", "bbox", "name", "valid"]

NUTS: dict[str, tuple[str, float, float, float, float]] = {
    "AT": ("Österreich", 9.53, 46.37, 17.16, 49.02),
    "AT13": ("Wien", 16.18, 48.12, 16.58, 48.32),
    "BE": ("Belgique/België", 2.54, 49.50, 6.41, 51.51),
    "BE1": (
        "Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest",
        4.24,
        50.76,
        4.48,
        50.91,
    ),
    "BE10": (
        "Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest",
        4.24,
        50.76,
        4.48,
        50.91,
    ),
    "BE100": ("Arr. de Bruxelles-Capitale/Arr. Brussel-Hoofdstad", 4.24, 50.76, 4.48, 50.91),
    "CH": ("Schweiz/Suisse/Svizzera", 5.96, 45.82, 10.49, 47.81),
    "CZ": ("Česko", 12.09, 48.55, 18.86, 51.06),
    "DE": ("Deutschland", 5.87, 47.27, 15.04, 55.06),
    "DE1": ("Baden-Württemberg", 7.51, 47.53, 10.50, 49.79),
    "DE2": ("Bayern", 8.97, 47.27, 13.84, 50.56),
    "DE212": ("München, Kreisfreie Stadt", 11.36, 48.06, 11.72, 48.25),
    "DE3": ("Berlin", 13.09, 52.34, 13.76, 52.68),
    "DE30": ("Berlin", 13.09, 52.34, 13.76, 52.68),
    "DE300": ("Berlin", 13.09, 52.34, 13.76, 52.68),
    "DE6": ("Hamburg", 8.42, 53.39, 10.33, 53.96),
    "DK": ("Danmark", 8.07, 54.56, 15.20, 57.75),
    "DK01": ("Hovedstaden", 11.85, 54.98, 15.20, 56.13),
    "EL": ("Elláda", 19.37, 34.80, 28.25, 41.75),
    "EL30": ("Attiki", 22.85, 37.29, 24.10, 38.34),
    "ES": ("España", -9.30, 35.95, 4.33, 43.79),
    "ES3": ("Comunidad de Madrid", -4.58, 39.88, -3.05, 41.17),
    "ES30": ("Comunidad de Madrid", -4.58, 39.88, -3.05, 41.17),
    "ES300": ("Madrid", -4.58, 39.88, -3.05, 41.17),
    "ES5": ("Este", 0.16, 37.84, 4.33, 42.86),
    "ES51": ("Cataluña", 0.16, 40.52, 3.33, 42.86),
    "ES511": ("Barcelona", 1.36, 41.19, 2.78, 42.32),
    "FI1B": ("Helsinki-Uusimaa", 23.10, 59.80, 26.60, 60.80),
    "FR": ("France", -5.14, 41.33, 9.56, 51.09),
    "FR1": ("Ile-de-France", 1.45, 48.12, 3.56, 49.24),
    "FR10": ("Ile-de-France", 1.45, 48.12, 3.56, 49.24),
    "FR101": ("Paris", 2.22, 48.81, 2.47, 48.91),
    "FRK2": ("Rhône-Alpes", 3.69, 44.12, 7.19, 46.52),
    "FRK26": ("Rhône", 4.24, 45.45, 4.91, 46.31),
    "FRL04": ("Bouches-du-Rhône", 4.23, 43.16, 5.81, 43.92),
    "IE": ("Éire/Ireland", -10.48, 51.42, -5.99, 55.39),
    "IE061": ("Dublin", -6.55, 53.18, -6.04, 53.64),
    "IT": ("Italia", 6.63, 35.49, 18.52, 47.09),
    "ITC": ("Nord-Ovest", 6.63, 43.78, 10.50, 46.64),
    "ITC1": ("Piemonte", 6.63, 44.06, 9.21, 46.46),
    "ITC11": ("Torino", 6.63, 44.75, 8.11, 45.59),
    "ITC4": ("Lombardia", 8.50, 44.68, 11.43, 46.64),
    "ITC4C": ("Milano", 8.70, 45.16, 9.55, 45.64),
    "ITI43": ("Roma", 11.74, 41.45, 13.30, 42.30),
    "LU": ("Luxembourg", 5.73, 49.45, 6.53, 50.18),
    "NL": ("Nederland", 3.36, 50.75, 7.23, 53.56),
    "NL32": ("Noord-Holland", 4.49, 52.16, 5.33, 53.18),
    "NL329": ("Groot-Amsterdam", 4.73, 52.27, 5.07, 52.43),
    "PL": ("Polska", 14.12, 49.00, 24.15, 54.84),
    "PL91": ("Warszawski stołeczny", 20.55, 51.95, 21.55, 52.55),
    "PT": ("Portugal", -9.50, 36.96, -6.19, 42.15),
    "PT17": ("Área Metropolitana de Lisboa", -9.50, 38.40, -8.49, 39.07),
    "SE": ("Sverige", 10.96, 55.34, 24.17, 69.06),
}
#: The first two letters of a valid code (clms.downloadtool's list, its EU codes EL and UK too).
COUNTRIES = frozenset(
    [
        "AD",
        "AE",
        "AL",
        "AM",
        "AT",
        "AU",
        "AZ",
        "BA",
        "BE",
        "BG",
        "BY",
        "CA",
        "CH",
        "CN",
        "CY",
        "CZ",
        "DE",
        "DK",
        "DZ",
        "EE",
        "EG",
        "EL",
        "ES",
        "FI",
        "FO",
        "FR",
        "GB",
        "GE",
        "GL",
        "GR",
        "HR",
        "HU",
        "IE",
        "IL",
        "IS",
        "IT",
        "JP",
        "KS",
        "KZ",
        "LI",
        "LT",
        "LU",
        "LV",
        "MA",
        "MC",
        "MD",
        "ME",
        "MK",
        "MT",
        "NL",
        "NO",
        "PL",
        "PT",
        "RO",
        "RS",
        "RU",
        "SE",
        "SI",
        "SK",
        "SM",
        "TN",
        "TR",
        "UA",
        "UK",
        "US",
        "VA",
        "XK",
    ]
)


def valid(code: object) -> bool:
    """Accepted as the real service does: alphanumeric, a known country first."""
    if not isinstance(code, str) or not code.isalnum():
        return False
    match = re.match(r"([A-Z]+)([0-9]*)", code, re.I)
    return bool(match) and match.group(1)[:2] in COUNTRIES


def name(code: str) -> str:
    """The region's name (the code itself when unknown, as the real lookup falls back)."""
    return NUTS[code][0] if code in NUTS else code


def bbox(code: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a listed region; None for others."""
    row = NUTS.get(code)
    return None if row is None else row[1:]
