"""Reading an input file as text, and turning Anki's HTML fields into plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from cardcli.importing.model import ImportFileError
from cardcli.safetext import strip_unsafe

__all__ = ["MAX_BYTES", "MAX_LINE_BYTES", "read_text", "clean", "html_to_text"]

#: the largest input file read (a text export of 50,000 cards is about 20 MB)
MAX_BYTES = 50 * 1024 * 1024


#: the longest line an input may hold (bytes): a card's whole text is at most 100,000 characters
#: (:data:`cardcli.deckparse.MAX_CARD_CHARS`), at most 4 bytes each in UTF-8
MAX_LINE_BYTES = 400_000
_CHUNK = 1 << 20


def _too_long(path: Path, line: int) -> ImportFileError:
    return ImportFileError(f"{path}:{line}: a line longer than {MAX_LINE_BYTES:,} bytes (no card is that long); "
                           "is this a flashcard export?")


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, the limits checked while reading: a regular file (never a FIFO or device),
    at most MAX_BYTES, no line over MAX_LINE_BYTES (stopped at the first such line, not at the end)."""
    import os
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise ImportFileError(f"{path}: not a regular file")
        size = os.fstat(f.fileno()).st_size
        if size > MAX_BYTES:
            raise ImportFileError(f"{path}: {size:,} bytes is over the {MAX_BYTES // 2**20} MiB import limit")
        chunks: list[bytes] = []
        total = 0
        line = 1  # the line the current (unfinished) one is
        current = 0  # its length so far
        while chunk := f.read(_CHUNK):
            total += len(chunk)
            if total > MAX_BYTES:  # the file grew while being read
                raise ImportFileError(f"{path}: over the {MAX_BYTES // 2**20} MiB import limit")
            lines = chunk.replace(b"\r", b"\n").split(b"\n")
            if current + len(lines[0]) > MAX_LINE_BYTES:
                raise _too_long(path, line)
            if len(lines) > 1:
                longest = max(map(len, lines[1:-1]), default=0)
                if longest > MAX_LINE_BYTES:
                    at = next(i for i, x in enumerate(lines[1:-1], 1) if len(x) > MAX_LINE_BYTES)
                    raise _too_long(path, line + chunk.count(b"\n", 0, sum(len(x) + 1 for x in lines[:at])))
                current = len(lines[-1])
                if current > MAX_LINE_BYTES:
                    raise _too_long(path, line + chunk.count(b"\n"))
            else:
                current += len(lines[0])
            line += chunk.count(b"\n")
            chunks.append(chunk)
    return b"".join(chunks)


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (a BOM is dropped); anything else is a one-line error."""
    try:
        data = _read_bounded(path)
    except OSError as e:
        raise ImportFileError(f"{path}: cannot read: {e.strerror or e}") from None
    if not data.strip():
        raise ImportFileError(f"{path}: empty file: nothing to import")
    if b"\x00" in data[:65536]:
        raise ImportFileError(f"{path}: a binary file (NUL bytes), not a text export")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ImportFileError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "export the file as UTF-8 and try again"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean(text: str) -> str:
    """Card text as data: control characters dropped, tabs as spaces, edges and runs of
    blank lines trimmed."""
    text = strip_unsafe(text.replace("\t", " ")).replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line.strip() and (not out or not out[-1].strip()):
            continue
        out.append(line)
    return "\n".join(out).strip()


class _ToText(HTMLParser):
    """HTML as text: ``<br>``/blocks as line breaks, ``<ul>`` items as ``- x``, ``<ol>`` items as
    ``1) x``, table rows one per line with cells separated by spaces, images as ``[image: src]``."""

    _BLOCKS = {"div", "p", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "caption"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [is_ordered, count]
        self.skip = 0  # inside <script>/<style>

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in ("ul", "ol"):
            self._newline()
            self.lists.append([tag == "ol", 0])
        elif tag == "li":
            self._newline()
            if self.lists and self.lists[-1][0]:
                self.lists[-1][1] += 1
                self.parts.append(f"{self.lists[-1][1]}) ")
            else:
                self.parts.append("- ")
        elif tag in ("td", "th"):
            if self.parts and not self.parts[-1].endswith(("\n", " ")):
                self.parts.append("  ")
        elif tag == "img":
            src = dict(attrs).get("src") or ""
            self.parts.append(f"[image: {src}]")
        elif tag in self._BLOCKS:
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newline()
        elif tag in self._BLOCKS or tag == "li":
            self._newline()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"[\t\n]+", " ", data))  # runs of spaces kept as written


def html_to_text(html: str) -> str:
    """An Anki HTML field as plain text (entities decoded, markup dropped, line breaks kept)."""
    parser = _ToText()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return "\n".join(line.strip() for line in text.split("\n"))
