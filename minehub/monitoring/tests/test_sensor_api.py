"""``POST /api/v1/monitoring/readings``: loggers push results with a token, idempotently."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from minehub.core.testing import client_for, make_persona
from minehub.monitoring.models import (
    BatchSource,
    Measurement,
    SensorToken,
    Site,
)
from minehub.monitoring.sensors import issue_secret

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring/readings"


def _token(**values: Any) -> str:
    token = SensorToken(name="Logger 1", **values)
    secret = issue_secret(token)
    token.save()
    return secret


def _push(secret: str, body: dict[str, Any]) -> Any:
    return Client().post(
        URL,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def _readings(*values: object, station: str = "MN-ZAA-W01") -> list[dict[str, Any]]:
    moment = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    return [
        {
            "station": station,
            "parameter": "As",
            "sampled_at": (moment - timedelta(minutes=10 * index)).isoformat(),
            "value": value,
            "unit": "mg/L",
        }
        for index, value in enumerate(values)
    ]


def test_a_push_is_imported_and_a_retry_adds_nothing(registry: None) -> None:
    secret = _token()
    body = {"client_id": "zaa-w01-0001", "readings": _readings(0.004, "<0.001", 0.002)}
    first = _push(secret, body)
    assert first.status_code == 201, first.content
    outcome = first.json()
    assert (outcome["rows_valid"], outcome["rows_added"], outcome["replayed"]) == (3, 3, False)
    assert Measurement.objects.count() == 3
    non_detect = Measurement.objects.get(non_detect=True)
    assert non_detect.value == 0.001 and non_detect.qualifier == "<"
    retry = _push(secret, body)
    assert retry.status_code == 200
    assert retry.json()["import_id"] == outcome["import_id"] and retry.json()["replayed"]
    assert Measurement.objects.count() == 3
    assert SensorToken.objects.get().last_used_at is not None
    batch = Measurement.objects.first().batch
    assert batch.source == BatchSource.API and batch.client_id == "zaa-w01-0001"


def test_the_same_client_id_with_other_readings_is_refused(registry: None) -> None:
    secret = _token()
    _push(secret, {"client_id": "x-1", "readings": _readings(0.004)})
    response = _push(secret, {"client_id": "x-1", "readings": _readings(0.005)})
    assert response.status_code == 409
    assert Measurement.objects.count() == 1


def test_invalid_readings_are_listed_and_the_valid_ones_imported(registry: None) -> None:
    secret = _token()
    readings = _readings(0.004, "abc", -1) + _readings(0.1, station="NO-SUCH")
    response = _push(secret, {"client_id": "mixed", "readings": readings})
    assert response.status_code == 201
    outcome = response.json()
    assert (outcome["rows_total"], outcome["rows_valid"], outcome["rows_invalid"]) == (4, 1, 3)
    codes = {(error["row"], error["code"]) for error in outcome["errors"]}
    assert codes == {(2, "unparseable_value"), (3, "negative_value"), (4, "unknown_station")}
    assert all(error["message"] for error in outcome["errors"])
    assert Measurement.objects.count() == 1


def test_a_push_with_nothing_valid_imports_nothing(registry: None) -> None:
    response = _push(_token(), {"client_id": "bad", "readings": _readings("n/a")})
    assert response.status_code == 201 and response.json()["status"] == "discarded"
    assert not Measurement.objects.exists()


def test_a_site_token_may_only_feed_its_own_stations(registry: None) -> None:
    secret = _token(site=Site.objects.get(code="KG-CHT"))
    response = _push(secret, {"client_id": "a", "readings": _readings(0.004)})
    assert response.status_code == 403
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("authorization", ["", "Bearer wrong", "Token x", "Bearer "])
def test_a_push_without_a_valid_token_is_refused(registry: None, authorization: str) -> None:
    response = Client().post(
        URL,
        json.dumps({"client_id": "a", "readings": _readings(0.004)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=authorization,
    )
    assert response.status_code == 401
    assert not Measurement.objects.exists()


def test_a_revoked_token_and_a_logged_in_session_cannot_push(registry: None) -> None:
    secret = _token(revoked_at=timezone.now())
    assert _push(secret, {"client_id": "a", "readings": _readings(0.004)}).status_code == 401
    # A browser session is no sensor token, even an inspector's.
    inspector = client_for(make_persona("inspector"))
    response = inspector.post(
        URL, {"client_id": "a", "readings": _readings(0.004)}, content_type="application/json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"readings": []},
        {"client_id": "", "readings": [{"station": "MN-ZAA-W01"}]},
        {"client_id": "a", "readings": "nope"},
        {
            "client_id": "a",
            "readings": [
                {"station": "MN-ZAA-W01", "parameter": "As", "sampled_at": "yesterday", "value": 1}
            ],
        },
    ],
)
def test_malformed_pushes_get_a_clear_422(registry: None, body: dict[str, Any]) -> None:
    response = _push(_token(), body)
    assert response.status_code == 422
    assert "detail" in response.json()
    assert not Measurement.objects.exists()


def test_only_the_hash_of_a_secret_is_stored(registry: None) -> None:
    secret = _token()
    token = SensorToken.objects.get()
    assert secret not in (token.key_hash, token.prefix) and secret.startswith(token.prefix)


def test_a_data_steward_makes_a_token_in_the_admin_and_sees_its_secret_once(
    registry: None,
) -> None:
    steward = client_for(make_persona("data_steward"))
    response = steward.post(
        "/en/admin/monitoring/sensortoken/add/",
        {"name": "Zaamar logger", "publish": "on"},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    secret = next(word for text in shown for word in text.split() if word.startswith("mh_"))
    token = SensorToken.objects.get(name="Zaamar logger")
    assert token.key_hash != secret and token.created_by.email == "data_steward@personas.test"
    assert (
        secret
        not in steward.get(f"/en/admin/monitoring/sensortoken/{token.pk}/change/").content.decode()
    )
    push = _push(secret, {"client_id": "first", "readings": _readings(0.004)})
    assert push.status_code == 201
    # A member without the role cannot reach the tokens.
    member = client_for(make_persona("member"))
    assert member.get("/en/admin/monitoring/sensortoken/").status_code == 302
