"""The offline geocoder: geopy's calls answered from GeoNames cities in memory."""

import time

import pytest
from geopy.location import Location
from geopy.point import Point

from models.geo import haversine_km
from models.geocoder import ATTRIBUTION, OfflineGeocoder


@pytest.fixture(scope="module")
def timed_load() -> tuple[OfflineGeocoder, float]:
    """One loaded geocoder for the module, and the CPU seconds loading took.

    This thread's CPU time, not wall time or the process's: other jobs on a shared CI box
    stretch the wall clock, and background threads left by earlier tests add process time.
    """
    geocoder = OfflineGeocoder()
    started = time.thread_time()
    geocoder.load()
    return geocoder, time.thread_time() - started


@pytest.fixture(scope="module")
def geocoder(timed_load: tuple[OfflineGeocoder, float]) -> OfflineGeocoder:
    return timed_load[0]


def one(geocoder: OfflineGeocoder, query: str) -> Location:
    location = geocoder.geocode(query)
    assert isinstance(location, Location), query
    return location


def test_attribution() -> None:
    assert ATTRIBUTION == "GeoNames (CC BY 4.0)"


def test_construction_is_lazy_and_loading_is_fast(
    timed_load: tuple[OfflineGeocoder, float],
) -> None:
    started = time.process_time()
    OfflineGeocoder()
    assert time.process_time() - started < 0.1
    geocoder, load_seconds = timed_load
    # About a second on the 2-core dev machine; the bound catches a tenfold regression.
    assert load_seconds < 4
    assert len(geocoder.cities) > 30_000


def test_paris(geocoder: OfflineGeocoder) -> None:
    paris = one(geocoder, "Paris")
    assert paris.raw["name"] == "Paris"
    assert paris.raw["country_code"] == "FR"
    assert paris.raw["country"] == "France"
    assert paris.raw["population"] > 2_000_000
    assert paris.raw["geonameid"] == 2988507
    assert paris.address == "Paris, France"
    assert haversine_km(paris.latitude, paris.longitude, 48.8566, 2.3522) < 2


@pytest.mark.parametrize("query", ["paris, fr", "Paris, France", "  PARIS ,FR ", "Paris, FRA"])
def test_country_after_a_comma(geocoder: OfflineGeocoder, query: str) -> None:
    assert one(geocoder, query).raw["geonameid"] == 2988507


def test_paris_texas_by_state(geocoder: OfflineGeocoder) -> None:
    texas = one(geocoder, "Paris, TX")
    assert (texas.raw["country_code"], texas.raw["region"]) == ("US", "Texas")
    assert one(geocoder, "Paris, Texas, US").raw["geonameid"] == texas.raw["geonameid"]


def test_accents_and_alternate_names(geocoder: OfflineGeocoder) -> None:
    accented, plain = one(geocoder, "São Paulo"), one(geocoder, "Sao Paulo")
    assert accented.raw["geonameid"] == plain.raw["geonameid"] == 3448439
    assert accented.raw["country_code"] == "BR"
    assert one(geocoder, "Lodz").raw["name"] == "Łódź"
    assert one(geocoder, "Munchen").raw["name"] == "Munich"
    assert one(geocoder, "Bombay").raw["name"] == "Mumbai"
    assert one(geocoder, "東京").raw["name"] == "Tokyo"


def test_springfield_us_is_the_largest_and_lists_all(geocoder: OfflineGeocoder) -> None:
    largest = one(geocoder, "Springfield, US")
    every = geocoder.geocode("Springfield, US", exactly_one=False)
    assert isinstance(every, list) and len(every) >= 5
    assert {loc.raw["country_code"] for loc in every} == {"US"}
    populations = [loc.raw["population"] for loc in every]
    assert populations == sorted(populations, reverse=True)
    assert largest.raw == every[0].raw
    assert largest.address == "Springfield, Missouri, United States"
    assert geocoder.geocode("Springfield, US", exactly_one=False, limit=2) == every[:2]
    illinois = one(geocoder, "Springfield, IL")
    assert illinois.raw["region"] == "Illinois"


def test_country_codes_filter(geocoder: OfflineGeocoder) -> None:
    canada = one(geocoder, "London") and geocoder.geocode("London", country_codes="ca")
    assert isinstance(canada, Location)
    assert canada.raw["country_code"] == "CA"


@pytest.mark.parametrize("query", ["xqzvbnmkw", "", "   ", "Paris, Narnia", ",", "Springfield, FR"])
def test_nonsense_finds_nothing(geocoder: OfflineGeocoder, query: str) -> None:
    assert geocoder.geocode(query) is None
    assert geocoder.geocode(query, exactly_one=False) == []


def test_reverse_near_a_major_city_gives_the_city(geocoder: OfflineGeocoder) -> None:
    # 6 km south of the centre of Paris, 1 km from the centre of the suburb Villejuif.
    near_paris = geocoder.reverse((48.80, 2.35))
    assert isinstance(near_paris, Location)
    assert near_paris.raw["geonameid"] == 2988507
    yokohama = geocoder.reverse(Point(35.44, 139.64))
    assert yokohama is not None and yokohama.raw == one(geocoder, "Yokohama").raw
    new_york = geocoder.reverse("40.7128, -74.0060")
    assert new_york is not None and new_york.raw["name"] == "New York City"
    candidates = geocoder.reverse((48.80, 2.35), exactly_one=False)
    assert isinstance(candidates, list) and len(candidates) > 5


@pytest.mark.parametrize(
    ("lat", "lon", "name"),
    [
        (48.8049, 2.1204, "Versailles"),
        (40.7357, -74.1724, "Newark"),
        (37.8044, -122.2712, "Oakland"),
    ],
)
def test_reverse_keeps_a_real_city_next_to_a_giant(
    geocoder: OfflineGeocoder, lat: float, lon: float, name: str
) -> None:
    location = geocoder.reverse((lat, lon))
    assert location is not None and location.raw["name"] == name


def test_reverse_in_the_open_ocean_finds_nothing(geocoder: OfflineGeocoder) -> None:
    assert geocoder.reverse((0.0, -30.0)) is None
    assert geocoder.reverse((0.0, -30.0), exactly_one=False) == []


def test_place_at_snaps_to_the_city_centre(geocoder: OfflineGeocoder) -> None:
    place = geocoder.place_at(48.80, 2.35)
    assert place is not None and place.name == "Paris"
    assert (place.lat, place.lon) == (48.85341, 2.3488)


def test_search_autocompletes_by_population(geocoder: OfflineGeocoder) -> None:
    found = geocoder.search("par", limit=5)
    assert [place.display_name for place in found][:1] == ["Paris, France"]
    assert len(found) == 5
    assert all(place.name.lower().startswith("par") for place in found)
    populations = [place.population for place in found]
    assert populations == sorted(populations, reverse=True)
    assert geocoder.search("sao pa", limit=1)[0].name == "São Paulo"
    assert [p.region for p in geocoder.search("springf, us", limit=3)] == [
        "Missouri",
        "Massachusetts",
        "Illinois",
    ]
    assert geocoder.search("xqzvbnm", limit=5) == []
    assert geocoder.search("par", limit=0) == []


def test_search_result_shapes_the_autocomplete_json(geocoder: OfflineGeocoder) -> None:
    place = geocoder.search("Springfield", limit=1)[0]
    assert place.as_suggestion() == {
        "name": "Springfield",
        "country": "United States",
        "population": 170188,
        "display_name": "Springfield, Missouri, United States",
    }
    assert place.as_raw()["geonameid"] == place.geonameid
