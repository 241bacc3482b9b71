"""Rebuild the sample export and its pictures: `python articles/blogger/sample/build.py`.

The sample is a small, invented "Fibro notes" blog written for FibroSite, in Blogger's
own messy HTML, as Google Takeout exports it. Its pictures are addressed on Blogger's
image host; `scripts/import-demo` serves them from this folder instead.
"""

import io
import sys
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from articles.blogger import exports  # noqa: E402

HOST = "https://blogger.googleusercontent.com/img/b/fibro-notes"


def picture(name, colour, gps=False):
    image = Image.new("RGB", (960, 640), colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, 960, 60):
        draw.line([(step, 640), (step + 320, 0)], fill=(255, 255, 255), width=6)
    exif = Image.Exif()
    if gps:  # a phone photo that would give away where the owner lives
        exif[ExifTags.Base.Model] = "Phone camera"
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info[ExifTags.GPS.GPSLatitudeRef] = "N"
        info[ExifTags.GPS.GPSLatitude] = (53.0, 28.0, 5.0)
        info[ExifTags.GPS.GPSLongitudeRef] = "W"
        info[ExifTags.GPS.GPSLongitude] = (2.0, 14.0, 40.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70, exif=exif.tobytes())
    (HERE / "images" / name).write_bytes(buffer.getvalue())


def img(name, alt=""):
    return (
        '<div class="separator" style="clear: both; text-align: center;">'
        f'<a href="{HOST}/s1600/{name}" imageanchor="1" style="margin-left: 1em; '
        f'margin-right: 1em;"><img border="0" data-original-height="640" '
        f'data-original-width="960" src="{HOST}/s320/{name}" alt="{alt}" width="320" '
        'height="213" /></a></div>'
    )


WRAP = '<div dir="ltr" style="text-align: left;" trbidi="on">{}</div>'

ENTRIES = [
    {
        "kind": "post", "id": "5100000000000000001", "title": "The spoon drawer",
        "published": "2019-02-11T20:14:00.000Z", "updated": "2019-02-12T08:02:00.000Z",
        "labels": ["Fatigue", "Pacing"], "path": "/2019/02/the-spoon-drawer.html",
        "html": WRAP.format(
            '<span style="font-family: Georgia, serif;">Some mornings I count my energy '
            "like coins in a purse.&nbsp;A shower costs two. Making lunch costs one. A "
            "phone call I am dreading costs three.</span><br /><br />"
            "I started writing the costs down on a card that lives in the kitchen drawer. "
            "It sounds silly, but it stopped me spending everything before noon.<br />"
            "<br /><br />" + img("kitchen-card.jpg", "A hand-written card of daily tasks") +
            "<b>What helped most:</b><ul><li>doing the hardest job first, sitting down"
            "</li><li>a timer for rests, not for tasks</li><li>saying no without a long "
            "apology</li></ul>"
        ),
    },
    {
        "kind": "post", "id": "5100000000000000002", "title": "Waking up tired, again",
        "published": "2020-11-03T07:40:00.000Z",
        "labels": ["Sleep"], "path": "/2020/11/waking-up-tired-again.html",
        "html": WRAP.format(
            "Eight hours in bed and I still woke up feeling like I had run all night. My "
            'rheumatologist calls it <i>unrefreshing sleep</i>. I call it <span '
            'style="color: #990000;">rude</span>.<br /><br />'
            + img("window.jpg", "Morning light through a bedroom window") +
            "Things I am trying this month: the same wake-up time every day, no screens in "
            "the last hour, and a warm bath when my legs ache.<br /><br />"
            'A short talk I found useful:<br /><iframe allowfullscreen="" height="266" '
            'src="https://www.youtube.com/embed/aBcD3fGh1jK" width="320"></iframe>'
        ),
    },
    {
        "kind": "post", "id": "5100000000000000003", "title": "Fog days and sticky notes",
        "published": "2021-05-19T15:05:00.000Z",
        "labels": ["Fibro fog", "Memory"], "path": "/2021/05/fog-days-and-sticky-notes.html",
        "html": "<p>On fog days I lose words halfway through a sentence. Sticky notes on the "
        "kettle, the door and the laptop help me find the thread again.</p>"
        "<p>If you have a trick that works for you, leave it in the comments!</p>",
    },
    {
        "kind": "post", "id": "5100000000000000004", "status": "draft",
        "title": "Talking to my boss about flexible hours",
        "published": "2022-01-10T10:00:00.000Z",
        "html": "<p>Notes for a post I have not finished yet.</p>",
    },
    {
        "kind": "page", "id": "5200000000000000001", "title": "About this blog",
        "published": "2018-06-01T12:00:00.000Z", "path": "/p/about.html",
        "html": "<p>I write here about living with fibromyalgia: what helps, what does "
        "not, and the small wins in between. Nothing here is medical advice.</p>",
    },
    {
        "kind": "comment", "id": "5300000000000000001", "parent": "5100000000000000001",
        "author": "Joanne", "published": "2019-02-13T18:22:00.000Z",
        "html": "The card idea is brilliant. I made one tonight.<br />Thank you x",
    },
    {
        "kind": "comment", "id": "5300000000000000002", "parent": "5100000000000000003",
        "author": "Anonymous", "published": "2021-05-20T09:10:00.000Z",
        "html": "I set reminders on my phone with <b>really</b> silly names so I notice them.",
    },
    {
        "kind": "comment", "id": "5300000000000000003", "parent": "5100000000000000003",
        "status": "deleted", "author": "Cheap pills", "published": "2021-05-21T00:00:00.000Z",
        "html": '<a href="https://spam.example">buy now</a>',
    },
]  # fmt: skip


if __name__ == "__main__":
    picture("kitchen-card.jpg", (214, 170, 120), gps=True)
    picture("window.jpg", (120, 160, 200))
    (HERE / "fibro-notes-takeout.atom").write_text(exports.takeout(ENTRIES), encoding="utf-8")
    print("Wrote", HERE / "fibro-notes-takeout.atom")
