"""QR codes for labels: a module matrix, SVG and PNG renderings."""

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks


def _code(url: str, border: int = QUIET_ZONE) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code


def matrix(url: str) -> list[list[bool]]:
    """Dark (True) and light modules, without the quiet zone."""
    return _code(url, border=0).get_matrix()


def svg(url: str) -> bytes:
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode").encode()


def png(url: str, box_size: int = 8) -> bytes:
    code = _code(url)
    code.box_size = box_size
    output = io.BytesIO()
    code.make_image().save(output, format="PNG")
    return output.getvalue()
