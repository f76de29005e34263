"""Images in the printer's edition: raster images in CMYK or grey at no more than 300 ppi, SVG files in CMYK.

Reads: the images a brochure embeds (asked for by the PDF fetcher, or checked
first with the page that shows them), the output profile (press.PROFILE), an
image's own ICC profile, and the @page rule of overrides/print/print.css.
Writes: converted images in the project's cache (.cache/almanac/press/images/),
named by a hash of the source's bytes, the size asked for, the profile and this
module's code, so a photo shared by every language is converted once.

Raster images (`convert`):
- colour (RGB or palette, with or without alpha) goes through the output
  profile to CMYK, as the stylesheet's colours do (relative colorimetric,
  black-point compensation), from the image's own ICC profile when it has an
  RGB one and from sRGB otherwise;
- greyscale stays DeviceGray (black ink only), and so does an RGB image whose
  every pixel is neutral: press.py prints greys in black ink;
- CMYK is taken as made for this press: passed through byte for byte, or
  only resampled when it is downsampled or turned upright.
An image in a data: URL is converted too, but never downsampled (where it is
placed is not known before layout).
WeasyPrint 70 embeds CMYK only from a JPEG, so a JPEG (quality 95, no chroma
subsampling) is what it lays out. A source that was lossless (PNG, TIFF, GIF…)
gets its lossless CMYK samples, and its alpha channel as a soft mask, back
when the PDF is finished (`PrintImages.embed_lossless`): PDF/X-4 allows
transparency, and a logo on a tinted box must not print on a white square.

Resolution: the widest an `<img>` can be placed is the text column
(`measure_mm`, from print.css), so a source wider than 300 ppi at that width is
downsampled to it (`plan`), and the hook logs one line for each. The layout
does not move: the smaller image is still wider than the column at the
96 px/in WeasyPrint sizes it by, and max-width: 100% places it as before.

SVG files (`svg_in_cmyk`): every colour in their paint attributes and styles
is written as device-cmyk(), as the charts' are; one that cannot be printed
in CMYK (a gradient) stops the build naming the file.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import context, press
from .errors import AlmanacError

PPI = 300
JPEG_QUALITY = 95
RASTER_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".webp", ".bmp"}
# A greyscale scan saved as RGB has R = G = B, give or take rounding; a toned photograph is further apart.
NEUTRAL_SPREAD = 3
PAINTS = ("fill", "stroke", "color", "stop-color", "flood-color", "lighting-color")

_PAGE_SIZES_MM = {"a5": (148, 210), "a4": (210, 297), "a3": (297, 420), "b5": (176, 250), "b4": (250, 353),
                  "jis-b5": (182, 257), "jis-b4": (257, 364), "letter": (215.9, 279.4),
                  "legal": (215.9, 355.6), "ledger": (279.4, 431.8)}
_UNIT_MM = {"mm": 1.0, "cm": 10.0, "q": 0.25, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96}
_DECLARATION = re.compile(rf"(?<![\w-])({'|'.join(PAINTS)})(\s*:\s*)([^;{{}}!]+)", re.I)
_URL_ID = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)")
_PAINT_FALLBACK = re.compile(r"(url\([^)]*\)\s+)(\S.*)", re.S)


@dataclass(frozen=True)
class Converted:
    """A source image made ready for the press: the file WeasyPrint reads, and what the finisher puts back."""

    path: Path
    lossless: Path | None = None   # zlib of the CMYK samples, when the source was lossless
    alpha: Path | None = None      # zlib of the alpha channel, when it had one


class PrintImages:
    """The images one printer's-edition PDF uses: converted on first use, then remembered for its finisher.

    `targets` maps a file (relative to the project) to the pixel size it is downsampled to (`plan`)."""

    def __init__(self, root: Path, targets: dict[str, list[int]] | None = None):
        self.root = Path(root).resolve()
        self.cache = context.cache_dir(self.root, "press") / "images"
        self.targets = {name: tuple(size) for name, size in (targets or {}).items()}
        self.svgs: list[str] = []                    # the SVG files drawn, for the finisher's messages
        self._converted: dict[Path, Converted] = {}
        self._lossless: dict[str, Converted] = {}    # sha256 of the JPEG WeasyPrint embeds -> the lossless data

    def name(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def raster(self, path: Path) -> Path:
        """The file to embed in place of the project's raster image `path`."""
        path = path.resolve()
        if path not in self._converted:
            name = self.name(path)
            self._converted[path] = self._remember(convert(path.read_bytes(), name, self.cache, self.targets.get(name)))
        return self._converted[path].path

    def raster_data(self, data: bytes, name: str) -> Path:
        """`raster` for an image given as bytes (a data: URL), never downsampled: where it is placed is unknown."""
        return self._remember(convert(data, name, self.cache, None)).path

    def svg(self, path: Path) -> bytes:
        """The SVG file `path` with its colours in CMYK."""
        return self.svg_data(path.read_bytes(), self.name(path))

    def svg_data(self, data: bytes, name: str) -> bytes:
        if name not in self.svgs:
            self.svgs.append(name)
        return svg_in_cmyk(data, name)

    def _remember(self, converted: Converted) -> Converted:
        if converted.lossless is not None:
            self._lossless[hashlib.sha256(converted.path.read_bytes()).hexdigest()] = converted
        return converted

    def embed_lossless(self, stream, pdf) -> None:
        """Give a JPEG image XObject made by `convert` its lossless CMYK samples and its soft mask back."""
        import pydyf

        extra = stream.extra
        if not self._lossless or extra.get("Filter") != "/DCTDecode" or extra.get("ColorSpace") != "/DeviceCMYK":
            return
        data = b"".join(part if isinstance(part, bytes) else part.data for part in stream.stream)
        found = self._lossless.get(hashlib.sha256(data).hexdigest())
        if found is None:
            return
        stream.stream = [found.lossless.read_bytes()]
        extra["Filter"] = "/FlateDecode"
        extra.pop("Decode", None)   # the JPEG's Adobe inversion; the samples here are plain
        if found.alpha is not None:
            mask = pydyf.Stream([found.alpha.read_bytes()], pydyf.Dictionary({
                "Type": "/XObject", "Subtype": "/Image", "Width": extra["Width"], "Height": extra["Height"],
                "ColorSpace": "/DeviceGray", "BitsPerComponent": 8, "Filter": "/FlateDecode",
                "Interpolate": extra.get("Interpolate", "false")}))
            pdf.add_object(mask)
            extra["SMask"] = mask.reference


