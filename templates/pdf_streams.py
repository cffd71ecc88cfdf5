"""How far a PDF's streams inflate, measured without inflating them into memory.

A few hundred KB of Flate can inflate to gigabytes (a "decompression bomb"); qpdf, PDFium and a
printer's RIP all decode such a stream in full. Every stream of the file is decoded here through
its filter chain in bounded chunks: the output is counted and dropped, never kept, and the count
stops with InvalidPdf at the first limit crossed (per stream, then the document's total).

The filters qpdf itself decodes are decoded here, as a stream: FlateDecode (zlib, output taken
a chunk at a time), ASCIIHexDecode and ASCII85Decode (a chunk of whole groups at a time, which
never grows more than fourfold). LZWDecode and RunLengthDecode keep state across the whole
stream: qpdf decodes them in memory when their input is small enough that even the largest
expansion stays within the budget, else a decoder here walks them a chunk at a time. An image codec (DCT, JPX, JBIG2, CCITT) is
never decoded by the platform: its encoded bytes are what is counted. A predictor (/DecodeParms
/Predictor) only removes bytes (a tag byte per row) or keeps the count, so the output before it
is counted; in the rare chain where more filters follow a predictor, what they could make of it
is bounded by their largest expansion instead.
"""

import binascii
import itertools
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pikepdf
from pikepdf import Name

from templates.errors import PdfInflatesTooMuch, TemplateErrorCode

_CHUNK = 256 * 1024  # decoded (and raw) bytes handed on at a time
_WHITESPACE = b" \t\r\n\f\x00"

Chunks = Iterable[bytes]


@dataclass(frozen=True, slots=True)
class InflateLimits:
    """The most bytes one stream and all streams of a document may decode to."""

    per_stream: int
    per_document: int


def check_inflated_size(pdf: pikepdf.Pdf, limits: InflateLimits) -> int:
    """The decoded size of all streams of `pdf`; raises PdfInflatesTooMuch at the first limit
    crossed, having decoded at most that limit (plus one chunk) of the offending stream."""
    total = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        budget = min(limits.per_stream, limits.per_document - total)
        size = _decoded_size(obj, budget)
        if size > limits.per_stream:
            number, generation = obj.objgen
            raise PdfInflatesTooMuch(
                TemplateErrorCode.PDF_STREAM_INFLATES_TOO_MUCH,
                number=number,
                generation=generation,
                limit=limits.per_stream,
            )
        total += size
        if total > limits.per_document:
            raise PdfInflatesTooMuch(TemplateErrorCode.PDF_INFLATES_TOO_MUCH, limit=limits.per_document)
    return total


def _decoded_size(stream: pikepdf.Stream, budget: int) -> int:
    """The stream's decoded size, or a number above `budget` as soon as it is known to be."""
    filters, parms = _filter_chain(stream)
    raw = stream.read_raw_bytes()
    chunks: Chunks = (raw[i : i + _CHUNK] for i in range(0, len(raw), _CHUNK))
    for position, (name, parm) in enumerate(zip(filters, parms, strict=True)):
        decoder = _DECODERS.get(name)
        if decoder is None:  # an image codec (or unknown): its input is what we hold
            break
        if decoder in _STATEFUL:
            chunks = _small_in_memory(name, decoder, parm, chunks, budget)
        else:
            chunks = decoder(chunks, parm)
        rest = filters[position + 1 :]
        if rest and _parameter(parm, Name.Predictor, 1) > 1:
            return _bounded_count(chunks, budget, expansion=_max_expansion(rest))
    return _bounded_count(chunks, budget, expansion=1)


def _small_in_memory(name: str, decoder, parm, chunks: Chunks, budget: int) -> Iterator[bytes]:
    """`chunks` decoded by qpdf at once when they are few enough to stay within `budget` whatever
    they hold, else by `decoder` a chunk at a time."""
    chunks = iter(chunks)
    head, size = [], 0
    for chunk in chunks:
        head.append(chunk)
        size += len(chunk)
        if size * _EXPANSION[decoder] > budget:
            yield from decoder(itertools.chain(head, chunks), parm)
            return
    parms = pikepdf.Dictionary(EarlyChange=_parameter(parm, Name.EarlyChange, 1))
    try:
        decoded = _qpdf_decode(b"".join(head), Name(name), parms)
    except pikepdf.PdfError:  # damaged: the streaming decoder yields what can be had
        yield from decoder(iter(head), parm)
        return
    for at in range(0, len(decoded), _CHUNK):
        yield decoded[at : at + _CHUNK]


def _qpdf_decode(data: bytes, name: Name, parms: pikepdf.Dictionary | None = None) -> bytes:
    with pikepdf.new() as scratch:
        stream = pikepdf.Stream(scratch, data)
        stream.Filter = name
        if parms is not None:
            stream.DecodeParms = parms
        return stream.read_bytes(decode_level=pikepdf.StreamDecodeLevel.specialized)


def _bounded_count(chunks: Chunks, budget: int, *, expansion: int) -> int:
    count = 0
    for chunk in chunks:
        count += len(chunk) * expansion
        if count > budget:
            return count
    return count


