"""The deployment files stay in step with the code (issue 13): .env.example lists every variable of
the README's configuration table and loads as it is; the compose file runs both bots and the web
channel on one image and one volume; the Dockerfile runs unprivileged with a volume, a health check and `cchc` as entry
point, copying only what exists and what .dockerignore lets through; the systemd unit runs
`cchc run %i` (also as cchc@web) and does not restart on a configuration error; the Caddy and
nginx examples proxy the web channel to the port the compose file publishes.

No Docker engine is needed (none exists where these tests run): the files are read and checked,
and the image's steps are exercised by the rest of the suite (see docs/huong-dan-van-hanh.md, mục 12).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from bot.failures import EXIT_CONFIG
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def readme_variables() -> list[str]:
    """Every variable named in the first column of the README's configuration table."""
    text = (ROOT / "README.md").read_text("utf-8")
    table = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names: list[str] = []
    for line in table.splitlines():
        if line.startswith("| `"):
            names += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return names


def test_env_example_has_every_readme_variable_and_loads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text("utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    names = readme_variables()
    assert len(names) >= 40
    assert not [n for n in names if n not in listed], "add these to .env.example"
    assert not [n for n in listed if n not in names], "document these in the README table"
    # python-dotenv writes what it loads into os.environ, where monkeypatch cannot undo it: loaded
    # into a copy, the example's CCHC_TTHC_LEVELS=xa,tinh cannot reach the tests that follow.
    monkeypatch.setattr(os, "environ", dict(os.environ))
    for name in names:
        os.environ.pop(name, None)
    uncommented = tmp_path / ".env"
    uncommented.write_text(re.sub(r"^# ([A-Z][A-Z0-9_]+=)", r"\1", example, flags=re.M), "utf-8")
    settings = Settings.from_env(env_file=str(uncommented))  # every default as written is valid
    assert settings.exam_questions == 20 and settings.zalo_api_base.endswith("/bot")


def test_compose_runs_both_bots_and_the_web_on_one_image_and_volume() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert set(services) == {"telegram", "zalo", "web"}
    for name in services:
        assert services[name]["command"] == ["run", name]
    for service in services.values():
        assert service["image"] == "tro-ly-cchc:latest" and service["env_file"] == ".env"
        assert service["volumes"] == ["cchc-data:/data"] and service["restart"] == "unless-stopped"
    assert services["telegram"]["build"] == "." and "cchc-data" in compose["volumes"]
    assert "build" not in services["web"] and services["web"]["depends_on"] == ["telegram"]  # built once


def web_service_settings(monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, list[str]]:
    """The settings `cchc run web` reads inside the compose service, and the service's ports."""
    web = yaml.safe_load((ROOT / "compose.yaml").read_text("utf-8"))["services"]["web"]
    for name in [n for n in os.environ if n.startswith("CCHC_WEB_")]:
        monkeypatch.delenv(name)
    for name, value in web["environment"].items():
        monkeypatch.setenv(name, str(value))
    return Settings.from_env(env_file=None), web["ports"]


def test_compose_web_service_listens_where_it_is_published_and_only_to_this_host(
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings, ports = web_service_settings(monkeypatch)
    # Inside the container the server must listen on every interface, or nothing reaches it;
    # the host publishes it on 127.0.0.1 only, for the reverse proxy.
    assert settings.web_listen == "0.0.0.0"
    assert ports == [f"127.0.0.1:{settings.web_port}:{settings.web_port}"]
    assert settings.web_trust_proxy  # behind the proxy every request comes from it
    for proxy in ("deploy/caddy/Caddyfile", "deploy/nginx/cchc.conf"):
        text = (ROOT / proxy).read_text("utf-8")
        assert re.search(rf"(reverse_proxy|proxy_pass http://) ?127\.0\.0\.1:{settings.web_port}\b", text), proxy


def test_package_data_ships_every_file_of_the_web_page() -> None:
    """A wheel (the Docker image installs one) carries the chat page's HTML, CSS and scripts."""
    import fnmatch

    data = (ROOT / "pyproject.toml").read_text("utf-8").split("[tool.setuptools.package-data]", 1)[1]
    line = re.search(r"^bot = \[(.*)\]$", data, flags=re.M)  # tomllib is not in Python 3.10
    assert line
    patterns = re.findall(r'"([^"]+)"', line.group(1))
    static = sorted(p.relative_to(ROOT / "bot").as_posix() for p in (ROOT / "bot" / "web" / "static").iterdir())
    assert len(static) >= 6
    assert not [f for f in static if not any(fnmatch.fnmatch(f, pattern) for pattern in patterns)]


def test_dockerfile_runs_unprivileged_with_volume_and_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert all(re.match(r"FROM python:3\.\d+-slim", line) for line in lines if line.startswith("FROM"))
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1].split()[1].split(":")[0] not in ("0", "root")
    assert 'VOLUME ["/data"]' in lines and "ENV PATH=/opt/cchc/bin:$PATH \\" in lines
    assert any(line.startswith("HEALTHCHECK") and line.endswith('CMD ["cchc", "health"]') for line in lines)
    assert 'ENTRYPOINT ["cchc"]' in lines and 'CMD ["run", "telegram"]' in lines
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()}
    for line in lines:
        if line.startswith("COPY") and "--from" not in line:
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
                assert source not in ignored and source.rstrip("/") not in ignored, source


