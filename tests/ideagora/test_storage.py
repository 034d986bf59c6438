"""File storage: the same behaviour on every backend, and S3 access control enforced for real.

The behaviour tests run against memory, a local directory, S3 on moto and S3 on SeaweedFS. Moto
checks neither signatures nor expiry, so the access-control tests (tampered, expired and
wrongly signed requests) run on SeaweedFS only.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import random
import re
import secrets
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from flask import Flask

from ideagora import storage as storage_module
from ideagora.storage import (
    LocalStorage,
    MemoryStorage,
    S3Storage,
    Storage,
    StorageError,
    content_disposition,
    get_storage,
    init_app,
    storage_from_config,
)
from tests.services.s3 import S3Server, S3ServerUnavailable, start_moto_server, start_seaweedfs

RANDOM_KEY = re.compile(r"[A-Za-z0-9_-]{32}")
MIB = 1024 * 1024


# -- servers and backends ----------------------------------------------------------------------


def _s3_required() -> bool:
    """Tell whether a missing S3 server must fail the run (as in CI) instead of skipping."""
    required = {name.strip() for name in os.environ.get("IDEAGORA_TEST_REQUIRE", "").split(",")}
    return "s3" in required or os.environ.get("CI") == "true"


def _start(
    starter: Callable[[Path], S3Server], tmp_path_factory: pytest.TempPathFactory, name: str
) -> Iterator[S3Server]:
    try:
        server = starter(tmp_path_factory.mktemp(name))
    except S3ServerUnavailable as error:
        if _s3_required():
            pytest.fail(f"{name} is required for this run but unavailable: {error}")
        pytest.skip(f"{name} is not available: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """An S3 server from moto, for the whole session."""
    yield from _start(start_moto_server, tmp_path_factory, "moto")


@pytest.fixture(scope="session")
def seaweedfs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A SeaweedFS S3 gateway that enforces its credentials, for the whole session."""
    yield from _start(start_seaweedfs, tmp_path_factory, "seaweedfs")


def _make_bucket(server: S3Server) -> str:
    bucket = f"ideagora-test-{secrets.token_hex(4)}"
    client = server.client()
    try:
        client.create_bucket(Bucket=bucket)
    finally:
        client.close()
    return bucket


@pytest.fixture(scope="session")
def moto_bucket(moto_server: S3Server) -> str:
    """A bucket on the moto server; each test writes under its own prefix."""
    return _make_bucket(moto_server)


@pytest.fixture(scope="session")
def seaweedfs_bucket(seaweedfs_server: S3Server) -> str:
    """A bucket on the SeaweedFS server; each test writes under its own prefix."""
    return _make_bucket(seaweedfs_server)


def _s3_storage(server: S3Server, bucket: str, **overrides: object) -> S3Storage:
    settings: dict[str, object] = {
        "prefix": f"test-{secrets.token_hex(6)}/",
        "endpoint_url": server.endpoint_url,
        "region": server.region,
        "access_key_id": server.access_key_id,
        "secret_access_key": server.secret_access_key,
    }
    settings.update(overrides)
    return S3Storage(bucket, **settings)  # type: ignore[arg-type]


S3_BACKENDS = {
    "s3-moto": ("moto_server", "moto_bucket"),
    "s3-seaweedfs": ("seaweedfs_server", "seaweedfs_bucket"),
}
S3_PARAMS = [pytest.param(name, marks=pytest.mark.s3) for name in S3_BACKENDS]


def _s3_for(request: pytest.FixtureRequest, backend: str) -> tuple[S3Server, str]:
    server_fixture, bucket_fixture = S3_BACKENDS[backend]
    return request.getfixturevalue(server_fixture), request.getfixturevalue(bucket_fixture)


@pytest.fixture(params=["memory", "local", *S3_PARAMS])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    """Each backend in turn, empty."""
    if request.param == "memory":
        backend: Storage = MemoryStorage()
    elif request.param == "local":
        backend = LocalStorage(tmp_path / "uploads")
    else:
        backend = _s3_storage(*_s3_for(request, request.param))
    yield backend
    backend.close()  # type: ignore[attr-defined]


