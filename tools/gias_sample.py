"""Realistic GIAS establishment files with fictional schools, for tests, demos and the benchmark.

Files are written as the DfE publishes them: Windows-1252, every field quoted, CRLF line ends,
dd-mm-yyyy dates, and the full column set of the chosen release. The column lists are copied
from real downloads so that the project does not depend on anything outside it.
"""
from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

ENCODING = "cp1252"

# 120 columns, as in edubasealldata files of 2017.
HEADER_2017: tuple[str, ...] = (
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (code)", "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)", "EstablishmentStatus (code)", "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
    "ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "Boarders (code)", "Boarders (name)", "NurseryProvision (name)", "OfficialSixthForm (code)",
    "OfficialSixthForm (name)", "Gender (code)", "Gender (name)", "ReligiousCharacter (code)",
    "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)",
    "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity", "SpecialClasses (code)",
    "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys", "NumberOfGirls",
    "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)",
    "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)", "Federations (code)",
    "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)", "OfstedLastInsp",
    "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street", "Locality",
    "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum", "HeadTitle (name)",
    "HeadFirstName", "HeadLastName", "HeadHonours", "HeadPreferredJobTitle", "InspectorateName (name)",
    "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)",
    "TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
    "EdByOther (name)", "Section41Approved (name)", "SEN1 (name)", "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity",
    "GOR (code)", "GOR (name)", "DistrictAdministrative (code)", "DistrictAdministrative (name)",
    "AdministrativeWard (code)", "AdministrativeWard (name)", "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)", "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)",
    "Easting", "Northing", "CensusAreaStatisticWard (name)", "MSOA (name)", "LSOA (name)",
    "Inspectorate (name)", "SENStat", "SENNoStat", "BoardingEstablishment (name)", "PropsName",
    "PreviousLA (code)", "PreviousLA (name)", "PreviousEstablishmentNumber", "OfstedRating (name)",
    "RSCRegion (name)", "Country (name)", "UPRN", "SiteName",
)

# 133 columns, as in edubasealldata files of 2019.
HEADER_2019: tuple[str, ...] = (
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (code)", "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)", "EstablishmentStatus (code)", "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
    "ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "Boarders (code)", "Boarders (name)", "NurseryProvision (name)", "OfficialSixthForm (code)",
    "OfficialSixthForm (name)", "Gender (code)", "Gender (name)", "ReligiousCharacter (code)",
    "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)",
    "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity", "SpecialClasses (code)",
    "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys", "NumberOfGirls",
    "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)",
    "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)", "Federations (code)",
    "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)", "OfstedLastInsp",
    "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street", "Locality",
    "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum", "HeadTitle (name)",
    "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle", "InspectorateName (name)",
    "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)",
    "TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
    "EdByOther (name)", "Section41Approved (name)", "SEN1 (name)", "SEN2 (name)", "SEN3 (name)",
    "SEN4 (name)", "SEN5 (name)", "SEN6 (name)", "SEN7 (name)", "SEN8 (name)", "SEN9 (name)",
    "SEN10 (name)", "SEN11 (name)", "SEN12 (name)", "SEN13 (name)", "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity",
    "GOR (code)", "GOR (name)", "DistrictAdministrative (code)", "DistrictAdministrative (name)",
    "AdministrativeWard (code)", "AdministrativeWard (name)", "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)", "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)",
    "Easting", "Northing", "CensusAreaStatisticWard (name)", "MSOA (name)", "LSOA (name)",
    "Inspectorate (name)", "SENStat", "SENNoStat", "BoardingEstablishment (name)", "PropsName",
    "PreviousLA (code)", "PreviousLA (name)", "PreviousEstablishmentNumber", "OfstedRating (name)",
    "RSCRegion (name)", "Country (name)", "UPRN", "SiteName", "MSOA (code)", "LSOA (code)",
)

