"""What ships: the Dockerfile passes hadolint, compose.yaml is valid, the wheel carries the
templates and migrations, and the image build context holds what the Dockerfile copies."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_the_daemon_as_non_root_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in text and 'CMD ["daemon"]' in text
    assert "HEALTHCHECK" in text and '"reminder", "health"' in text
    assert 'VOLUME ["/data"]' in text


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_file_is_accepted() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip(
            "neither `docker compose` nor `docker-compose` is installed (.ci/run installs it)"
        )
    result = subprocess.run(
        [*command, "-f", str(ROOT / "compose.yaml"), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_wheel_carries_templates_catalogs_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("reminder-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("digest.subject.txt", "digest.txt", "digest.html", "_strings.txt"):
        assert f"reminder/templates/email/{template}" in names
    assert "reminder/templates/email/_layout.html" in names
    for locale in ("en", "fr", "es", "ru"):  # the compiled catalogs are what runs
        assert f"reminder/locale/{locale}/LC_MESSAGES/messages.mo" in names
    for page in ("person.html", "office.html", "desk.css"):  # the status desk's pages
        assert f"reminder/templates/web/{page}" in names
    assert not any(".data/data/" in n for n in names)  # package data, not data_files
    # Installed, the templates are found inside the installed package, not in this checkout.
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    found = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(target)!r}); "
         "from reminder.render import builtin_templates_dir; print(builtin_templates_dir())"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert found.stdout.strip() == str(target / "reminder" / "templates")
    assert sum(n.startswith("reminder/migrations/versions/") for n in names) >= 3


def test_build_context_keeps_what_the_dockerfile_copies() -> None:
    ignore = (ROOT / ".dockerignore").read_text()
    for needed in (
        "pyproject.toml",
        "setup.py",
        "README.md",
        "reminder/",
        "templates/",
        "config/reminder.example.toml",
    ):
        assert f"!{needed}" in ignore
