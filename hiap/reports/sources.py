"""The open datasets hiap's indicators draw on, with their licences, for report appendices."""

from __future__ import annotations

from dataclasses import dataclass

from hiap import attribution

__all__ = ["DATA_SOURCES", "DataSource"]


@dataclass(frozen=True, slots=True)
class DataSource:
    """One dataset cited in the report's "data sources and licences" section.

    Attributes
    ----------
    name
        What the dataset is and who publishes it.
    licence
        The licence it is used under.
    attribution
        The statement the licence requires.
    """

    name: str
    licence: str
    attribution: str


DATA_SOURCES: tuple[DataSource, ...] = (
    DataSource(
        "OpenStreetMap: street and path network, destinations, green space, bus stops",
        "Open Data Commons Open Database Licence (ODbL) 1.0",
        attribution.OSM,
    ),
    DataSource(
        "NHS England Organisation Data Service: GP practices (epraccur)",
        "Open Government Licence v3.0",
        attribution.OGL,
    ),
    DataSource(
        "NHS.UK organisation list: hospital sites",
        "Open Government Licence v3.0",
        attribution.OGL,
    ),
    DataSource(
        "Ordnance Survey Code-Point Open: postcode locations",
        "OS OpenData licence (compatible with the Open Government Licence v3.0)",
        attribution.CODE_POINT_OPEN,
    ),
    DataSource(
        "Office for National Statistics: Census 2021 and mid-year population estimates, "
        "postcode and LSOA lookups, local authority boundaries",
        "Open Government Licence v3.0",
        attribution.OGL + "; contains OS data © Crown copyright and database right",
    ),
    DataSource(
        "Ministry of Housing, Communities and Local Government: English Indices of "
        "Deprivation 2019",
        "Open Government Licence v3.0",
        attribution.OGL,
    ),
    DataSource(
        "Office for National Statistics: life expectancy at birth by MSOA, 2016 to 2020 "
        "(ad hoc release REQ3292)",
        "Open Government Licence v3.0",
        attribution.OGL,
    ),
    DataSource(
        "House of Commons Library: modelled prevalence of QOF conditions by district, 2019/20",
        "Open Parliament Licence v3.0",
        "Contains Parliamentary information licensed under the Open Parliament Licence v3.0",
    ),
    DataSource(
        "Office for Health Improvement and Disparities, Fingertips: smoking prevalence in "
        "adults (QOF), indicator 91547",
        "Open Government Licence v3.0",
        attribution.OGL,
    ),
    DataSource(
        "Traveline National Dataset and bus open data: public transport timetables",
        "Open Government Licence v3.0",
        attribution.OGL,
    ),
)
"""Every dataset hiap can measure indicators from, in the order reports list them."""
