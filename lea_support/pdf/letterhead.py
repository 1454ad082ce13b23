"""The authority's letterhead on every PDF: set by an admin, checked here, read by the renderer.

A logo is a PNG or an SVG of at most LOGO_MAX_BYTES, checked for what it is rather than what it is
called: a PNG by its signature and header, an SVG by parsing it and keeping only drawing elements
and attributes (no script, no event handler, no <foreignObject>, no reference to anything outside
itself). The SVG printed is the one re-written from what was kept, never the upload as sent.
"""
from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as SafeET
from sqlalchemy import select

from ..auth.models import User
from ..core.audit import record_audit
from ..core.errors import DomainError
from ..core.locking import claim_edit
from ..core.models import utcnow
from ..extensions import db
from .models import Letterhead

LOGO_MAX_BYTES = 200 * 1024
LOGO_ASSET = "letterhead-logo"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Drawing only: what a logo is made of.
SVG_ELEMENTS = {"svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
                "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "clipPath", "use", "symbol"}
SVG_ATTRIBUTES = {"viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d",
                  "points", "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
                  "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "opacity", "transform", "id",
                  "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "clip-path",
                  "clip-rule", "font-size", "font-weight", "text-anchor", "preserveAspectRatio", "href",
                  "clipPathUnits", "version", "dominant-baseline"}
_LOCAL_REF = re.compile(r"^#[A-Za-z_][\w.-]*$")
_URL_REF = re.compile(r"url\(\s*([^)]*)\)")


@dataclass
class LetterheadData:
    authority_name: str
    address: str = ""
    contact: str = ""
    signatory_name: str = ""
    signatory_role: str = ""
    logo: bytes | None = None  # a new logo; None keeps the one there is
    remove_logo: bool = False


def _refuse(message: str) -> DomainError:
    return DomainError(message, field="logo")


def check_png(data: bytes) -> None:
    """A real PNG: the signature, then an IHDR chunk with a sane size."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR" or len(data) < 33:
        raise _refuse("The logo must be a PNG or SVG image: this file is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    if not (0 < width <= 4000 and 0 < height <= 4000):
        raise _refuse("The logo must be at most 4000 pixels wide and high")


def _name(tag: str) -> tuple[str, str]:
    namespace, _, local = tag.rpartition("}")
    return namespace.lstrip("{"), local


def _safe_reference(value: str) -> bool:
    return bool(_LOCAL_REF.match(value.strip()))


def clean_svg(data: bytes) -> bytes:
    """The SVG as it will be printed: parsed (no DTD, no entities), every element and attribute
    checked, and written again. Anything that could run, or fetch, is refused, not dropped."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise _refuse("The SVG logo must not declare a DOCTYPE or entities")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, SafeET.DefusedXmlException) as err:
        raise _refuse("The logo must be a PNG or SVG image: this file is not a well-formed SVG") from err
    if _name(root.tag) != (SVG_NS, "svg"):
        raise _refuse("The logo must be a PNG or SVG image: this file is not an SVG")
    for element in root.iter():
        namespace, local = _name(str(element.tag))
        if namespace != SVG_NS or local not in SVG_ELEMENTS:
            raise _refuse(f"The SVG logo may only draw: it has a <{local}> element, which is not allowed "
                          "(no scripts, links, images or embedded content)")
        for attribute, value in element.attrib.items():
            a_namespace, a_local = _name(attribute)
            if a_namespace not in ("", XLINK_NS) or a_local not in SVG_ATTRIBUTES or a_local.startswith("on"):
                raise _refuse(f"The SVG logo has a {a_local} attribute, which is not allowed")
            if a_local == "href" and not _safe_reference(value):
                raise _refuse("The SVG logo refers to something outside itself, which is not allowed")
            for ref in _URL_REF.findall(value):
                if not _safe_reference(ref.strip("'\"")):
                    raise _refuse("The SVG logo refers to something outside itself, which is not allowed")
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8")


def check_logo(data: bytes) -> tuple[bytes, str]:
    """The logo as it will be stored and its type, or a DomainError saying what is wrong with it."""
    if len(data) > LOGO_MAX_BYTES:
        raise _refuse(f"The logo must be smaller than {LOGO_MAX_BYTES // 1024} KB")
    if data.startswith(PNG_SIGNATURE):
        check_png(data)
        return data, "image/png"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        return clean_svg(data), "image/svg+xml"
    raise _refuse("The logo must be a PNG or SVG image")


def current_letterhead() -> Letterhead | None:
    return db.session.scalars(select(Letterhead)).first()


def save_letterhead(actor: User, data: LetterheadData, *, expected_version: int | None) -> Letterhead:
    """Set the letterhead every PDF is printed with."""
    name = data.authority_name.strip()
    if not name:
        raise DomainError("Enter the authority's name", field="authority_name")
    letterhead = current_letterhead()
    if letterhead is None:
        letterhead = Letterhead(id=1, authority_name=name, version_id=1)
        db.session.add(letterhead)
    else:
        claim_edit(letterhead, expected_version, "letterhead", column="version_id")
    before = {"authority_name": letterhead.authority_name, "logo_type": letterhead.logo_type}
    letterhead.authority_name = name
    letterhead.address, letterhead.contact = data.address.strip(), data.contact.strip()
    letterhead.signatory_name, letterhead.signatory_role = data.signatory_name.strip(), data.signatory_role.strip()
    if data.logo:
        letterhead.logo, letterhead.logo_type = check_logo(data.logo)
    elif data.remove_logo:
        letterhead.logo, letterhead.logo_type = None, None
    letterhead.updated_at = utcnow()
    db.session.flush()
    record_audit(actor, "letterhead.save", "letterhead", letterhead.id, before=before,
                 after={"authority_name": name, "logo_type": letterhead.logo_type})
    return letterhead


def letterhead_for_pdf() -> tuple[dict[str, Any] | None, dict[str, tuple[bytes, str]]]:
    """The letterhead as plain data for the PDF templates, and the logo as an asset for the
    renderer (`lea-asset:letterhead-logo.png` or `.svg`); (None, {}) when none is set."""
    letterhead = current_letterhead()
    if letterhead is None:
        return None, {}
    assets: dict[str, tuple[bytes, str]] = {}
    logo_url = ""
    if letterhead.logo and letterhead.logo_type:
        name = LOGO_ASSET + (".png" if letterhead.logo_type == "image/png" else ".svg")
        assets[name] = (letterhead.logo, letterhead.logo_type)
        logo_url = f"lea-asset:{name}"
    return ({"authority_name": letterhead.authority_name, "address_lines": letterhead.address.splitlines(),
             "contact": letterhead.contact, "signatory_name": letterhead.signatory_name,
             "signatory_role": letterhead.signatory_role, "logo_url": logo_url}, assets)
