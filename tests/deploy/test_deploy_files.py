"""The deployment files say what the code does: every variable, in README's order, and units
that start the processes docs/deploy.md describes."""

from __future__ import annotations

import configparser
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "pathlens.env.example"
# Read by config/settings.py for the test suite only (Google sign-in against a local server).
TEST_HOOKS = {"GOOGLE_OAUTH_BACKEND", "GOOGLE_AUTHORIZATION_URL"}


def readme_variables() -> list[str]:
    text = (ROOT / "README.md").read_text()
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in table.splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return names


def example_variables() -> list[str]:
    names = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#? ?([A-Z][A-Z0-9_]+)=", line)
        if match:
            names.append(match.group(1))
    return names


def env_file() -> dict[str, str]:
    """The active lines of the example, as systemd's EnvironmentFile= reads them."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            values[name] = value
    return values


def variables_read_by(path: Path) -> set[str]:
    return set(re.findall(r"env_(?:str|bool|int|list|url)\(\s*\"([A-Z0-9_]+)\"", path.read_text()))


def test_the_environment_example_lists_every_readme_variable_in_order():
    assert example_variables() == readme_variables()


def test_the_readme_lists_every_variable_the_settings_and_gunicorn_read():
    read = variables_read_by(ROOT / "config" / "settings.py") | variables_read_by(
        ROOT / "config" / "gunicorn.conf.py"
    )
    # database_from_url reads its two URLs through a parameter.
    read |= {"DATABASE_URL", "ANALYTICS_DATABASE_URL"}
    assert read - TEST_HOOKS == set(readme_variables())


def test_the_shell_reads_the_environment_example_as_systemd_does():
    """docs/deploy.md's `pathlens-manage` sources the file in bash; the units read it in systemd."""
    shell = subprocess.run(
        ["bash", "-c", 'set -a && . "$0" && set +a && env -0', str(ENV_EXAMPLE)],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    exported = dict(item.split("=", 1) for item in shell.stdout.split("\0") if "=" in item)
    expected = env_file()
    assert expected["ACCESS_CONTACT"] == "the IT office (it@school.org)"
    assert {name: exported.get(name) for name in expected} == expected


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(ROOT / "deploy" / name)
    return parser


def test_the_units_run_the_documented_commands_with_the_environment_file():
    commands = {
        "pathlens-web.service": "gunicorn -c config/gunicorn.conf.py",
        "pathlens-worker.service": "celery -A config worker",
        "pathlens-beat.service": "celery -A config beat",
    }
    deploy_doc = (ROOT / "docs" / "deploy.md").read_text()
    for name, command in commands.items():
        service = unit(name)["Service"]
        assert service["EnvironmentFile"] == "/etc/pathlens/pathlens.env"
        assert service["WorkingDirectory"] == "/opt/pathlens"
        assert service["ExecStart"].startswith(f"/opt/pathlens/.venv/bin/{command}")
        assert f"deploy/{name}" in deploy_doc
