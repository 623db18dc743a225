from tests.mobile_api.conftest import anonymous_api, api  # noqa: F401 (fixtures)