def measure_mm(css: str, name: str) -> float:
    """The width of the text column, in mm: the page's `size` less its left and right `margin`, as the @page
    rules without a selector give them; without them, WeasyPrint's A4, and no margin (the widest it can be)."""
    import tinycss2

    values: dict[str, list] = {}
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "page" and not tinycss2.serialize(rule.prelude).strip():
            for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if item.type == "declaration":   # a later declaration wins, as in the cascade
                    values[item.lower_name] = [token for token in item.value if token.type != "whitespace"]
    width = _page_width(values["size"]) if "size" in values else _PAGE_SIZES_MM["a4"][0]
    margins = [_length(token) for token in values.get("margin", [])] or [0.0]
    right = margins[1] if len(margins) > 1 else margins[0]
    left = margins[3] if len(margins) == 4 else right
    left = _length(values["margin-left"][0]) if len(values.get("margin-left", [])) == 1 else left
    right = _length(values["margin-right"][0]) if len(values.get("margin-right", [])) == 1 else right
    if width is None or len(margins) > 4 or None in (*margins, left, right):
        raise AlmanacError(f"{name}: @page: expected `size` as A4, letter… or a width and height, and `margin` as "
                           f"lengths in mm, cm, in or pt (they tell how wide an image prints); found size "
                           f"{tinycss2.serialize(values.get('size', [])).strip()!r}, margin "
                           f"{tinycss2.serialize(values.get('margin', [])).strip()!r}")
    return width - left - right


