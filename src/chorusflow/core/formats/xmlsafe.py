"""Parse untrusted XML without ever letting it reach the file system or network.

Invoices arrive from strangers. A DOCTYPE is never needed by UBL or CII, and it is
the door to every XML attack (external entities reading local files, parameter
entities calling out, billion laughs, quadratic blowup), so any DOCTYPE is refused
*before* libxml2 sees the document; the parser itself is also hardened, as a second
wall. Encoding is decided here too, strictly, because libxml2 silently guesses and
a wrongly decoded supplier name is worse than a clear rejection.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from chorusflow.core.formats.errors import FormatError

__all__ = ["DEFAULT_MAX_XML_BYTES", "decode_xml", "hardened_parser", "parse_xml_safely"]

#: Largest XML accepted by default (an invoice with embedded attachments stays far below).
DEFAULT_MAX_XML_BYTES = 50 * 1024 * 1024

# Encodings a supplier's software plausibly writes. Anything exotic (UTF-7, EBCDIC,
# UTF-32) is refused: it only widens what the DOCTYPE check has to understand.
_ALLOWED_ENCODINGS = frozenset(
    {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "cp1252"}
    | {f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)}
)
_ENC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9._-]*\Z")
_DECL_ENCODING = re.compile(r"""encoding\s*=\s*(["'])(.*?)\1""", re.S)
_PREDEFINED_ENTITIES = frozenset({"lt", "gt", "amp", "apos", "quot"})
_ENTITY_DECL = re.compile(r"<!ENTITY\s+(%\s+)?([^\s\"'%>]+)\s*", re.I)
_ENTITY_REF = re.compile(r"[&%]([A-Za-z_:][\w.:-]*);")
# A DOCTYPE whose entities would expand beyond this is called a bomb, not just a DTD.
_BOMB_EXPANSION_CHARS = 1_000_000


def _encoding_error(detail: str) -> FormatError:
    return FormatError(
        "XML_INVALID_ENCODING",
        f"The XML cannot be decoded: {detail}.",
        "Export the invoice again as UTF-8 with a matching XML declaration "
        '(<?xml version="1.0" encoding="UTF-8"?>).',
    )


def _declared_encoding(head: str) -> str | None:
    """The encoding named in the XML declaration, checked for a legal name."""
    if not head.startswith("<?xml"):
        return None
    end = head.find("?>")
    decl = head[: end if end != -1 else 200]
    match = _DECL_ENCODING.search(decl)
    if match is None:
        return None
    name = match.group(2)
    if not _ENC_NAME.match(name):
        raise _encoding_error(f"the XML declaration names the encoding {name!r}, which is not a valid name")
    return name


def _canonical(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise _encoding_error(f"the encoding {name!r} is unknown") from None
    if canonical not in _ALLOWED_ENCODINGS:
        raise _encoding_error(f"the encoding {name!r} is not accepted for invoices")
    return canonical


def decode_xml(data: bytes) -> str:
    """Decode XML bytes into text, refusing anything ambiguous or invalid.

    The byte order mark wins; a declaration that contradicts it is an error. Without
    a BOM the declaration is ASCII-readable, so a declared UTF-16 is a contradiction.
    """
    if data.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        raise _encoding_error("UTF-32 is not accepted for invoices")
    bom_encoding = None
    if data.startswith(codecs.BOM_UTF8):
        bom_encoding, body = "utf-8", data[3:]
    elif data.startswith(codecs.BOM_UTF16_LE):
        bom_encoding, body = "utf-16-le", data[2:]
    elif data.startswith(codecs.BOM_UTF16_BE):
        bom_encoding, body = "utf-16-be", data[2:]
    elif data.startswith(b"<\x00"):
        bom_encoding, body = "utf-16-le", data
    elif data.startswith(b"\x00<"):
        bom_encoding, body = "utf-16-be", data
    else:
        body = data

    if bom_encoding is not None:
        try:
            text = body.decode(bom_encoding)
        except UnicodeDecodeError as exc:
            raise _encoding_error(f"invalid {bom_encoding.upper()} byte at offset {exc.start}") from None
        declared = _declared_encoding(text[:400])
        if declared is not None:
            family = _canonical(declared)
            if not (family == bom_encoding or (family == "utf-16" and bom_encoding.startswith("utf-16"))):
                raise _encoding_error(
                    f"the file is {bom_encoding.upper()} but its declaration says {declared!r}"
                )
        return text

    declared = _declared_encoding(body[:400].decode("latin-1"))
    encoding = _canonical(declared) if declared is not None else "utf-8"
    if encoding.startswith("utf-16"):
        raise _encoding_error(f"the declaration says {declared!r} but the file is not UTF-16")
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _encoding_error(
            f"byte 0x{body[exc.start]:02X} at offset {exc.start} is not valid {encoding.upper()}"
        ) from None


def _skip_prolog(text: str) -> int:
    """Offset of the first markup after the XML declaration, comments and PIs."""
    pos, size = 0, len(text)
    while pos < size:
        while pos < size and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end == -1:
                return pos
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end == -1:
                return pos
            pos = end + 3
        else:
            return pos
    return pos


def _entity_declarations(text: str) -> list[tuple[str, bool, str | None]]:
    """(name, is_parameter, literal value or None when external) for each entity."""
    found: list[tuple[str, bool, str | None]] = []
    for match in _ENTITY_DECL.finditer(text):
        start = match.end()
        quote = text[start : start + 1]
        if quote in ("'", '"'):
            end = text.find(quote, start + 1)
            value: str | None = text[start + 1 : end if end != -1 else len(text)]
        else:
            value = None  # SYSTEM / PUBLIC: an external entity
        found.append((match.group(2), bool(match.group(1)), value))
        if len(found) >= 200:
            break
    return found


def _refuse_doctype(text: str, start: int) -> FormatError:
    """Tell an entity-expansion attack apart from a plain (still refused) DTD."""
    entities = _entity_declarations(text[start:])
    values = {name: value for name, _, value in entities if value is not None}
    nested = any(
        ref not in _PREDEFINED_ENTITIES and ref in values
        for value in values.values()
        for ref in _ENTITY_REF.findall(value)
    )
    expansion = sum(len(value) * text.count(f"&{name};") for name, value in values.items())
    if nested or expansion > _BOMB_EXPANSION_CHARS:
        return FormatError(
            "XML_ENTITY_BOMB",
            "The XML declares entities that expand into a huge document (an entity-expansion "
            "attack such as 'billion laughs'); it was refused before expansion.",
            "Do not process this file. Ask the sender for the invoice as plain UBL or CII "
            "XML without a DOCTYPE.",
        )
    external = any(value is None for _, _, value in entities)
    kind = " with external entities" if external else ""
    return FormatError(
        "XML_FORBIDDEN_DTD",
        f"The XML contains a document type declaration (DOCTYPE){kind}; invoices never need "
        "one, so it is refused for safety. Nothing it references was read.",
        "Remove the <!DOCTYPE ...> section and any entity references, or export the invoice "
        "again from the billing software as plain UBL or CII XML.",
    )


class _RefuseExternal(etree.Resolver):
    """Answers every external DTD / entity lookup with nothing.

    With lxml 6.1.3 / libxml2 2.14.6, adding ``collect_ids=False`` to an otherwise
    hardened parser made libxml2 open the local file named by
    ``<!DOCTYPE x SYSTEM "file:...">`` despite ``load_dtd=False`` (seen with strace),
    so that option is left alone, and this resolver closes any other such path.
    ``test_hardened_parser_alone_never_opens_files`` guards it with a FIFO.
    """

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        return self.resolve_string("", context)


def hardened_parser() -> etree.XMLParser:
    """The second wall behind the DOCTYPE check: no DTD, no entities, no I/O, no huge trees."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    parser.resolvers.add(_RefuseExternal())
    return parser


def parse_xml_safely(data: bytes, *, max_bytes: int = DEFAULT_MAX_XML_BYTES) -> etree._Element:
    """The root element of untrusted XML bytes, or a :class:`FormatError`."""
    if not data.strip():
        raise FormatError("EMPTY_FILE", "The XML file is empty.", "Send the file again; it was empty.")
    if len(data) > max_bytes:
        raise FormatError(
            "FILE_TOO_LARGE",
            f"The XML is {len(data):,} bytes, above the {max_bytes:,}-byte limit.",
            "Send large attachments separately or split the delivery into several invoices.",
        )
    text = decode_xml(data)
    start = _skip_prolog(text)
    if text[start : start + 9].upper() == "<!DOCTYPE" or text[start : start + 8].upper() == "<!ENTITY":
        raise _refuse_doctype(text, start)
    if text.startswith("<?xml"):
        # The declaration's encoding no longer applies to the re-encoded UTF-8 we hand over.
        end = text.find("?>")
        text = text[end + 2 :] if end != -1 else text
    try:
        root = etree.fromstring(text.encode("utf-8"), hardened_parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc)
        if "Text node too long" in message:
            raise FormatError(
                "FILE_TOO_LARGE",
                "One element of the XML holds more than 10 MB of text (usually an embedded "
                "attachment), which is refused.",
                "Send the attachment separately or reduce its size below 7 MB.",
            ) from None
        raise FormatError(
            "XML_MALFORMED",
            f"The XML is not well-formed: {message.strip()}.",
            "Export the invoice again from the billing software; a hand-edited or truncated "
            "file usually causes this.",
        ) from None
    except (ValueError, MemoryError) as exc:
        raise FormatError(
            "XML_MALFORMED",
            f"The XML could not be parsed: {exc}.",
            "Export the invoice again from the billing software.",
        ) from None
    if root is None:
        raise FormatError("XML_MALFORMED", "The XML has no root element.", "Send a complete XML invoice.")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise _refuse_doctype(text, 0)
    return root