def test_systemd_unit_runs_the_channel_and_stops_on_configuration_errors() -> None:
    unit = (ROOT / "deploy" / "systemd" / "cchc@.service").read_text("utf-8")
    assert "ExecStart=/opt/cchc/.venv/bin/cchc run %i" in unit
    assert f"RestartPreventExitStatus={EXIT_CONFIG}" in unit and "Restart=on-failure" in unit
    assert "User=cchc" in unit and "EnvironmentFile=/etc/cchc/cchc.env" in unit
    assert "cchc@web" in unit


@pytest.mark.parametrize("instance", ["telegram", "zalo", "web"])
def test_systemd_instances_are_commands_the_cli_accepts(instance: str) -> None:
    """cchc@telegram, cchc@zalo and cchc@web expand to `cchc run <instance>`, which the CLI parses."""
    from bot.cli import build_parser

    unit = (ROOT / "deploy" / "systemd" / "cchc@.service").read_text("utf-8")
    exec_start = re.search(r"^ExecStart=(\S+) (.+)$", unit, flags=re.M)
    assert exec_start and exec_start.group(1).endswith("/cchc")
    argv = exec_start.group(2).replace("%i", instance).split()
    args = build_parser().parse_args(argv)
    assert args.command == "run" and args.platform == instance


def test_proxy_examples_are_valid_where_caddy_or_nginx_is_installed(tmp_path: Path) -> None:
    """`caddy adapt --validate` and `nginx -t` on the shipped examples (certificates made up here),
    when those programs exist; the checks above run everywhere."""
    import shutil
    import subprocess

    checked = 0
    if shutil.which("caddy"):
        done = subprocess.run(["caddy", "adapt", "--validate", "--adapter", "caddyfile", "--config",
                               str(ROOT / "deploy" / "caddy" / "Caddyfile")], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)})
        assert done.returncode == 0, done.stderr[-2000:]
        checked += 1
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx and shutil.which("openssl"):
        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=bot.example.gov.vn", "-keyout", str(key), "-out", str(cert)], check=True,
                       capture_output=True, timeout=60)
        site = (ROOT / "deploy" / "nginx" / "cchc.conf").read_text("utf-8")
        site = re.sub(r"/etc/letsencrypt/live/[^;]+/fullchain\.pem", str(cert), site)
        site = re.sub(r"/etc/letsencrypt/live/[^;]+/privkey\.pem", str(key), site)
        (tmp_path / "site.conf").write_text(site, "utf-8")
        (tmp_path / "nginx.conf").write_text(
            f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
            f"http {{ access_log off; client_body_temp_path {tmp_path}; include {tmp_path}/site.conf; }}\n", "utf-8")
        done = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        checked += 1
    if not checked:
        pytest.skip("neither caddy nor nginx is installed here (apt-get install caddy nginx-light)")


def test_the_operator_guide_is_linked_and_names_what_it_ships() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "docs/huong-dan-van-hanh.md" in readme
    guide = (ROOT / "docs" / "huong-dan-van-hanh.md").read_text("utf-8")
    for needle in ("@BotFather", "Zalo Bot Creator", "/whoami", "cchc doctor", "cchc state backup",
                   "Caddyfile", "deploy/nginx/cchc.conf", "journalctl", "docker compose logs", "cchc health",
                   # the web channel (issue 22): how to run it, its password and key, the widget, HTTPS
                   "cchc run web", "cchc web hash-password", "CCHC_WEB_SECRET", "CCHC_WEB_ADMIN_PASSWORD",
                   "CCHC_WEB_TRUST_PROXY", "CCHC_WEB_ALLOWED_ORIGINS", "/widget.js", "cchc@web",
                   "docker compose up -d web", "reverse_proxy 127.0.0.1:8090"):
        assert needle in guide, needle
    for path in re.findall(r"`(deploy/[^`\s]+)`", guide):
        assert (ROOT / path).exists(), path


def docker_engine() -> bool:
    """A Docker engine answers (the client alone is not enough: the machines this project is
    developed on have the client and no engine)."""
    import shutil
    import subprocess

    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not docker_engine(), reason="no Docker engine here: see docs/huong-dan-van-hanh.md, mục 12")
def test_the_image_builds_and_answers_a_question() -> None:
    import json
    import subprocess

    tag = "tro-ly-cchc:test"
    built = subprocess.run(["docker", "build", "-t", tag, str(ROOT)], capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    asked = subprocess.run(["docker", "run", "--rm", tag, "ask", "--json", "Số hotline hỗ trợ dịch vụ công là gì?"],
                           capture_output=True, text=True, timeout=600)
    assert asked.returncode == 0, asked.stderr[-3000:]
    answer = json.loads(asked.stdout)
    assert answer["found"] and "1096" in answer["answer"]
    who = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", tag, "-u"], capture_output=True, text=True,
                         timeout=120)
    assert who.stdout.strip() == "10001"
