"""Land changing hands through the app: the holder names the new holder by code."""

from graphql_relay import to_global_id

from tests.factories import ProducerFactory

HAND_OVER = """mutation($input: HandOverPlotInput!) { handOverPlot(input: $input) {
  errors { field code } plot { name handedOverTo } } }"""


def test_the_app_hands_land_over_by_the_new_holders_code(api, plot, stranger_api):
    farm = ProducerFactory(name="Hộ ông Năm")
    given = {"plotId": to_global_id("PlotNode", plot.pk), "toRegistrationCode": "0000"}
    unknown = api(HAND_OVER, {"input": given})["data"]["handOverPlot"]
    assert unknown["errors"] == [{"field": "toRegistrationCode", "code": "not_found"}]
    given["toRegistrationCode"] = farm.registration_code
    assert (
        stranger_api(HAND_OVER, {"input": given})["data"]["handOverPlot"]["errors"][0]["code"]
        == "not_found"
    )

    done = api.ok(HAND_OVER, {"input": given})["handOverPlot"]

    assert done["plot"] == {"name": plot.name, "handedOverTo": farm.name}
