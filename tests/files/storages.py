"""The two storage backends the file library runs on, for real: local disk in the test's own
directory, and S3 through django-storages against moto's S3 server on 127.0.0.1 (one server
per test session, a fresh bucket per test)."""

import logging
import socket
import uuid
from pathlib import Path

import boto3
import pytest

S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """The endpoint URL of moto's S3 server, started once for the session."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per S3 request
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


class LocalStore:
    name = "local"

    def __init__(self, root: Path):
        self.root = root

    def all_keys(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_file()}

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def dirs(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*") if p.is_dir()}


class S3Store:
    name = "s3"

    def __init__(self, client, bucket: str):
        self.client, self.bucket = client, bucket

    def all_keys(self) -> set[str]:
        found = set()
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            found |= {item["Key"] for item in page.get("Contents", [])}
        return found

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def dirs(self) -> set[str]:
        return set()


@pytest.fixture(params=["local", "s3"])
def library_storage(request, settings, tmp_path):
    """The default storage for this test: local disk, then S3; the store to look into."""
    if request.param == "local":
        root = tmp_path / "media"
        root.mkdir(exist_ok=True)
        settings.MEDIA_ROOT = str(root)
        backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        store = LocalStore(root)
    else:
        endpoint = request.getfixturevalue("s3_server")
        bucket = f"library-{uuid.uuid4().hex[:16]}"
        client = boto3.client("s3", endpoint_url=endpoint, region_name=REGION, **S3_CREDENTIALS)
        client.create_bucket(Bucket=bucket)
        backend = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": REGION,
                "access_key": S3_CREDENTIALS["aws_access_key_id"],
                "secret_key": S3_CREDENTIALS["aws_secret_access_key"],
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        }
        store = S3Store(client, bucket)
    # Django's setting_changed handler drops the cached default storage.
    settings.STORAGES = {**settings.STORAGES, "default": backend}
    return store
