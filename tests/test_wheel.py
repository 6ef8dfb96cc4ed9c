"""The package as a user installs it: a wheel built from the tree, installed into a fresh virtual environment outside
the repository, runs `summarizer brief` and `summarizer fill` on a seed (answers from the replay server), so the
prompts, templates and data it needs are inside the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import CASSETTES, ROOT, SEEDS
from replay_server import ReplayServer

SEED = "000_25d47c26562bab5c"
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SUMMARIZER_PROMPTS_DIR", "VIRTUAL_ENV")}  # nothing points at the tree


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the built wheel; the dependencies come from this venv's site-packages by a .pth
    line (a path line only: this venv's own .pth files, the editable install among them, are not read there)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist"), str(ROOT)], check=True, capture_output=True, env=CLEAN_ENV
    )
    wheels = list((work / "dist").glob("summarizer-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=CLEAN_ENV)
    purelib = Path(
        subprocess.check_output([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip()
    )
    (purelib / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q", "--no-deps", str(wheels[0])], check=True, env=CLEAN_ENV
    )
    return venv


def run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**CLEAN_ENV, "SUMMARIZER_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run([str(venv / "bin" / "summarizer"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_installed_package_is_the_wheel_not_the_tree(installed, tmp_path):
    where = subprocess.check_output(
        [str(installed / "bin" / "python"), "-c", "import summarizer; print(summarizer.__file__)"], cwd=tmp_path, text=True, env=CLEAN_ENV
    )
    assert where.startswith(str(installed)), where
    files = subprocess.check_output(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import importlib.resources as r; p = r.files('summarizer'); print(sorted(x.name for x in (p / 'prompts').iterdir()))",
        ],
        cwd=tmp_path,
        text=True,
        env=CLEAN_ENV,
    )
    assert "article.system.j2" in files and "article.form.j2" in files


def test_brief_and_fill_run_from_the_installed_wheel(installed, tmp_path):
    shutil.copy(SEEDS / f"{SEED}.txt", tmp_path / f"{SEED}.txt")
    shutil.copy(ROOT / "schemas" / "forms" / "ward_party_profile.json", tmp_path / "profile.json")
    cassettes = [CASSETTES / f"local_{SEED}.json", CASSETTES / f"fill_{SEED}.json"]
    with ReplayServer(cassettes) as server:
        (tmp_path / "summarizer.toml").write_text(f'models = ["local"]\n[model.local]\napi_base = "{server.api_base}"\n', encoding="utf-8")
        briefed = run(installed, tmp_path, "brief", f"{SEED}.txt", "--out", "out", "-q")
        filled = run(installed, tmp_path, "fill", "--form", "profile.json", f"{SEED}.txt", "--out", "out", "-q")
        page = run(installed, tmp_path, "report", "out", "--html", "review.html")
    assert briefed.returncode == 0, briefed.stderr
    assert filled.returncode == 0, filled.stderr
    assert page.returncode == 0, page.stderr
    brief = json.loads((tmp_path / "out" / f"{SEED}.json").read_text(encoding="utf-8"))
    assert brief["facts"] and brief["provenance"]["model"] == "local"
    form = json.loads((tmp_path / "out" / f"{SEED}.ward_party_profile.json").read_text(encoding="utf-8"))
    assert any(field["status"] == "filled" for field in form["fields"].values())
    assert "<mark" in (tmp_path / "review.html").read_text(encoding="utf-8")
