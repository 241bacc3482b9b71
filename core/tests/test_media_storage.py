"""Media on S3-compatible object storage: a real S3 API server (moto's) over HTTP.

The storage code talks to it exactly as to a real bucket; every test reads back what
was stored through the S3 API or over plain HTTP, as a reader's browser would.
"""

import io
import json
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from articles.tests.conftest import upload
from bench.serve import Server
from conftest import free_port
from core.backup import put_media_back, save_media
from fibrosite.config import media_storage_from_url
from fibrosite.tests.served import ServedSite, fetch

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "fibrosite-test", "AWS_SECRET_ACCESS_KEY": "not-a-secret"}


@pytest.fixture(scope="session")
def s3_server():
    port = free_port()
    moto = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - our own loopback server
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("moto_server did not start")
            time.sleep(0.1)
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, request):
    """A new bucket per test, configured the way MEDIA_STORAGE_URL configures the site."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"media-{request.node.name[:30].lower().replace('_', '-')}-{time.monotonic_ns()}"[:63]
    client = boto3.client("s3", endpoint_url=s3_server, region_name="eu-west-1", **_keys())
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    # As an operator sets it up: anyone may read the images; only the site may write.
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
    url = f"s3://{name}?endpoint_url={s3_server}&region_name=eu-west-1"
    storage, media_url = media_storage_from_url(url)
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_URL = media_url
    client.url = url
    client.name = name
    return client


def public_read_policy(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def _keys():
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def stored_keys(bucket):
    return sorted(o["Key"] for o in bucket.list_objects_v2(Bucket=bucket.name).get("Contents", []))


def read_over_http(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback server
        return response.status, response.read()


def test_an_editor_upload_goes_to_the_bucket_and_is_public_at_its_address(
    bucket, admin_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "local-media"
    response = admin_client.post("/editor/upload/", {"image": upload(size=(300, 200))})

    code = response.json()["image_code"]
    address = code[code.index("(") + 1 : -1]
    assert address.startswith(settings.MEDIA_URL) and settings.MEDIA_URL.startswith("http://")
    [key] = stored_keys(bucket)
    assert key.startswith("uploads/") and address.endswith(key)
    status, body = read_over_http(address)
    assert status == 200 and Image.open(io.BytesIO(body)).size == (300, 200)
    assert not (tmp_path / "local-media").exists()  # nothing on this instance's disk


def test_hero_renditions_and_body_images_work_from_the_bucket(bucket, make_article):
    body_image = default_storage.save("uploads/body.png", upload(size=(640, 480)))
    article = make_article(
        hero_alt="A quiet room",
        body=f"## Rest\n\n![A calm bedroom]({default_storage.url(body_image)})",
    )
    article.hero_image = upload(size=(1000, 500))
    article.save()

    keys = stored_keys(bucket)
    assert article.hero_image.name in keys
    for rendition in article.hero_renditions:
        assert rendition["webp"] in keys and rendition["original"] in keys
    # A bucket address in the body is our own media: sized, not turned into a link, and
    # served through its resized copies, stored in the bucket too.
    assert 'height="480"' in article.body_html and 'width="640"' in article.body_html
    sizes = article.body_renditions[body_image]
    assert [size["width"] for size in sizes] == [480, 640]
    for size in sizes:
        assert size["webp"] in keys and size["original"] in keys
        assert f"{default_storage.url(size['webp'])} {size['width']}w" in article.body_html
    assert f'src="{default_storage.url(sizes[-1]["original"])}"' in article.body_html


def test_clean_media_and_backups_work_on_the_bucket(bucket, make_article, tmp_path):
    kept = default_storage.save("uploads/kept.png", upload())
    article = make_article(body=f"![Kept]({default_storage.url(kept)})")
    [size] = article.body_renditions[kept]  # its resized copies are in use too
    in_use = sorted([kept, size["webp"], size["original"]])
    default_storage.save("uploads/orphan.png", upload())

    out = io.StringIO()
    call_command("clean_media", "--min-age-days", "0", "--delete", stdout=out)
    assert sorted(stored_keys(bucket)) == in_use, out.getvalue()

    files = save_media(tmp_path / "backup")
    assert sorted(files) == [f"media/{name}" for name in in_use]
    assert (tmp_path / "backup" / "media" / "uploads" / "kept.png").read_bytes() == (
        bucket.get_object(Bucket=bucket.name, Key="uploads/kept.png")["Body"].read()
    )


def test_two_instances_with_their_own_disks_serve_the_same_images_from_the_bucket(bucket, tmp_path):
    """The demo site loaded through one instance, read through another: every image
    address on either instance's pages answers from the bucket; no local disk is used."""
    environ = {**CREDENTIALS, "MEDIA_STORAGE_URL": bucket.url, "PAGECACHE_SECONDS": "0"}
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    with ServedSite(tmp_path / "one", database, **environ) as one:
        other_env = {**one.env, "MEDIA_ROOT": str(tmp_path / "two" / "media")}
        other = Server("fibrosite.wsgi", other_env, cpu=None, workers=1)
        try:
            status, _, page = fetch(other.url + "/")
        finally:
            other.stop()
    assert status == 200
    media_url = media_storage_from_url(bucket.url)[1]
    addresses = set(_image_addresses(page, media_url))
    assert len(addresses) >= 3
    for address in sorted(addresses)[:5]:
        assert read_over_http(address)[0] == 200
    assert not (tmp_path / "one" / "media").exists()
    assert not (tmp_path / "two" / "media").exists()


def _image_addresses(html, media_url):
    return re.findall(rf'(?:src|srcset)="({re.escape(media_url)}[^" ]+)', html)


def test_restore_puts_media_back_into_the_bucket(bucket, tmp_path):
    default_storage.save("uploads/a.png", upload())
    files = save_media(tmp_path / "backup")
    original = bucket.get_object(Bucket=bucket.name, Key="uploads/a.png")["Body"].read()
    bucket.delete_object(Bucket=bucket.name, Key="uploads/a.png")
    default_storage.save("uploads/stray.png", upload())

    put_media_back(tmp_path / "backup", files)

    assert stored_keys(bucket) == ["uploads/a.png"]
    assert bucket.get_object(Bucket=bucket.name, Key="uploads/a.png")["Body"].read() == original