def column_mm(css: str) -> float | None:
    """The `--almanac-column` length a stylesheet declares on :root (the text column images sit in), in mm."""
    import tinycss2

    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root":
            for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if item.type == "declaration" and item.name == "--almanac-column":
                    tokens = [token for token in item.value if token.type != "whitespace"]
                    return _length(tokens[0]) if len(tokens) == 1 else None
    return None


def plan(files: list[Path], root: Path, measure: float) -> dict[str, tuple[tuple[int, int], tuple[int, int]]]:
    """For each raster image wider than PPI at `measure` mm: its name -> (its size, the size it is printed at)."""
    from PIL import Image

    widest = int(measure / 25.4 * PPI)
    result = {}
    for path in files:
        if path.suffix.lower() not in RASTER_SUFFIXES:
            continue
        try:
            with Image.open(path) as image:
                width, height = image.size
                if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):   # shown turned a quarter
                    width, height = height, width
        except (OSError, Image.DecompressionBombError):
            continue  # reported, with its page, when the PDF is made
        if width > widest:
            name = path.resolve().relative_to(root.resolve()).as_posix()
            result[name] = ((width, height), (widest, max(1, round(height * widest / width))))
    return result


def downsampling_note(name: str, size: tuple[int, int], target: tuple[int, int], measure: float) -> str:
    return (f"{name}: {size[0]}×{size[1]} px downsampled to {target[0]}×{target[1]} px "
            f"({PPI} ppi at {measure:g} mm) for the printer's edition")


def convert(data: bytes, name: str, cache: Path, target: tuple[int, int] | None) -> Converted:
    """The image `data` (called `name` in messages) ready for the press, written once into `cache`."""
    key = hashlib.sha256(b"\0".join([_code_and_profile(), repr(target).encode(), data])).hexdigest()[:24]
    found = _cached(cache, key)
    if found is not None:
        return found
    from PIL import Image

    image, source_format, source_mode, info, turned = _opened(data, name)
    image = _normalised(image, info, name)
    if image.mode in ("RGB", "RGBA") and _neutral(image):
        image = image.convert("LA" if image.mode == "RGBA" else "L")
    jpeg = source_format in ("JPEG", "MPO")
    if target is None and not turned and image.mode == source_mode:
        # Already fit for the press, as WeasyPrint embeds it: passed through byte for byte.
        if jpeg and image.mode in ("L", "CMYK"):
            return _write(cache, key, {".jpg": data})
        if source_format == "PNG" and image.mode in ("L", "LA"):
            return _write(cache, key, {".png": data})
    if target is not None:
        image = image.resize(target, Image.Resampling.LANCZOS)
    if image.mode in ("L", "LA"):
        as_jpeg = jpeg and image.mode == "L"
        return _write(cache, key, {".jpg" if as_jpeg else ".png": _encoded(image, as_jpeg)})
    alpha = image.getchannel("A") if image.mode == "RGBA" else None
    if image.mode != "CMYK":
        image = _to_cmyk(image.convert("RGB"), info.get("icc_profile"), name)
    if jpeg:
        return _write(cache, key, {".jpg": _encoded(image, True)})
    # The finisher knows the JPEG it replaces by its bytes: the key in a comment keeps two alike apart.
    files = {".jpg": _encoded(image, True, comment=key), ".cmyk": zlib.compress(image.tobytes())}
    if alpha is not None:
        files[".alpha"] = zlib.compress(alpha.tobytes())
    return _write(cache, key, files)


def svg_in_cmyk(data: bytes, name: str) -> bytes:
    """An SVG file with every colour of its paint attributes and styles as device-cmyk(), and black given as
    CMYK where it paints by default; AlmanacError for what cannot be printed in CMYK."""
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise AlmanacError(f"{name}: not a well-formed SVG file ({exc})") from None
    _refuse_gradients(root, name)
    for element in root.iter():
        for attribute in PAINTS:
            if attribute in element.attrib:
                element.set(attribute, paint_in_cmyk(element.get(attribute)))
        if "style" in element.attrib:
            element.set("style", styles_in_cmyk(element.get("style")))
        if _local(element.tag) == "style" and element.text:
            element.text = styles_in_cmyk(element.text)
    # SVG paints shapes, text and currentColor black unless told otherwise: in RGB, unless told which black.
    for attribute in ("fill", "color"):
        if attribute not in root.attrib:
            root.set(attribute, press.default_ink())
    return ElementTree.tostring(root, encoding="utf-8")