# 139 columns, as in edubasealldata files of 2024.
HEADER_2024: tuple[str, ...] = (
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (code)", "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)",
    "EstablishmentTypeGroup (name)", "EstablishmentStatus (code)", "EstablishmentStatus (name)",
    "ReasonEstablishmentOpened (code)", "ReasonEstablishmentOpened (name)", "OpenDate",
    "ReasonEstablishmentClosed (code)", "ReasonEstablishmentClosed (name)", "CloseDate",
    "PhaseOfEducation (code)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge",
    "Boarders (code)", "Boarders (name)", "NurseryProvision (name)", "OfficialSixthForm (code)",
    "OfficialSixthForm (name)", "Gender (code)", "Gender (name)", "ReligiousCharacter (code)",
    "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)",
    "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity", "SpecialClasses (code)",
    "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys", "NumberOfGirls",
    "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)", "Trusts (name)",
    "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)", "Federations (code)",
    "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)", "OfstedLastInsp",
    "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street", "Locality",
    "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum", "HeadTitle (name)",
    "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle", "BSOInspectorateName (name)",
    "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)",
    "TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
    "EdByOther (name)", "Section41Approved (name)", "SEN1 (name)", "SEN2 (name)", "SEN3 (name)",
    "SEN4 (name)", "SEN5 (name)", "SEN6 (name)", "SEN7 (name)", "SEN8 (name)", "SEN9 (name)",
    "SEN10 (name)", "SEN11 (name)", "SEN12 (name)", "SEN13 (name)", "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity",
    "GOR (code)", "GOR (name)", "DistrictAdministrative (code)", "DistrictAdministrative (name)",
    "AdministrativeWard (code)", "AdministrativeWard (name)", "ParliamentaryConstituency (code)",
    "ParliamentaryConstituency (name)", "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)",
    "Easting", "Northing", "MSOA (name)", "LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat",
    "BoardingEstablishment (name)", "PropsName", "PreviousLA (code)", "PreviousLA (name)",
    "PreviousEstablishmentNumber", "OfstedRating (name)", "Country (name)", "UPRN", "SiteName",
    "QABName (code)", "QABName (name)", "EstablishmentAccredited (code)", "EstablishmentAccredited (name)",
    "QABReport", "CHNumber", "MSOA (code)", "LSOA (code)", "FSM", "AccreditationExpiryDate",
)

HEADERS: dict[str, tuple[str, ...]] = {"2017": HEADER_2017, "2019": HEADER_2019, "2024": HEADER_2024}

# (type code, type name, type group code, group name, phase code, phase name, low age, high age, name ending)
_KINDS: tuple[tuple[str, str, str, str, str, str, int, int, str], ...] = (
    ("01", "Community school", "4", "Local authority maintained schools", "2", "Primary", 4, 11, "Primary School"),
    ("01", "Community school", "4", "Local authority maintained schools", "2", "Primary", 3, 7, "Infant School"),
    ("01", "Community school", "4", "Local authority maintained schools", "2", "Primary", 7, 11, "Junior School"),
    ("02", "Voluntary aided school", "4", "Local authority maintained schools", "2", "Primary", 4, 11,
     "Catholic Primary School"),
    ("03", "Voluntary controlled school", "4", "Local authority maintained schools", "2", "Primary", 4, 11,
     "Church of England Primary School"),
    ("28", "Academy sponsor led", "10", "Academies", "2", "Primary", 4, 11, "Primary Academy"),
    ("34", "Academy converter", "10", "Academies", "4", "Secondary", 11, 18, "Academy"),
    ("01", "Community school", "4", "Local authority maintained schools", "4", "Secondary", 11, 16, "High School"),
    ("05", "Foundation school", "4", "Local authority maintained schools", "4", "Secondary", 11, 18, "School"),
    ("15", "Local authority nursery school", "4", "Local authority maintained schools", "1", "Nursery", 2, 5,
     "Nursery School"),
    ("07", "Community special school", "5", "Special schools", "0", "Not applicable", 3, 19, "Special School"),
    ("10", "Pupil referral unit", "4", "Local authority maintained schools", "0", "Not applicable", 11, 16,
     "Pupil Referral Unit"),
    ("36", "Free schools", "11", "Free Schools", "7", "All-through", 4, 18, "Free School"),
)
_PLACES = ("Ashby", "Brookfield", "Castlegate", "Dunmore", "Elmwood", "Fernhill", "Greyfriars", "Hollins",
           "Ivydale", "Juniper Hill", "Kingsmead", "Larkrise", "Millbrook", "Northgate", "Oakridge", "Pennyfield",
           "Queensway", "Riverside", "Stonebridge", "Thornbury", "Upton Vale", "Valley Road", "Westcliffe",
           "Yewtree", "Ashcombe", "Brackenbury", "Coldharbour", "Drayfield")
