"""GraphQL for the farmer's field conditions: the weather over their plots, with advice."""

import graphene
from graphene_django import DjangoObjectType

from farms.schema import producer_by_id
from farms.schema_access import signed_in_user
from maps.models import DailyForecast
from maps.services import advisories, weather


class AdvisoryType(graphene.ObjectType):
    code = graphene.String(
        required=True,
        description="heavy_rain, rain, thunderstorm, strong_wind, heat or severe_cold.",
    )
    severity = graphene.String(required=True, description="warning or caution.")
    message = graphene.String(required=True)


class ForecastDayType(DjangoObjectType):
    """One day's forecast. Temperatures in °C, rain in mm, wind in km/h."""

    summary = graphene.String(required=True)
    advisories = graphene.List(graphene.NonNull(AdvisoryType), required=True)

    class Meta:
        model = DailyForecast
        fields = (
            "day",
            "weather_code",
            "temperature_max",
            "temperature_min",
            "precipitation",
            "precipitation_probability",
            "wind_speed_max",
            "wind_gusts_max",
        )

    def resolve_summary(forecast, info):
        return advisories.describe(forecast)

    def resolve_advisories(forecast, info):
        return advisories.advisories(forecast)


class CommuneWeatherType(graphene.ObjectType):
    commune_code = graphene.String(required=True)
    commune_name = graphene.String(required=True)
    plots = graphene.List(graphene.NonNull(graphene.String), required=True)
    fetched_at = graphene.DateTime(description="When the provider last gave this forecast.")
    days = graphene.List(graphene.NonNull(ForecastDayType), required=True)

    def resolve_commune_code(weather, info):
        return weather.area.code

    def resolve_commune_name(weather, info):
        return weather.area.name


class Query(graphene.ObjectType):
    weather = graphene.List(
        graphene.NonNull(CommuneWeatherType),
        required=True,
        producer_id=graphene.ID(
            description="Only this producer's plots; those of your farms if left out."
        ),
        description="The coming days' weather for each commune your plots lie in.",
    )

    def resolve_weather(root, info, producer_id=None):
        user = signed_in_user(info)
        producer = producer_by_id(info, producer_id) if producer_id else None
        return weather.weather_for_plots(weather.plots_asked_about(user, producer))
