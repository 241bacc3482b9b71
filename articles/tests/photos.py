"""A phone's photo for tests and `make bench` (Pillow only: no Django needed to import it)."""

import io

from PIL import Image

CAMERA = "FibroCam X100"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
    b'22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
    b'xmp:CreatorTool="SecretPhoneApp"/></rdf:RDF></x:xmpmeta>'
)


def phone_exif(orientation=1):
    exif = Image.Exif()
    exif[0x010F] = "FibroCam Inc"  # Make
    exif[0x0110] = CAMERA  # Model
    exif[0x013B] = "Jane Reader"  # Artist
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)  # where the photo was taken
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)
    return exif


def phone_photo(size=(4000, 3000)):
    """A 12-megapixel JPEG as a phone sends it (about 4 MB, noisy like a real photo): GPS
    position, camera, owner, XMP and a comment."""
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    red = Image.blend(gradient, noise, 0.5)
    green = Image.blend(gradient.rotate(90).resize(size), noise, 0.3)
    buffer = io.BytesIO()
    Image.merge("RGB", (red, green, noise)).save(
        buffer, "JPEG", quality=80, exif=phone_exif().tobytes(), xmp=XMP,
        comment=b"Taken at 12 Home Street",
    )  # fmt: skip
    return buffer.getvalue()
