"""The printer's edition as PDF/X-4: CMYK colours, a FOGRA39 output intent, checked before it is written.

Reads: the CMYK ICC profile that Debian's scribus-data package installs
(PROFILE), the brochure's CSS and chapter HTML. Writes: a copy of the profile,
named by its content hash, in the project's cache (.cache/almanac/press/),
because the PDF fetcher reads only the project's own files.

Why PDF/X-4 and not PDF/X-1a: WeasyPrint 70 labels PDF/X-1a wrongly
(GTS_PDFXVersion "PDF/X-1a:2003" where ISO 15930-4 wants "PDF/X-1:2003"),
and it draws its crop marks in a transparency group with a transparent fill,
and any translucent colour with an alpha constant: transparency, which
PDF/X-1a forbids and PDF/X-4 allows. PDF/X-4 is also what the Ghent Workgroup and most print shops now ask
for. WeasyPrint writes its version key in XMP, as PDF/X-4 requires.

Colours: the screen stylesheet and the charts are written in sRGB. For the
printer's edition each colour is converted once, here, to `device-cmyk()`:
- a grey, or a grey tinted no more than #445 is (its R, G and B within 0x11),
  prints in black ink only, at the tint whose lightness matches on the
  profile, and anything darker than 85 % black prints as solid black, so that
  text and hairlines are never built from four screened inks;
- any other colour goes through the profile (relative colorimetric, with
  black-point compensation).
Raster images and SVG files are converted before WeasyPrint draws them
(`almanac.printimages`); the finisher puts back the lossless samples and
alpha channel of those WeasyPrint could only take as JPEG.

The PDF is then checked (`finisher`): any RGB colour, colour space or raster
image stops the build, naming what it found, and so does a CMYK gradient
written with fewer than four components. The finisher also writes the version
key into the Info dictionary, where older RIPs look for it, besides the XMP.
The marks and the page boxes are `almanac.marks`'s; the dates, the content's
(`almanac.dates`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import uuid
from functools import lru_cache
from pathlib import Path

from .errors import AlmanacError

VARIANT = "pdf/x-4"
PACKAGE = "scribus-data"  # Debian main; the profile is basICColor's, under the zlib licence
PROFILE = Path("/usr/share/scribus/profiles/ISOcoated_v2_300_bas.icc")
# The ICC registry's characterisation the profile was made from (its 'targ' tag holds the FOGRA39L data).
OUTPUT_INTENT = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 = "
                       "coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)",
    "Info": "ISO Coated v2 300% (basICColor), FOGRA39L, total area coverage 300%",
}
# The version key PDF/X-4 wants in XMP; written into the Info dictionary too, for RIPs that read only that.
VERSION_KEY = "PDF/X-4"
NEUTRAL_SPREAD = 0x11
SOLID_BLACK = 85  # percent of black ink from which a grey prints as solid black

_HEX = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_NAMED = {"black": "#000000", "white": "#ffffff"}
_SVG_NAMED = re.compile(r'(\b(?:fill|stroke|color|stop-color|flood-color)\s*[:=]\s*"?)(black|white)\b')
_RGB_OPERATOR = re.compile(rb"^(\S+) (\S+) (\S+) (rg|RG)$")


def profile_copy(cache_dir: Path) -> Path:
    """The output profile copied into the project's cache, named by its content hash."""
    if not PROFILE.is_file():
        raise AlmanacError(f"{PROFILE}: the printer's edition needs this CMYK profile; install Debian's "
                           f"{PACKAGE} package (make print does it)")
    data = PROFILE.read_bytes()
    target = cache_dir / f"{PROFILE.stem}-{hashlib.sha256(data).hexdigest()[:16]}.icc"
    if not target.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        # The languages build at once, each in its own process: a temporary name of its own each.
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(PROFILE, tmp)
        tmp.replace(target)
    return target


def profile_rule(profile: Path, base: Path) -> str:
    """The @color-profile rule that gives device-cmyk() its meaning and the PDF its output intent."""
    return (f'@color-profile device-cmyk {{ src: url("{_relative(profile, base)}"); '
            f"components: cyan, magenta, yellow, black; }}\n")


def _relative(path: Path, base: Path) -> str:
    """`path` as a URL relative to the folder `base` (both inside the project)."""
    common = Path(*[a for a, b in zip(path.parts, base.parts) if a == b])
    ups = len(base.parts) - len(common.parts)
    return "/".join([".."] * ups + list(path.parts[len(common.parts):]))


@lru_cache(maxsize=None)
def _transforms():
    from PIL import ImageCms

    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
    cmyk = ImageCms.getOpenProfile(str(PROFILE))
    relative = ImageCms.Intent.RELATIVE_COLORIMETRIC
    to_cmyk = ImageCms.buildTransform(srgb, cmyk, "RGB", "CMYK", renderingIntent=relative,
                                      flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    to_lab = ImageCms.buildTransform(srgb, lab, "RGB", "LAB", renderingIntent=relative)
    black_to_lab = ImageCms.buildTransform(cmyk, lab, "CMYK", "LAB", renderingIntent=relative)
    return to_cmyk, to_lab, black_to_lab


@lru_cache(maxsize=None)
def _black_lightness() -> tuple[int, ...]:
    """L* (0–255) of each black ink tint 0–100 % on the profile."""
    from PIL import Image, ImageCms

    tints = Image.new("CMYK", (101, 1))
    for k in range(101):
        tints.putpixel((k, 0), (0, 0, 0, round(k * 2.55)))
    lab = ImageCms.applyTransform(tints, _transforms()[2])
    return tuple(lab.getpixel((k, 0))[0] for k in range(101))


@lru_cache(maxsize=None)
def cmyk(colour: str) -> tuple[int, int, int, int]:
    """An sRGB hex colour as whole percents of cyan, magenta, yellow and black ink."""
    from PIL import Image, ImageCms

    digits = colour.lstrip("#")
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    rgb = tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))
    pixel = Image.new("RGB", (1, 1), rgb)
    to_cmyk, to_lab, _ = _transforms()
    if max(rgb) - min(rgb) <= NEUTRAL_SPREAD:
        lightness = ImageCms.applyTransform(pixel, to_lab).getpixel((0, 0))[0]
        tints = _black_lightness()
        k = min(range(101), key=lambda tint: abs(tints[tint] - lightness))
        return (0, 0, 0, 100 if k >= SOLID_BLACK else k)
    return tuple(round(v / 2.55) for v in ImageCms.applyTransform(pixel, to_cmyk).getpixel((0, 0)))


