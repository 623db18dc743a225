"""The codes of the refusals raised by the farms app's services: stable names the
farmers' app switches on (exposed as GraphQL enums); the message beside each code is for
people, in their language."""

from enum import StrEnum


class FarmsErrorCode(StrEnum):
    FUTURE_DATE = "future_date"
    IMPLAUSIBLE_AREA = "implausible_area"
    IMPLAUSIBLE_DATE = "implausible_date"
    INVALID_GEOMETRY = "invalid_geometry"
    LABORATORY = "laboratory"
    LAND_OF_ANOTHER_PRODUCER = "land_of_another_producer"
    NOTE_TOO_LONG = "note_too_long"
    NOT_POLYGON = "not_polygon"
    NO_RESULTS = "no_results"
    OPENING_HOURS = "opening_hours"
    OUTSIDE_VIETNAM = "outside_vietnam"
    OUT_OF_RANGE = "out_of_range"
    OVERLAP = "overlap"
    PLOT_HANDED_OVER = "plot_handed_over"
    PRODUCER_REQUIRED = "producer_required"
    SAME_PRODUCER = "same_producer"
    TOO_MANY_VERTICES = "too_many_vertices"
