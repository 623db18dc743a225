"""The codes of the refusals raised by the maps app's services: stable names the
farmers' app switches on (exposed as GraphQL enums); the message beside each code is for
people, in their language."""

from enum import StrEnum


class MapsErrorCode(StrEnum):
    BBOX = "bbox"
    LIMIT = "limit"
    NUMBER = "number"