def device_cmyk(colour: str) -> str:
    c, m, y, k = cmyk(colour)
    return f"device-cmyk({c / 100:g} {m / 100:g} {y / 100:g} {k / 100:g})"


def css_in_cmyk(css: str) -> str:
    """A stylesheet with every hex colour written as device-cmyk()."""
    return _HEX.sub(lambda match: device_cmyk(match.group(0)), css)


def svg_in_cmyk(markup: str) -> str:
    """SVG markup (attributes and style) with every hex or black/white colour as device-cmyk()."""
    markup = _SVG_NAMED.sub(lambda match: match.group(1) + _NAMED[match.group(2)], markup)
    return css_in_cmyk(markup)


def default_ink() -> str:
    """SVG paints text and shapes without a fill in black: the printer's edition says which black."""
    return device_cmyk("#000000")


def finisher(key: str, images=None):
    """The last step before the PDF is written: refuse RGB, describe the intent, name the version.

    `images` (a printimages.PrintImages) gives back the lossless images, and names the SVG files drawn."""

    def finish(document, pdf) -> None:
        import pydyf

        svgs = f" (the SVG files drawn are: {', '.join(images.svgs)})" if images is not None and images.svgs else ""
        for obj in list(pdf.objects):   # embed_lossless adds soft masks
            if isinstance(obj, pydyf.Dictionary):
                _refuse_rgb_space(obj)  # shadings
                _refuse_short_cmyk(obj, svgs)
            if not isinstance(obj, pydyf.Stream):
                continue
            if obj.extra.get("Subtype") == "/Image" and images is not None:
                images.embed_lossless(obj, pdf)
            _refuse_rgb_space(obj.extra)
            if obj.extra.get("Subtype") == "/Image":
                continue
            for item in obj.stream:
                match = _RGB_OPERATOR.match(item) if isinstance(item, bytes) else None
                if match is None:
                    continue
                rgb = " ".join(v.decode() for v in match.groups()[:3])
                raise AlmanacError(f"the printer's edition has an RGB colour ({rgb} {match.group(4).decode()}) "
                                   f"that no stylesheet rule, chart or SVG file turned into CMYK{svgs}")
            if isinstance(obj.extra.get("Group"), dict) and obj.extra["Group"].get("CS") == "/DeviceRGB":
                raise AlmanacError("the printer's edition has a transparency group blended in RGB")
        if "OutputIntents" not in pdf.catalog:
            raise AlmanacError(f"{PROFILE}: WeasyPrint did not accept this profile, so the PDF has no output intent")
        intent = pdf.catalog["OutputIntents"][0]
        for name, value in OUTPUT_INTENT.items():
            intent[name] = pydyf.String(value)
        pdf.info["GTS_PDFXVersion"] = pydyf.String(VERSION_KEY)
        # WeasyPrint writes a random xmpMM:DocumentID; one derived from the inputs keeps rebuilds identical.
        _fix_document_id(pdf, uuid.UUID(hashlib.sha256(key.encode()).hexdigest()[:32]))

    return finish


def _refuse_rgb_space(extra: dict) -> None:
    space = extra.get("ColorSpace")
    if space == "/DeviceRGB" or (isinstance(space, (list, tuple)) and "/DeviceRGB" in space):
        what = (f"an RGB raster image ({extra.get('Width')}×{extra.get('Height')} px) that was not converted"
                if extra.get("Subtype") == "/Image" else "an RGB colour space")
        raise AlmanacError(f"the printer's edition has {what}: supply it in CMYK or greyscale, or as vector SVG")


def _refuse_short_cmyk(extra: dict, svgs: str) -> None:
    """A CMYK gradient needs four components a colour; WeasyPrint 70 writes an SVG gradient's first three."""
    if "ShadingType" not in extra or extra.get("ColorSpace") != "/DeviceCMYK":
        return
    functions = [extra.get("Function") or {}]
    while functions:
        function = functions.pop()
        functions += list(function.get("Functions") or [])
        for name in ("C0", "C1"):
            if name in function and len(function[name]) != 4:
                raise AlmanacError(f"the printer's edition has a gradient whose CMYK colours have "
                                   f"{len(function[name])} components, which would print in wrong colours{svgs}; "
                                   "use flat colours")


def _fix_document_id(pdf, document_id: uuid.UUID) -> None:
    reference = pdf.catalog["Metadata"]
    for obj in pdf.objects:
        if getattr(obj, "reference", None) == reference:
            obj.stream = [re.sub(rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{document_id}".encode(), part)
                          for part in obj.stream]
            return
