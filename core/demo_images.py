"""Demo pictures drawn with Pillow at load time (no binary files in the repository)."""

import io
import random

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFilter


def soft_picture(seed, size=(1200, 675), palette=((75, 63, 143), (244, 239, 230))):
    """A calm abstract image: a two-colour gradient with blurred circles. Returns JPEG bytes."""
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    width, height = size
    (r1, g1, b1), (r2, g2, b2) = palette
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=(round(r1 + (r2 - r1) * t), round(g1 + (g2 - g1) * t), round(b1 + (b2 - b1) * t)),
        )
    overlay = Image.new("RGBA", size, (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    for _ in range(7):
        radius = rng.randint(height // 8, height // 2)
        x, y = rng.randint(0, width), rng.randint(0, height)
        tint = (255, 255, 255, rng.randint(30, 80))
        shapes.ellipse([x - radius, y - radius, x + radius, y + radius], fill=tint)
    overlay = overlay.filter(ImageFilter.GaussianBlur(40))
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=True)
    return ContentFile(buffer.getvalue(), name=f"demo-{seed}.jpg")
