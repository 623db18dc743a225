"""A table with an optional geometry per row, written as CSV or GeoJSON: the shape of
the staff analyses and of the open datasets. Column names are stable identifiers (the
data dictionary explains them); pages show translated labels."""

import csv
import io
import json
from dataclasses import dataclass, field

from django.db import connection

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@dataclass
class Report:
    columns: list[str]
    rows: list[tuple]
    geometries: list[str | None] = field(default_factory=list)  # GeoJSON text per row

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue()

    def to_geojson(self) -> dict:
        geometries = self.geometries or [None] * len(self.rows)
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": json.loads(geometry) if geometry else None,
                    "properties": dict(zip(self.columns, row, strict=True)),
                }
                for row, geometry in zip(self.rows, geometries, strict=True)
            ],
        }

    def to_text(self, extension: str) -> str:
        """The file's text for an extension of CONTENT_TYPES."""
        if extension == "csv":
            return self.to_csv()
        return json.dumps(self.to_geojson(), ensure_ascii=False, default=str)

    def as_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def run_report(sql: str, params: dict, *, spatial: bool = False, geometry: bool = False) -> Report:
    """Run ``sql``. A spatial report's last column is GeoJSON text, which the SQL computes
    only when ``%(geometry)s`` is true (a table or a CSV has no use for it)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "geometry": geometry})
        names = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    if not spatial:
        return Report(names, [tuple(row) for row in rows])
    shapes = [row[-1] for row in rows] if geometry else []
    return Report(names[:-1], [tuple(row[:-1]) for row in rows], shapes)