# Saints' names give the typographic apostrophe (’, 0x92 in Windows-1252) that real names carry.
_SAINTS = ("St Aidan’s", "St Bede’s", "St Cuthbert’s", "St Hilda’s", "St Mary’s", "St Oswald’s", "St Wilfrid’s")
_STREETS = ("School Lane", "Church Road", "Mill Street", "Park Avenue", "Station Road", "Victoria Road", "The Green")
_TOWNS = ("Fictionville", "Northby", "Southwold Parva", "Eastmere", "Westbury Marsh")
_COUNTIES = ("", "", "Imaginaryshire", "West Notland")
_FIRST = ("Alex", "Sam", "Priya", "Chris", "Jo", "Morgan", "Aisha", "Tom", "Siân", "Declan", "Ngozi", "Ewan")
_LAST = ("Adeyemi", "Brown", "Campbell", "Davies", "Evans", "Fletcher", "Gupta", "Hughes", "O’Connor", "Patel",
         "Roberts", "Wilson")
_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Dr")
_RATINGS = ("Outstanding", "Good", "Good", "Good", "Requires improvement", "Inadequate", "")
_TRUSTS = ("Fictional Learning Trust", "Northgate Multi Academy Trust", "St Hilda’s Catholic Academy Trust")
_LA_NAMES = {"999": "Fictional Borough", "998": "Imaginary County", "997": "Notional City"}