def paint_in_cmyk(value: str) -> str:
    """One CSS colour value as device-cmyk() if it is an RGB colour (hex, name, rgb(), hsl(), hwb()); else as it is."""
    from tinycss2.color5 import parse_color

    fallback = _PAINT_FALLBACK.fullmatch(value.strip())
    if fallback:   # url(#gradient) red: the colour painted when the reference is missing
        return fallback[1] + paint_in_cmyk(fallback[2])
    colour = parse_color(value.strip())
    if colour is None or isinstance(colour, str) or colour.space not in ("srgb", "hsl", "hwb"):
        return value
    red, green, blue = (min(255, max(0, round(v * 255))) for v in colour.to("srgb").coordinates)
    ink = press.device_cmyk(f"#{red:02x}{green:02x}{blue:02x}")
    return ink if colour.alpha >= 1 else f"{ink[:-1]} / {colour.alpha:g})"


def styles_in_cmyk(css: str) -> str:
    """Declarations (a style attribute, or a <style> sheet) with their paint colours as device-cmyk()."""
    return _DECLARATION.sub(lambda match: match[1] + match[2] + paint_in_cmyk(match[3]), css)


def _refuse_gradients(root, name: str) -> None:
    # WeasyPrint 70 writes an SVG gradient's colours with three components even in a CMYK colour space, so the
    # press would read red, green and blue as cyan, magenta and yellow, and find no black.
    gradients = {element.get("id"): element for element in root.iter()
                 if _local(element.tag) in ("linearGradient", "radialGradient")}
    texts = [value for element in root.iter() for value in element.attrib.values()]
    texts += [element.text for element in root.iter() if _local(element.tag) == "style" and element.text]
    todo = {match for text in texts for match in _URL_ID.findall(text)} & gradients.keys()
    used: set[str] = set()
    while todo:   # a gradient may take its stops from another (href)
        gradient_id = todo.pop()
        used.add(gradient_id)
        element = gradients[gradient_id]
        reference = (element.get("href") or element.get("{http://www.w3.org/1999/xlink}href") or "").lstrip("#")
        if reference in gradients and reference not in used:
            todo.add(reference)
    for gradient_id in sorted(used):
        element = gradients[gradient_id]
        if len([child for child in element if _local(child.tag) == "stop"]) > 1:
            raise AlmanacError(f"{name}: the {_local(element.tag)} '{gradient_id}' cannot be printed in CMYK "
                               "(WeasyPrint 70 writes a gradient's colours with three components); use flat "
                               "colours, or supply the figure as a raster image")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _page_width(tokens) -> float | None:
    words = [token.lower_value for token in tokens if token.type == "ident"]
    lengths = [_length(token) for token in tokens if token.type != "ident"]
    named = [_PAGE_SIZES_MM[word] for word in words if word in _PAGE_SIZES_MM]
    if len(named) == 1 and not lengths:
        width, height = named[0]
        return height if "landscape" in words else width
    if not words and lengths and None not in lengths:
        return lengths[0]
    return None


def _length(token) -> float | None:
    if token.type == "dimension" and token.lower_unit in _UNIT_MM:
        return token.value * _UNIT_MM[token.lower_unit]
    if token.type == "number" and token.value == 0:
        return 0.0
    return None


