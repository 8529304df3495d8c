"""The catalogue of every dataset hiap uses: where to find it, its licence, how to fetch it.

Each :class:`Dataset` says how to recognise its files in ``Settings.data_dir`` (glob patterns,
never one fixed file name, so a newer extract with another date in its name is found too), its
licence and the attribution line to show with it, where the official copy lives and, when the
publisher offers a stable direct link, the :class:`Download` that ``hiap data download NAME``
fetches. :mod:`hiap.data.status` reports what is present, with dates and sizes.

Which function to use when:

- :data:`DATASETS` / :func:`get_dataset`: the immutable catalogue (for the CLI and loaders).
- :func:`find_dataset_files`: the files of one dataset in a data directory (loaders use this).
- :func:`hiap.data.status.dataset_status`: what of each dataset is present, for
  ``hiap data status``.
- :func:`attribution_lines`: the distinct attribution lines for a set of datasets.
"""

from __future__ import annotations

import fnmatch
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from hiap import attribution as _attribution
from hiap.errors import DataError

# why here: status and other light commands need the names without loading geopandas
CAMBS_PETERBOROUGH_LADS: Mapping[str, str] = MappingProxyType(
    {
        "E07000008": "Cambridge",
        "E07000009": "East Cambridgeshire",
        "E07000010": "Fenland",
        "E07000011": "Huntingdonshire",
        "E07000012": "South Cambridgeshire",
        "E06000031": "Peterborough",
    }
)
"""The six local authority districts of Cambridgeshire and Peterborough, code to name."""

if TYPE_CHECKING:
    from hiap.data.status import DatasetStatus
    from hiap.settings import Settings

__all__ = [
    "CAMBS_PETERBOROUGH_LADS",
    "CHECKSUMS_FILE",
    "DATASETS",
    "LICENCE_ATTRIBUTIONS",
    "OGL_ATTRIBUTION",
    "OSM_ATTRIBUTION",
    "OS_ATTRIBUTION",
    "Dataset",
    "Download",
    "attribution_lines",
    "dataset_status",
    "fetch_command",
    "find_dataset_files",
    "get_dataset",
]

CHECKSUMS_FILE = "CHECKSUMS.json"
"""Name of the manifest, at the top of the data directory, that records downloads."""

# One wording for every attribution line: these names are aliases of hiap.attribution's.
OSM_ATTRIBUTION = _attribution.OSM
OGL_ATTRIBUTION = _attribution.OGL
OS_ATTRIBUTION = _attribution.CODE_POINT_OPEN
ACTDEV_ATTRIBUTION = (
    "ActDev, University of Leeds Institute for Transport Studies (research/demo data)",
    OSM_ATTRIBUTION,
    OGL_ATTRIBUTION,
)

LICENCE_ATTRIBUTIONS: Mapping[str, str] = MappingProxyType(
    {
        "ODbL 1.0": OSM_ATTRIBUTION,
        "OGL v3": OGL_ATTRIBUTION,
        "OS OpenData": OS_ATTRIBUTION,
    }
)
"""The attribution line for each licence short name used in the catalogue."""


@dataclass(frozen=True)
class Download:
    """One file fetched from a publisher.

    Parameters
    ----------
    url
        The official direct link (``https``; ``http`` and ``file`` also work for mirrors).
    dest
        Where to save it, relative to the data directory (POSIX separators).
    unzip
        Extract the archive into ``dest``'s folder and delete the archive afterwards. When the
        server sends a plain file instead of a zip, it is kept as ``dest``.
    extract
        ``fnmatch`` patterns of the archive members to keep (all members when empty).
    sha256
        The checksum this exact file must have (for pinned, immutable URLs); ``None`` for
        "latest" links whose content changes, whose checksum is recorded on download instead.
    """

    url: str
    dest: str
    unzip: bool = False
    extract: tuple[str, ...] = ()
    sha256: str | None = None


