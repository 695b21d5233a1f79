"""Pictures and short videos for the demo's media library, drawn in memory (no files shipped).

Images are brand-coloured product cards drawn with Pillow. Videos are real, playable H.264 MP4
slideshows: each scene is one intra-coded picture whose macroblocks are stored uncompressed
(I_PCM, ITU-T H.264 §7.3.5), followed by "skip" pictures that repeat it, so no encoder
library is needed. That costs about 55 KB per scene at 144×256 — fine for a demo clip, and the
file plays in every browser and passes the upload service's MP4 checks like a phone's video.
Everything here is deterministic: the same call gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# The brand palette of the style rules: 曜石黑, 星光银, 极光蓝, plus two accents.
OBSIDIAN = (27, 29, 36)
STARLIGHT = (201, 205, 212)
AURORA = (47, 107, 255)
WHITE = (255, 255, 255)
CORAL = (255, 122, 89)
MINT = (72, 200, 160)

Colour = tuple[int, int, int]
Draw = ImageDraw.ImageDraw
PALETTE: dict[str, Colour] = {
    "obsidian": OBSIDIAN,
    "starlight": STARLIGHT,
    "aurora": AURORA,
    "white": WHITE,
    "coral": CORAL,
    "mint": MINT,
}


def palette_colour(value: str | list[int]) -> Colour:
    """A colour as the data files write it: a name of the brand palette, or [r, g, b]."""
    if isinstance(value, str):
        return PALETTE[value]
    red, green, blue = value
    return (red, green, blue)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: the same glyphs on every machine (Latin only, so captions are Latin).
    return ImageFont.load_default(size=size)


# ---- shapes ------------------------------------------------------------------------------------


def _earbuds(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """Two stem earbuds side by side, their charging case below."""
    for side in (-1, 1):
        x = cx + side * 0.32 * s
        d.ellipse((x - 0.2 * s, cy - 0.42 * s, x + 0.2 * s, cy - 0.02 * s), fill=colour)
        d.ellipse((x - 0.08 * s, cy - 0.3 * s, x + 0.08 * s, cy - 0.14 * s), fill=accent)
        stem = x + side * 0.06 * s
        d.rounded_rectangle(
            (stem - 0.06 * s, cy - 0.15 * s, stem + 0.06 * s, cy + 0.32 * s), radius=0.06 * s, fill=colour
        )
    d.rounded_rectangle(
        (cx - 0.5 * s, cy + 0.42 * s, cx + 0.5 * s, cy + 0.82 * s), radius=0.18 * s, fill=colour
    )
    d.line(
        (cx - 0.5 * s, cy + 0.56 * s, cx + 0.5 * s, cy + 0.56 * s), fill=accent, width=max(1, int(0.02 * s))
    )
    d.ellipse((cx - 0.03 * s, cy + 0.66 * s, cx + 0.03 * s, cy + 0.72 * s), fill=accent)


def _watch(
    d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour, hand: float = 0.0
) -> None:
    """A round smartwatch on its strap, with an activity ring and a hand at angle ``hand`` (turns)."""
    d.rounded_rectangle(
        (cx - 0.24 * s, cy - 0.95 * s, cx + 0.24 * s, cy + 0.95 * s), radius=0.1 * s, fill=colour
    )
    d.ellipse((cx - 0.52 * s, cy - 0.52 * s, cx + 0.52 * s, cy + 0.52 * s), fill=colour)
    d.ellipse((cx - 0.44 * s, cy - 0.44 * s, cx + 0.44 * s, cy + 0.44 * s), fill=OBSIDIAN)
    d.arc(
        (cx - 0.36 * s, cy - 0.36 * s, cx + 0.36 * s, cy + 0.36 * s),
        start=-90,
        end=-90 + 290,
        fill=accent,
        width=max(2, int(0.07 * s)),
    )
    angle = (hand - 0.25) * 2 * np.pi
    tip = (cx + 0.26 * s * np.cos(angle), cy + 0.26 * s * np.sin(angle))
    d.line((cx, cy, *tip), fill=WHITE, width=max(1, int(0.03 * s)))
    d.rectangle((cx + 0.5 * s, cy - 0.08 * s, cx + 0.58 * s, cy + 0.08 * s), fill=colour)


def _charger(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """A GaN charger with two prongs and a cable leaving to the right."""
    prong = _mix(colour, OBSIDIAN, 0.45)
    d.rectangle((cx - 0.2 * s, cy - 0.75 * s, cx - 0.12 * s, cy - 0.45 * s), fill=prong)
    d.rectangle((cx + 0.12 * s, cy - 0.75 * s, cx + 0.2 * s, cy - 0.45 * s), fill=prong)
    d.rounded_rectangle(
        (cx - 0.42 * s, cy - 0.5 * s, cx + 0.42 * s, cy + 0.5 * s), radius=0.14 * s, fill=colour
    )
    for n in range(3):
        y = cy - 0.15 * s + n * 0.18 * s
        d.rounded_rectangle((cx - 0.16 * s, y, cx + 0.16 * s, y + 0.08 * s), radius=0.03 * s, fill=accent)
    d.line(
        (cx, cy + 0.5 * s, cx, cy + 0.7 * s, cx + 0.7 * s, cy + 0.7 * s),
        fill=colour,
        width=max(2, int(0.06 * s)),
    )


def _play(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """A live-stream badge: a screen with a play triangle and a recording dot."""
    d.rounded_rectangle(
        (cx - 0.7 * s, cy - 0.45 * s, cx + 0.7 * s, cy + 0.45 * s), radius=0.1 * s, fill=colour
    )
    d.polygon(
        [(cx - 0.15 * s, cy - 0.22 * s), (cx - 0.15 * s, cy + 0.22 * s), (cx + 0.22 * s, cy)], fill=accent
    )
    d.ellipse((cx + 0.45 * s, cy - 0.38 * s, cx + 0.6 * s, cy - 0.23 * s), fill=CORAL)


def _bars(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """A rising bar chart with a trend line (industry figures)."""
    heights = (0.35, 0.5, 0.45, 0.7, 0.9)
    width = 0.22 * s
    base = cy + 0.5 * s
    points = []
    for n, h in enumerate(heights):
        x = cx - 0.65 * s + n * 0.3 * s
        d.rectangle((x, base - h * s, x + width, base), fill=colour)
        points.append((x + width / 2, base - h * s - 0.12 * s))
    d.line(points, fill=accent, width=max(2, int(0.04 * s)))
    d.line((cx - 0.75 * s, base, cx + 0.8 * s, base), fill=colour, width=max(1, int(0.02 * s)))


def _checklist(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """A card with three ticked lines (tips)."""
    d.rounded_rectangle((cx - 0.6 * s, cy - 0.7 * s, cx + 0.6 * s, cy + 0.7 * s), radius=0.1 * s, fill=colour)
    for n in range(3):
        y = cy - 0.4 * s + n * 0.4 * s
        d.line(
            (cx - 0.45 * s, y, cx - 0.35 * s, y + 0.1 * s, cx - 0.18 * s, y - 0.1 * s),
            fill=accent,
            width=max(2, int(0.05 * s)),
        )
        d.rounded_rectangle(
            (cx - 0.05 * s, y - 0.04 * s, cx + 0.45 * s, y + 0.04 * s), radius=0.03 * s, fill=STARLIGHT
        )


def _skyline(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """A city skyline at dusk with a metro line (commuter stories)."""
    blocks = ((-0.8, 0.5), (-0.55, 0.8), (-0.3, 0.6), (-0.05, 1.0), (0.2, 0.7), (0.45, 0.9), (0.7, 0.55))
    base = cy + 0.6 * s
    for x, h in blocks:
        d.rectangle((cx + x * s, base - h * s, cx + (x + 0.22) * s, base), fill=colour)
    d.ellipse((cx + 0.45 * s, cy - 0.95 * s, cx + 0.75 * s, cy - 0.65 * s), fill=accent)
    d.rounded_rectangle(
        (cx - 0.9 * s, base + 0.05 * s, cx + 0.9 * s, base + 0.2 * s), radius=0.07 * s, fill=accent
    )


def _gift(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """A gift box with a ribbon (festival guides)."""
    d.rectangle((cx - 0.6 * s, cy - 0.2 * s, cx + 0.6 * s, cy + 0.7 * s), fill=colour)
    d.rectangle((cx - 0.7 * s, cy - 0.45 * s, cx + 0.7 * s, cy - 0.2 * s), fill=colour)
    d.rectangle((cx - 0.1 * s, cy - 0.45 * s, cx + 0.1 * s, cy + 0.7 * s), fill=accent)
    d.ellipse(
        (cx - 0.45 * s, cy - 0.8 * s, cx - 0.02 * s, cy - 0.45 * s),
        outline=accent,
        width=max(2, int(0.06 * s)),
    )
    d.ellipse(
        (cx + 0.02 * s, cy - 0.8 * s, cx + 0.45 * s, cy - 0.45 * s),
        outline=accent,
        width=max(2, int(0.06 * s)),
    )


def _store(d: Draw, cx: float, cy: float, s: float, colour: Colour, accent: Colour) -> None:
    """A pop-up store front with a striped awning (the city pop-up event)."""
    d.rectangle((cx - 0.8 * s, cy - 0.2 * s, cx + 0.8 * s, cy + 0.7 * s), fill=colour)
    for n in range(8):
        x = cx - 0.8 * s + n * 0.2 * s
        d.rectangle((x, cy - 0.5 * s, x + 0.2 * s, cy - 0.2 * s), fill=accent if n % 2 == 0 else WHITE)
    d.rectangle((cx - 0.2 * s, cy + 0.15 * s, cx + 0.2 * s, cy + 0.7 * s), fill=OBSIDIAN)
    d.rectangle((cx - 0.65 * s, cy + 0.0 * s, cx - 0.3 * s, cy + 0.35 * s), fill=STARLIGHT)
    d.rectangle((cx + 0.3 * s, cy + 0.0 * s, cx + 0.65 * s, cy + 0.35 * s), fill=STARLIGHT)


Shape = Callable[[Draw, float, float, float, Colour, Colour], None]
SHAPES: dict[str, Shape] = {
    "earbuds": _earbuds,
    "watch": _watch,
    "charger": _charger,
    "live": _play,
    "chart": _bars,
    "tips": _checklist,
    "city": _skyline,
    "gift": _gift,
    "store": _store,
}


# ---- images ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """A product card: background, the drawn subject in its colours, and a Latin caption."""

    shape: str
    background: Colour
    colour: Colour
    accent: Colour
    caption: str
    subcaption: str = ""


def card_image(card: Card, size: tuple[int, int] = (900, 600)) -> Image.Image:
    """The card as a Pillow image: subject on the left two thirds, caption on the right."""
    width, height = size
    image = Image.new("RGB", size, card.background)
    d = ImageDraw.Draw(image)
    # A soft brand stripe along the bottom and a faint circle behind the subject.
    d.rectangle((0, height - height // 14, width, height), fill=card.accent)
    cx, cy, s = width * 0.34, height * 0.46, min(width, height) * 0.36
    d.ellipse(
        (cx - 1.15 * s, cy - 1.15 * s, cx + 1.15 * s, cy + 1.15 * s), fill=_mix(card.background, WHITE, 0.1)
    )
    SHAPES[card.shape](d, cx, cy, s, card.colour, card.accent)
    text_colour = WHITE if sum(card.background) < 380 else OBSIDIAN
    d.text((width * 0.66, height * 0.36), card.caption, font=_font(height // 11), fill=text_colour)
    if card.subcaption:
        d.text((width * 0.66, height * 0.52), card.subcaption, font=_font(height // 20), fill=card.accent)
    d.text((width * 0.66, height * 0.8), "XINGYAO", font=_font(height // 26), fill=text_colour)
    return image


@functools.lru_cache(maxsize=32)
def card_png(card: Card, size: tuple[int, int] = (900, 600)) -> bytes:
    """The card as PNG bytes (what is uploaded); cached, since reseeding draws the same cards."""
    out = io.BytesIO()
    card_image(card, size).save(out, "PNG", optimize=False)
    return out.getvalue()


def _mix(a: Colour, b: Colour, share: float) -> Colour:
    return (
        round(a[0] + (b[0] - a[0]) * share),
        round(a[1] + (b[1] - a[1]) * share),
        round(a[2] + (b[2] - a[2]) * share),
    )


# ---- video scenes --------------------------------------------------------------------------------


def scene_image(card: Card, step: int, steps: int, size: tuple[int, int] = (144, 256)) -> Image.Image:
    """One scene of a vertical clip: the subject, its caption and a progress bar for ``step``."""
    width, height = size
    image = Image.new("RGB", size, card.background)
    d = ImageDraw.Draw(image)
    s = width * 0.32
    cx, cy = width / 2, height * 0.42
    # The subject grows a little from scene to scene, so the clip visibly moves on.
    grow = 1.0 + 0.08 * step
    if card.shape == "watch":
        _watch(d, cx, cy, s * grow, card.colour, card.accent, hand=step / max(1, steps))
    else:
        SHAPES[card.shape](d, cx, cy, s * grow, card.colour, card.accent)
    text_colour = WHITE if sum(card.background) < 380 else OBSIDIAN
    d.text((8, height * 0.74), card.caption, font=_font(15), fill=text_colour)
    if card.subcaption:
        d.text((8, height * 0.82), card.subcaption, font=_font(11), fill=card.accent)
    d.rectangle((0, height - 6, width, height), fill=_mix(card.background, WHITE, 0.25))
    d.rectangle((0, height - 6, round(width * (step + 1) / steps), height), fill=card.accent)
    return image


# ---- H.264 (Baseline, I_PCM + P_Skip) ------------------------------------------------------------


class _Bits:
    """An RBSP bit writer with the Exp-Golomb codes of H.264 §9.1."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def u(self, value: int, count: int) -> None:
        for i in range(count - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                self.acc = self.n = 0

    def ue(self, value: int) -> None:
        code = value + 1
        length = code.bit_length()
        self.u(0, length - 1)
        self.u(code, length)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align(self) -> None:
        if self.n:
            self.u(0, 8 - self.n)

    def raw(self, data: bytes) -> None:
        self.out += data  # only called when byte-aligned

    def finish(self) -> bytes:
        self.u(1, 1)  # rbsp_stop_one_bit
        self.align()
        return bytes(self.out)


_EMULATION = re.compile(rb"\x00\x00(?=[\x00-\x03])")


def _nal(ref_idc: int, kind: int, rbsp: bytes) -> bytes:
    # Emulation prevention (§7.4.1): no 00 00 0x (x ≤ 3) inside a NAL unit's payload.
    return bytes([(ref_idc << 5) | kind]) + _EMULATION.sub(b"\x00\x00\x03", rbsp)


PROFILE_BASELINE = 66
CONSTRAINTS = 0xC0  # constraint_set0 and set1: decodable by Baseline and Main decoders
LEVEL = 30
FRAME_NUM_BITS = 4


def _sps(width: int, height: int) -> bytes:
    b = _Bits()
    b.u(PROFILE_BASELINE, 8)
    b.u(CONSTRAINTS, 8)
    b.u(LEVEL, 8)
    b.ue(0)  # seq_parameter_set_id
    b.ue(FRAME_NUM_BITS - 4)  # log2_max_frame_num_minus4
    b.ue(2)  # pic_order_cnt_type 2: output order = decoding order
    b.ue(1)  # max_num_ref_frames
    b.u(0, 1)  # gaps_in_frame_num_value_allowed_flag
    b.ue(width // 16 - 1)
    b.ue(height // 16 - 1)
    b.u(1, 1)  # frame_mbs_only_flag
    b.u(1, 1)  # direct_8x8_inference_flag
    b.u(0, 1)  # frame_cropping_flag
    b.u(0, 1)  # vui_parameters_present_flag
    return _nal(3, 7, b.finish())


def _pps() -> bytes:
    b = _Bits()
    b.ue(0)  # pic_parameter_set_id
    b.ue(0)  # seq_parameter_set_id
    b.u(0, 1)  # entropy_coding_mode_flag: CAVLC
    b.u(0, 1)  # bottom_field_pic_order_in_frame_present_flag
    b.ue(0)  # num_slice_groups_minus1
    b.ue(0)  # num_ref_idx_l0_default_active_minus1
    b.ue(0)  # num_ref_idx_l1_default_active_minus1
    b.u(0, 1)  # weighted_pred_flag
    b.u(0, 2)  # weighted_bipred_idc
    b.se(0)  # pic_init_qp_minus26
    b.se(0)  # pic_init_qs_minus26
    b.se(0)  # chroma_qp_index_offset
    b.u(1, 1)  # deblocking_filter_control_present_flag (so slices can switch it off)
    b.u(0, 1)  # constrained_intra_pred_flag
    b.u(0, 1)  # redundant_pic_cnt_present_flag
    return _nal(3, 8, b.finish())


def _planes(image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BT.601 limited-range Y, Cb, Cr (4:2:0), samples kept in 1…254 as I_PCM wants."""
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    cb = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    cr = 128 + 0.439 * r - 0.368 * g - 0.071 * b

    def half(c: np.ndarray) -> np.ndarray:
        return (c[0::2, 0::2] + c[1::2, 0::2] + c[0::2, 1::2] + c[1::2, 1::2]) / 4

    def clip(c: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(c), 1, 254).astype(np.uint8)

    return clip(y), clip(half(cb)), clip(half(cr))


def _idr(image: Image.Image, idr_id: int) -> bytes:
    """An IDR picture of I_PCM macroblocks: the scene itself, uncompressed."""
    width, height = image.size
    y, cb, cr = _planes(image)
    b = _Bits()
    b.ue(0)  # first_mb_in_slice
    b.ue(7)  # slice_type: I (all slices)
    b.ue(0)  # pic_parameter_set_id
    b.u(0, FRAME_NUM_BITS)  # frame_num
    b.ue(idr_id)  # idr_pic_id: consecutive IDR pictures differ
    b.u(0, 1)  # no_output_of_prior_pics_flag
    b.u(0, 1)  # long_term_reference_flag
    b.se(0)  # slice_qp_delta
    b.ue(1)  # disable_deblocking_filter_idc
    for my in range(height // 16):
        for mx in range(width // 16):
            b.ue(25)  # mb_type I_PCM
            b.align()  # pcm_alignment_zero_bit
            b.raw(y[my * 16 : my * 16 + 16, mx * 16 : mx * 16 + 16].tobytes())
            b.raw(cb[my * 8 : my * 8 + 8, mx * 8 : mx * 8 + 8].tobytes())
            b.raw(cr[my * 8 : my * 8 + 8, mx * 8 : mx * 8 + 8].tobytes())
    return _nal(3, 5, b.finish())


def _skip(macroblocks: int, frame_num: int) -> bytes:
    """A P picture whose every macroblock is skipped: it repeats the previous picture."""
    b = _Bits()
    b.ue(0)  # first_mb_in_slice
    b.ue(5)  # slice_type: P (all slices)
    b.ue(0)  # pic_parameter_set_id
    b.u(frame_num % (1 << FRAME_NUM_BITS), FRAME_NUM_BITS)
    b.u(0, 1)  # num_ref_idx_active_override_flag
    b.u(0, 1)  # ref_pic_list_modification_flag_l0
    b.u(0, 1)  # adaptive_ref_pic_marking_mode_flag
    b.se(0)  # slice_qp_delta
    b.ue(1)  # disable_deblocking_filter_idc
    b.ue(macroblocks)  # mb_skip_run: all of them
    return _nal(2, 1, b.finish())


# ---- MP4 (ISO/IEC 14496-12 and -15) --------------------------------------------------------------


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


# Long on purpose: it writes the MP4's boxes in file order (ftyp, moov with its nested track
# tables, mdat), and one reading from top to bottom matches the container's layout.
def slideshow_mp4(scenes: Sequence[Image.Image], *, seconds_per_scene: int = 4, fps: int = 10) -> bytes:
    """A playable H.264 MP4 showing each scene for ``seconds_per_scene`` seconds (sides multiples of 16)."""
    width, height = scenes[0].size
    if width % 16 or height % 16:
        raise ValueError("scene sides must be multiples of 16")
    macroblocks = (width // 16) * (height // 16)
    sps, pps = _sps(width, height), _pps()
    samples: list[bytes] = []
    sync: list[int] = []
    hold = seconds_per_scene * fps
    for n, scene in enumerate(scenes):
        sync.append(len(samples) + 1)
        samples.append(_idr(scene.convert("RGB"), n % 2))
        samples.extend(_skip(macroblocks, k) for k in range(1, hold))
    # MP4 samples carry length-prefixed NAL units; SPS and PPS go in the avcC box.
    data = [struct.pack(">I", len(s)) + s for s in samples]
    timescale, delta = fps * 100, 100
    duration = len(samples) * delta
    millis = duration * 1000 // timescale
    avcc = _box(
        b"avcC",
        bytes([1, PROFILE_BASELINE, CONSTRAINTS, LEVEL, 0xFF, 0xE1]),
        struct.pack(">H", len(sps)),
        sps,
        bytes([1]),
        struct.pack(">H", len(pps)),
        pps,
    )
    avc1 = _box(
        b"avc1",
        bytes(6),
        struct.pack(">H", 1),  # data_reference_index
        bytes(16),
        struct.pack(">HH", width, height),
        struct.pack(">II", 0x480000, 0x480000),  # 72 dpi
        struct.pack(">I", 0),
        struct.pack(">H", 1),  # frame_count
        bytes(32),  # compressorname
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )

    def moov(offset: int) -> bytes:
        stbl = _box(
            b"stbl",
            _full(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
            _full(b"stts", 0, 0, struct.pack(">III", 1, len(samples), delta)),
            _full(b"stss", 0, 0, struct.pack(">I", len(sync)), *(struct.pack(">I", n) for n in sync)),
            _full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, len(samples), 1)),
            _full(
                b"stsz", 0, 0, struct.pack(">II", 0, len(data)), *(struct.pack(">I", len(d)) for d in data)
            ),
            _full(b"stco", 0, 0, struct.pack(">II", 1, offset)),
        )
        minf = _box(
            b"minf",
            _full(b"vmhd", 0, 1, bytes(8)),
            _box(b"dinf", _full(b"dref", 0, 0, struct.pack(">I", 1), _full(b"url ", 0, 1))),
            stbl,
        )
        mdia = _box(
            b"mdia",
            _full(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0)),  # 'und'
            _full(b"hdlr", 0, 0, struct.pack(">I", 0), b"vide", bytes(12), b"VideoHandler\x00"),
            minf,
        )
        tkhd = _full(
            b"tkhd",
            0,
            3,  # enabled, in movie
            struct.pack(">IIIII", 0, 0, 1, 0, millis),
            bytes(8),
            struct.pack(">hhhH", 0, 0, 0, 0),
            _MATRIX,
            struct.pack(">II", width << 16, height << 16),
        )
        mvhd = _full(
            b"mvhd",
            0,
            0,
            struct.pack(">IIII", 0, 0, 1000, millis),
            struct.pack(">IH", 0x10000, 0x100),
            bytes(10),
            _MATRIX,
            bytes(24),
            struct.pack(">I", 2),  # next_track_ID
        )
        return _box(b"moov", mvhd, _box(b"trak", tkhd, mdia))

    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isomiso2avc1mp41")
    # The index goes before the data ("fast start"), so the chunk offset counts the index itself.
    offset = len(ftyp) + len(moov(0)) + 8
    return ftyp + moov(offset) + _box(b"mdat", *data)


@functools.lru_cache(maxsize=16)
def clip_mp4(card: Card, scenes: int = 4, *, seconds_per_scene: int = 4) -> bytes:
    """A vertical (9:16) demo clip of a card's subject: ``scenes`` scenes of a few seconds each (cached)."""
    images = [scene_image(card, step, scenes) for step in range(scenes)]
    return slideshow_mp4(images, seconds_per_scene=seconds_per_scene)
