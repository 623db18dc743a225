"""Staff analyses of the land: what grows where, whether plots lie in the zones planned
for their crop, and how much land is certified. A plot belongs to the commune (district)
that contains a point inside it (ST_PointOnSurface), so it is counted once. Areas are
measured on the ellipsoid (geography), in hectares."""

import datetime

from maps.services.reports import Report, run_report

_AREA_BY_CROP_AND_COMMUNE = """
SELECT district.name AS district, commune.code AS commune_code, commune.name AS commune,
       COALESCE(crop.code, '') AS crop_code, COALESCE(crop.name_vi, '') AS crop,
       COUNT(*) AS plots, COUNT(DISTINCT plot.producer_id) AS producers,
       COUNT(DISTINCT plot.producer_id) FILTER (WHERE producer.kind = 'household') AS households,
       ROUND((SUM(ST_Area(plot.geometry::geography)) / 10000)::numeric, 4) AS area_ha,
       CASE WHEN %(geometry)s THEN ST_AsGeoJSON(commune.geometry, 6) END AS geometry
FROM farms_plot plot
JOIN farms_producer producer ON producer.id = plot.producer_id
JOIN maps_administrativearea commune
  ON commune.level = 'commune' AND ST_Intersects(commune.geometry, ST_PointOnSurface(plot.geometry))
LEFT JOIN maps_administrativearea district ON district.id = commune.parent_id
LEFT JOIN farms_product crop ON crop.id = plot.crop_id
GROUP BY district.name, commune.id, crop.id
ORDER BY district.name, commune.name, crop.name_vi
"""

# Each plot with a crop, and how much of it lies in zones planned for that crop today.
_PLOTS_AGAINST_PLAN = """
WITH planned AS (
    SELECT planned_crop.product_id AS crop_id, ST_Union(zone.geometry) AS geometry
    FROM maps_planningzone zone
    JOIN maps_planningzone_crops planned_crop ON planned_crop.planningzone_id = zone.id
    WHERE zone.valid_from <= %(day)s AND (zone.valid_to IS NULL OR zone.valid_to >= %(day)s)
    GROUP BY planned_crop.product_id
), measured AS (
    SELECT plot.id, plot.location_code, plot.crop_id, plot.producer_id, plot.geometry,
           ST_Area(plot.geometry::geography) AS area_m2,
           COALESCE(ST_Area(ST_Intersection(plot.geometry, planned.geometry)::geography), 0)
               AS inside_m2
    FROM farms_plot plot
    LEFT JOIN planned ON planned.crop_id = plot.crop_id
                     AND ST_Intersects(plot.geometry, planned.geometry)
    WHERE plot.crop_id IS NOT NULL
)
"""

_PLAN_SUMMARY = (
    _PLOTS_AGAINST_PLAN
    + """
SELECT crop.code AS crop_code, crop.name_vi AS crop,
       COUNT(*) FILTER (WHERE inside_m2 * 2 >= area_m2) AS plots_inside,
       COUNT(*) FILTER (WHERE inside_m2 * 2 < area_m2) AS plots_outside,
       ROUND((SUM(LEAST(inside_m2, area_m2)) / 10000)::numeric, 4) AS area_inside_ha,
       ROUND((SUM(area_m2 - LEAST(inside_m2, area_m2)) / 10000)::numeric, 4) AS area_outside_ha
FROM measured JOIN farms_product crop ON crop.id = measured.crop_id
GROUP BY crop.id ORDER BY crop.name_vi
"""
)

_PLAN_BY_PLOT = (
    _PLOTS_AGAINST_PLAN
    + """
SELECT measured.location_code, crop.code AS crop_code, producer.name AS producer,
       ROUND((area_m2 / 10000)::numeric, 4) AS area_ha,
       ROUND((LEAST(inside_m2, area_m2) / 10000)::numeric, 4) AS inside_ha,
       inside_m2 * 2 >= area_m2 AS inside,
       CASE WHEN %(geometry)s THEN ST_AsGeoJSON(measured.geometry, 6) END AS geometry
FROM measured
JOIN farms_product crop ON crop.id = measured.crop_id
JOIN farms_producer producer ON producer.id = measured.producer_id
ORDER BY measured.id
"""
)

_CERTIFIED_BY_DISTRICT = """
WITH certified AS (
    SELECT DISTINCT plot.id, plot.producer_id, producer.kind, plot.geometry, cert.scheme
    FROM farms_plot plot
    JOIN farms_producer producer ON producer.id = plot.producer_id
    JOIN farms_certification_plots covered ON covered.plot_id = plot.id
    JOIN farms_certification cert ON cert.id = covered.certification_id
    WHERE cert.valid_from <= %(day)s AND cert.valid_to >= %(day)s
)
SELECT district.code AS district_code, district.name AS district, certified.scheme,
       COUNT(*) AS plots, COUNT(DISTINCT certified.producer_id) AS producers,
       COUNT(DISTINCT certified.producer_id) FILTER (WHERE certified.kind = 'household')
           AS households,
       ROUND((SUM(ST_Area(certified.geometry::geography)) / 10000)::numeric, 4) AS area_ha,
       CASE WHEN %(geometry)s THEN ST_AsGeoJSON(district.geometry, 6) END AS geometry
FROM certified
JOIN maps_administrativearea district
  ON district.level = 'district'
 AND ST_Intersects(district.geometry, ST_PointOnSurface(certified.geometry))
GROUP BY district.id, certified.scheme
ORDER BY district.name, certified.scheme
"""


def area_by_crop_and_commune(geometry: bool = False) -> Report:
    return run_report(_AREA_BY_CROP_AND_COMMUNE, {}, spatial=True, geometry=geometry)


def planning_conformity(day: datetime.date, geometry: bool = False) -> Report:
    """Per crop: plots mostly inside (at least half their area) or outside the zones
    planned for that crop, and the area inside and outside."""
    return run_report(_PLAN_SUMMARY, {"day": day})


def plots_against_plan(day: datetime.date, geometry: bool = False) -> Report:
    return run_report(_PLAN_BY_PLOT, {"day": day}, spatial=True, geometry=geometry)


def certified_area_by_district(day: datetime.date, geometry: bool = False) -> Report:
    return run_report(_CERTIFIED_BY_DISTRICT, {"day": day}, spatial=True, geometry=geometry)


# The reports staff can download, by the name in their URL.
REPORTS = {
    "area-by-crop-and-commune": lambda day, geometry: area_by_crop_and_commune(geometry),
    "planning-conformity": planning_conformity,
    "plots-against-plan": plots_against_plan,
    "certified-area-by-district": certified_area_by_district,
}
