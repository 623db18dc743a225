import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from backend.images import clean_image
from tests.factories import moment
from traceability.services.events import record_event

GPS_IFD = 0x8825


def jpeg_with_gps(size=(64, 48)) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (40, 160, 60))
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (21.0, 8.0, 30.0), 3: "E", 4: (105.0, 48.0, 10.0)}
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return SimpleUploadedFile("field.jpg", output.getvalue(), content_type="image/jpeg")


def test_a_real_photo_is_kept_without_its_gps_position():
    upload = jpeg_with_gps()
    assert Image.open(io.BytesIO(upload.read())).getexif().get(GPS_IFD)
    cleaned = clean_image(upload)
    image = Image.open(cleaned.content)
    assert image.size == (64, 48)
    assert not image.getexif()
    assert len(cleaned.sha256) == 64


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"<?php echo 'not an image'; ?>", "invalid_image"),
        (b"GIF89a" + b"\x00" * 40, "invalid_image"),
    ],
)
def test_files_that_are_not_images_are_refused(content, code):
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile("photo.jpg", content))
    assert refused.value.code == code


def test_images_with_too_many_pixels_are_refused(settings):
    settings.MAX_UPLOAD_IMAGE_PIXELS = 1000
    with pytest.raises(ValidationError) as refused:
        clean_image(jpeg_with_gps(size=(100, 100)))
    assert refused.value.code == "image_too_large"


def test_oversized_files_are_refused(settings):
    settings.MAX_UPLOAD_IMAGE_BYTES = 100
    with pytest.raises(ValidationError) as refused:
        clean_image(jpeg_with_gps())
    assert refused.value.code == "file_too_large"


def test_gif_is_not_an_accepted_format():
    output = io.BytesIO()
    Image.new("RGB", (8, 8)).save(output, format="GIF")
    with pytest.raises(ValidationError) as refused:
        clean_image(SimpleUploadedFile("a.gif", output.getvalue()))
    assert refused.value.code == "image_format"


def test_an_event_photo_is_chained_and_shown_on_the_scan_page(client, owner, harvested):
    from traceability.models import Label
    from traceability.services.integrity import verify_batch
    from traceability.services.labels import new_serials

    event = record_event(
        owner, harvested, "packing", occurred_at=moment(0.5), photos=[jpeg_with_gps()]
    )
    photo = event.photos.get()
    assert verify_batch(harvested).intact
    label = Label.objects.create(batch=harvested, serial=new_serials(1)[0])
    assert photo.image.url in client.get(f"/s/{label.serial}").content.decode()
    photo.sha256 = "0" * 64
    photo.save()
    assert not verify_batch(harvested).intact


def test_something_that_is_not_a_file_is_refused_as_an_image():
    with pytest.raises(ValidationError) as refused:
        clean_image("not a file")
    assert refused.value.code == "invalid_image"
