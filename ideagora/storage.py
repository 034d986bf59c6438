"""Store uploaded files on the local disk, in memory or in an S3-compatible bucket.

Every backend stores opaque keys (random by default, never derived from a user's file name) and
reports the size and SHA-256 of what it stored. Downloads either stream through the application
(``download_url`` returns None) or, for S3, go straight to the bucket with a short-lived
presigned URL.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import re
import secrets
import tempfile
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, current_app

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
KEY_MAX_LENGTH = 200
RANDOM_KEY_BYTES = 24
# files up to this size are hashed in memory before an S3 upload; larger ones spill to disk
S3_SPOOL_MAX_SIZE = 8 * 1024 * 1024
BACKENDS = ("local", "s3", "memory")

_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
_SESSION: boto3.session.Session | None = None
_SESSION_LOCK = threading.Lock()
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 !#$&+,.=@^_`{}~()\[\]-]")


class StorageError(Exception):
    """A storage backend failed for a reason other than a missing file."""


@dataclass(frozen=True)
class StoredFile:
    """What was stored: the key to fetch it by, its size in bytes, SHA-256 and media type."""

    key: str
    size: int
    sha256: str
    content_type: str


class Storage(Protocol):
    """Keep files under opaque keys."""

    def save(
        self, data: bytes | BinaryIO, *, content_type: str, key: str | None = None
    ) -> StoredFile:
        """Store bytes or a binary stream, under a new random key unless one is given."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading; raise FileNotFoundError if there is none."""
        ...

    def read(self, key: str) -> bytes:
        """Return a stored file's content; raise FileNotFoundError if there is none."""
        ...

    def delete(self, key: str) -> None:
        """Remove a stored file; removing one that is absent is not an error."""
        ...

    def exists(self, key: str) -> bool:
        """Tell whether a file is stored under the key."""
        ...

    def download_url(
        self, key: str, *, filename: str, content_type: str, expires_in: int | None = None
    ) -> str | None:
        """Return a short-lived direct download URL, or None to stream through the app."""
        ...


# -- keys, hashing and headers -------------------------------------------------------------------


def new_key() -> str:
    """Return a fresh random key that says nothing about the file."""
    return secrets.token_urlsafe(RANDOM_KEY_BYTES)


def validate_key(key: str) -> str:
    """Return the key if it is safe to use, else raise ValueError.

    A key is one or more ``/``-separated segments of ASCII letters, digits, ``_`` and ``-``: no
    dots (so no ``..``), no leading, trailing or doubled ``/``.
    """
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise ValueError(
            f"invalid storage key {key!r}: use letters, digits, '_' and '-', "
            "optionally in '/'-separated segments"
        )
    if len(key) > KEY_MAX_LENGTH:
        raise ValueError(f"invalid storage key: longer than {KEY_MAX_LENGTH} characters")
    return key


def _key_for_save(key: str | None) -> str:
    return new_key() if key is None else validate_key(key)


def _missing(key: str) -> FileNotFoundError:
    return FileNotFoundError(errno.ENOENT, "no stored file under this key", key)


def iter_chunks(data: bytes | BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield the content of bytes or a binary stream in chunks of at most ``chunk_size``."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data).cast("B")
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])
        return
    while chunk := data.read(chunk_size):
        yield chunk


