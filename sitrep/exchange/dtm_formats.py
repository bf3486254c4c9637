"""The file formats in which IOM DTM's counts of internally displaced people reach a user, told
apart by their header (never by the file's name), and their columns mapped to what the import
reads (dtm_import.py). Where each comes from: tests/exchange/formats/README.md.

- DTM's API export of IDPs by admin area (v2/v3: `GetAdmin0Datav2` … `GetAdmin2Datav2`), as
  downloaded from dtm.iom.int or written by its Python/R clients: one file per admin level.
- The same data as HDX publishes it (`global-iom-dtm-from-api-admin-0-to-2.csv` and each country's
  `…-iom-dtm-from-api-…csv`): an `adminLevel` column, the three levels mixed, and an HXL hashtag
  row on line 2.
- HDX HAPI's `idps` table (affected-people/idps), which serves the same DTM counts with HDX's
  P-codes and names, one row per area, date, operation, assessment type and round.

Location-level master lists (one row per village or site, such as DTM Iraq's) are not among
them: docs/imports.md says why and what to download instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sitrep.errors import Problem
from sitrep.exchange.importfile import ImportFile, ImportRefused, _listed

@dataclass(frozen=True)
class DtmFormat:
    key: str  # "dtm", "hapi-idps"
    title: str  # as the summary names it: "IOM DTM API export"
    dataset: str  # the provenance's dataset: "dtm", or "hapi" for HAPI's table
    required: tuple[str, ...]  # columns the header must have (lower-cased)
    # What the import reads of a row (id, operation, country, iso3, admin1, pcode1, admin2, pcode2,
    # level, people, day, period_start, round, assessment, reason, origin, warning, error) -> the
    # file's columns for it, the first non-empty one read.
    fields: dict[str, tuple[str, ...]]
    hdx_title: str | None = None  # its name when an HXL row says it came from HDX

    def column(self, field: str, columns: list[str]) -> str | None:
        """The file's first column for `field` that the header has (for messages)."""
        return next((c for c in self.fields.get(field, ()) if c in columns), None)


_DTM_FIELDS = {
    "id": ("id",), "operation": ("operation",), "country": ("admin0name",), "iso3": ("admin0pcode",),
    "admin1": ("admin1name",), "pcode1": ("admin1pcode",), "admin2": ("admin2name",), "pcode2": ("admin2pcode",),
    "level": ("adminlevel",), "people": ("numpresentidpind",), "day": ("reportingdate",),
    "round": ("roundnumber",), "assessment": ("assessmenttype",), "reason": ("displacementreason",),
    "origin": ("idporiginadmin1pcode", "idporiginadmin1name"),
}

FORMATS = (
    # HDX's copy is the API's export with an HXL row (and, since 2025, an adminLevel column): the
    # same columns, named "via HDX" when the row is there.
    DtmFormat("dtm", "IOM DTM API export", "dtm", ("admin0name", "admin0pcode", "numpresentidpind", "reportingdate"),
              _DTM_FIELDS, hdx_title="IOM DTM via HDX"),
    DtmFormat("hapi-idps", "HDX HAPI IDPs table", "hapi",
              ("location_code", "admin1_code", "admin2_code", "admin_level", "assessment_type", "population",
               "reporting_round", "reference_period_start", "reference_period_end"),
              {"operation": ("operation",), "country": ("location_name",), "iso3": ("location_code",),
               "admin1": ("admin1_name", "provider_admin1_name"), "pcode1": ("admin1_code",),
               "admin2": ("admin2_name", "provider_admin2_name"), "pcode2": ("admin2_code",),
               "level": ("admin_level",), "people": ("population",), "day": ("reference_period_end",),
               "period_start": ("reference_period_start",), "round": ("reporting_round",),
               "assessment": ("assessment_type",), "warning": ("warning",), "error": ("error",)}),
)


def detect(source: ImportFile, columns: list[str]) -> DtmFormat:
    """The format whose columns the header has; else ONE problem naming the closest format
    (the one lacking fewest columns) and the columns it lacks."""
    for fmt in FORMATS:
        if all(c in columns for c in fmt.required):
            return fmt
    closest = min(FORMATS, key=lambda f: sum(c not in columns for c in f.required))
    missing = [c for c in closest.required if c not in columns]
    raise ImportRefused(Problem(
        source.shown, 1, f"the header fits no DTM format sitrep reads: it lacks {_listed(missing)} of "
                         f"{closest.title}, the closest",
        expected=f"the columns of {closest.title}: {', '.join(closest.required)} (docs/imports.md, \"From IOM DTM\")",
        hint="a location-level master list is not read: download DTM's IDPs by admin area (admin 0, 1 or 2)"))


def field_sql(fmt: DtmFormat, field: str, columns: list[str]) -> str:
    """SQL for a field of a row: its first non-empty column, trimmed; NULL where the file has none."""
    present = [f'nullif(trim("{c}"), \'\')' for c in fmt.fields.get(field, ()) if c in columns]
    if not present:
        return "NULL"
    return present[0] if len(present) == 1 else f"coalesce({', '.join(present)})"


def title(fmt: DtmFormat, levels: list[int], hashtags: bool) -> str:
    """The format as the summary names it: 'IOM DTM via HDX, admin 0-2, with HXL row'."""
    shown = (f"admin {levels[0]}" if len(levels) == 1 else
             f"admin {levels[0]}–{levels[-1]}" if levels == list(range(levels[0], levels[-1] + 1))
             else "admin " + ", ".join(map(str, levels)))
    name = fmt.hdx_title if hashtags and fmt.hdx_title else fmt.title
    return f"{name}, {shown}" + (", with HXL row" if hashtags else "")
