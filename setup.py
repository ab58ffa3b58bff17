"""Packaging that pyproject.toml cannot say: the top-level templates/ folder ships inside the
package as `reminder.templates` (package data read through importlib.resources)."""

from setuptools import find_namespace_packages, find_packages, setup

TEMPLATES = ["reminder.templates"] + [
    f"reminder.templates.{name}" for name in find_namespace_packages(where="templates")
]

setup(
    packages=[*find_packages(include=["reminder*"]), *TEMPLATES],
    package_dir={"reminder.templates": "templates"},
)
