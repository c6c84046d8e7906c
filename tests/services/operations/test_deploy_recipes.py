"""The deployment recipes in deploy/ and docs/deployment.md: systemd units and timers, the nginx
and environment examples, and the restore drill run as the documentation writes it."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from parliament_app.core import backup as backups
from parliament_app.core import migrate
from parliament_app.core.db import make_engine, session_factory
from tests.factories import build_world

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
DOCS = ROOT / "docs" / "deployment.md"
INSTALL_DIR = "/opt/parliament"
VENV_BIN = f"{INSTALL_DIR}/.venv/bin/"
ENV_FILE = "/etc/parliament/parliament.env"
DATA_DIR = "/var/lib/parliament"
BACKUP_DIR = "/var/backups/parliament"
UNIT_FILES = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))
SERVICES = [path for path in UNIT_FILES if path.suffix == ".service"]
POSTGRESQL_URL = os.environ.get("PARLIAMENT_TEST_POSTGRESQL_URL")


# --- reading unit files ----------------------------------------------------------------------


class _RepeatedKeys(dict):
    """configparser keeps a key's value as a list while reading; a key given again (systemd
    allows that: ``After=`` twice, ``ExecStart=`` to reset) adds to that list instead of
    replacing it, so every value is kept."""

    def __setitem__(self, key, value):
        if isinstance(value, list) and isinstance(self.get(key), list):
            self[key].extend(value)
        else:
            super().__setitem__(key, value)


def parse_unit(source: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values in order]}}; an empty assignment resets."""
    parser = configparser.ConfigParser(
        strict=False,
        interpolation=None,  # systemd's % specifiers
        dict_type=_RepeatedKeys,
        empty_lines_in_values=False,
        comment_prefixes=("#", ";"),
        delimiters=("=",),
    )
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(source)
    unit: dict[str, dict[str, list[str]]] = {}
    for section in parser.sections():
        unit[section] = {}
        for key in parser[section]:
            values = parser[section][key].split("\n")
            if "" in values:  # "Key=" empties the list so far
                values = values[len(values) - values[::-1].index("") :]
            unit[section][key] = values
    return unit


def load(path: Path) -> dict[str, dict[str, list[str]]]:
    return parse_unit(path.read_text())


def one(unit: dict, section: str, key: str) -> str:
    values = unit[section][key]
    assert len(values) == 1, f"{section}.{key} given {len(values)} times"
    return values[0]


def words(unit: dict, section: str, key: str) -> list[str]:
    return [word for value in unit[section].get(key, []) for word in value.split()]


def test_the_parser_keeps_repeated_keys_and_resets() -> None:
    unit = parse_unit(
        "[Unit]\nAfter=a.service\nAfter=b.service c.service\n"
        "[Service]\nExecStart=/bin/old\nExecStart=\nExecStart=/bin/new %i\n"
        "Environment=A=1\nEnvironment=B=2\n[Service]\nUser=x\n"
    )
    assert words(unit, "Unit", "After") == ["a.service", "b.service", "c.service"]
    assert unit["Service"]["ExecStart"] == ["/bin/new %i"]
    assert unit["Service"]["Environment"] == ["A=1", "B=2"]
    assert unit["Service"]["User"] == ["x"]


# --- units -----------------------------------------------------------------------------------


def test_the_expected_units_are_there() -> None:
    assert {path.name for path in UNIT_FILES} == {
        "parliament-app@.service",
        "parliament-migrate.service",
        "parliament-alerts.service",
        "parliament-alerts.timer",
        "parliament-backup.service",
        "parliament-backup.timer",
    }


@pytest.mark.parametrize("path", SERVICES, ids=lambda path: path.name)
def test_every_service_runs_the_installed_app_as_its_user_sandboxed(path: Path) -> None:
    unit = load(path)
    service = unit["Service"]
    assert one(unit, "Unit", "Description")
    assert one(unit, "Service", "User") == "parliament"
    assert one(unit, "Service", "EnvironmentFile") == ENV_FILE
    assert one(unit, "Service", "WorkingDirectory") == INSTALL_DIR
    (exec_start,) = service["ExecStart"]
    program = shlex.split(exec_start)[0]
    assert program.startswith(VENV_BIN), exec_start  # the installed virtual environment
    assert program.rsplit("/", 1)[1] in {"parliament", "streamlit"}
    assert one(unit, "Service", "NoNewPrivileges") == "yes"
    assert one(unit, "Service", "ProtectSystem") == "strict"
    assert one(unit, "Service", "PrivateTmp") == "yes"
    assert one(unit, "Service", "ProtectHome") == "yes"
    assert DATA_DIR in words(unit, "Service", "ReadWritePaths")
    assert unit["Service"]["CapabilityBoundingSet"] == []  # "CapabilityBoundingSet=": none
    assert one(unit, "Service", "UMask") == "0077"
    if path.name != "parliament-app@.service":
        assert one(unit, "Service", "Type") == "oneshot"


