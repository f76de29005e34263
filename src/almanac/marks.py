"""The printer's edition's sheet: page boxes, crop and registration marks beyond the bleed, whole sheets.

Reads: the PDF WeasyPrint made (each page's TrimBox and BleedBox), in a finisher. Writes: the pages'
MediaBox, their marks, and blank pages, in memory.

WeasyPrint 70 draws its marks (`@page { marks: crop cross }`) inside its media box, which it makes the
bleed box: the marks run over the 3 mm bleed, and on the cover over its colour. So the printer's
edition asks WeasyPrint for the bleed only (print-edition.css), and here:
- each page's MediaBox is widened to SLUG_MM beyond the trim on every side. TrimBox (A4) and BleedBox
  (A4 + 3 mm) stay as WeasyPrint set them, and nothing is moved: the page's drawing keeps its
  coordinates. WeasyPrint paints backgrounds only up to its own media box, the bleed box, so the
  widened margin holds nothing but the marks;
- crop marks (the trim lines, from 1 mm beyond the bleed, 5 mm long) and registration targets (a
  circle and a cross at the middle of each side) are drawn there, 0.25 pt hairlines in registration
  colour (the Separation "All": every plate), marked as a page artifact (ISO 32000-1, 14.8.2.2: "cut
  marks and color bars"), outside the structure tree;
- with `print_marks: false`, for a shop that imposes and marks its own sheets, nothing is drawn and
  the MediaBox is the BleedBox.

Blank pages are then added before the last page, the back cover, until the page count is a multiple
of 4: the sheets a saddle-stitched or sewn brochure is folded from.
"""

from __future__ import annotations

MM = 72 / 25.4
LINE_PT = 0.25
GAP_MM = 1          # between the bleed box and the marks
MARK_MM = 5         # length of a crop mark
TARGET_MM = 1.5     # radius of a registration target's circle
SLUG_MM = 12        # from the trim to the media box's edge: bleed 3 + gap 1 + mark 5 + 3 of paper
SHEET_PAGES = 4
REGISTRATION = "/AlmanacRegistration"
_CIRCLE = 0.5523    # a quarter circle as one Bézier curve: its control points at this fraction of the radius


def finisher(print_marks: bool):
    """A finisher step for the printer's edition: widen the media box and draw the marks, then add blank pages."""

    def finish(document, pdf) -> None:
        import pydyf

        objects = {obj.reference: obj for obj in pdf.objects if getattr(obj, "number", None) is not None}
        pages = [objects[reference] for reference in pdf.page_references]
        resources = objects.get(pages[0]["Resources"], pages[0]["Resources"])
        drawn: dict[tuple, pydyf.Stream] = {}
        if print_marks:
            _registration_space(pdf, resources, objects)
            opening, closing = _stream(pdf, [b"q"]), _stream(pdf, [b"Q"])
        for page in pages:
            trim, bleed = _box(page["TrimBox"]), _box(page["BleedBox"])
            if not print_marks:
                page["MediaBox"] = pydyf.Array(bleed)
                continue
            page["MediaBox"] = pydyf.Array(_grown(trim, SLUG_MM * MM))
            if (trim, bleed) not in drawn:
                drawn[trim, bleed] = _stream(pdf, _marks(trim, bleed))
            page["Contents"] = pydyf.Array([opening.reference, page["Contents"], closing.reference,
                                            drawn[trim, bleed].reference])
        last = pages[-1]
        for _ in range(-len(pages) % SHEET_PAGES):
            blank = pydyf.Dictionary({"Type": "/Page", "Parent": pdf.pages.reference,
                                      "Resources": last["Resources"]})
            for name in ("MediaBox", "TrimBox", "BleedBox"):
                blank[name] = pydyf.Array(_box(last[name]))
            if print_marks:
                blank["Contents"] = drawn[_box(last["TrimBox"]), _box(last["BleedBox"])].reference
            pdf.add_object(blank)
            # Before the back cover: pydyf lists the pages as "number 0 R", three items each.
            pdf.pages["Kids"][-3:-3] = [blank.number, 0, "R"]
            pdf.pages["Count"] += 1

    return finish


def sheets(pages: int) -> int:
    """The page count once blank pages have made it whole sheets."""
    return pages + -pages % SHEET_PAGES


def _box(array) -> tuple[float, ...]:
    return tuple(round(float(value), 4) for value in array)


def _grown(box: tuple, by: float) -> tuple[float, ...]:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _stream(pdf, lines: list[bytes]):
    import pydyf

    stream = pydyf.Stream(lines, compress=True)
    pdf.add_object(stream)
    return stream


def _registration_space(pdf, resources, objects: dict) -> None:
    """Registration colour: the Separation "All", which marks every plate; shown as all four inks."""
    import pydyf

    tint = pydyf.Dictionary({"FunctionType": 2, "Domain": pydyf.Array([0, 1]), "N": 1,
                             "C0": pydyf.Array([0, 0, 0, 0]), "C1": pydyf.Array([1, 1, 1, 1])})
    pdf.add_object(tint)
    if "ColorSpace" not in resources:
        resources["ColorSpace"] = pydyf.Dictionary()
    spaces = resources["ColorSpace"]
    spaces = objects.get(spaces, spaces) if isinstance(spaces, bytes) else spaces
    spaces[REGISTRATION[1:]] = pydyf.Array(["/Separation", "/All", "/DeviceCMYK", tint.reference])


def _marks(trim: tuple, bleed: tuple) -> list[bytes]:
    """The content stream of the marks around `trim`, beginning beyond `bleed`."""
    x0, y0, x1, y1 = trim
    start = max(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]) + GAP_MM * MM
    end = start + MARK_MM * MM
    middle, radius = (start + end) / 2, TARGET_MM * MM
    path = []
    for x, y, sx, sy in ((x0, y0, -1, -1), (x1, y0, 1, -1), (x0, y1, -1, 1), (x1, y1, 1, 1)):
        path += [_line(x + sx * start, y, x + sx * end, y), _line(x, y + sy * start, x, y + sy * end)]
    centre_x, centre_y = (x0 + x1) / 2, (y0 + y1) / 2
    for cx, cy in ((centre_x, y0 - middle), (centre_x, y1 + middle), (x0 - middle, centre_y), (x1 + middle, centre_y)):
        arm = radius + GAP_MM * MM
        path += [_line(cx - arm, cy, cx + arm, cy), _line(cx, cy - arm, cx, cy + arm), _circle(cx, cy, radius)]
    return [b"/Artifact <</Type /Page>> BDC", b"q", f"{REGISTRATION} CS 1 SCN {LINE_PT:g} w 0 J 0 j [] 0 d".encode(),
            *path, b"S", b"Q", b"EMC"]


def _line(xa: float, ya: float, xb: float, yb: float) -> bytes:
    return f"{xa:.3f} {ya:.3f} m {xb:.3f} {yb:.3f} l".encode()


def _circle(cx: float, cy: float, r: float) -> bytes:
    k = r * _CIRCLE
    parts = [f"{cx + r:.3f} {cy:.3f} m"]
    for (ax, ay), (bx, by), (ex, ey) in (((r, k), (k, r), (0, r)), ((-k, r), (-r, k), (-r, 0)),
                                         ((-r, -k), (-k, -r), (0, -r)), ((k, -r), (r, -k), (r, 0))):
        parts.append(f"{cx + ax:.3f} {cy + ay:.3f} {cx + bx:.3f} {cy + by:.3f} {cx + ex:.3f} {cy + ey:.3f} c")
    return " ".join(parts).encode()
