"""xmldoc reads every XML answer as defusedxml's parser would, and refuses what it refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from suivi_normalizer.providers import AdapterError, xmldoc

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
XML_FIXTURES = sorted(
    path
    for provider in ("canada-post", "dpd", "mondial-relay")
    for path in (FIXTURES / provider).glob("*.json")
    if isinstance(json.loads(path.read_text()).get("xml"), str)
)
SYNTHETIC = [
    "<a/>",
    "<a>  text  </a>",
    '<?xml version="1.0" encoding="utf-8"?><a><b>1</b><b>2</b><c/><b>3</b></a>',
    '<s:Envelope xmlns:s="urn:s" xmlns="urn:d"><s:Body><r><x>é €</x><x/></r></s:Body></s:Envelope>',
    "<a><!-- note --><b><![CDATA[ <kept> & ]]></b><?pi x?><c>&amp;&lt;&#233;</c></a>",
    "<a>mixed<b>x</b>tail</a>",
    "<a><_hidden>1</_hidden><b>2</b><b>3</b></a>",
    '<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a><b>1</b></a>',  # a DTD, no entity
    "<!DOCTYPE a><a/>",
]
REFUSED = [
    "<a>",
    "not xml",
    "<a></b>",
    '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>',
    '<!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.invalid/p">%p;]><a/>',
    '<!DOCTYPE a [<!ENTITY a "xxxxxxxxxx"><!ENTITY b "&a;&a;&a;&a;">]><a>&b;</a>',
    '<!DOCTYPE a SYSTEM "http://example.invalid/a.dtd"><a>&undeclared;</a>',
    "<a>&undeclared;</a>",
]


def defused(xml: str) -> tuple[str, dict[str, Any]]:
    """The reading before the C parser: defusedxml's parser, then the same tree."""
    root = fromstring(xml)
    return "N", {xmldoc._tag(root): xmldoc._tree(root)}


@pytest.mark.parametrize("path", XML_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_xml_fixture_reads_as_with_defusedxml(path: Path) -> None:
    xml = json.loads(path.read_text())["xml"]
    assert xmldoc.envelope({"number": "N", "xml": xml}, "x") == defused(xml)


@pytest.mark.parametrize("xml", SYNTHETIC)
def test_documents_read_as_with_defusedxml(xml: str) -> None:
    assert xmldoc.envelope({"number": "N", "xml": xml}, "x") == defused(xml)


@pytest.mark.parametrize("xml", REFUSED)
def test_what_defusedxml_refuses_is_refused(xml: str) -> None:
    with pytest.raises((DefusedXmlException, SyntaxError)):
        defused(xml)
    with pytest.raises(AdapterError, match=r"^\$\.xml: not well-formed XML or refused"):
        xmldoc.envelope({"number": "N", "xml": xml}, "x")


def test_there_are_xml_fixtures() -> None:
    assert len(XML_FIXTURES) >= 6