def _filter_chain(stream: pikepdf.Stream) -> tuple[list[str], list[pikepdf.Object | None]]:
    filters = stream.get(Name.Filter)
    parms = stream.get(Name.DecodeParms)
    if filters is None:
        return [], []
    if not isinstance(filters, pikepdf.Array):
        filters, parms = [filters], [parms]
    elif not isinstance(parms, pikepdf.Array):
        parms = [parms] * len(filters)
    parms = [*list(parms)[: len(filters)], *[None] * (len(filters) - len(parms))]
    return [str(f) if isinstance(f, Name) else "" for f in filters], parms


def _parameter(parm, key: Name, default: int) -> int:
    if not isinstance(parm, pikepdf.Dictionary):
        return default
    try:
        return int(parm.get(key, default))
    except (TypeError, ValueError):
        return default


# --- streaming decoders: each takes chunks and yields chunks of at most a few _CHUNKs ---------


def _flate(chunks: Chunks, parm=None) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            data = chunk
            while True:
                out = inflater.decompress(data, _CHUNK)
                if out:
                    yield out
                data = inflater.unconsumed_tail
                if inflater.eof or (not data and len(out) < _CHUNK):
                    break
            if inflater.eof:
                return
        if tail := inflater.flush():
            yield tail
    except zlib.error:
        return  # damaged data: no reader gets more out of it than what was yielded


def _ascii_hex(chunks: Chunks, parm=None) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        text = carry + bytes(chunk if end < 0 else chunk[:end]).translate(None, _WHITESPACE)
        even = len(text) - len(text) % 2
        try:
            yield binascii.unhexlify(text[:even])
        except binascii.Error:
            return
        carry = text[even:]
        if end >= 0:
            break
    if carry:
        yield binascii.unhexlify(carry + b"0")


def _ascii85(chunks: Chunks, parm=None) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b"~")
        text = carry + bytes(chunk if end < 0 else chunk[:end]).translate(None, _WHITESPACE)
        text = text.replace(b"z", b"!!!!!")  # "z" stands for four zero bytes, as "!!!!!" does
        whole = len(text) - len(text) % 5
        try:
            yield _qpdf_decode(text[:whole] + b"~>", Name.ASCII85Decode)
        except pikepdf.PdfError:
            return
        carry = text[whole:]
        if end >= 0:
            break
    if len(carry) > 1:
        try:
            yield _qpdf_decode(carry + b"~>", Name.ASCII85Decode)
        except pikepdf.PdfError:
            return


def _run_length(chunks: Chunks, parm=None) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        data = pending + bytes(chunk)
        out = bytearray()
        at = 0
        while at < len(data):
            length = data[at]
            if length == 128:  # end of data
                yield bytes(out)
                return
            if length < 128:  # the next length + 1 bytes, as they are
                if at + length + 2 > len(data):
                    break
                out += data[at + 1 : at + length + 2]
                at += length + 2
            else:  # the next byte, 257 - length times
                if at + 2 > len(data):
                    break
                out += data[at + 1 : at + 2] * (257 - length)
                at += 2
            if len(out) >= _CHUNK:
                yield bytes(out)
                out.clear()
        pending = data[at:]
        yield bytes(out)


def _lzw(chunks: Chunks, parm=None) -> Iterator[bytes]:
    """LZW as PDF uses it: codes of 9 to 12 bits, 256 clears the table, 257 ends; the code width
    grows one code early unless /EarlyChange is 0."""
    early = 0 if _parameter(parm, Name.EarlyChange, 1) == 0 else 1
    table = [bytes([i]) for i in range(256)] + [b"", b""]
    width, buffer, bits, previous = 9, 0, 0, b""
    for chunk in chunks:
        out = bytearray()
        for byte in chunk:
            buffer, bits = (buffer << 8) | byte, bits + 8
            if bits < width:
                continue
            bits -= width
            code = buffer >> bits
            buffer &= (1 << bits) - 1
            if code == 256:
                del table[258:]
                width, previous = 9, b""
                continue
            if code == 257:
                yield bytes(out)
                return
            if code < len(table):
                entry = table[code]
                if previous and len(table) < 4096:
                    table.append(previous + entry[:1])
            elif code == len(table) and previous:
                entry = previous + previous[:1]
                table.append(entry)
            else:
                yield bytes(out)
                return  # a code never defined: the data is damaged
            out += entry
            previous = entry
            if len(table) + early >= 1 << width and width < 12:
                width += 1
            if len(out) >= _CHUNK:
                yield bytes(out)
                out.clear()
        yield bytes(out)


_DECODERS: dict[str, Callable[[Chunks], Iterator[bytes]]] = {
    "/FlateDecode": _flate,
    "/Fl": _flate,
    "/LZWDecode": _lzw,
    "/LZW": _lzw,
    "/ASCII85Decode": _ascii85,
    "/A85": _ascii85,
    "/ASCIIHexDecode": _ascii_hex,
    "/AHx": _ascii_hex,
    "/RunLengthDecode": _run_length,
    "/RL": _run_length,
}

# The most output one input byte can make, per filter (Flate's deflate format: 1032:1; LZW: a
# 12-bit code names a string of up to 4096 bytes; RunLength: 2 bytes make 128; "z" makes 4).
_EXPANSION = {_flate: 1032, _lzw: 4096, _run_length: 64, _ascii85: 4, _ascii_hex: 1}
_STATEFUL = (_lzw, _run_length)


def _max_expansion(filters: list[str]) -> int:
    product = 1
    for name in filters:
        decoder = _DECODERS.get(name)
        if decoder is None:
            break
        product *= _EXPANSION[decoder]
    return product
