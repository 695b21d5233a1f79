"""Media library: type detection from the bytes, limits, MP4 parsing, thumbnails, dedupe, private serving."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from socialops.content import media
from socialops.content.models import MediaAsset
from socialops.content.services import media as media_services
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import image_bytes, make_item, make_theme, mp4_bytes, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

BASE = "/api/v1/workspaces/acme"


# ---- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_images_recognised_from_their_bytes(fmt: str, content_type: str) -> None:
    kwargs: dict[str, Any] = {"mode": "P", "color": 1} if fmt == "GIF" else {}
    info = media.inspect_media(image_bytes(640, 480, fmt=fmt, **kwargs))
    assert (info.kind, info.content_type, info.width, info.height) == ("image", content_type, 640, 480)


def test_mp4_duration_and_size_read_from_mvhd_and_video_tkhd() -> None:
    info = media.inspect_media(mp4_bytes(seconds=12.5, timescale=600, width=1080, height=1920))
    assert info.kind == "video" and info.content_type == "video/mp4"
    assert info.duration_seconds == pytest.approx(12.5)
    # The audio track comes first and has no picture: the size is the video track's.
    assert (info.width, info.height) == (1080, 1920)


def test_mov_with_64bit_mvhd() -> None:
    info = media.inspect_media(mp4_bytes(seconds=90, timescale=90000, brand=b"qt  ", mvhd_version=1))
    assert info.content_type == "video/quicktime" and info.extension == ".mov"
    assert info.duration_seconds == pytest.approx(90.0)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"just some text, not a picture", "unknown_type"),
        (mp4_bytes(moov=False), "video_no_index"),
        (mp4_bytes()[:-20], "damaged"),  # cut short: the last box claims more bytes than there are
        (mp4_bytes(brand=b"heic"), "unknown_type"),
        (image_bytes(fmt="BMP"), "unsupported_image"),
        (image_bytes(99, 300), "image_too_small"),
        (image_bytes(fmt="JPEG")[:200], "damaged"),
    ],
)
def test_refusals(content: bytes, code: str) -> None:
    with pytest.raises(media.MediaError) as exc:
        media.inspect_media(content)
    assert exc.value.code == code


def test_image_larger_than_8000_pixels_refused_without_decoding() -> None:
    # A PNG header claiming 9000×100 is enough: the check uses the header, not the pixels.
    with pytest.raises(media.MediaError) as exc:
        media.inspect_media(image_bytes(9000, 100, mode="1", color=0))
    assert exc.value.code == "image_too_large"


def test_thumbnail_is_a_small_jpeg_with_transparency_on_white() -> None:
    thumb = media.make_thumbnail(image_bytes(1600, 800, mode="RGBA", color=(0, 0, 255, 0)))
    image = Image.open(io.BytesIO(thumb))
    assert image.format == "JPEG" and image.size == (320, 160)
    assert image.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)


# ---- upload service -------------------------------------------------------------------------


def test_upload_image_stores_file_thumbnail_and_audit(workspace: Any, admin: Any) -> None:
    content = image_bytes(1200, 900, fmt="JPEG")
    result = media_services.media_asset_upload(
        workspace=workspace, actor=admin, file_name="C:\\photos\\新品.jpg", content=content
    )
    asset = result.asset
    assert result.created
    assert (asset.kind, asset.width, asset.height, asset.size_bytes) == ("image", 1200, 900, len(content))
    assert asset.original_name == "新品.jpg" and asset.uploaded_by == admin
    assert default_storage.open(asset.file.name).read() == content
    thumb = Image.open(default_storage.open(asset.thumbnail.name))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    entry = AuditEntry.objects.get(action="media_asset.upload")
    assert entry.actor == admin and entry.after["sha256"] == asset.sha256


def test_same_bytes_twice_give_the_existing_asset(workspace: Any, admin: Any) -> None:
    content = image_bytes()
    first = media_services.media_asset_upload(
        workspace=workspace, actor=admin, file_name="a.png", content=content
    )
    again = media_services.media_asset_upload(
        workspace=workspace, actor=admin, file_name="b.png", content=content
    )
    assert first.created and not again.created
    assert again.asset.pk == first.asset.pk and again.asset.original_name == "a.png"
    assert MediaAsset.objects.count() == 1


def test_same_bytes_in_another_workspace_are_its_own(workspace: Any, other_workspace: Any) -> None:
    content = image_bytes()
    assert upload(workspace, content).pk != upload(other_workspace, content).pk


def test_upload_video_reads_duration(workspace: Any, admin: Any) -> None:
    asset = upload(workspace, mp4_bytes(seconds=33.3, width=720, height=1280), "clip.MP4", actor=admin)
    assert asset.kind == "video" and asset.content_type == "video/mp4"
    assert asset.duration_seconds == pytest.approx(33.3, abs=0.01)
    assert (asset.width, asset.height) == (720, 1280)
    assert asset.file.name.endswith(".mp4") and not asset.thumbnail


def test_refusal_names_the_file_and_stores_nothing(workspace: Any, admin: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        media_services.media_asset_upload(
            workspace=workspace, actor=admin, file_name="report.pdf", content=b"%PDF-1.7 ..."
        )
    assert "report.pdf" in exc.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as exc:
        media_services.media_asset_upload(
            workspace=workspace, actor=admin, file_name="broken.mp4", content=mp4_bytes(moov=False)
        )
    assert "broken.mp4" in exc.value.message_dict["file"][0] and "moov" in exc.value.message_dict["file"][0]
    assert (
        not MediaAsset.objects.exists() and not AuditEntry.objects.filter(action__startswith="media").exists()
    )


def test_size_limits_named_in_the_message(workspace: Any, admin: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(media, "IMAGE_MAX_BYTES", 1000)
    with pytest.raises(ValidationError) as exc:
        media_services.media_asset_upload(
            workspace=workspace,
            actor=admin,
            file_name="big.png",
            content=image_bytes(800, 800, mode="RGB", color=(1, 2, 3)) + b"\x00" * 2000,
        )
    assert "big.png" in exc.value.message_dict["file"][0]


def test_upload_needs_content_edit(workspace: Any, member: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        media_services.media_asset_upload(
            workspace=workspace, actor=member(Role.ANALYST), file_name="a.png", content=image_bytes()
        )


def test_delete_refused_while_used_then_removes_files(
    workspace: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    theme = make_theme(workspace)
    asset = upload(workspace, image_bytes(), "cover.png")
    item = make_item(workspace, theme, "封面文章", cover=asset)
    with pytest.raises(ValidationError) as exc:
        media_services.media_asset_delete(workspace=workspace, actor=admin, asset=asset)
    assert "封面文章" in exc.value.message_dict["asset"][0]
    # An image referenced only in the body counts too.
    from socialops.content.services.items import content_item_update

    content_item_update(
        workspace=workspace,
        actor=admin,
        item=item,
        expected_version=1,
        cover=None,
        body=f"![图](asset:{asset.pk})",
    )
    with pytest.raises(ValidationError):
        media_services.media_asset_delete(workspace=workspace, actor=admin, asset=asset)
    content_item_update(workspace=workspace, actor=admin, item=item, expected_version=2, body="没有图了")
    name, thumb = asset.file.name, asset.thumbnail.name
    with django_capture_on_commit_callbacks(execute=True):
        media_services.media_asset_delete(workspace=workspace, actor=admin, asset=asset)
    assert not MediaAsset.objects.exists()
    assert not default_storage.exists(name) and not default_storage.exists(thumb)
    assert AuditEntry.objects.filter(action="media_asset.delete").exists()


# ---- pages ----------------------------------------------------------------------------------


def test_asset_file_served_to_members_only(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    content = image_bytes(300, 200, fmt="JPEG")
    asset = upload(workspace, content, "内部.jpg")
    foreign = upload(other_workspace, image_bytes(300, 200, color=(1, 1, 1)))
    response = assert_four_cases(
        web, "GET", f"/w/acme/assets/{asset.pk}/file/", f"/w/acme/assets/{foreign.pk}/file/",
        permitted=member(Role.ANALYST), denied=None,
    )  # fmt: skip
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == content
    assert "private" in response["Cache-Control"]
    # The other workspace's own URL is no way in either.
    assert web(admin).get(f"/w/other/assets/{foreign.pk}/file/").status_code == 404


def test_thumbnail_view(workspace: Any, other_workspace: Any, admin: Any, web: Any) -> None:
    asset = upload(workspace, image_bytes(1000, 500))
    video = upload(workspace, mp4_bytes())
    foreign = upload(other_workspace, image_bytes(300, 200, color=(1, 1, 1)))
    response = assert_four_cases(
        web, "GET", f"/w/acme/assets/{asset.pk}/thumbnail/", f"/w/acme/assets/{foreign.pk}/thumbnail/",
        permitted=admin, denied=None,
    )  # fmt: skip
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (320, 160)
    assert web(admin).get(f"/w/acme/assets/{video.pk}/thumbnail/").status_code == 404


def test_asset_list_page(workspace: Any, admin: Any, member: Any, web: Any) -> None:
    upload(workspace, image_bytes(), "海报.png")
    upload(workspace, mp4_bytes(seconds=61), "预告.mp4")
    response = assert_four_cases(
        web, "GET", "/w/acme/assets/", "/w/other/assets/", permitted=admin, denied=None
    )
    html = response.content.decode()
    assert (
        "海报.png" in html and "预告.mp4" in html and "61.0 s" in html and 'data-testid="upload-form"' in html
    )
    analyst_html = web(member(Role.ANALYST)).get("/w/acme/assets/?kind=video").content.decode()
    assert "预告.mp4" in analyst_html and "海报.png" not in analyst_html and "upload-form" not in analyst_html


def test_upload_page_reports_each_file(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    def files() -> dict[str, Any]:
        return {
            "upload": [
                SimpleUploadedFile("ok.png", image_bytes(), "image/png"),
                SimpleUploadedFile("fake.jpg", b"not an image", "image/jpeg"),
                SimpleUploadedFile("tiny.png", image_bytes(20, 20), "image/png"),
            ]
        }

    client = web(admin)
    assert web(None).post("/w/acme/assets/upload/", files())["Location"].startswith("/login/")
    assert web(member(Role.ANALYST)).post("/w/acme/assets/upload/", files()).status_code == 403
    outsider = member(Role.ADMIN, ws=other_workspace)
    assert web(outsider).post("/w/acme/assets/upload/", files()).status_code == 404
    response = client.post("/w/acme/assets/upload/", files(), follow=True)
    html = response.content.decode()
    assert "“ok.png” uploaded." in html
    assert "“fake.jpg” is not a JPEG, PNG, GIF or WebP image" in html
    assert "“tiny.png” is 20×20 pixels; at least 100×100." in html
    assert MediaAsset.objects.filter(workspace=workspace).count() == 1
    again = client.post(
        "/w/acme/assets/upload/", {"upload": [SimpleUploadedFile("copy.png", image_bytes())]}, follow=True
    )
    assert "already in the library as “ok.png”" in again.content.decode()


def test_delete_page(workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any) -> None:
    asset = upload(workspace, image_bytes())
    foreign = upload(other_workspace, image_bytes(color=(9, 9, 9)))
    response = assert_four_cases(
        web, "POST", f"/w/acme/assets/{asset.pk}/delete/", f"/w/acme/assets/{foreign.pk}/delete/",
        permitted=admin, denied=member(Role.REVIEWER), ok=(302,),
    )  # fmt: skip
    assert response["Location"] == "/w/acme/assets/"
    assert not MediaAsset.objects.filter(pk=asset.pk).exists()


# ---- API ------------------------------------------------------------------------------------


def test_api_upload_list_delete(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    client = api(admin)
    assert (
        api(None).post(f"{BASE}/assets", {"file": SimpleUploadedFile("a.png", image_bytes())}).status_code
        == 401
    )
    denied = api(member(Role.ANALYST)).post(
        f"{BASE}/assets", {"file": SimpleUploadedFile("a.png", image_bytes())}
    )
    assert denied.status_code == 403
    outsider = member(Role.ADMIN, ws=other_workspace)
    assert (
        api(outsider).post(f"{BASE}/assets", {"file": SimpleUploadedFile("a.png", image_bytes())}).status_code
        == 404
    )
    created = client.post(f"{BASE}/assets", {"file": SimpleUploadedFile("海报.png", image_bytes(500, 500))})
    assert created.status_code == 201
    body = created.json()
    assert body["created"] is True and body["width"] == 500 and body["kind_label"] == "Image"
    assert body["file_url"] == f"/w/acme/assets/{body['id']}/file/" and body["thumbnail_url"]
    duplicate = client.post(
        f"{BASE}/assets", {"file": SimpleUploadedFile("again.png", image_bytes(500, 500))}
    )
    assert duplicate.status_code == 200 and duplicate.json() | {"created": True} == body
    bad = client.post(f"{BASE}/assets", {"file": SimpleUploadedFile("x.mp4", mp4_bytes()[:-5])})
    assert bad.status_code == 400 and "x.mp4" in bad.json()["errors"]["file"][0]

    foreign = upload(other_workspace, image_bytes(color=(3, 3, 3)))
    listing = assert_four_cases(
        api, "GET", f"{BASE}/assets", "/api/v1/workspaces/other/assets", permitted=admin, denied=None
    )
    assert listing.json()["count"] == 1
    detail = assert_four_cases(
        api, "GET", f"{BASE}/assets/{body['id']}", f"{BASE}/assets/{foreign.pk}", permitted=admin, denied=None
    )
    assert detail.json()["original_name"] == "海报.png"
    file_response = assert_four_cases(
        api, "GET", f"{BASE}/assets/{body['id']}/file", f"{BASE}/assets/{foreign.pk}/file",
        permitted=admin, denied=None,
    )  # fmt: skip
    assert b"".join(file_response.streaming_content) == image_bytes(500, 500)

    theme = make_theme(workspace)
    item = make_item(workspace, theme, cover=body["id"])
    used = client.delete(f"{BASE}/assets/{body['id']}")
    assert used.status_code == 400 and item.title in used.json()["message"]
    item.delete()
    assert_four_cases(
        api, "DELETE", f"{BASE}/assets/{body['id']}", f"{BASE}/assets/{foreign.pk}",
        permitted=admin, denied=member(Role.COMMUNITY), ok=(204,),
    )  # fmt: skip
    assert not MediaAsset.objects.filter(workspace=workspace).exists()
