"""The schema the app is built against is checked in: a breaking change shows in review."""

from pathlib import Path

from django.conf import settings
from django.utils import translation
from graphql import print_schema

from mobile_api.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "mobile_api" / "schema.graphql"


def test_the_checked_in_schema_is_current():
    # Choice labels are descriptions: printed in the default language, as manage.py does.
    with translation.override(settings.LANGUAGE_CODE):
        current = print_schema(schema.graphql_schema).strip()
    assert SCHEMA_FILE.read_text().strip() == current, (
        "The GraphQL schema changed: run `manage.py graphql_schema --schema "
        "mobile_api.schema.schema --out mobile_api/schema.graphql` and review the diff."
    )