def test_the_app_template_runs_streamlit_on_the_instance_port() -> None:
    unit = load(DEPLOY / "parliament-app@.service")
    command = shlex.split(one(unit, "Service", "ExecStart"))
    assert command[:3] == [f"{VENV_BIN}streamlit", "run", "streamlit_app.py"]
    options = dict(zip(command[3::2], command[4::2], strict=True))
    assert options["--server.port"] == "%i"
    assert options["--server.headless"] == "true"
    assert options["--server.fileWatcherType"] == "none"
    assert int(options["--server.maxUploadSize"]) > 0
    assert "STREAMLIT_SERVER_ADDRESS=127.0.0.1" in unit["Service"]["Environment"]
    assert "parliament-migrate.service" in words(unit, "Unit", "After")
    assert "parliament-migrate.service" in words(unit, "Unit", "Wants")
    assert one(unit, "Service", "Restart") == "on-failure"
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


def test_migrations_run_once_before_the_app() -> None:
    unit = load(DEPLOY / "parliament-migrate.service")
    assert one(unit, "Service", "ExecStart") == f"{VENV_BIN}parliament db upgrade"
    assert one(unit, "Service", "RemainAfterExit") == "yes"
    assert one(unit, "Install", "WantedBy") == "multi-user.target"


@pytest.mark.parametrize(
    "timer,calendar,command",
    [
        ("parliament-alerts.timer", "*-*-* 06:30:00", "parliament alerts evaluate"),
        (
            "parliament-backup.timer",
            "*-*-* 02:15:00",
            f"parliament backup create --to {BACKUP_DIR} --keep 14",
        ),
    ],
)
def test_timers_start_their_service(timer: str, calendar: str, command: str) -> None:
    unit = load(DEPLOY / timer)
    assert one(unit, "Timer", "OnCalendar") == calendar
    assert one(unit, "Timer", "Persistent") == "true"
    assert one(unit, "Install", "WantedBy") == "timers.target"
    service_name = one(unit, "Timer", "Unit")
    assert service_name == timer.replace(".timer", ".service")
    service = load(DEPLOY / service_name)
    assert one(service, "Service", "ExecStart") == VENV_BIN + command
    assert "Install" not in service  # started by the timer only


def test_backups_may_be_written_where_the_timer_writes_them() -> None:
    unit = load(DEPLOY / "parliament-backup.service")
    assert BACKUP_DIR in words(unit, "Service", "ReadWritePaths")


def _parliament_commands() -> list[list[str]]:
    commands = []
    for path in SERVICES:
        (exec_start,) = load(path)["Service"]["ExecStart"]
        argv = shlex.split(exec_start)
        if argv[0] == f"{VENV_BIN}parliament":
            commands.append(argv[1:])
    return commands


@pytest.mark.parametrize("argv", _parliament_commands(), ids=" ".join)
def test_the_units_commands_exist_in_the_parliament_cli(argv: list[str]) -> None:
    """Each ``parliament …`` a unit runs resolves to a command that accepts its options."""
    import click

    from parliament_app.cli.main import _Commands, main

    if argv[0] == "backup" and "backup" not in _Commands.FEATURES:
        pytest.skip("parliament_app.cli.main does not register 'backup' yet")
    command: click.Command = main
    context = click.Context(main, info_name="parliament")
    args = list(argv)
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        name = args.pop(0)
        found = command.get_command(context, name)
        assert found is not None, f"no command {' '.join(argv)}"
        context = click.Context(found, info_name=name, parent=context)
        command = found
    command.make_context(command.name, args, parent=context.parent)  # options parse