class _Digest:
    """Count bytes and compute their SHA-256 as they pass by."""

    def __init__(self) -> None:
        self.size = 0
        self._hash = hashlib.sha256()

    def update(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        self._hash.update(chunk)
        return chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """Build a Content-Disposition value with an ASCII fallback and an RFC 5987 UTF-8 name."""
    # only the last path component is a file name; control characters never belong in a header
    name = re.split(r"[/\\]", filename)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    name = name or "download"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _FALLBACK_UNSAFE.sub("_", ascii_name).strip()
    # a name with no ASCII letters left keeps at least its extension after a neutral stem
    if not ascii_name.strip("._ "):
        ascii_name = "download"
    elif ascii_name.startswith("."):
        ascii_name = "download" + ascii_name
    encoded = quote(name, safe="")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


# -- local disk ------------------------------------------------------------------------------------


class LocalStorage:
    """Keep files in a directory, written atomically so a failure never leaves a partial file."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path_for(self, key: str) -> Path:
        """Return where the file for a key lives: ``root/<first two characters>/<flat key>``."""
        # '/' becomes '.', which keys cannot contain, so every key maps to one flat file name
        # and a key never needs a directory where another key has a file
        flat = validate_key(key).replace("/", ".")
        return self.root / flat[:2] / flat

    def save(
        self, data: bytes | BinaryIO, *, content_type: str, key: str | None = None
    ) -> StoredFile:
        """Write to a temporary file beside the target, fsync it, then rename it into place."""
        key = _key_for_save(key)
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = _Digest()
        # the leading dot keeps temporary files apart from stored ones, whose names never have it
        fd, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as temp_file:
                for chunk in iter_chunks(data):
                    temp_file.write(digest.update(chunk))
                temp_file.flush()
                os.fsync(temp_file.fileno())
            os.replace(temp_name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_directory(target.parent)
        logger.debug("stored %s (%d bytes) in %s", key, digest.size, self.root)
        return StoredFile(key, digest.size, digest.sha256, content_type)

    def open(self, key: str) -> BinaryIO:
        """Open the stored file for reading."""
        try:
            return self.path_for(key).open("rb")
        except (FileNotFoundError, NotADirectoryError):
            raise _missing(key) from None

    def read(self, key: str) -> bytes:
        """Return the stored file's content."""
        with self.open(key) as stored:
            return stored.read()

    def delete(self, key: str) -> None:
        """Remove the stored file if there is one."""
        self.path_for(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Tell whether the file is stored."""
        return self.path_for(key).is_file()

    def download_url(
        self, key: str, *, filename: str, content_type: str, expires_in: int | None = None
    ) -> str | None:
        """Return None: local files are streamed through the application."""
        validate_key(key)
        return None

    def close(self) -> None:
        """Do nothing: there is nothing to release."""


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable; platforms that cannot open directories skip this."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        logger.debug("could not fsync directory %s", directory)
    finally:
        os.close(fd)


# -- memory ----------------------------------------------------------------------------------------


class MemoryStorage:
    """Keep files in a dictionary, for tests."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryStorage({len(self.files)} files)"

    def save(
        self, data: bytes | BinaryIO, *, content_type: str, key: str | None = None
    ) -> StoredFile:
        """Keep the content under the key."""
        key = _key_for_save(key)
        digest = _Digest()
        content = b"".join(digest.update(chunk) for chunk in iter_chunks(data))
        with self._lock:
            self.files[key] = (content, content_type)
        return StoredFile(key, digest.size, digest.sha256, content_type)

    def open(self, key: str) -> BinaryIO:
        """Return a stream over the stored content."""
        return io.BytesIO(self.read(key))

    def read(self, key: str) -> bytes:
        """Return the stored content."""
        validate_key(key)
        with self._lock:
            try:
                return self.files[key][0]
            except KeyError:
                raise _missing(key) from None

    def delete(self, key: str) -> None:
        """Forget the content if there is any."""
        validate_key(key)
        with self._lock:
            self.files.pop(key, None)

    def exists(self, key: str) -> bool:
        """Tell whether content is kept under the key."""
        validate_key(key)
        with self._lock:
            return key in self.files

    def download_url(
        self, key: str, *, filename: str, content_type: str, expires_in: int | None = None
    ) -> str | None:
        """Return None: content in memory is streamed through the application."""
        validate_key(key)
        return None

    def close(self) -> None:
        """Do nothing: there is nothing to release."""


# -- S3 --------------------------------------------------------------------------------------------


class S3Storage:
    """Keep files in an S3-compatible bucket, under an optional key prefix."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        presign_expiry: int = 60,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise ValueError("S3Storage needs a bucket name")
        if presign_expiry <= 0:
            raise ValueError("the presigned URL expiry must be a positive number of seconds")
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self.presign_expiry = presign_expiry
        # the secret key goes to the client only, so it never shows up in a repr or a message
        self.client = client or _make_s3_client(
            endpoint_url, region, access_key_id, secret_access_key
        )

    def __repr__(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r}{where})"

    def object_key(self, key: str) -> str:
        """Return the object key in the bucket for a storage key."""
        return self.prefix + validate_key(key)

    def save(
        self, data: bytes | BinaryIO, *, content_type: str, key: str | None = None
    ) -> StoredFile:
        """Upload the content with its media type, keeping its SHA-256 as object metadata."""
        key = _key_for_save(key)
        object_key = self.object_key(key)
        if isinstance(data, bytes | bytearray | memoryview):
            body = bytes(data)
            digest = _Digest()
            digest.update(body)
            stored = StoredFile(key, digest.size, digest.sha256, content_type)
            with self._errors("upload", key):
                self.client.put_object(
                    Bucket=self.bucket, Key=object_key, Body=body, **_put_args(stored)
                )
            return stored
        # the hash must be known before the upload starts, as it travels in the headers
        with tempfile.SpooledTemporaryFile(max_size=S3_SPOOL_MAX_SIZE) as spool:
            digest = _Digest()
            for chunk in iter_chunks(data):
                spool.write(digest.update(chunk))
            spool.seek(0)
            stored = StoredFile(key, digest.size, digest.sha256, content_type)
            with self._errors("upload", key):
                self.client.upload_fileobj(
                    spool, self.bucket, object_key, ExtraArgs=_put_args(stored)
                )
        return stored

    def open(self, key: str) -> BinaryIO:
        """Return a stream over the object's content; the caller closes it."""
        object_key = self.object_key(key)
        with self._errors("download", key):
            response = self.client.get_object(Bucket=self.bucket, Key=object_key)
        return response["Body"]

    def read(self, key: str) -> bytes:
        """Return the object's content."""
        body = self.open(key)
        with contextlib.closing(body), self._errors("download", key):
            return body.read()

    def delete(self, key: str) -> None:
        """Delete the object; S3 treats an absent one as already deleted."""
        object_key = self.object_key(key)
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=object_key)

    def exists(self, key: str) -> bool:
        """Tell whether the object exists."""
        object_key = self.object_key(key)
        try:
            with self._errors("look up", key):
                self.client.head_object(Bucket=self.bucket, Key=object_key)
        except FileNotFoundError:
            return False
        return True

    def download_url(
        self, key: str, *, filename: str, content_type: str, expires_in: int | None = None
    ) -> str | None:
        """Return a presigned GET URL that makes the browser save the file under ``filename``."""
        params = {
            "Bucket": self.bucket,
            "Key": self.object_key(key),
            "ResponseContentDisposition": content_disposition(filename),
            "ResponseContentType": content_type,
        }
        expiry = self.presign_expiry if expires_in is None else expires_in
        with self._errors("presign", key):
            return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expiry)

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()

    @contextlib.contextmanager
    def _errors(self, action: str, key: str) -> Iterator[None]:
        """Turn a missing object into FileNotFoundError and other failures into StorageError."""
        try:
            yield
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in _NOT_FOUND_CODES:
                raise _missing(key) from None
            message = error.response.get("Error", {}).get("Message") or "no message"
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")
            raise StorageError(
                f"S3 {action} of {key!r} in bucket {self.bucket!r} failed: "
                f"{code or 'error'} (HTTP {status}): {message}"
            ) from error
        except BotoCoreError as error:
            raise StorageError(
                f"S3 {action} of {key!r} in bucket {self.bucket!r} failed: {error}"
            ) from error