@dataclass(frozen=True)
class Dataset:
    """One dataset hiap uses.

    Parameters
    ----------
    name
        Short id used on the command line (``hiap data download NAME``).
    title
        Human-readable title.
    patterns
        Glob patterns, relative to the data directory, of the dataset's files.
    licence
        Licence short name (a key of :data:`LICENCE_ATTRIBUTIONS` where one applies).
    attribution
        The lines to show wherever the data is shown.
    source_url
        The official page describing the dataset.
    downloads
        Direct downloads that ``hiap data download`` fetches (empty: no direct download).
    how_to_get
        How to obtain it by hand, for datasets without a direct download (or as extra advice).
    exclude
        ``fnmatch`` patterns of file names that match ``patterns`` but are not the data.
    zip_member
        For zip datasets (GTFS): a member every real file must contain (``stops.txt``).
    used_by
        What in hiap reads it.
    """

    name: str
    title: str
    patterns: tuple[str, ...]
    licence: str
    attribution: tuple[str, ...]
    source_url: str
    downloads: tuple[Download, ...] = ()
    how_to_get: str | None = None
    exclude: tuple[str, ...] = ()
    zip_member: str | None = None
    used_by: str = ""

    @property
    def downloadable(self) -> bool:
        """Whether ``hiap data download NAME`` can fetch this dataset."""
        return bool(self.downloads)


_ACTDEV_COMMIT = "af0e6093cb9bc08adc14a88e65fee48edec13638"
_ACTDEV_RAW = f"https://raw.githubusercontent.com/cyipt/actdev/{_ACTDEV_COMMIT}/data-small"

