"""Tiny PDF writer for reader tests: text and ruling lines placed where they are *shown*.

A page may carry /Rotate; everything is given in shown coordinates (x right, y down from the
top-left of the page as a viewer displays it) and written in the unrotated user space the way
a word processor writes a landscape page onto a portrait sheet. Text uses the predefined CJK
font STSong-Light (UniGB-UCS2-H), which pdfium and pdfminer map back to Unicode without an
embedded font file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    width: float  # as shown
    height: float
    rotate: int = 0
    texts: list[tuple[float, float, float, str]] = field(default_factory=list)  # x, baseline y, size, text
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, y0, x1, y1
    fills: list[tuple[float, float, float, float, float]] = field(default_factory=list)  # x0, y0, x1, y1, gray

    def text(self, x: float, y: float, s: str, size: float = 10) -> None:
        self.texts.append((x, y, size, s))

    def grid(self, xs: list[float], ys: list[float]) -> None:
        """A fully ruled grid: vertical lines at xs, horizontal lines at ys."""
        for x in xs:
            self.lines.append((x, ys[0], x, ys[-1]))
        for y in ys:
            self.lines.append((xs[0], y, xs[-1], y))

    def cells(self, xs: list[float], ys: list[float], rows: list[list[str]], size: float = 9) -> None:
        """Write one row of texts per grid row, each 2pt right of its cell's left line."""
        for r, row in enumerate(rows):
            base = ys[r] + (ys[r + 1] - ys[r]) / 2 + size / 3
            for c, s in enumerate(row):
                if s:
                    self.text(xs[c] + 2, base, s, size)

    # ---- user space

    def _user_box(self) -> tuple[float, float]:
        return (self.height, self.width) if self.rotate in (90, 270) else (self.width, self.height)

    def _user(self, x: float, y: float) -> tuple[float, float]:
        w, h = self._user_box()
        return {0: (x, h - y), 90: (y, x), 180: (w - x, y), 270: (w - y, h - x)}[self.rotate]

    def _text_matrix(self) -> tuple[int, int, int, int]:
        """Direction of writing and of 'up' as shown, in user space."""
        return {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}[self.rotate]

    def content(self) -> bytes:
        out: list[str] = []
        for x0, y0, x1, y1, gray in self.fills:
            a, b = self._user(x0, y0), self._user(x1, y1)
            out.append(f"{gray} g {min(a[0], b[0]):.2f} {min(a[1], b[1]):.2f} {abs(a[0] - b[0]):.2f} {abs(a[1] - b[1]):.2f} re f 0 g")
        for x0, y0, x1, y1 in self.lines:
            a, b = self._user(x0, y0), self._user(x1, y1)
            out.append(f"0.5 w {a[0]:.2f} {a[1]:.2f} m {b[0]:.2f} {b[1]:.2f} l S")
        a, b, c, d = self._text_matrix()
        for x, y, size, s in self.texts:
            e, f = self._user(x, y)
            hexs = s.encode("utf-16-be").hex()
            out.append(f"BT /F1 {size} Tf {a} {b} {c} {d} {e:.2f} {f:.2f} Tm <{hexs}> Tj ET")
        return "\n".join(out).encode("ascii")


def make_pdf(pages: list[Page]) -> bytes:
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font = 3
    objects += [
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    kids = []
    for pg in pages:
        stream = pg.content()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        w, h = pg._user_box()
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Rotate %d /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (w, h, pg.rotate, len(objects), font))
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return pdf_file(objects)


def pdf_file(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF of these numbered objects (1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    return bytes(out)
