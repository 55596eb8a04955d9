"""Lesson images and their renditions (MEDIA_URL) are served after an access check, with
DEBUG off as in production: the school's staff, the operator and whoever may open a lesson
that shows the image; a board through the key the device API gives it; nobody else, and no
other file under MEDIA_ROOT."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model

from lms import services
from lms.models import LessonImage
from tests.conftest import assert_cast
from tests.lms.conftest import LESSON_DAY, log_in, publish

pytestmark = pytest.mark.django_db

STAFF_A = {"operator", "principal", "teacher_a1", "teacher_a2", "homeroom_a1", "group_head"}
# 10A1's parents see the lesson that shows the image (parent_of_two has a child in 10A1).
LESSON_READERS = STAFF_A | {"parent_a1", "parent_of_two"}


def png(name="so-do.png") -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (11, 110, 79)).save(buffer, "PNG")
    return ImageFile(buffer, name=name)


def an_image(collection, title="Sơ đồ tư duy hàm số"):
    return get_image_model().objects.create(title=title, file=png(), collection=collection)


def collection_of(school):
    return services.ensure_school_library(school).collection


def lesson_showing(library, cast, image, title="Bài 20. Ôn tập chương VI"):
    lesson = services.create_lesson(
        parent=library.unit, title=title, user=cast.teacher_a1,
        body=[("image", {"image": image, "caption": "Sơ đồ"})],
    )
    lesson = publish(lesson)
    services.assign_lesson(
        lesson=lesson, class_groups=[cast.class_a1], on=LESSON_DAY, user=cast.teacher_a1
    )
    return lesson


def status(client, user, url) -> int:
    return log_in(client, user).get(url).status_code


def test_the_rendition_a_lesson_shows_loads_for_its_readers_only(cast, library, client):
    image = an_image(collection_of(cast.school_a))
    lesson = lesson_showing(library, cast, image)
    page = log_in(client, cast.parent_a1).get(lesson.url).content.decode()
    src = re.search(r'<img[^>]+src="([^"]+)"', page).group(1)
    assert src.startswith("/media/images/")
    response = client.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert_cast(cast, lambda user: status(client, user, src) == 200, LESSON_READERS)


def test_the_original_file_follows_the_same_rule(cast, library, client):
    image = an_image(collection_of(cast.school_a))
    lesson_showing(library, cast, image)
    url = image.file.url
    assert_cast(cast, lambda user: status(client, user, url) == 200, LESSON_READERS)


def test_an_image_in_no_lesson_is_for_the_schools_staff(cast, library, client):
    image = an_image(collection_of(cast.school_a))
    url = image.get_rendition("max-800x800").url
    assert_cast(cast, lambda user: status(client, user, url) == 200, STAFF_A)


def test_another_schools_image_in_a_lesson_opens_nothing(cast, library, client):
    image = an_image(collection_of(cast.school_b), title="Ảnh riêng của trường B")
    lesson = lesson_showing(library, cast, image)
    assert not LessonImage.objects.filter(lesson=lesson).exists()
    url = image.get_rendition("max-800x800").url
    assert_cast(
        cast, lambda user: status(client, user, url) == 200, {"operator", "other_school_admin"}
    )


def test_files_that_are_no_image_are_never_served(cast, library, client, settings):
    target = settings.MEDIA_ROOT / "ghi-chu.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("bí mật")
    log_in(client, cast.operator)
    for url in ("/media/ghi-chu.txt", "/media/../manage.py", "/media/original_images/khong-co.png"):
        assert client.get(url).status_code == 404, url


def test_a_board_loads_the_images_of_its_lessons_with_their_key(cast, library, client):
    image = an_image(collection_of(cast.school_a))
    lesson = lesson_showing(library, cast, image)
    token = cast.device.issue_token()
    content = client.get(
        reverse("api:device_lesson", kwargs={"lesson_id": lesson.pk}),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    url = next(b["value"]["url"] for b in content["blocks"] if b["type"] == "image")
    client.logout()
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    path, key = url.removeprefix("http://testserver").split("?k=")
    assert client.get(path).status_code == 404  # no key, no session
    assert client.get(f"{path}?k={key[:-1]}x").status_code == 404
    assert client.get(f"{image.file.url}?k={key}").status_code == 404  # the key is the file's
