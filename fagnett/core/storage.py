"""Stored files (uploads, generated documents) read in chunks and streamed, whatever the storage behind them.

Every file goes through Django's storage API (``default_storage`` or a FileField's storage), so the local folder,
Azure Blob Storage and S3 are interchangeable (config.env.storage_config). Downloads are streamed through the app
by a permission-checked view (docs/ARCHITECTURE.md, "Files in object storage, streamed through the app"): the blob
or object is read in chunks straight from the storage service, not first copied whole to a temporary file as the
storages' own ``open()`` does.
"""

import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse

CHUNK_SIZE = 256 * 1024
AZURE_RANGE = 4 * 1024 * 1024


def storage_kind(storage: Storage) -> str:
    """Which backend ``storage`` is: azure, s3 or local (any other: read through its own open()).

    By the class's ``__class__`` and names, not ``type()`` and imports: ``default_storage`` and a FileField's
    storage are a lazy proxy whose type() is DefaultStorage, and the cloud SDKs need not be imported to tell.
    """
    for cls in storage.__class__.__mro__:
        if (cls.__module__, cls.__name__) == ("storages.backends.azure_storage", "AzureStorage"):
            return "azure"
        if (cls.__module__, cls.__name__) == ("storages.backends.s3", "S3Storage"):
            return "s3"
    return "local"


@dataclass
class StoredChunks:
    """A stored file being read: its size (when the storage tells it) and its bytes, chunk by chunk."""

    size: int | None
    chunks: Iterator[bytes]
    close: Callable[[], None]


def stored_file_chunks(storage: Storage, name: str) -> StoredChunks:
    """Open ``name`` in ``storage`` for reading in chunks; FileNotFoundError when it is not there."""
    kind = storage_kind(storage)
    if kind == "azure":
        return _azure_chunks(storage, name)
    if kind == "s3":
        return _s3_chunks(storage, name)
    handle = storage.open(name, "rb")
    try:
        size = storage.size(name)
    except (OSError, NotImplementedError):
        size = None
    return StoredChunks(size=size, chunks=iter(handle.chunks(CHUNK_SIZE)), close=handle.close)


def _azure_chunks(storage: Storage, name: str) -> StoredChunks:
    from azure.core import MatchConditions
    from azure.core.exceptions import ResourceNotFoundError

    blob = storage.client.get_blob_client(storage._get_valid_path(name))  # type: ignore[attr-defined]
    timeout = storage.timeout  # type: ignore[attr-defined]
    try:
        properties = blob.get_blob_properties(timeout=timeout)
    except ResourceNotFoundError as error:
        raise FileNotFoundError(name) from error
    size, etag = int(properties.size), properties.etag

    def ranges() -> Iterator[bytes]:
        # One ranged GET per AZURE_RANGE bytes: the SDK's download_blob() would otherwise fetch the first 32 MB in
        # one piece into memory. The ETag keeps every range from the same version of the blob.
        offset = 0
        while offset < size:
            length = min(AZURE_RANGE, size - offset)
            data = blob.download_blob(
                offset=offset, length=length, etag=etag, match_condition=MatchConditions.IfNotModified, timeout=timeout
            ).readall()
            if not data:
                raise OSError(f"{name} ended early in the storage ({offset} of {size} bytes)")
            offset += len(data)
            yield data

    return StoredChunks(size=size, chunks=ranges(), close=lambda: None)


def _s3_chunks(storage: Storage, name: str) -> StoredChunks:
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    key = storage._normalize_name(clean_name(name))  # type: ignore[attr-defined]  # the backend's own name → key
    try:
        answer = storage.bucket.Object(key).get()  # type: ignore[attr-defined]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            raise FileNotFoundError(name) from error
        raise
    body = answer["Body"]
    return StoredChunks(size=answer.get("ContentLength"), chunks=body.iter_chunks(CHUNK_SIZE), close=body.close)


class _ChunkReader:
    """A read-only, not seekable file over a file's chunks: what FileResponse reads and closes."""

    def __init__(self, stored: StoredChunks) -> None:
        self._stored = stored
        self._buffer = b""
        self._at = 0  # how much of the buffer was read: a 4 MB chunk is handed out without copying its rest each time
        self._done = False

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            rest, self._buffer, self._at = self._buffer[self._at :], b"", 0
            return rest + b"".join(self._stored.chunks)
        while not self._done and len(self._buffer) - self._at < size:
            chunk = next(self._stored.chunks, None)
            if chunk is None:
                self._done = True
            else:
                self._buffer, self._at = self._buffer[self._at :] + chunk, 0
        data = self._buffer[self._at : self._at + size]
        self._at += len(data)
        return data

    def close(self) -> None:
        self._stored.close()


class StoredFileResponse(FileResponse):
    # Reads of a storage service's stream in 4 KB pieces (FileResponse's default) would cost a Python call per
    # 4 KB; the chunks arrive as CHUNK_SIZE anyway.
    block_size = CHUNK_SIZE


def stored_file_response(
    file: FieldFile, *, filename: str, content_type: str | None = None, as_attachment: bool = True
) -> FileResponse:
    """A stored file as a streamed download. Call only after the view has checked that the person may have it."""
    stored = stored_file_chunks(file.storage, file.name or "")
    response = StoredFileResponse(
        _ChunkReader(stored), as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    if stored.size is not None:
        response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_names(storage: Storage) -> Iterator[str]:
    """The name of every file in ``storage``, in a stable order (a local folder's subfolders walked)."""
    kind = storage_kind(storage)
    if kind == "azure":
        # A flat listing of the whole container, one request per 5 000 blobs.
        yield from sorted(storage.list_all())  # type: ignore[attr-defined]
        return
    if kind == "s3":
        prefix = storage._normalize_name("")  # type: ignore[attr-defined]
        keys = (obj.key for obj in storage.bucket.objects.filter(Prefix=prefix))  # type: ignore[attr-defined]
        yield from sorted(key.removeprefix(prefix).lstrip("/") for key in keys if not key.endswith("/"))
        return
    yield from _walk(storage, "")


def _walk(storage: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return  # a local folder not made yet: no file has been stored
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        yield from _walk(storage, posixpath.join(folder, sub) if folder else sub)
