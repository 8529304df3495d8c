"""Package layout that pyproject.toml cannot express on its own.

The top-level ``checklists/`` and ``sample_schemes/`` folders stay the single source of truth
in git; here they are mapped into the built package as ``hiap.resources.checklists`` and
``hiap.resources.sample_schemes`` so that a normal (non-editable) install ships them and
``importlib.resources`` finds them (see ``hiap/resources/__init__.py``). Everything else is
configured in pyproject.toml.
"""

from setuptools import find_packages, setup

RESOURCES = {
    "hiap.resources.checklists": "checklists",
    "hiap.resources.sample_schemes": "sample_schemes",
}

setup(
    packages=[*find_packages(include=["hiap", "hiap.*", "isochrones", "isochrones.*"]), *RESOURCES],
    package_dir=RESOURCES,
    package_data={
        "hiap": ["py.typed", "**/*.html", "**/*.css", "**/*.j2", "data/reference/*.csv"],
        "isochrones": ["py.typed"],
        "hiap.resources.checklists": ["*.yaml", "*.md", "schema/*.json"],
        "hiap.resources.sample_schemes": ["*.geojson", "*.md", "proposals/**/*"],
    },
)
