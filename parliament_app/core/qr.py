"""QR codes for join links, as PNG (for ``st.image``) or SVG (for printing).

Privacy: a QR code only ever carries a public link such as ``…/quiz_join?code=ABC234``: never a
child's or a staff member's name, a player token or any other personal data. Anyone who sees the
screen can read a QR code, so put nothing in it that you would not write on the board.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage

BORDER = 4  # the quiet zone the QR specification asks for, in modules


def _code(data: str, box_size: int) -> qrcode.QRCode:
    if not data:
        raise ValueError("a QR code needs some data")
    if box_size < 1:
        raise ValueError("box_size must be at least 1")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG image of ``data`` (Pillow is installed with Streamlit)."""
    image = _code(data, box_size).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
