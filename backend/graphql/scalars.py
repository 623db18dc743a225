"""GeoJSON in and out of the API (SRID 4326, as phones record it)."""

import json

import graphene
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.translation import gettext as _
from graphql import GraphQLError, value_from_ast_untyped


class GeoJSON(graphene.Scalar):
    """A GeoJSON geometry object, e.g. {"type": "Polygon", "coordinates": [...]}, in
    longitude/latitude (WGS 84)."""

    @staticmethod
    def serialize(geometry):
        return json.loads(geometry.geojson) if geometry is not None else None

    @staticmethod
    def parse_value(value):
        if not isinstance(value, dict) or not isinstance(value.get("type"), str):
            raise GraphQLError(_("Give a GeoJSON geometry object."))
        # A "crs" member could make GDAL read files or URLs: we only take WGS 84.
        clean = {key: item for key, item in value.items() if key != "crs"}
        try:
            geometry = GEOSGeometry(json.dumps(clean))
        except (GEOSException, GDALException, ValueError, TypeError, RecursionError) as error:
            raise GraphQLError(_("This is not a valid GeoJSON geometry.")) from error
        geometry.srid = 4326
        return geometry

    @classmethod
    def parse_literal(cls, node, _variables=None):
        return cls.parse_value(value_from_ast_untyped(node, _variables))


def choices_enum(name: str, values, description: str | None = None) -> type[graphene.Enum]:
    """A GraphQL enum of stored values, upper-cased (not their labels, which are
    translated text and would make the schema change with the language)."""
    return graphene.Enum(
        name, [(value.upper(), value) for value in values], description=description
    )