_CATALOGUE: tuple[Dataset, ...] = (
    Dataset(
        name="osm",
        # The title names what hiap wants; what is present is described file by file.
        title="OpenStreetMap extracts (official: Geofabrik Cambridgeshire)",
        patterns=("osm/**/*.osm.pbf", "osm/**/*.osm", "osm/**/*.osm.bz2"),
        licence="ODbL 1.0",
        attribution=(OSM_ATTRIBUTION,),
        source_url="https://download.geofabrik.de/europe/united-kingdom/england/cambridgeshire.html",
        downloads=(
            Download(
                "https://download.geofabrik.de/europe/united-kingdom/england/cambridgeshire-latest.osm.pbf",
                "osm/cambridgeshire-latest.osm.pbf",
            ),
        ),
        used_by="walk and street networks",
    ),
    Dataset(
        name="gtfs",
        title="Timetables, GTFS feeds (official: Bus Open Data Service, East Anglia)",
        patterns=("transit/**/*.zip",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://data.bus-data.dft.gov.uk/timetable/download/",
        downloads=(
            Download(
                "https://data.bus-data.dft.gov.uk/timetable/download/gtfs-file/east_anglia/",
                "transit/bods_gtfs_east_anglia.zip",
            ),
        ),
        zip_member="stops.txt",
        used_by="public-transport travel times",
    ),
    Dataset(
        name="txc",
        title="Bus timetables, TransXChange files (Traveline National Dataset / BODS)",
        patterns=("transit/**/*.xml",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.travelinedata.org.uk/traveline-open-data/traveline-national-dataset/",
        how_to_get=(
            "No direct download: TNDS is served by FTP after a free registration at "
            "travelinedata.org.uk, and BODS TransXChange needs a free BODS account "
            "(data.bus-data.dft.gov.uk). Put the .xml files under transit/. "
            "Prefer the GTFS feed (`hiap data download gtfs`)."
        ),
        used_by="TransXChange to GTFS conversion",
    ),
    Dataset(
        name="naptan",
        title="Bus stops with coordinates, NaPTAN (DfT), one Stops CSV per ATCO area",
        patterns=("transit/**/naptan*Stops*.csv", "transit/**/*Stops.csv"),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://beta-naptan.dft.gov.uk/download",
        how_to_get=(
            "Download the Stops CSV of areas 050 (Cambridgeshire) and 059 (Peterborough) from "
            "the NaPTAN site and put them under transit/naptan/."
        ),
        used_by="placing TransXChange stops (the corridor analysis)",
    ),
    Dataset(
        name="gp",
        title="GP practices, NHS ODS epraccur (England and Wales)",
        patterns=("health/**/epraccur*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.odsdatasearchandexport.nhs.uk/",
        downloads=(
            Download(
                "https://www.odsdatasearchandexport.nhs.uk/api/getReport?report=epraccur",
                "health/epraccur.csv",
                unzip=True,
                extract=("epraccur.csv",),
            ),
        ),
        used_by="GP practice locations (with postcodes)",
    ),
    Dataset(
        name="gp_cbpe",
        title="GP practices in CB/PE postcodes and the 6 districts, geocoded (derived)",
        patterns=("health/**/gp_practices_*geocoded*.csv",),
        licence="OGL v3 + OS OpenData",
        attribution=(OGL_ATTRIBUTION, OS_ATTRIBUTION),
        source_url="https://www.odsdatasearchandexport.nhs.uk/",
        how_to_get=(
            "Derived file (epraccur joined to Code-Point Open); no download. hiap builds the "
            "same table itself from `hiap data download gp` and `hiap data download postcodes`."
        ),
        used_by="GP practice locations when epraccur or Code-Point Open is missing",
    ),
    Dataset(
        name="hospitals",
        title="Hospitals, NHS website (NHS.UK) organisation list",
        patterns=("health/**/nhs_Hospital*.csv", "health/**/Hospital*.csv"),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.nhs.uk/about-us/nhs-website-datasets/",
        downloads=(
            Download(
                "https://media.nhswebsite.nhs.uk/data/foi/Hospital.csv", "health/Hospital.csv"
            ),
        ),
        used_by="hospital locations",
    ),
    Dataset(
        name="hospitals_cbpe",
        title="Hospitals with a CB/PE postcode or in the 6 districts (derived)",
        patterns=("health/**/hospitals_*CB_PE*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.nhs.uk/about-us/nhs-website-datasets/",
        how_to_get=(
            "Derived subset of the NHS hospital list; no download. hiap uses the full list "
            "from `hiap data download hospitals` instead."
        ),
        used_by="hospital locations when the full list is missing",
    ),
    Dataset(
        name="postcodes",
        title="OS Code-Point Open (postcode locations)",
        patterns=("postcodes/**/codepoint_open*.csv", "postcodes/**/Data/CSV/*.csv"),
        exclude=("*Column_Headers*",),
        licence="OS OpenData",
        attribution=(OS_ATTRIBUTION,),
        source_url="https://www.ordnancesurvey.co.uk/products/code-point-open",
        downloads=(
            Download(
                "https://api.os.uk/downloads/v1/products/CodePointOpen/downloads?area=GB&format=CSV&redirect",
                "postcodes/codepoint_open/codepo_gb.zip",
                unzip=True,
                extract=("Data/CSV/*.csv", "Doc/*"),
            ),
        ),
        used_by="locating GP practices by postcode",
    ),
    Dataset(
        name="postcode_lookup",
        title="ONS postcode to OA / LSOA / MSOA / LAD lookup",
        patterns=("postcodes/**/*PCD*OA*LSOA*.csv", "postcodes/**/PCD_OA*.csv"),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION, OS_ATTRIBUTION),
        source_url="https://geoportal.statistics.gov.uk/search?q=PRD_PCD_OA_LSOA_MSOA_LAD",
        how_to_get=(
            "No stable direct link: download 'Postcode to OA (2021) to LSOA to MSOA to LAD' "
            "(best fit lookup, CSV) from the ONS Open Geography Portal and save the CSV "
            "under postcodes/."
        ),
        used_by="postcode to small-area lookups",
    ),
    Dataset(
        name="census2021",
        title="Census 2021 usual residents by LSOA 2021 (TS001)",
        patterns=("population/**/census2021*lsoa*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.nomisweb.co.uk/sources/census_2021_bulk",
        downloads=(
            Download(
                "https://www.nomisweb.co.uk/output/census/2021/census2021-ts001.zip",
                "population/census2021-ts001.zip",
                unzip=True,
                extract=("census2021-ts001-lsoa.csv",),
            ),
        ),
        used_by="population (2021 areas)",
    ),
    Dataset(
        name="population",
        title="ONS mid-2020 population estimates by LSOA 2011",
        patterns=("population/**/*mid2020*lsoa*.csv", "population/**/sape23dt*.csv"),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url=(
            "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
            "populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates"
        ),
        how_to_get=(
            "No CSV download: ONS publishes it as a spreadsheet (SAPE23DT2, mid-2020). Save the "
            "'Mid-2020 Persons' sheet as CSV (columns 'LSOA Code', 'All Ages') under population/."
        ),
        used_by="population of each origin area",
    ),
    Dataset(
        name="imd",
        title="English Indices of Deprivation 2019 (IMD) by LSOA 2011",
        patterns=("population/**/imd2019*.csv", "population/**/File_7*IoD2019*.csv"),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
        downloads=(
            Download(
                "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/"
                "attachment_data/file/845345/"
                "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
                "population/File_7_IoD2019_scores_ranks_deciles.csv",
            ),
        ),
        used_by="deprivation of each origin area",
    ),
    Dataset(
        name="lsoa_centroids",
        title="LSOA 2011 centroids (postcode-mean proxy, or ONS population-weighted)",
        patterns=(
            "population/**/lsoa*centroid*.csv",
            "population/**/*LSOA*Population_Weighted_Centroid*.csv",
            "population/**/*LSOA*PWC*.csv",
        ),
        licence="OGL v3 + OS OpenData",
        attribution=(OGL_ATTRIBUTION, OS_ATTRIBUTION),
        source_url="https://geoportal.statistics.gov.uk/search?q=LSOA%20population%20weighted%20centroids",
        how_to_get=(
            "No stable direct link. The proxy file is derived (mean of live postcodes). For the "
            "official points, download 'LSOA (Dec 2011) Population Weighted Centroids' as CSV "
            "from the ONS Open Geography Portal and save it under population/ with "
            "'LSOA' and 'Population_Weighted_Centroid' (or 'PWC') in its name."
        ),
        used_by="origin points of access analysis (LSOA level)",
    ),
    Dataset(
        name="oa_centroids",
        title="OA 2011 centroids (postcode-mean proxy, or ONS population-weighted)",
        patterns=(
            "population/**/oa*centroid*.csv",
            "population/**/*OA*Population_Weighted_Centroid*.csv",
            "population/**/OA*PWC*.csv",
        ),
        exclude=("*LSOA*", "*MSOA*", "lsoa*", "msoa*"),
        licence="OGL v3 + OS OpenData",
        attribution=(OGL_ATTRIBUTION, OS_ATTRIBUTION),
        source_url="https://geoportal.statistics.gov.uk/search?q=OA%20population%20weighted%20centroids",
        how_to_get=(
            "No stable direct link. The proxy file is derived (mean of live postcodes). For the "
            "official points, download 'Output Areas (Dec 2011) Population Weighted Centroids' "
            "as CSV from the ONS Open Geography Portal and save it under population/."
        ),
        used_by="origin points of access analysis (OA level)",
    ),
    Dataset(
        name="life_expectancy_msoa",
        title="Life expectancy at birth by MSOA 2011, 2016 to 2020 (ONS ad hoc REQ3292)",
        patterns=("health/**/ons_life_expectancy_msoa11*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url=(
            "https://www.ons.gov.uk/peoplepopulationandcommunity/healthandsocialcare/"
            "healthandlifeexpectancies/adhocs/14620lifeexpectancyatbirthbymiddlelayersuper"
            "outputarea2016to2020"
        ),
        how_to_get=(
            "ONS publishes it as a spreadsheet: save the MSOA table as CSV with the columns "
            "msoa11cd, msoa11nm, sex, le_birth (and le_lci95, le_uci95, population) under health/."
        ),
        used_by="health baseline: life expectancy around the scheme, by district and England",
    ),
    Dataset(
        name="qof_prevalence",
        title="Modelled prevalence of QOF conditions by district, 2019/20 (House of Commons Library)",
        patterns=("health/**/*qof_modelled_prevalence*lad*.csv",),
        licence="Open Parliament Licence v3.0",
        attribution=(
            "Contains Parliamentary information licensed under the Open Parliament Licence v3.0",
            OGL_ATTRIBUTION,
        ),
        source_url="https://github.com/houseofcommonslibrary/local-health-data-from-QOF",
        how_to_get=(
            "Save outputs/output_lad_prevalence.csv of the House of Commons Library's "
            "local-health-data-from-QOF repository under health/ (columns lad_code, lad_name, "
            "group_code, register, list, prevalence)."
        ),
        used_by="health baseline: disease prevalence by district",
    ),
    Dataset(
        name="smoking_prevalence",
        title="Smoking prevalence in adults (15+), QOF (OHID Fingertips indicator 91547)",
        patterns=("health/**/*fingertips_91547*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://fingertips.phe.org.uk/search/91547",
        downloads=(
            Download(
                "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id?indicator_ids=91547",
                "health/ohid_fingertips_91547_smoking_prevalence_qof.csv",
            ),
        ),
        used_by="health baseline: smoking prevalence by district and England",
    ),
    Dataset(
        name="census_car_availability",
        title="Census 2021 car or van availability by MSOA (TS045)",
        patterns=("population/**/census2021-ts045*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.nomisweb.co.uk/sources/census_2021_bulk",
        downloads=(
            Download(
                "https://www.nomisweb.co.uk/output/census/2021/census2021-ts045.zip",
                "population/census2021-ts045.zip",
                unzip=True,
                extract=("census2021-ts045-msoa.csv",),
            ),
        ),
        used_by="health baseline: households without a car (add the file to measure)",
    ),
    Dataset(
        name="census_disability",
        title="Census 2021 disability by MSOA (TS038)",
        patterns=("population/**/census2021-ts038*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.nomisweb.co.uk/sources/census_2021_bulk",
        downloads=(
            Download(
                "https://www.nomisweb.co.uk/output/census/2021/census2021-ts038.zip",
                "population/census2021-ts038.zip",
                unzip=True,
                extract=("census2021-ts038-msoa.csv",),
            ),
        ),
        used_by="health baseline: disabled residents (add the file to measure)",
    ),
    Dataset(
        name="census_age",
        title="Census 2021 age by five-year band by MSOA (TS007A)",
        patterns=("population/**/census2021-ts007a*.csv",),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION,),
        source_url="https://www.nomisweb.co.uk/sources/census_2021_bulk",
        downloads=(
            Download(
                "https://www.nomisweb.co.uk/output/census/2021/census2021-ts007a.zip",
                "population/census2021-ts007a.zip",
                unzip=True,
                extract=("census2021-ts007a-msoa.csv",),
            ),
        ),
        used_by="health baseline: children and older people (add the file to measure)",
    ),
    Dataset(
        name="districts",
        title="Local authority district boundaries (ONS, generalised)",
        patterns=("boundaries/**/lad*.geojson", "boundaries/**/*Local_Authority_Districts*"),
        licence="OGL v3",
        attribution=(OGL_ATTRIBUTION, "Contains OS data © Crown copyright and database right"),
        source_url="https://geoportal.statistics.gov.uk/search?q=BDY_LAD",
        how_to_get=(
            "No stable direct link: download 'Local Authority Districts (December 2022) "
            "Boundaries UK BSC' (or any year: the Cambridgeshire districts have not changed "
            "since 2017) as GeoJSON from the ONS Open Geography Portal into boundaries/."
        ),
        used_by="district names and outlines",
    ),
    Dataset(
        name="actdev",
        title="ActDev new-development site boundaries (University of Leeds)",
        patterns=("schemes/actdev/all-sites.geojson", "schemes/actdev/*/site.geojson"),
        licence="ODbL 1.0 + OGL v3 (research/demo)",
        attribution=ACTDEV_ATTRIBUTION,
        source_url="https://actdev.cyipt.bike/",
        downloads=(
            Download(
                f"{_ACTDEV_RAW}/all-sites.geojson",
                "schemes/actdev/all-sites.geojson",
                sha256="88d264a6a09841cb28b3ec2a486fdbb22ea5b920d1ac4c1bcc098d26dc02900d",
            ),
            Download(
                f"{_ACTDEV_RAW}/great-kneighton/site.geojson",
                "schemes/actdev/great-kneighton/site.geojson",
                sha256="34bac78e8ed89566bc742941ff9dc23ca29e8b74ee267b54c81903e291acd95c",
            ),
            Download(
                f"{_ACTDEV_RAW}/hampton/site.geojson",
                "schemes/actdev/hampton/site.geojson",
                sha256="887b980390edfa3c8131b9a3f87f4045dea9303fca74e5870f50e69d82ef751a",
            ),
            Download(
                f"{_ACTDEV_RAW}/trumpington-meadows/site.geojson",
                "schemes/actdev/trumpington-meadows/site.geojson",
                sha256="cef06173f0a98dde4a3d2ac2aeca4236cede8c60eb7b6726a39d562573bbdd81",
            ),
        ),
        used_by="sample scheme boundaries",
    ),
)

DATASETS: Mapping[str, Dataset] = MappingProxyType({d.name: d for d in _CATALOGUE})
"""Every dataset hiap uses, by name (read-only)."""


def get_dataset(name: str, *, registry: Mapping[str, Dataset] | None = None) -> Dataset:
    """Return the catalogue entry called ``name``.

    Parameters
    ----------
    name
        A dataset name, e.g. ``"osm"`` or ``"gp"``.
    registry
        The catalogue to look in (defaults to :data:`DATASETS`).

    Returns
    -------
    Dataset
        The entry.

    Raises
    ------
    DataError
        When no dataset has that name; the message lists the valid names.
    """
    catalogue = DATASETS if registry is None else registry
    try:
        return catalogue[name]
    except KeyError:
        valid = ", ".join(sorted(catalogue))
        raise DataError(
            f"Unknown dataset {name!r}. Valid names: {valid}. See `hiap data status`."
        ) from None


def fetch_command(dataset: Dataset) -> str | None:
    """Return the command that downloads ``dataset``, or ``None`` if it has no direct download.

    Parameters
    ----------
    dataset
        The catalogue entry.

    Returns
    -------
    str or None
        ``"hiap data download NAME"`` for downloadable datasets.
    """
    return f"hiap data download {dataset.name}" if dataset.downloadable else None


def _has_member(path: Path, member: str) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n == member or n.endswith("/" + member) for n in zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def find_dataset_files(dataset: Dataset, data_dir: Path) -> list[Path]:
    """Return the files of ``dataset`` present under ``data_dir``, sorted by path.

    Parameters
    ----------
    dataset
        The catalogue entry.
    data_dir
        The data directory to search.

    Returns
    -------
    list of Path
        Regular files that match one of the dataset's patterns and none of its exclusions
        (and, for zip datasets, contain the required member).
    """
    if not data_dir.is_dir():
        return []
    found: set[Path] = set()
    for pattern in dataset.patterns:
        for path in data_dir.glob(pattern):
            if not path.is_file() or path.name.startswith("."):
                continue
            if any(fnmatch.fnmatch(path.name, ex) for ex in dataset.exclude):
                continue
            found.add(path)
    files = sorted(found)
    if dataset.zip_member:
        files = [p for p in files if _has_member(p, dataset.zip_member)]
    return files


def attribution_lines(datasets: Iterable[Dataset]) -> list[str]:
    """Return the distinct attribution lines of ``datasets``, in first-seen order.

    Parameters
    ----------
    datasets
        The datasets whose data is shown.

    Returns
    -------
    list of str
        Each line once.
    """
    seen: dict[str, None] = {}
    for dataset in datasets:
        for line in dataset.attribution:
            seen.setdefault(line, None)
    return list(seen)


def dataset_status(
    settings: Settings, *, registry: Mapping[str, Dataset] | None = None, coverage: bool = False
) -> list[DatasetStatus]:
    """Report, for every dataset, whether it is in the data directory.

    The same as :func:`hiap.data.status.dataset_status`, where the date detection lives.

    Parameters
    ----------
    settings
        Gives the data directory.
    registry
        The catalogue to check (defaults to :data:`DATASETS`).
    coverage
        Also describe what each network and timetable file covers.

    Returns
    -------
    list of DatasetStatus
        One entry per dataset, in catalogue order.
    """
    from hiap.data import status  # status imports this module: import it when called

    return status.dataset_status(settings, registry=registry, coverage=coverage)
