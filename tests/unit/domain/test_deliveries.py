from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain import deliveries
from foxden.domain.callbacks import ValueKind
from foxden.domain.deliveries import Heard, Where, format_value
from foxden.domain.devices import LinkQuality
from foxden.domain.messages import Message, Reception
from foxden.domain.uplinks import FrameKind

KINDS = {"label": ValueKind.TEXT, "n": ValueKind.NUMBER, "flag": ValueKind.BOOLEAN}
any_text = st.text(max_size=40)
# Values a decoded field or a radio figure can take.
values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    any_text,
)


def _message(**changes: object) -> Message:
    fields: dict[str, object] = {
        "id": 42,
        "device_id": "BEEF",
        "device_type_id": "a" * 24,
        "time": 1_790_000_001_999,
        "seq_number": 17,
        "kind": FrameKind.DATA,
        "data": "0102ff",
        "ack": True,
        "rssi": -100.0,
        "snr": 8.5,
        "link_quality": LinkQuality.GOOD,
        "forwarded": True,
        "receptions": (
            Reception("1A2B", -100.0, 8.5, 1_790_000_001_999),
            Reception("3C4D", -110.456, 3.333, 1_790_000_002_100),
        ),
    }
    fields.update(changes)
    return Message(**fields)  # type: ignore[arg-type]


def test_variables_of_a_message_as_one_station_heard_it() -> None:
    message = _message()
    heard = Heard(
        message,
        message.receptions[1],
        station_position=(43.56, 1.49),
        duplicate=True,
        link_window=tuple((float(n), -100.0) for n in range(15)),
    )
    assert deliveries.variables(heard, "b::uint:8 rest::uint:16") == {
        "device": "BEEF",
        "deviceTypeId": "a" * 24,
        "time": 1_790_000_001,
        "data": "0102ff",
        "seqNumber": 17,
        "ack": True,
        "longPolling": False,
        "duplicate": True,
        "station": "3C4D",
        "snr": 3.33,
        "rssi": -110.46,
        "avgSnr": 7.0,
        "lat": 44,
        "lng": 1,
        "linkQuality": 2,
        "customData#b": 1,
        "customData#rest": 0x02FF,
    }


def test_a_short_frame_leaves_empty_only_the_custom_data_it_leaves_out() -> None:
    config = "a::uint:8 b::uint:16 c::uint:8"
    values = deliveries.variables(Heard(_message(data="0102"), None), config)
    assert values["customData#a"] == 1
    assert values["customData#b"] == 2
    assert values["customData#c"] is None
    assert values["station"] is None
    assert values["avgSnr"] is None


@pytest.mark.parametrize(
    ("value", "kind", "where", "text"),
    [
        (None, ValueKind.NUMBER, Where.JSON, "null"),
        (None, ValueKind.TEXT, Where.JSON, ""),
        (None, ValueKind.NUMBER, Where.FORM, ""),
        (True, ValueKind.BOOLEAN, Where.URL, "true"),
        (-120.5, ValueKind.NUMBER, Where.TEXT, "-120.5"),
        (float("nan"), ValueKind.NUMBER, Where.JSON, "null"),
        ('a "b"\n', ValueKind.TEXT, Where.JSON, 'a \\"b\\"\\n'),
        ("a&b=c d", ValueKind.TEXT, Where.FORM, "a%26b%3Dc%20d"),
        ("x\r\nEvil: 1", ValueKind.TEXT, Where.HEADER, "x  Evil: 1"),
        ("a\x00b\tc\x7fdé", ValueKind.TEXT, Where.HEADER, "a b c dé"),
        ([{"bsId": "1A2B"}], ValueKind.JSON, Where.JSON, '[{"bsId":"1A2B"}]'),
    ],
)
def test_format_value(value: object, kind: ValueKind, where: Where, text: str) -> None:
    assert format_value(value, kind, where) == text  # type: ignore[arg-type]


@given(label=values, n=values, flag=values)
def test_a_json_body_stays_json_whatever_the_values(label: object, n: object, flag: object) -> None:
    settings = {
        "url": "http://example.com/",
        "httpMethod": "POST",
        "contentType": "application/json",
        "bodyTemplate": '{"label": "{label}", "n": {n}, "flag": {flag}}',
    }
    # A number or boolean variable only ever holds a number, a boolean or nothing.
    numeric = n if not isinstance(n, str) else None
    boolean = flag if isinstance(flag, bool) or flag is None else None
    body = deliveries.http_request(
        settings, {"label": label, "n": numeric, "flag": boolean}, KINDS
    ).body
    assert body is not None
    parsed = json.loads(body)
    if isinstance(label, str):
        assert parsed["label"] == label


@given(label=any_text)
def test_form_and_url_values_round_trip(label: str) -> None:
    settings = {
        "url": "http://example.com/p?l={label}",
        "httpMethod": "POST",
        "bodyTemplate": "l={label}&x=1",
    }
    request = deliveries.http_request(settings, {"label": label}, KINDS)
    assert request.content_type == "application/x-www-form-urlencoded"
    assert parse_qs(request.body or "", keep_blank_values=True) == {"l": [label], "x": ["1"]}
    query = parse_qs(urlsplit(request.url).query, keep_blank_values=True)
    assert query == {"l": [label]}


@given(label=any_text)
def test_a_header_value_never_breaks_the_line(label: str) -> None:
    settings = {"url": "http://example.com/", "headers": {"X-Label": "{label}"}}
    request = deliveries.http_request(settings, {"label": label}, KINDS)
    assert request.method == "GET"
    assert request.body is None
    assert "\r" not in request.headers["X-Label"] and "\n" not in request.headers["X-Label"]


def test_a_batch_request_has_one_line_per_message() -> None:
    settings = {"url": "http://example.com/batch", "linePattern": "{label};{n}"}
    lines = [
        deliveries.batch_line(settings, {"label": "a\nb", "n": 1}, KINDS),
        deliveries.batch_line(settings, {"label": "c", "n": None}, KINDS),
    ]
    request = deliveries.batch_request(settings, lines)
    assert (request.method, request.body, request.content_type) == (
        "POST",
        "a b;1\nc;",
        "text/plain",
    )


def test_a_mail_subject_stays_on_one_line() -> None:
    mail = deliveries.mail(
        {"recipient": "ops@example.com", "subject": "{label}", "message": "{label}!"},
        {"label": "x\ny"},
        KINDS,
    )
    assert mail == deliveries.Mail("ops@example.com", "x y", "x\ny!")
