"""Attribution lines that must accompany the data wherever it is shown."""

from __future__ import annotations

OSM = "© OpenStreetMap contributors, ODbL 1.0"
OGL = "Contains public sector information licensed under the Open Government Licence v3.0"
CODE_POINT_OPEN = (
    "Contains OS data © Crown copyright and database right 2025; "
    "Contains Royal Mail data © Royal Mail copyright and database right 2025; "
    "Contains National Statistics data © Crown copyright and database right 2025"
)
ALL: tuple[str, ...] = (OSM, OGL, CODE_POINT_OPEN)

OSM_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
    "contributors, ODbL 1.0"
)
"""HTML attribution for OSM base-map tiles in folium maps."""
