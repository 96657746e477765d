"""``deploy/``: HAProxy's configuration and the systemd unit, checked by the tools that run them.

HAProxy (Debian's ``haproxy``) and systemd's ``systemd-analyze`` are needed: skipped locally
with the reason when missing, failed on CI (``.ci/run`` installs them). The configuration
running for real, in front of two servers, is ``tests/browser/test_haproxy.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from codevwidgets.server.serve import free_port
from codevwidgets.server.voila_app import HEALTH_PATH

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
CONFIG = DEPLOY / "haproxy.cfg"
UNIT = DEPLOY / "codev-serve@.service"


def needed(tool: str) -> str:
    # Debian puts haproxy in /usr/sbin, on root's PATH only.
    found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
    if found is None:
        reason = f"no {tool} on this machine (apt-get install {tool.split('-')[0]})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: .ci/run installs it)", pytrace=False)
        pytest.skip(reason)
    return found


def haproxy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [needed("haproxy"), "-c", "-f", str(CONFIG)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_haproxy_accepts_the_configuration_as_shipped() -> None:
    checked = haproxy_check({})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Configuration file is valid" in checked.stdout


def test_haproxy_accepts_the_addresses_it_is_given(tmp_path: Path) -> None:
    addresses = {
        "CODEV_BIND": "127.0.0.1:18080",
        "CODEV_SERVER_1": "127.0.0.1:18866",
        "CODEV_SERVER_2": "10.1.2.3:8866",
        "CODEV_HAPROXY_SOCKET": str(tmp_path / "admin.sock"),
    }
    checked = haproxy_check(addresses)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # A broken address is refused, so the check above is not a check of nothing.
    broken = haproxy_check({**addresses, "CODEV_SERVER_2": "127.0.0.1:port"})
    assert broken.returncode != 0
    assert "codev2" in broken.stdout + broken.stderr


def directives(section: str) -> list[str]:
    """The lines of one section of the configuration (``backend codev``…), without comments."""
    lines, inside = [], False
    for raw in CONFIG.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if raw and not raw[0].isspace():
            inside = line == section
        elif inside and line:
            lines.append(re.sub(r"\s+", " ", line))
    return lines


def test_pages_stick_to_the_server_that_holds_their_kernel() -> None:
    backend = directives("backend codev")
    assert any(line.startswith("cookie CODEV_SERVER insert indirect nocache") for line in backend)
    servers = [line for line in backend if line.startswith("server ")]
    cookies = [line.split(" cookie ")[1] for line in servers]
    assert len(servers) == 2 and len(set(cookies)) == 2  # a cookie value per server
    # Full servers are asked where codev serve answers, and keep the pages they hold.
    assert f"option httpchk GET {HEALTH_PATH}" in backend
    assert "option persist" in backend


def test_a_page_keeps_its_websocket_through_a_two_hour_session() -> None:
    (tunnel,) = [line for line in directives("defaults") if line.startswith("timeout tunnel ")]
    value = tunnel.removeprefix("timeout tunnel ")
    hours = int(value.removesuffix("h")) if value.endswith("h") else 0
    assert hours > 2, tunnel


def exec_start() -> list[str]:
    (line,) = [x for x in UNIT.read_text().splitlines() if x.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = needed("systemd-analyze")
    # Installed where the README says; here, this checkout's own codev stands in.
    codev = Path(sys.executable).with_name("codev")
    assert exec_start()[0] == "/opt/codev/bin/codev"
    unit = tmp_path / "codev-serve@.service"
    unit.write_text(UNIT.read_text().replace("/opt/codev/bin/codev", str(codev)))
    instance = tmp_path / "codev-serve@8866.service"
    instance.symlink_to(unit)
    checked = subprocess.run(
        [analyze, "verify", "--man=no", str(instance)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == ""


def test_the_unit_runs_codev_serve_for_sessions_made_elsewhere() -> None:
    words = exec_start()
    assert words[1:3] == ["serve", "--no-session"]
    assert "--port" in words and words[words.index("--port") + 1] == "%i"
    # One log per server: several on one machine would otherwise share voila.log.
    assert words[words.index("--log") + 1] == "/var/log/codev/voila-%i.log"


def test_with_every_server_full_or_stopped_a_visitor_is_told_so(tmp_path: Path) -> None:
    haproxy = needed("haproxy")
    if os.geteuid() != 0:
        pytest.skip("haproxy.cfg drops root for user haproxy in a chroot: run as root (CI is)")
    port = free_port()
    nobody = [free_port(), free_port()]  # nothing listens there: both servers are down
    env = {
        **os.environ,
        "CODEV_BIND": f"127.0.0.1:{port}",
        "CODEV_SERVER_1": f"127.0.0.1:{nobody[0]}",
        "CODEV_SERVER_2": f"127.0.0.1:{nobody[1]}",
        "CODEV_HAPROXY_SOCKET": str(tmp_path / "admin.sock"),
    }
    with (tmp_path / "haproxy.log").open("wb") as log:
        process = subprocess.Popen([haproxy, "-f", str(CONFIG)], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        # Until HAProxy listens and its checks have found both servers down.
        while (answer := fetch(f"http://127.0.0.1:{port}/voila/render/x")) is None or (
            "Every server is full" not in answer[2]
        ):
            assert time.monotonic() < deadline, (answer, (tmp_path / "haproxy.log").read_text())
            time.sleep(0.5)
        status, headers, page = answer
        assert status == 503
        assert headers["Retry-After"] == "60"
        assert "Tous les serveurs sont complets" in page
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def fetch(url: str) -> tuple[int, Message, str] | None:
    """Status, headers and text of ``url``'s answer; None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()
    except OSError:
        return None