def _dmy(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def sample_row(urn: int, la_code: str = "999", *, closed: bool = False,
               rng: random.Random | None = None) -> dict[str, str]:
    """One fictional establishment as GIAS columns (name -> text), filled for every release."""
    rng = rng or random.Random(urn)
    type_code, type_name, group_code, group_name, phase_code, phase, low, high, ending = _KINDS[
        rng.randrange(len(_KINDS))]
    first_word = rng.choice(_SAINTS) if rng.random() < 0.15 else rng.choice(_PLACES)
    name = f"{first_word} {ending}"
    academy = group_name == "Academies"
    opened = date(1950, 9, 1) + timedelta(days=rng.randrange(365 * 70))
    inspected = date(2012, 1, 9) + timedelta(days=rng.randrange(365 * 12))
    pupils = rng.randrange(40, 1600 if phase == "Secondary" else 620)
    boys = pupils // 2 + rng.randrange(-20, 21) if pupils > 40 else pupils // 2
    town = rng.choice(_TOWNS)
    row = {
        "URN": str(urn), "LA (code)": la_code, "LA (name)": _LA_NAMES.get(la_code, f"Authority {la_code}"),
        "EstablishmentNumber": str(2000 + urn % 8000), "EstablishmentName": name,
        "TypeOfEstablishment (code)": type_code, "TypeOfEstablishment (name)": type_name,
        "EstablishmentTypeGroup (code)": group_code, "EstablishmentTypeGroup (name)": group_name,
        "EstablishmentStatus (code)": "2" if closed else "1",
        "EstablishmentStatus (name)": "Closed" if closed else "Open",
        "ReasonEstablishmentOpened (code)": "00", "ReasonEstablishmentOpened (name)": "Not applicable",
        "OpenDate": _dmy(opened) if rng.random() < 0.4 else "",
        "ReasonEstablishmentClosed (code)": "01" if closed else "00",
        "ReasonEstablishmentClosed (name)": "Result of Amalgamation/Merger" if closed else "Not applicable",
        "CloseDate": _dmy(date(2010, 8, 31) + timedelta(days=365 * rng.randrange(14))) if closed else "",
        "PhaseOfEducation (code)": phase_code, "PhaseOfEducation (name)": phase,
        "StatutoryLowAge": str(low), "StatutoryHighAge": str(high),
        "Boarders (code)": "1", "Boarders (name)": "No boarders",
        "NurseryProvision (name)": "Has Nursery Classes" if low < 4 else "No Nursery Classes",
        "OfficialSixthForm (code)": "1" if high > 16 else "2",
        "OfficialSixthForm (name)": "Has a sixth form" if high > 16 else "Does not have a sixth form",
        "Gender (code)": "3", "Gender (name)": "Mixed",
        "ReligiousCharacter (name)": "Roman Catholic" if "Catholic" in name else (
            "Church of England" if "Church" in name else "Does not apply"),
        "AdmissionsPolicy (name)": "Not applicable", "SchoolCapacity": str(pupils + rng.randrange(0, 120)),
        "SpecialClasses (name)": "No Special Classes", "CensusDate": "16-01-2025",
        "NumberOfPupils": "" if closed else str(pupils), "NumberOfBoys": "" if closed else str(boys),
        "NumberOfGirls": "" if closed else str(pupils - boys),
        "PercentageFSM": "" if closed else f"{rng.uniform(2, 55):.1f}", "FSM": "" if closed else str(pupils // 5),
        "TrustSchoolFlag (name)": "Supported by a multi-academy trust" if academy else "Not applicable",
        "Trusts (code)": str(16000 + urn % 97) if academy else "",
        "Trusts (name)": rng.choice(_TRUSTS) if academy else "",
        "FederationFlag (name)": "Not under a federation", "UKPRN": str(10000000 + urn % 9000000),
        "FurtherEducationType (name)": "Not applicable",
        "OfstedLastInsp": "" if closed else _dmy(inspected),
        "OfstedSpecialMeasures (code)": "0", "OfstedSpecialMeasures (name)": "Not applicable",
        "LastChangedDate": "02-04-2025",
        "Street": f"{rng.randrange(1, 200)} {rng.choice(_STREETS)}", "Locality": rng.choice(("", "", "Old Town")),
        "Address3": "", "Town": town, "County (name)": rng.choice(_COUNTIES),
        "Postcode": f"FV{rng.randrange(1, 30)} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
        "SchoolWebsite": f"www.{first_word.lower().replace(' ', '').replace('’', '')}-{urn}.example.sch.uk",
        "TelephoneNum": f"01{rng.randrange(100, 999)}{rng.randrange(100000, 999999)}",
        "HeadTitle (name)": "" if closed else rng.choice(_TITLES),
        "HeadFirstName": "" if closed else rng.choice(_FIRST), "HeadLastName": "" if closed else rng.choice(_LAST),
        "HeadPreferredJobTitle": "" if closed else "Headteacher",
        "InspectorateName (name)": "Not applicable", "SEN1 (name)": "", "GOR (code)": "J",
        "GOR (name)": "South East", "UrbanRural (name)": "(England/Wales) Urban city and town",
        "Easting": str(400000 + urn % 99991), "Northing": str(200000 + urn % 99989),
        "BoardingEstablishment (name)": "Not applicable", "OfstedRating (name)": "" if closed else rng.choice(_RATINGS),
        "Country (name)": "", "UPRN": str(100000000000 + urn),
    }
    return row


def _rows_in_order(rows: Iterable[Mapping[str, str]], header: tuple[str, ...]) -> Iterable[list[str]]:
    columns = set(header)
    for row in rows:
        unknown = set(row) - columns
        if unknown:
            raise ValueError(f"columns not in the header: {sorted(unknown)}")
        yield [row.get(column, "") for column in header]


def gias_bytes(rows_as_dicts: Iterable[Mapping[str, str]], header: Iterable[str] | None = None) -> bytes:
    """A GIAS file in memory: the header (2024 by default), then each row by column name."""
    columns = tuple(header) if header is not None else HEADER_2024
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(_rows_in_order(rows_as_dicts, columns))
    return buffer.getvalue().encode(ENCODING)


def write_gias_file(path: str | Path, rows: int, *, la_codes: Iterable[str] = ("999",), seed: int = 0,
                    start_urn: int = 900000, release: str = "2024", closed_every: int = 20) -> Path:
    """Write a GIAS file of `rows` fictional schools (URNs from `start_urn`, LAs in turn);
    every `closed_every`th school of each LA is closed (0: none)."""
    header = HEADERS[release]
    codes = list(la_codes)
    rng = random.Random(seed)
    path = Path(path)
    with path.open("w", encoding=ENCODING, newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        generated = (
            sample_row(start_urn + i, codes[i % len(codes)],
                       closed=bool(closed_every) and (i // len(codes)) % closed_every == closed_every - 1,
                       rng=rng)
            for i in range(rows)
        )
        # Columns a release does not have (FSM before 2024, say) are simply left out.
        writer.writerows([row.get(column, "") for column in header] for row in generated)
    return path
