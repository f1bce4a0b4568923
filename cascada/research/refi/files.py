"""Reading what other programs wrote, safely: the ``.qdpx`` archive within its limits
(zip bombs), XML without entities (billion laughs), source text as written."""

from __future__ import annotations

import codecs
import io
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element as XmlElement  # only the parsed tree's type
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.utils.translation import gettext_lazy as _

from cascada.core.errors import ApplicationError
from cascada.imports.parsers import FileProblem, detect_encoding

# Zip bombs and oversized uploads.
ZIP_MAX_BYTES = 100 * 1024 * 1024  # the .qdpx as uploaded
ZIP_MAX_ENTRIES = 2_000
ZIP_MAX_UNCOMPRESSED = 500 * 1024 * 1024  # every entry once decompressed
XML_MAX_BYTES = 100 * 1024 * 1024  # a .qdc as uploaded

FILE_FIELD = {"field": "file"}


def _refuse(message: Any) -> ApplicationError:
    return ApplicationError(message, extra=dict(FILE_FIELD))


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: XmlElement, name: str) -> Iterator[XmlElement]:
    return (child for child in el if _local(child.tag) == name)


def _child(el: XmlElement, name: str) -> XmlElement | None:
    return next(_children(el, name), None)


def _text_of(el: XmlElement | None) -> str:
    return "" if el is None else "".join(el.itertext())


def _xml(data: bytes, filename: str) -> XmlElement:
    """The parsed tree, refusing entities and external references (defusedxml)."""
    try:
        return safe_fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse(
            _(
                "%(file)s declares XML entities or external references, which Cascada does "
                "not read (such a file can be an attack). Export it again from your "
                "qualitative analysis program."
            )
            % {"file": filename}
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise _refuse(
            _("%(file)s is not well-formed XML (line %(line)s, column %(column)s).")
            % {"file": filename, "line": line, "column": column}
        ) from None


class _Archive:
    """A .qdpx opened with its limits checked from the directory, and read within them."""

    def __init__(self, data: bytes) -> None:
        if len(data) > ZIP_MAX_BYTES:
            raise _refuse(_("The project file is larger than 100 MB."))
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise _refuse(
                _("The file is not a REFI-QDA project (.qdpx): it is not a ZIP archive.")
            ) from None
        if len(infos) > ZIP_MAX_ENTRIES:
            raise _refuse(
                _("The project file holds %(n)s files; at most %(max)s are read.")
                % {"n": len(infos), "max": ZIP_MAX_ENTRIES}
            )
        if sum(info.file_size for info in infos) > ZIP_MAX_UNCOMPRESSED:
            raise _refuse(_("The project file would take more than 500 MB once decompressed."))
        self.budget = ZIP_MAX_UNCOMPRESSED
        self.by_name = {info.filename.replace("\\", "/").lower(): info for info in infos}

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.by_name.get(name.replace("\\", "/").lower())

    def source(self, name: str) -> zipfile.ZipInfo | None:
        """A file of the Sources folder (any case), or the only entry of that name."""
        name = name.replace("\\", "/").lstrip("/")
        found = self.find(f"sources/{name}") or self.find(name)
        if found is None:
            tail = "/" + name.lower().rsplit("/", 1)[-1]
            matches = [info for key, info in self.by_name.items() if key.endswith(tail)]
            found = matches[0] if len(matches) == 1 else None
        return found

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """The entry's bytes, never more than declared nor than what is left of 500 MB."""
        limit = min(info.file_size, self.budget)
        chunks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(info) as stream:
                while True:
                    chunk = stream.read(1024 * 1024)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise _refuse(
                            _("The project file would take more than 500 MB once decompressed.")
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile):
            raise _refuse(
                _("%(file)s is damaged in the project file.") % {"file": info.filename[:120]}
            ) from None
        except (NotImplementedError, RuntimeError):
            raise _refuse(
                _("%(file)s is compressed or encrypted in a way Cascada cannot read.")
                % {"file": info.filename[:120]}
            ) from None
        self.budget -= size
        return b"".join(chunks)


def _guid_key(raw: Any) -> str:
    """A GUID as compared: lowercase without braces when it is one, else the text."""
    text = str(raw or "").strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return text


def _uuid(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw or "").strip())
    except ValueError:
        return None


def _position(el: XmlElement, attr: str, source: str) -> int:
    raw = el.get(attr)
    try:
        return int(str(raw).strip())
    except ValueError:
        raise _refuse(
            _("A selection of the source «%(source)s» has no valid %(attr)s.")
            % {"source": source, "attr": attr}
        ) from None


def _without_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _decoded(data: bytes) -> str | None:
    """The text of a source file: UTF-8 (a byte-order mark dropped), UTF-16 with its mark,
    or the Windows encoding Spanish text is saved in; None if it is not text."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return _without_bom(data.decode(detect_encoding(data[:200_000]) if data else "utf-8"))
    except (FileProblem, UnicodeDecodeError, LookupError):
        return None


def _names(names: list[str]) -> str:
    """The first ten names, quoted."""
    return ", ".join(f"«{name}»" for name in names[:10]) + (" …" if len(names) > 10 else "")
