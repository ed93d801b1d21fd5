"""The release route, here, all but the upload: the `run` steps of .github/workflows/release.yaml's build job, run as
written on a copy of the project (one version for the package, the changelog and the tag; `python -m build`;
`twine check`; the wheel installed in a clean venv; `reuters-nb --version` and `reuters-nb info` from that venv),
then what a user's `pip install reuters-nb` resolves to: the runtime dependencies, with no web framework among them.

Here the clean venv sees this environment's site-packages and installs the wheel with --no-deps (the workflow's
CLEAN_VENV and CLEAN_PIP), so that it is not a 2 GB download; the dependency set is resolved for real, by pip from
the package registry, as if nothing were installed (`pip install --dry-run --ignore-installed --report`).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yaml"
INSTALLS_TOOLS = "Install the build tools"  # the one step not run here: it would change the test's own environment
VERSION_STEP = "One version for the package, the changelog and the tag"
# Web frameworks, web servers and the HTTP and OAuth clients that fastprogress 1.1 brought with python-fasthtml
WEB = {"starlette", "uvicorn", "fastapi", "python-fasthtml", "httpx", "httpx2", "httpcore", "httpcore2", "oauthlib",
       "flask", "django", "tornado", "aiohttp", "werkzeug", "sanic", "quart", "bottle", "pyramid", "falcon", "gunicorn",
       "hypercorn", "websockets", "uvloop", "python-multipart", "jupyter-server", "notebook"}
_name = lambda requirement: re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def package_version() -> str:
    return re.search(r'^__version__ = "([^"]+)"$', (ROOT / "reuters_nb" / "__init__.py").read_text(), re.M)[1]


def changelog_latest(text: str) -> str:
    "The version of the first `## X.Y.Z` entry, nbdev's style: the latest release on top"
    return re.search(r"^## (\S+)$", text, re.M)[1]


def steps(names=None) -> list[dict]:
    "The build job's `run` steps, in order (all but the one that installs tools), or those named"
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["build"]
    runs = [s for s in job["steps"] if "run" in s and s["name"] != INSTALLS_TOOLS]
    return runs if names is None else [s for s in runs if s["name"] in names]


def run_steps(todo: list[dict], src: Path, runner: Path, tag: str) -> list[subprocess.CompletedProcess]:
    "Run workflow steps as GitHub does (bash -e, in the checkout), with the variables GitHub sets; stop at a failure"
    runner.mkdir(parents=True, exist_ok=True)
    github_env = runner / "github_env"
    github_env.touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CLEAN_"))} | dict(
        GITHUB_ENV=str(github_env), RUNNER_TEMP=str(runner), GITHUB_REF_TYPE="tag", GITHUB_REF_NAME=tag,
        CLEAN_VENV="--system-site-packages", CLEAN_PIP="--no-deps --no-index",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")  # `python` is this Python
    done = []
    for step in todo:
        env |= dict(line.split("=", 1) for line in github_env.read_text().splitlines() if "=" in line)
        done.append(subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=src, env=env,
                                   capture_output=True, text=True, timeout=900))
        if done[-1].returncode: break
    return done


def copy_project(dest: Path) -> Path:
    "What a checkout holds: the files git tracks, and new ones it does not ignore"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for f in filter(None, files):
        if (ROOT / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, dest / f)
    return dest


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    "The build job's steps run on a copy of the project; its checkout, runner folder and each step's result"
    tmp = tmp_path_factory.mktemp("release")
    src, runner = copy_project(tmp / "src"), tmp / "runner"
    done = run_steps(steps(), src, runner, tag=f"v{package_version()}")
    return src, runner, done


def test_the_release_steps_run_and_agree_on_one_version(release):
    src, runner, done = release
    for step, r in zip(steps(), done):
        assert r.returncode == 0, f"step {step['name']!r} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    assert len(done) == len(steps()) == 5  # the version, build, check, install and run steps
    version = package_version()
    assert version == changelog_latest((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    wheel, sdist = src / "dist" / f"reuters_nb-{version}-py3-none-any.whl", src / "dist" / f"reuters_nb-{version}.tar.gz"
    with zipfile.ZipFile(wheel) as z:
        metadata = z.read(f"reuters_nb-{version}.dist-info/METADATA").decode()
        assert "reuters_nb/cli.py" in z.namelist()
    with tarfile.open(sdist) as t:
        pkg_info = t.extractfile(f"reuters_nb-{version}/PKG-INFO").read().decode()
    for meta in (metadata, pkg_info):
        assert re.search(r"^Version: (\S+)$", meta, re.M)[1] == version
        assert re.search(r"^Name: (\S+)$", meta, re.M)[1] == "reuters-nb"
    requires = {_name(r) for r in re.findall(r"^Requires-Dist: ([^;\n]+)$", metadata, re.M)}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert {_name(r) for r in declared} <= requires and "fastprogress" not in requires, requires
    # the clean venv's command is the wheel's: run away from the checkout, it names the version of all the rest
    python, command = runner / "clean" / "bin" / "python", runner / "clean" / "bin" / "reuters-nb"
    where = subprocess.run([python, "-c", "import reuters_nb; print(reuters_nb.__file__)"], cwd=runner,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(runner / "clean")), where
    said = subprocess.run([command, "--version"], cwd=runner, capture_output=True, text=True, check=True).stdout.strip()
    assert said == f"reuters-nb {version}", said
    info = done[-1].stdout
    assert "Wires: 8,982 training" in info and "46 topics" in info, info[-2000:]


def test_a_version_that_disagrees_is_refused(tmp_path):
    "The planted cases: a tag for another version, and a changelog whose latest entry is another version"
    (tmp_path / "reuters_nb").mkdir()
    shutil.copy(ROOT / "reuters_nb" / "__init__.py", tmp_path / "reuters_nb")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    version = package_version()
    check = lambda tag: run_steps(steps([VERSION_STEP]), tmp_path, tmp_path / "runner", tag)[-1]
    ok = check(f"v{version}")
    assert ok.returncode == 0, ok.stderr
    r = check("v99.0.0")
    assert r.returncode != 0 and f"the tag v99.0.0 is not v{version}" in r.stdout + r.stderr, r.stdout + r.stderr
    (tmp_path / "CHANGELOG.md").write_text(changelog.replace(f"## {version}\n", "## 99.0.0\n", 1), encoding="utf-8")
    r = check(f"v{version}")
    assert r.returncode != 0 and "latest entry is 99.0.0" in r.stdout + r.stderr, r.stdout + r.stderr


def resolve(requirements: list[str], tmp: Path) -> dict[str, str]:
    "What `pip install` would install for `requirements` into an empty environment: name -> version, resolved by pip"
    report = tmp / "report.json"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                        "--disable-pip-version-check", "--report", str(report), *requirements],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return {_name(i["metadata"]["name"]): i["metadata"]["version"] for i in json.loads(report.read_text())["install"]}


def test_the_install_pulls_in_no_web_framework(tmp_path):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    got = resolve(declared, tmp_path)
    assert {"tensorflow", "keras", "numpy", "matplotlib", "tqdm"} <= set(got), got
    assert not WEB & set(got), f"`pip install reuters-nb` would install {sorted(WEB & set(got))}: {got}"
    # the planted case, the dependency this replaced: fastprogress 1.1 brings python-fasthtml and its web server
    assert {"python-fasthtml", "starlette", "uvicorn"} <= WEB & set(resolve(["fastprogress>=1.1"], tmp_path))