@pytest.fixture(params=S3_PARAMS)
def s3_server_and_storage(request: pytest.FixtureRequest) -> Iterator[tuple[S3Server, S3Storage]]:
    """Each S3 server in turn, with a storage under a fresh prefix."""
    server, bucket = _s3_for(request, request.param)
    backend = _s3_storage(server, bucket)
    yield server, backend
    backend.close()


@pytest.fixture
def seaweedfs_storage(seaweedfs_server: S3Server, seaweedfs_bucket: str) -> Iterator[S3Storage]:
    """A storage on SeaweedFS, which checks signatures and expiry, under a fresh prefix."""
    backend = _s3_storage(seaweedfs_server, seaweedfs_bucket)
    yield backend
    backend.close()


# -- helpers -------------------------------------------------------------------------------------


def _payload(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def _read_in_chunks(backend: Storage, key: str) -> bytes:
    with backend.open(key) as stream:
        return b"".join(iter(lambda: stream.read(64 * 1024), b""))


def _fetch(url: str) -> tuple[int, Message, bytes]:
    """GET a URL without any proxy; return status, headers and body, closing the response."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


class _FailingStream(io.RawIOBase):
    """A stream that yields some data and then fails, like a dropped upload."""

    def __init__(self, good_bytes: int, error: OSError) -> None:
        self.remaining = good_bytes
        self.error = error

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            raise self.error
        chunk = b"x" * min(self.remaining, size if size > 0 else self.remaining)
        self.remaining -= len(chunk)
        return chunk


# -- behaviour on every backend ----------------------------------------------------------------


def test_round_trip_bytes(storage: Storage) -> None:
    data = b"%PDF-1.7 licence terms\n" * 100

    stored = storage.save(data, content_type="application/pdf")

    assert RANDOM_KEY.fullmatch(stored.key)
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.content_type == "application/pdf"
    assert storage.exists(stored.key)
    assert storage.read(stored.key) == data


@pytest.mark.parametrize("size", [0, 1, 2 * MIB + 5, 9 * MIB], ids=["empty", "1B", "2MiB", "9MiB"])
def test_round_trip_file_object(storage: Storage, size: int) -> None:
    data = _payload(size)

    stored = storage.save(io.BytesIO(data), content_type="application/octet-stream")

    assert stored.size == size
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert _read_in_chunks(storage, stored.key) == data


def test_same_data_saved_twice_gets_two_random_keys(storage: Storage) -> None:
    first = storage.save(b"same", content_type="text/plain")
    second = storage.save(b"same", content_type="text/plain")

    assert first.key != second.key
    assert first.sha256 == second.sha256
    storage.delete(first.key)
    assert storage.read(second.key) == b"same"


def test_save_under_a_chosen_key_replaces_the_content(storage: Storage) -> None:
    key = "offers/2024/nda-signed_v2"

    storage.save(b"first", content_type="text/plain", key=key)
    stored = storage.save(b"second", content_type="text/plain", key=key)

    assert stored.key == key
    assert storage.read(key) == b"second"


def test_missing_key_is_file_not_found(storage: Storage) -> None:
    assert not storage.exists("never-stored")
    with pytest.raises(FileNotFoundError):
        storage.read("never-stored")
    with pytest.raises(FileNotFoundError):
        storage.open("never-stored")


def test_delete_is_idempotent(storage: Storage) -> None:
    stored = storage.save(b"to be removed", content_type="text/plain")

    storage.delete(stored.key)
    storage.delete(stored.key)
    storage.delete("never-stored")

    assert not storage.exists(stored.key)
    with pytest.raises(FileNotFoundError):
        storage.read(stored.key)


BAD_KEYS = [
    pytest.param("", id="empty"),
    pytest.param("/etc/passwd", id="absolute"),
    pytest.param("..", id="dotdot"),
    pytest.param("a/../b", id="dotdot-segment"),
    pytest.param("a/./b", id="dot-segment"),
    pytest.param("a//b", id="empty-segment"),
    pytest.param("a/", id="trailing-slash"),
    pytest.param("report.pdf", id="dot"),
    pytest.param("my file", id="space"),
    pytest.param("a\\b", id="backslash"),
    pytest.param("a\x00b", id="nul"),
    pytest.param("a\nb", id="newline"),
    pytest.param("rapport-été", id="non-ascii"),
    pytest.param("a?b=c", id="query"),
    pytest.param("x" * 201, id="too-long"),
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_are_rejected(storage: Storage, key: str) -> None:
    calls = {
        "save": lambda: storage.save(b"data", content_type="text/plain", key=key),
        "open": lambda: storage.open(key),
        "read": lambda: storage.read(key),
        "exists": lambda: storage.exists(key),
        "delete": lambda: storage.delete(key),
        "download_url": lambda: storage.download_url(
            key, filename="a.txt", content_type="text/plain"
        ),
    }
    for call in calls.values():
        with pytest.raises(ValueError, match="invalid storage key"):
            call()


# -- local and memory ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["memory", "local"])
def test_local_and_memory_stream_downloads_through_the_app(kind: str, tmp_path: Path) -> None:
    storage = MemoryStorage() if kind == "memory" else LocalStorage(tmp_path)
    stored = storage.save(b"data", content_type="text/plain")

    url = storage.download_url(stored.key, filename="a.txt", content_type="text/plain")

    assert url is None


def test_local_files_fan_out_into_two_character_directories(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)

    stored = storage.save(b"data", content_type="text/plain")
    nested = storage.save(b"nested", content_type="text/plain", key="org-1/offer-2")

    assert (tmp_path / stored.key[:2] / stored.key).read_bytes() == b"data"
    assert storage.path_for(nested.key).read_bytes() == b"nested"
    assert storage.path_for(nested.key).parent.parent == tmp_path


def _files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_local_failed_upload_leaves_no_partial_file(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    storage.save(b"the signed original", content_type="text/plain", key="contract")
    before = _files_under(tmp_path)
    dropped = ConnectionResetError(errno.ECONNRESET, "connection reset by peer")

    with pytest.raises(ConnectionResetError):
        storage.save(_FailingStream(3 * MIB, dropped), content_type="text/plain", key="contract")
    with pytest.raises(ConnectionResetError):
        storage.save(_FailingStream(3 * MIB, dropped), content_type="text/plain")

    assert storage.read("contract") == b"the signed original"
    assert _files_under(tmp_path) == before


def test_local_full_disk_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    storage.save(b"the signed original", content_type="text/plain", key="contract")
    before = _files_under(tmp_path)

    def full_disk(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_module.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        storage.save(_payload(MIB), content_type="text/plain", key="contract")

    monkeypatch.undo()
    assert storage.read("contract") == b"the signed original"
    assert _files_under(tmp_path) == before


# -- S3 on both servers --------------------------------------------------------------------------


def test_s3_object_keeps_type_and_sha256_under_the_prefix(
    s3_server_and_storage: tuple[S3Server, S3Storage],
) -> None:
    server, storage = s3_server_and_storage
    data = _payload(1000)

    small = storage.save(data, content_type="application/pdf")
    large = storage.save(io.BytesIO(_payload(9 * MIB)), content_type="image/png")

    client = server.client()
    try:
        for stored in (small, large):
            head = client.head_object(Bucket=storage.bucket, Key=storage.prefix + stored.key)
            assert head["ContentType"] == stored.content_type
            assert head["ContentLength"] == stored.size
            assert head["Metadata"]["sha256"] == stored.sha256
        listing = client.list_objects_v2(Bucket=storage.bucket, Prefix=storage.prefix)
    finally:
        client.close()
    assert sorted(item["Key"] for item in listing["Contents"]) == sorted(
        storage.prefix + stored.key for stored in (small, large)
    )


def test_s3_presigned_url_downloads_as_attachment(
    s3_server_and_storage: tuple[S3Server, S3Storage],
) -> None:
    _server, storage = s3_server_and_storage
    data = b"%PDF-1.7 term sheet"
    stored = storage.save(data, content_type="application/pdf")

    url = storage.download_url(
        stored.key, filename="Lizenzvertrag Müller.pdf", content_type="application/pdf"
    )

    assert url is not None
    assert "X-Amz-Expires=60" in url
    status, headers, body = _fetch(url)
    assert status == 200
    assert body == data
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == (
        'attachment; filename="Lizenzvertrag Muller.pdf"; '
        "filename*=UTF-8''Lizenzvertrag%20M%C3%BCller.pdf"
    )


def test_s3_missing_bucket_is_a_storage_error(
    s3_server_and_storage: tuple[S3Server, S3Storage],
) -> None:
    server, _storage = s3_server_and_storage
    storage = _s3_storage(server, f"no-such-bucket-{secrets.token_hex(4)}")
    try:
        with pytest.raises(StorageError, match="NoSuchBucket"):
            storage.read("anything")
    finally:
        storage.close()


def test_s3_storage_from_config_round_trip(moto_server: S3Server, moto_bucket: str) -> None:
    config = {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": moto_bucket,
        "S3_PREFIX": "configured/",
        "S3_ENDPOINT_URL": moto_server.endpoint_url,
        "S3_REGION": moto_server.region,
        "S3_ACCESS_KEY_ID": moto_server.access_key_id,
        "S3_SECRET_ACCESS_KEY": moto_server.secret_access_key,
        "S3_PRESIGN_EXPIRY": "30",
    }
    storage = storage_from_config(config, "/nonexistent")
    try:
        assert isinstance(storage, S3Storage)
        stored = storage.save(b"configured", content_type="text/plain")
        assert storage.read(stored.key) == b"configured"
        url = storage.download_url(stored.key, filename="a.txt", content_type="text/plain")
        assert url is not None
        assert "X-Amz-Expires=30" in url
        assert "/configured/" in url
    finally:
        storage.close()


# -- S3 access control, enforced by SeaweedFS ----------------------------------------------------


@pytest.mark.s3
def test_tampered_signature_is_refused(seaweedfs_storage: S3Storage) -> None:
    stored = seaweedfs_storage.save(b"confidential", content_type="text/plain")
    url = seaweedfs_storage.download_url(stored.key, filename="a.txt", content_type="text/plain")
    assert url is not None
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:]

    status, _headers, body = _fetch(_with_query(url, **{"X-Amz-Signature": forged}))

    assert status == 403
    assert b"confidential" not in body


@pytest.mark.s3
def test_url_for_one_file_does_not_open_another(seaweedfs_storage: S3Storage) -> None:
    shared = seaweedfs_storage.save(b"shared with you", content_type="text/plain")
    secret = seaweedfs_storage.save(b"not shared", content_type="text/plain")
    url = seaweedfs_storage.download_url(shared.key, filename="a.txt", content_type="text/plain")
    assert url is not None
    assert _fetch(url)[0] == 200

    status, _headers, body = _fetch(url.replace(shared.key, secret.key))

    assert status == 403
    assert b"not shared" not in body


@pytest.mark.s3
def test_expired_url_is_refused(seaweedfs_storage: S3Storage) -> None:
    stored = seaweedfs_storage.save(b"short-lived", content_type="text/plain")
    url = seaweedfs_storage.download_url(
        stored.key, filename="a.txt", content_type="text/plain", expires_in=1
    )
    assert url is not None

    time.sleep(2)
    status, _headers, body = _fetch(url)

    assert status == 403
    assert b"short-lived" not in body


@pytest.mark.s3
@pytest.mark.parametrize("wrong", ["secret", "access-key"])
def test_wrong_credentials_cannot_read_or_write(
    seaweedfs_server: S3Server, seaweedfs_storage: S3Storage, wrong: str
) -> None:
    stored = seaweedfs_storage.save(b"members only", content_type="text/plain")
    bad_secret = "wrong-" + secrets.token_urlsafe(20)
    overrides = (
        {"secret_access_key": bad_secret}
        if wrong == "secret"
        else {"access_key_id": "AKIAUNKNOWN0000000000", "secret_access_key": bad_secret}
    )
    intruder = _s3_storage(
        seaweedfs_server,
        seaweedfs_storage.bucket,
        prefix=seaweedfs_storage.prefix,
        **overrides,
    )
    try:
        attempts = {
            "read": lambda: intruder.read(stored.key),
            "exists": lambda: intruder.exists(stored.key),
            "save": lambda: intruder.save(b"vandalised", content_type="text/plain"),
            "overwrite": lambda: intruder.save(b"x", content_type="text/plain", key=stored.key),
            "delete": lambda: intruder.delete(stored.key),
        }
        for attempt in attempts.values():
            with pytest.raises(StorageError, match=r"\(HTTP 403\)") as caught:
                attempt()
            assert bad_secret not in "".join(traceback.format_exception(caught.value))
        url = intruder.download_url(stored.key, filename="a.txt", content_type="text/plain")
        assert url is not None
        assert _fetch(url)[0] == 403
    finally:
        intruder.close()
    assert seaweedfs_storage.read(stored.key) == b"members only"


# -- configuration ---------------------------------------------------------------------------------


def test_storage_from_config_defaults_to_uploads_in_the_instance_folder(tmp_path: Path) -> None:
    storage = storage_from_config({}, str(tmp_path))

    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path / "uploads"


def test_storage_from_config_builds_each_backend(tmp_path: Path) -> None:
    local = storage_from_config(
        {"STORAGE_BACKEND": "local", "STORAGE_LOCAL_DIR": str(tmp_path / "files")}, "/instance"
    )
    memory = storage_from_config({"STORAGE_BACKEND": "memory"}, "/instance")
    s3 = storage_from_config(
        {
            "STORAGE_BACKEND": "S3",
            "S3_BUCKET": "ideagora-files",
            "S3_PREFIX": "prod/",
            "S3_ACCESS_KEY_ID": "AKIAEXAMPLE",
            "S3_SECRET_ACCESS_KEY": "do-not-show-me",
            "S3_PRESIGN_EXPIRY": 45,
        },
        "/instance",
    )
    try:
        assert isinstance(local, LocalStorage)
        assert local.root == tmp_path / "files"
        assert isinstance(memory, MemoryStorage)
        assert isinstance(s3, S3Storage)
        assert (s3.bucket, s3.prefix, s3.presign_expiry) == ("ideagora-files", "prod/", 45)
        assert "do-not-show-me" not in repr(s3)
    finally:
        s3.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"STORAGE_BACKEND": "ftp"},
            r"unknown STORAGE_BACKEND 'ftp': use one of local, s3, memory",
        ),
        ({"STORAGE_BACKEND": "s3"}, r"S3_BUCKET is not set"),
        ({"STORAGE_BACKEND": "s3", "S3_BUCKET": ""}, r"S3_BUCKET is not set"),
        (
            {"STORAGE_BACKEND": "s3", "S3_BUCKET": "b-1", "S3_PRESIGN_EXPIRY": "soon"},
            r"S3_PRESIGN_EXPIRY must be a whole number",
        ),
        (
            {"STORAGE_BACKEND": "s3", "S3_BUCKET": "b-1", "S3_PRESIGN_EXPIRY": -5},
            r"expiry must be a positive number",
        ),
    ],
    ids=["unknown-backend", "s3-no-bucket", "s3-empty-bucket", "bad-expiry", "negative-expiry"],
)
def test_storage_from_config_rejects_bad_settings(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        storage_from_config(config, "/instance")


def test_init_app_puts_the_storage_on_the_app(tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path))
    app.config["STORAGE_BACKEND"] = "memory"

    init_app(app)

    with app.app_context():
        assert get_storage() is app.extensions["storage"]
        assert isinstance(get_storage(), MemoryStorage)


# -- download file names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"),
        (
            "Été 2024.pdf",
            "attachment; filename=\"Ete 2024.pdf\"; filename*=UTF-8''%C3%89t%C3%A9%202024.pdf",
        ),
        (
            'say "hi";.txt',
            "attachment; filename=\"say _hi__.txt\"; filename*=UTF-8''say%20%22hi%22%3B.txt",
        ),
        ("../../etc/passwd", "attachment; filename=\"passwd\"; filename*=UTF-8''passwd"),
        ("C:\\Users\\a\\plan.txt", "attachment; filename=\"plan.txt\"; filename*=UTF-8''plan.txt"),
        ("bad\r\nname.txt", "attachment; filename=\"badname.txt\"; filename*=UTF-8''badname.txt"),
        (
            "特許.pdf",
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''%E7%89%B9%E8%A8%B1.pdf",
        ),
        ("", "attachment; filename=\"download\"; filename*=UTF-8''download"),
    ],
    ids=["ascii", "accents", "quotes", "path", "windows-path", "newline", "cjk", "empty"],
)
def test_content_disposition(filename: str, expected: str) -> None:
    value = content_disposition(filename)

    assert value == expected
    assert "\r" not in value
    assert "\n" not in value