def _opened(data: bytes, name: str):
    """The image upright, its format, mode and info as given, and whether its EXIF turned it."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as opened:
            turned = opened.getexif().get(0x0112, 1) != 1
            # WeasyPrint would turn it too; the converted image carries no EXIF, so it is turned once.
            return ImageOps.exif_transpose(opened), opened.format, opened.mode, dict(opened.info), turned
    except (OSError, Image.DecompressionBombError) as exc:
        raise AlmanacError(f"{name}: not an image the printer's edition can read ({exc})") from None


def _normalised(image, info: dict, name: str):
    """The image in one of the modes the press takes: L, LA, RGB, RGBA or CMYK."""
    mode = image.mode
    if mode in ("P", "PA"):
        return image.convert("RGBA" if mode == "PA" or "transparency" in info else "RGB")
    if mode in ("L", "RGB") and "transparency" in info:
        return image.convert(mode[0] + ("A" if mode == "L" else "GBA"))
    if mode == "1":
        return image.convert("L")
    if mode.startswith("I;16") or mode == "I":
        # 16 bits a sample: scale to 8, as convert("L") would clip instead.
        return image.convert("I").point(lambda value: value / 257).convert("L")
    if mode in ("La", "RGBa", "RGBX", "YCbCr"):
        return image.convert({"La": "LA", "RGBa": "RGBA"}.get(mode, "RGB"))
    if mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        raise AlmanacError(f"{name}: a raster image in mode {mode}, which the printer's edition cannot convert; "
                           "expected RGB, greyscale, a palette or CMYK")
    return image


def _neutral(image) -> bool:
    from PIL import ImageChops

    red, green, blue = image.split()[:3]
    lightest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    darkest = ImageChops.darker(ImageChops.darker(red, green), blue)
    return ImageChops.subtract(lightest, darkest).getextrema()[1] <= NEUTRAL_SPREAD


def _to_cmyk(image, icc: bytes | None, name: str):
    from PIL import ImageCms

    try:
        return ImageCms.applyTransform(image, _transform(icc))
    except (ImageCms.PyCMSError, OSError) as exc:
        raise AlmanacError(f"{name}: its embedded ICC profile cannot be used ({exc}); expected an RGB profile, "
                           "or none (sRGB)") from None


@lru_cache(maxsize=16)
def _transform(icc: bytes | None):
    """Source profile to the output profile; the image's own profile if it is an RGB one, else sRGB's."""
    from PIL import ImageCms

    if not icc or icc[16:20] != b"RGB ":
        return press._transforms()[0]
    source, output = ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.getOpenProfile(str(press.PROFILE))
    return ImageCms.buildTransform(source, output, "RGB", "CMYK", renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def _encoded(image, jpeg: bool, comment: str = "") -> bytes:
    """The image as JPEG (quality 95, no chroma subsampling) or PNG; Pillow writes no date into either."""
    output = io.BytesIO()
    if jpeg:
        image.save(output, "JPEG", quality=JPEG_QUALITY, subsampling=0, **({"comment": comment} if comment else {}))
    else:
        image.save(output, "PNG")
    return output.getvalue()


@lru_cache(maxsize=1)
def _code_and_profile() -> bytes:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(press.PROFILE.read_bytes())
    return digest.digest()


def _cached(cache: Path, key: str) -> Converted | None:
    for suffix in (".jpg", ".png"):
        path = cache / f"{key}{suffix}"
        if path.exists():
            extra = {part: cache / f"{key}.{part}" for part in ("cmyk", "alpha")}
            return Converted(path, *(extra[part] if extra[part].exists() else None for part in ("cmyk", "alpha")))
    return None


def _write(cache: Path, key: str, files: dict[str, bytes]) -> Converted:
    # The image WeasyPrint reads is written last, so that its presence says the conversion is whole; the
    # languages render at once, each in its own process, so each writes under a temporary name of its own.
    cache.mkdir(parents=True, exist_ok=True)
    for suffix in sorted(files, key=lambda suffix: suffix in (".jpg", ".png")):
        tmp = cache / f"{key}{suffix}.{os.getpid()}.tmp"
        tmp.write_bytes(files[suffix])
        tmp.replace(cache / f"{key}{suffix}")
    return _cached(cache, key)