def _put_args(stored: StoredFile) -> dict[str, Any]:
    return {"ContentType": stored.content_type, "Metadata": {"sha256": stored.sha256}}


def _make_s3_client(
    endpoint_url: str | None,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
) -> Any:
    """Create an S3 client that signs with v4 and, for a custom endpoint, uses path-style URLs."""
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"} if endpoint_url else {},
        # S3-compatible servers do not all accept the newer default trailing checksums
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    with _SESSION_LOCK:
        return _boto3_session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )


def _boto3_session() -> boto3.session.Session:
    """Return the module's boto3 session; callers hold ``_SESSION_LOCK``."""
    # one session caches the loaded service models, making every client after the first cheap;
    # sessions are not thread-safe, hence the lock
    global _SESSION
    if _SESSION is None:
        _SESSION = boto3.session.Session()
    return _SESSION


# -- configuration ---------------------------------------------------------------------------------


def storage_from_config(config: Mapping[str, Any], instance_path: str) -> Storage:
    """Build the storage backend the settings ask for."""
    backend = str(config.get("STORAGE_BACKEND") or "local").strip().lower()
    if backend == "local":
        root = config.get("STORAGE_LOCAL_DIR") or os.path.join(instance_path, "uploads")
        return LocalStorage(Path(root))
    if backend == "memory":
        return MemoryStorage()
    if backend == "s3":
        return _s3_from_config(config)
    raise ValueError(
        f"unknown STORAGE_BACKEND {config.get('STORAGE_BACKEND')!r}: "
        f"use one of {', '.join(BACKENDS)}"
    )


def _s3_from_config(config: Mapping[str, Any]) -> S3Storage:
    bucket = config.get("S3_BUCKET")
    if not bucket:
        raise ValueError("STORAGE_BACKEND is 's3' but S3_BUCKET is not set: name the bucket")
    try:
        expiry = int(config.get("S3_PRESIGN_EXPIRY") or 60)
    except (TypeError, ValueError):
        raise ValueError("S3_PRESIGN_EXPIRY must be a whole number of seconds") from None
    return S3Storage(
        bucket,
        prefix=config.get("S3_PREFIX") or "",
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region=config.get("S3_REGION") or "us-east-1",
        access_key_id=config.get("S3_ACCESS_KEY_ID") or None,
        secret_access_key=config.get("S3_SECRET_ACCESS_KEY") or None,
        presign_expiry=expiry,
    )


def init_app(app: Flask) -> None:
    """Create the configured storage backend and keep it on the app."""
    storage = storage_from_config(app.config, app.instance_path)
    app.extensions["storage"] = storage
    logger.info("file storage: %r", storage)


def get_storage() -> Storage:
    """Return the current app's storage backend."""
    return current_app.extensions["storage"]
