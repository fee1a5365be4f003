"""Make the pictogram set the door and the planning page share, from pinned npm packages.

    python scripts/pictograms/make.py        # rewrites sync/pictograms/ and the badge picture

OpenMoji (CC BY-SA 4.0) draws the pictures; emojibase-data's Dutch CLDR annotations (MIT;
the CLDR data under the Unicode licence) give the search words. Both come from the npm
registry by `npm pack` at the versions below, checked against their sha512 integrity, so
the same command on another machine makes the same set. The pictures are rasterised by
`rsvg-convert` (Debian: librsvg2-bin) at the size the door draws them, and stored as
palette PNGs: OpenMoji's flat colours lose nothing visible, and the set stays small.

Which pictograms, under which names: scripts/pictograms/choice.txt.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CHOICE = Path(__file__).with_name("choice.txt")
SET = ROOT / "sync" / "pictograms"
BADGE_PICTURE = ROOT / "kiosk" / "ui" / "images" / "badge-at-reader.png"

OPENMOJI = (
    "openmoji",
    "17.0.0",
    "sha512-EBnYrNGdcdw+OSXmENeNE1yBNRu6tOraTmoOyUbJkTmvT/+XETp8RZLSJFzD3lrPc5N9CzsyPnRTk0Vp4UaI9w==",
)
EMOJIBASE = (
    "emojibase-data",
    "17.0.0",
    "sha512-Yvgb5AWoHViHV/gq1qr5ZAarcBip+B27/ZLRsUJkbgAEaLlZ/fof9g882LTpmEpyhBNEC0m2SEmItljHsTygjA==",
)

# The door draws a task's pictogram at 64 px and the word's at 128 px (dp at density 1);
# a palette of 48 colours keeps OpenMoji's flat fills and the anti-aliased edges.
SIZE = 128
COLOURS = 48
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Choice:
    hexcode: str
    name: str
    group: str
    extra: tuple[str, ...]


def read_choice(text: str) -> list[Choice]:
    """choice.txt: '## group' headings, then 'HEXCODE name | extra, words' lines; '#' is
    a comment."""
    chosen: list[Choice] = []
    group = ""
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("##"):
            group = line[2:].strip()
            continue
        if line.startswith("#"):
            continue
        head, _bar, extra = line.partition("|")
        parts = head.split()
        if len(parts) != 2 or not NAME.match(parts[1]) or not group:
            raise SystemExit(f"{CHOICE.name}:{number}: expected 'HEXCODE name | words'")
        words = tuple(w.strip() for w in extra.split(",") if w.strip())
        chosen.append(Choice(parts[0], parts[1], group, words))
    for label, values in (
        ("name", [c.name for c in chosen]),
        ("hexcode", [c.hexcode for c in chosen]),
    ):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise SystemExit(f"{CHOICE.name}: the same {label} twice: {', '.join(twice)}")
    return chosen


def fold(text: str) -> str:
    """Lower case without accents: 'Maïs' and 'mais' are one search word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keywords(choice: Choice, dutch: dict[str, Any] | None) -> list[str]:
    """The name, the curated words, then CLDR's Dutch label and tags; once each."""
    found = [choice.name.replace("-", " "), *choice.extra]
    if dutch:
        found += [dutch["label"], *dutch.get("tags", [])]
    seen: list[str] = []
    for word in found:
        word = fold(word)
        if word not in seen:
            seen.append(word)
    return seen


def npm_pack(spec: tuple[str, str, str], into: Path) -> tarfile.TarFile:
    name, version, integrity = spec
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    packed = json.loads(out)[0]
    if packed["integrity"] != integrity:
        raise SystemExit(f"{name}@{version}: integrity {packed['integrity']} is not the pinned one")
    return tarfile.open(into / packed["filename"])


def member(archive: tarfile.TarFile, path: str) -> bytes:
    handle = archive.extractfile(f"package/{path}")
    if handle is None:
        raise SystemExit(f"{path}: not in the package")
    return handle.read()


def rasterise(svg: bytes, width: int, height: int) -> Image.Image:
    png = subprocess.run(
        ["rsvg-convert", "--width", str(width), "--height", str(height), "--keep-aspect-ratio"],
        input=svg,
        check=True,
        capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("RGBA")


def save_small(image: Image.Image, path: Path) -> None:
    """A palette PNG with transparency: a quarter of the bytes of RGBA, the same look."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(COLOURS, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def badge_at_reader(card: Image.Image, arrow: Image.Image, reader: Image.Image) -> Image.Image:
    """A badge going to the reader, for the waiting screen: OpenMoji's ID card, an arrow
    and its 'wireless' sign for the reader, on one picture that needs no words."""
    picture = Image.new("RGBA", (5 * SIZE // 2, SIZE), (0, 0, 0, 0))
    tilted = card.rotate(12, resample=Image.Resampling.BICUBIC, expand=True)
    tilted = tilted.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    picture.alpha_composite(tilted, (0, 0))
    small = arrow.resize((SIZE * 3 // 4, SIZE * 3 // 4), Image.Resampling.LANCZOS)
    picture.alpha_composite(small, (SIZE - SIZE // 8, SIZE // 8))
    picture.alpha_composite(reader, (3 * SIZE // 2, 0))
    return picture


def main() -> int:
    if shutil.which("rsvg-convert") is None:
        print("rsvg-convert is missing: apt-get install librsvg2-bin", file=sys.stderr)
        return 1
    chosen = read_choice(CHOICE.read_text("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        openmoji = npm_pack(OPENMOJI, Path(tmp))
        emojibase = npm_pack(EMOJIBASE, Path(tmp))
        dutch = {e["hexcode"]: e for e in json.loads(member(emojibase, "nl/data.json"))}
        drawn = {e["hexcode"] for e in json.loads(member(openmoji, "data/openmoji.json"))}
        missing = [c.hexcode for c in chosen if c.hexcode not in drawn]
        if missing:
            raise SystemExit(f"not in OpenMoji {OPENMOJI[1]}: {', '.join(missing)}")
        pictures = SET / "png"
        if pictures.exists():
            shutil.rmtree(pictures)
        entries = []
        for choice in chosen:
            svg = member(openmoji, f"color/svg/{choice.hexcode}.svg")
            save_small(rasterise(svg, SIZE, SIZE), pictures / f"{choice.name}.png")
            entries.append(
                {
                    "name": choice.name,
                    "group": choice.group,
                    "openmoji": choice.hexcode,
                    "keywords": keywords(choice, dutch.get(choice.hexcode)),
                }
            )
        catalogue = {
            "source": f"OpenMoji {OPENMOJI[1]} (CC BY-SA 4.0), Dutch words from "
            f"emojibase-data {EMOJIBASE[1]} (CLDR) and scripts/pictograms/choice.txt",
            "size": SIZE,
            "pictograms": entries,
        }
        text = json.dumps(catalogue, ensure_ascii=False, indent=1) + "\n"
        (SET / "catalogue.json").write_text(text, "utf-8")
        (SET / "LICENSE.txt").write_bytes(member(openmoji, "LICENSE.txt"))
        parts = [
            rasterise(member(openmoji, f"color/svg/{h}.svg"), SIZE, SIZE)
            for h in ("1FAAA", "27A1", "1F6DC")
        ]
        save_small(badge_at_reader(*parts), BADGE_PICTURE)
    print(f"{len(entries)} pictograms in {SET.relative_to(ROOT)}, and {BADGE_PICTURE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
