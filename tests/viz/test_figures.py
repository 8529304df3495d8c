"""Static report figures: the offline boundary map and the score charts."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.image import imread

from hiap.settings import get_settings
from hiap.viz.figures import (
    bar_chart_png,
    boundary_geometry_bng,
    boundary_map_png,
    nice_scale_length_m,
    radar_chart_png,
)
from tests.reports.builders import great_kneighton_boundary

PNG = b"\x89PNG\r\n\x1a\n"


def test_boundary_is_projected_to_british_national_grid() -> None:
    boundary = great_kneighton_boundary()
    geom = boundary_geometry_bng(boundary)
    path = get_settings().data_dir / "schemes" / "actdev" / "great-kneighton" / "site.geojson"
    expected = gpd.read_file(path).to_crs(27700)
    assert geom.area == pytest.approx(expected.area.sum(), rel=1e-6)
    minx, miny, _, _ = geom.bounds
    assert 540_000 < minx < 550_000 and 250_000 < miny < 260_000  # south Cambridge


def test_map_is_a_png_of_the_requested_size() -> None:
    png = boundary_map_png(great_kneighton_boundary(), title="Great Kneighton")
    assert png.startswith(PNG)
    image = imread(io.BytesIO(png))
    assert image.shape[1] == round(6.5 * 150) and image.shape[0] == round(4.2 * 150)
    # The boundary is drawn in the accent colour, so the image is not just background.
    assert np.unique(image.reshape(-1, image.shape[2]), axis=0).shape[0] > 50


def test_map_of_a_point_or_line_boundary() -> None:
    line = {"type": "LineString", "coordinates": [[0.12, 52.17], [0.13, 52.18]]}
    assert boundary_map_png(line).startswith(PNG)


@pytest.mark.parametrize(
    ("span_m", "bar_m"), [(100, 20), (1_000, 200), (2_345, 500), (9_000, 2_000), (40_000, 10_000)]
)
def test_scale_bar_lengths_are_round(span_m: float, bar_m: float) -> None:
    assert nice_scale_length_m(span_m) == bar_m


def test_charts() -> None:
    labels = [f"Principle {i}" for i in range(1, 11)]
    values: list[float | None] = [10.0 * i for i in range(10)]
    values[3] = None
    assert radar_chart_png(labels, values).startswith(PNG)
    assert bar_chart_png(labels[:5], values[:5]).startswith(PNG)
    with pytest.raises(ValueError, match="at least 3"):
        radar_chart_png(labels[:2], values[:2])
    with pytest.raises(ValueError, match="one value per label"):
        bar_chart_png(labels, values[:3])


def test_empty_boundary_is_refused() -> None:
    with pytest.raises(ValueError, match="no geometry"):
        boundary_geometry_bng({"type": "FeatureCollection", "features": []})
