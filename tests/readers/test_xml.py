"""Product XML is parsed safely: DTDs, entity expansion and external entities are refused."""

from __future__ import annotations

import pytest

from cdse_intake.errors import UnsupportedProduct
from cdse_intake.readers import xml

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xfdu:XFDU xmlns:xfdu="urn:ccsds:schema:xfdu:1">&lol2;</xfdu:XFDU>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<r>&secret;</r>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL], ids=["expansion", "external"])
def test_hostile_xml_is_refused(data):
    with pytest.raises(UnsupportedProduct, match=r"manifest\.safe was refused"):
        xml.parse(data, "manifest.safe")


def test_broken_xml_names_the_file():
    with pytest.raises(UnsupportedProduct, match=r"MTD_TL\.xml is not well-formed"):
        xml.parse(b"<a><b></a>", "MTD_TL.xml")


def test_namespace_blind_lookups():
    root = xml.parse(
        b'<n1:Level-2A_User_Product xmlns:n1="https://psd-14.sentinel2.eo.esa.int/x">'
        b"<n1:General_Info><Product_Info><PROCESSING_BASELINE> 04.00 </PROCESSING_BASELINE>"
        b"</Product_Info></n1:General_Info>"
        b'<Band id="1"/><Band id="2"/></n1:Level-2A_User_Product>'
    )
    assert xml.text(root, "General_Info/Product_Info/PROCESSING_BASELINE") == "04.00"
    assert xml.text(root, "//PROCESSING_BASELINE") == "04.00"
    assert xml.text(root, "General_Info/Missing", "none") == "none"
    assert [b.get("id") for b in xml.findall(root, "Band")] == ["1", "2"]
    assert xml.find(root, "Nothing") is None