def _copy_units_for_verify(tmp_path: Path) -> Path:
    """The units with the installed paths pointed at this checkout's virtual environment
    (systemd-analyze checks that ExecStart programs exist)."""
    bin_dir = Path(sys.executable).parent
    for program in ("parliament", "streamlit"):
        if not (bin_dir / program).exists():
            pytest.skip(f"{program} is not installed next to {sys.executable}")
    folder = tmp_path / "units"
    folder.mkdir()
    for path in UNIT_FILES:
        (folder / path.name).write_text(path.read_text().replace(VENV_BIN, f"{bin_dir}/"))
    return folder


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    folder = _copy_units_for_verify(tmp_path)
    names = [path.name for path in UNIT_FILES if path.name != "parliament-app@.service"]
    result = subprocess.run(
        ["systemd-analyze", "verify", "parliament-app@8501.service", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "parliament" in line]
    assert result.returncode == 0, result.stderr
    assert not ours, "\n".join(ours)  # no warnings either ("Missing '='", unknown keys, …)


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_timer_calendars_are_valid() -> None:
    for name in ("parliament-alerts.timer", "parliament-backup.timer"):
        calendar = one(load(DEPLOY / name), "Timer", "OnCalendar")
        result = subprocess.run(
            ["systemd-analyze", "calendar", calendar], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
        assert f"Normalized form: {calendar}" in result.stdout


# --- environment and secrets examples ----------------------------------------------------------


def _config_variables() -> set[str]:
    source = (ROOT / "parliament_app" / "core" / "config.py").read_text()
    return set(
        re.findall(r"""(?:env|environ)(?:\.get\(|\[)\s*["'](PARLIAMENT_[A-Z0-9_]+)""", source)
    )


def _example_variables() -> dict[str, str]:
    found = {}
    for line in (DEPLOY / "parliament.env.example").read_text().splitlines():
        match = re.match(r"^#?(PARLIAMENT_[A-Z0-9_]+)=(.*)$", line)
        if match:
            found.setdefault(match[1], match[2])
    return found


def test_the_env_example_lists_every_variable_config_reads() -> None:
    read = _config_variables()
    assert {"PARLIAMENT_DATA_DIR", "PARLIAMENT_DATABASE_URL", "PARLIAMENT_SECRET_KEY"} <= read
    listed = _example_variables()
    assert sorted(read - set(listed)) == [], "add them to deploy/parliament.env.example"
    assert sorted(set(listed) - read) == [], "config.py no longer reads these"
    assert listed["PARLIAMENT_DATA_DIR"] == DATA_DIR
    assert "PARLIAMENT_SESSION_HOURS" in listed


def test_the_env_example_reads_the_same_in_systemd_and_sh(tmp_path: Path) -> None:
    example = (DEPLOY / "parliament.env.example").read_text()
    active = {}
    for line in example.splitlines():
        if line.strip() and not line.startswith("#"):
            assert not line.startswith("export "), line
            key, _, value = line.partition("=")
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), line
            assert " " not in value and "'" not in value and '"' not in value, line
            active[key] = value
    assert {"PARLIAMENT_DATA_DIR", "PARLIAMENT_SECRET_KEY", "PARLIAMENT_SESSION_HOURS"} <= set(
        active
    )
    result = subprocess.run(
        ["sh", "-c", 'set -a; . "$0"; set +a; env', str(DEPLOY / "parliament.env.example")],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"]},
        check=True,
    )
    seen = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    for key, value in active.items():
        assert seen[key] == value


def test_the_secrets_example_configures_oidc_with_a_cookie_secret() -> None:
    path = DEPLOY / "secrets.toml.example"
    secrets = tomllib.loads(path.read_text())
    auth = secrets["auth"]
    assert auth["redirect_uri"].startswith("https://")
    assert auth["redirect_uri"].endswith("/oauth2callback")
    assert auth["cookie_secret"]
    providers = {name: value for name, value in auth.items() if isinstance(value, dict)}
    assert providers
    for name, provider in providers.items():
        assert "_" not in name
        assert {"client_id", "client_secret", "server_metadata_url"} <= set(provider)
    prose = " ".join(line.lstrip("# ") for line in path.read_text().splitlines())
    assert "same cookie_secret" in prose and "host name of redirect_uri" in prose


# --- nginx -----------------------------------------------------------------------------------


NGINX = (DEPLOY / "nginx.conf.example").read_text()


def _upload_limit_mb() -> int:
    command = shlex.split(one(load(DEPLOY / "parliament-app@.service"), "Service", "ExecStart"))
    return int(command[command.index("--server.maxUploadSize") + 1])


def test_nginx_example_proxies_websockets_sticky_with_tls() -> None:
    upstream = re.search(r"upstream parliament \{(.*?)\}", NGINX, re.S)[1]
    assert re.search(r"^\s*(ip_hash|hash \S+ consistent|sticky cookie \S+);", upstream, re.M)
    assert re.findall(r"server 127\.0\.0\.1:(\d+);", upstream) == ["8501", "8502", "8503", "8504"]
    stream = re.search(r"location /_stcore/stream \{(.*?)\}", NGINX, re.S)[1]
    assert "proxy_pass http://parliament;" in stream
    assert "proxy_http_version 1.1;" in stream
    assert "proxy_set_header Upgrade $http_upgrade;" in stream
    assert "proxy_set_header Connection $connection_upgrade;" in stream
    assert "proxy_set_header Host $http_host;" in stream
    assert re.search(r"map \$http_upgrade \$connection_upgrade \{\s*default upgrade;", NGINX)
    read_timeout = re.search(r"proxy_read_timeout (\d+)s;", stream)
    assert int(read_timeout[1]) >= 3600
    limit = re.search(r"client_max_body_size (\d+)m;", NGINX)
    assert int(limit[1]) >= _upload_limit_mb()
    assert "listen 443 ssl;" in NGINX
    assert "ssl_certificate " in NGINX and "ssl_certificate_key " in NGINX
    assert "return 301 https://" in NGINX


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            {
                "port": self.server.server_address[1],
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def nginx_site(tmp_path: Path) -> Iterator[tuple[int, list[int]]]:
    """The nginx example serving four echo backends, on free loopback ports."""
    if not shutil.which("nginx") or not shutil.which("openssl"):
        pytest.skip("nginx or openssl not installed")
    backends = [ThreadingHTTPServer(("127.0.0.1", 0), _Echo) for _ in range(4)]
    for server in backends:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = [server.server_address[1] for server in backends]
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=t", "-keyout", str(tmp_path / "key.pem")),
            *("-out", str(tmp_path / "cert.pem")),
        ],
        capture_output=True,
        check=True,
    )
    http_port, https_port = _free_port(), _free_port()
    site = NGINX
    for original, port in zip(("8501", "8502", "8503", "8504"), ports, strict=True):
        site = site.replace(f"server 127.0.0.1:{original};", f"server 127.0.0.1:{port};")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {tmp_path / 'cert.pem'};", site)
    site = re.sub(
        r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {tmp_path / 'key.pem'};", site
    )
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;")
    site = re.sub(r"^\s*listen \[::\].*$", "", site, flags=re.M)
    (tmp_path / "site.conf").write_text(site)
    temp = tmp_path / "temp"
    temp.mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{\n  access_log off;\n"
        + "".join(
            f"  {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {tmp_path}/site.conf;\n}}\n"
    )
    command = ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e"]
    command.append(str(tmp_path / "error.log"))
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", https_port)) == 0:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("nginx did not start: " + (tmp_path / "error.log").read_text())
        yield https_port, ports
    finally:
        process.terminate()
        process.wait(timeout=15)
        for server in backends:
            server.shutdown()
            server.server_close()


def test_nginx_keeps_each_browser_on_one_process_and_upgrades_websockets(nginx_site) -> None:
    import httpx

    https_port, ports = nginx_site
    base = f"https://127.0.0.1:{https_port}"
    with httpx.Client(verify=False, timeout=10) as browser:
        first = browser.get(base + "/")
        assert first.status_code == 200
        cookie = first.headers["set-cookie"]
        assert cookie.startswith("parliament_route=")
        assert "HttpOnly" in cookie and "Secure" in cookie
        home = first.json()["port"]
        assert home in ports
        route = cookie.split(";")[0].split("=", 1)[1]
        for path in ("/", "/_stcore/health", "/_stcore/upload_file/x", "/media/y.png"):
            browser.cookies.clear()  # only the header below, as a browser would send it
            again = browser.get(base + path, headers={"Cookie": f"parliament_route={route}"})
            assert again.json()["port"] == home
            assert "set-cookie" not in again.headers  # the browser keeps its route
        seen = browser.get(
            base + "/_stcore/stream",
            headers={
                "Cookie": f"parliament_route={route}",
                "Upgrade": "websocket",
                "Connection": "Upgrade",
            },
        ).json()
        assert seen["port"] == home
        assert seen["headers"]["upgrade"] == "websocket"
        assert seen["headers"]["connection"] == "upgrade"
        assert seen["headers"]["x-forwarded-proto"] == "https"
        assert seen["headers"]["host"] == f"127.0.0.1:{https_port}"
        plain = browser.get(base + "/").json()
        assert plain["headers"]["x-forwarded-proto"] == "https"
        assert "upgrade" not in plain["headers"]

    spread = set()
    for _ in range(40):  # new browsers (no cookie) are spread over the processes
        with httpx.Client(verify=False, timeout=10) as browser:
            spread.add(browser.get(base + "/").json()["port"])
    assert len(spread) > 1


# --- documentation and the restore drill -----------------------------------------------------


DOC = DOCS.read_text()


def test_the_docs_name_every_deploy_file() -> None:
    for path in DEPLOY.iterdir():
        assert f"deploy/{path.name}" in DOC or path.name in DOC, path.name
    (enable,) = [
        line for line in DOC.splitlines() if "systemctl enable --now parliament-app@8501 " in line
    ]
    enabled = re.findall(r"parliament-app@(\d+)", enable)
    upstream = re.findall(r"server 127\.0\.0\.1:(\d+);", NGINX)
    assert enabled == upstream
    for phrase in (
        "PARLIAMENT_SECRET_KEY",
        "cookie_secret",
        "systemctl mask parliament-migrate.service",
        "parliament-alerts.timer",
        "pg_dump",
        "/_stcore/health",
        "## Restore drill",
        "## Upgrading",
        "## Monitoring",
    ):
        assert phrase in DOC, phrase


def _tested_block(name: str) -> str:
    match = re.search(rf"<!-- tested: {name} -->\n```sh\n(.*?)```", DOC, re.S)
    assert match, f"docs/deployment.md has no tested block {name}"
    return match[1]


def test_the_wrapper_script_is_valid_sh() -> None:
    wrapper = DEPLOY / "parliament"
    assert os.access(wrapper, os.X_OK)
    subprocess.run(["sh", "-n", str(wrapper)], check=True)


class Server:
    """A fake server for the documented commands: /var/lib/parliament and
    /var/backups/parliament in a temporary directory, the ``parliament`` wrapper of deploy/
    with an environment file made from the example, and shims for systemctl and sudo."""

    def __init__(self, root: Path, database_url: str | None = None) -> None:
        self.root = root
        self.data = root / "var-lib-parliament"
        self.backups = root / "var-backups-parliament"
        self.data.mkdir()
        bin_dir = root / "bin"
        bin_dir.mkdir()
        app = root / "opt-parliament"
        (app / ".venv" / "bin").mkdir(parents=True)
        # The installed ``parliament``, with ``backup`` in its command map until
        # parliament_app/cli/main.py registers it (then setdefault changes nothing).
        program = app / ".venv" / "bin" / "parliament"
        program.write_text(
            f"#!{sys.executable}\n"
            "from parliament_app.cli.main import _Commands, main\n"
            "_Commands.FEATURES.setdefault('backup', 'parliament_app.cli.backup:backup')\n"
            "main()\n"
        )
        program.chmod(0o755)
        (bin_dir / "parliament").symlink_to(DEPLOY / "parliament")
        self.systemctl_log = root / "systemctl.log"
        (bin_dir / "systemctl").write_text(f'#!/bin/sh\necho "$@" >> {self.systemctl_log}\n')
        (bin_dir / "sudo").write_text(
            '#!/bin/sh\nwhile [ "$1" = -u ]; do shift 2; done\nexec "$@"\n'
        )
        for shim in ("systemctl", "sudo"):
            (bin_dir / shim).chmod(0o755)
        env_file = root / "parliament.env"
        example = (DEPLOY / "parliament.env.example").read_text().replace(DATA_DIR, str(self.data))
        if database_url:
            example += f"PARLIAMENT_DATABASE_URL={database_url}\n"
        env_file.write_text(example)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PARLIAMENT_")}
        self.env.update(
            PATH=f"{bin_dir}:{os.environ['PATH']}",
            PARLIAMENT_ENV_FILE=str(env_file),
            PARLIAMENT_APP_DIR=str(app),
            PARLIAMENT_RUN_AS="",
        )

    def run(self, block: str, **replace: str) -> str:
        script = block.replace(BACKUP_DIR, str(self.backups)).replace(DATA_DIR, str(self.data))
        for old, new in replace.items():
            assert old in script
            script = script.replace(old, new)
        result = subprocess.run(
            ["sh", "-eu", "-c", script],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
        return result.stdout


def _summaries(output: str) -> tuple[str, str]:
    verified = re.search(r"^\S+: \w+ backup, (revision .*)$", output, re.M)
    restored = re.search(r"^restored \S+ \((revision .*)\)$", output, re.M)
    assert verified and restored, output
    return verified[1], restored[1]


def _populate(database_url: str) -> dict:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine)
        with session_factory(engine)() as session:
            build_world(session)
            session.commit()
    finally:
        engine.dispose()
    return backups.inspect_database(database_url)


def test_the_sqlite_restore_drill_and_restore_run_as_documented(tmp_path: Path) -> None:
    server = Server(tmp_path)
    live_url = f"sqlite:///{server.data / 'parliament.db'}"  # the default in the data dir
    live = _populate(live_url)

    output = server.run(_tested_block("sqlite-drill"))
    verified, restored = _summaries(output)
    assert verified == restored
    assert f"revision {live['revision']}, {live['tables']} tables" in verified
    assert not (server.data / "drill").exists()
    (backup_file,) = backups.list_backups(server.backups)
    assert backups.verify_backup(backup_file)["rows"] == live["rows"]

    # Lose data, then restore as documented.
    engine = make_engine(live_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM consents"))
    engine.dispose()
    output = server.run(_tested_block("sqlite-restore"))
    assert "restored" in output and "already at" in output
    after = backups.inspect_database(live_url)
    assert after["rows"]["consents"] == live["rows"]["consents"] > 0
    assert after["key_rows"] == live["key_rows"]
    assert (server.data / "damaged" / "parliament.db").exists()
    calls = server.systemctl_log.read_text().splitlines()
    assert calls[0].startswith("stop parliament-app@*")
    assert calls[-1].startswith("start parliament-app@8501")


@pytest.mark.skipif(
    not POSTGRESQL_URL
    or not all(shutil.which(p) for p in ("pg_dump", "pg_restore", "createdb", "dropdb")),
    reason="PARLIAMENT_TEST_POSTGRESQL_URL unset or PostgreSQL client programs missing",
)
def test_the_postgresql_restore_drill_runs_as_documented(tmp_path: Path) -> None:
    admin_url = make_url(POSTGRESQL_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    suffix = uuid.uuid4().hex[:10]
    live_name, drill_name = f"parliament_live_{suffix}", f"parliament_drill_{suffix}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{live_name}"'))
        made_role = not connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = 'parliament'")
        ).scalar()
        if made_role:  # the documented createdb --owner=parliament needs the role
            connection.execute(text("CREATE ROLE parliament NOLOGIN"))
    base = URL.create(
        "postgresql",
        username=admin_url.username,
        password=admin_url.password,
        host=admin_url.host,
        port=admin_url.port,
    )
    base_text = base.render_as_string(hide_password=False)
    try:
        live_url = base.set(database=live_name).render_as_string(hide_password=False)
        live = _populate(live_url)
        server = Server(tmp_path, database_url=live_url)
        server.env.update(
            {
                key: str(value)
                for key, value in (
                    ("PGHOST", base.host),
                    ("PGPORT", base.port),
                    ("PGUSER", base.username),
                    ("PGPASSWORD", base.password),
                )
                if value is not None
            }
        )
        output = server.run(
            _tested_block("postgresql-drill"),
            **{
                "postgresql://parliament:PASSWORD@db.internal:5432/": base_text.rstrip("/") + "/",
                "parliament_drill": drill_name,
            },
        )
        verified, restored = _summaries(output)
        assert verified == restored
        assert f"revision {live['revision']}, {live['tables']} tables" in verified
        assert backups.list_backups(server.backups)[0].name.endswith(".dump")
        with admin.connect() as connection:
            assert not connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": drill_name}
            ).scalar()  # the drill dropped its scratch database
    finally:
        with admin.connect() as connection:
            for name in (live_name, drill_name):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if made_role:
                connection.execute(text("DROP ROLE IF EXISTS parliament"))
        admin.dispose()
