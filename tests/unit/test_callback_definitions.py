from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.domain.callback_definitions import (
    CONTENT_TYPES,
    FORM,
    HTTP_METHODS,
    JSON,
    Definition,
    parse,
    parse_all,
)
from foxden.domain.callbacks import VARIABLES, CallbackType, Channel, ValueKind
from foxden.domain.errors import InvalidInput

ABSENT = object()

URL: dict[str, Any] = {
    "channel": "URL",
    "callbackType": 0,
    "callbackSubtype": 2,
    "url": "https://example.com/in",
    "httpMethod": "POST",
}
BATCH_URL: dict[str, Any] = {
    "channel": "BATCH_URL",
    "callbackType": 0,
    "callbackSubtype": 2,
    "url": "https://example.com/batch",
    "linePattern": "{device};{data}",
}
EMAIL: dict[str, Any] = {
    "channel": "EMAIL",
    "callbackType": 0,
    "callbackSubtype": 2,
    "subject": "{device}",
    "recipient": "ops@example.com",
    "message": "{data}",
}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    merged = {**base, **changes}
    return {key: value for key, value in merged.items() if value is not ABSENT}


def json_body(body: str, **changes: Any) -> dict[str, Any]:
    return with_(URL, contentType=JSON, bodyTemplate=body, **changes)


UNKNOWN = "unknown variable {foo} for DATA UPLINK callbacks"
NOT_JSON = (
    "bodyTemplate must be JSON once its variables are filled in: {}"
    " (a text variable such as {{device}} goes inside quotes)"
)

# Every rule of a definition: the definition breaking it, and the message naming the field.
INVALID: list[tuple[Any, str]] = [
    ([], "a callback definition must be a JSON object"),
    ("URL", "a callback definition must be a JSON object"),
    (with_(URL, channel=ABSENT), "channel must be URL, BATCH_URL or EMAIL"),
    (with_(URL, channel="SMS"), "channel must be URL, BATCH_URL or EMAIL"),
    (with_(URL, channel=0), "channel must be URL, BATCH_URL or EMAIL"),
    (with_(URL, callbackType=ABSENT), "callbackType must be 0 (DATA), 1 (SERVICE) or 2 (ERROR)"),
    (with_(URL, callbackType=3), "callbackType must be 0 (DATA), 1 (SERVICE) or 2 (ERROR)"),
    (with_(URL, callbackType="0"), "callbackType must be an integer"),
    (with_(URL, callbackType=True), "callbackType must be an integer"),
    (with_(URL, callbackType=0.0), "callbackType must be an integer"),
    (
        with_(URL, callbackSubtype=ABSENT),
        "callbackSubtype must be 2 (UPLINK) or 3 (BIDIR) for DATA callbacks",
    ),
    (
        with_(URL, callbackSubtype=0),
        "callbackSubtype must be 2 (UPLINK) or 3 (BIDIR) for DATA callbacks",
    ),
    (
        with_(URL, callbackType=1, callbackSubtype=2),
        "callbackSubtype must be 0 (STATUS), 1 (GEOLOC), 4 (ACKNOWLEDGE), 5 (REPEATER)"
        " or 6 (DATA_ADVANCED) for SERVICE callbacks",
    ),
    (
        with_(URL, callbackType=2, callbackSubtype=3),
        "callbackSubtype must be 0 for ERROR callbacks",
    ),
    (with_(URL, callbackSubtype="2"), "callbackSubtype must be an integer"),
    (with_(URL, enabled="yes"), "enabled must be true or false"),
    (with_(URL, sendDuplicate=1), "sendDuplicate must be true or false"),
    (with_(URL, payloadConfig=5), "payloadConfig must be a string"),
    (
        with_(URL, payloadConfig="t::uint:8 x"),
        "payloadConfig: invalid payload config at position 11: expected name:byte_index:type",
    ),
    (
        with_(URL, callbackType=1, callbackSubtype=0, payloadConfig="t::uint:8"),
        "payloadConfig is only for DATA callbacks",
    ),
    (with_(URL, url=ABSENT), "url is required"),
    (with_(URL, url=""), "url is required"),
    (with_(URL, url=["https://example.com"]), "url must be a string"),
    (with_(URL, url="ftp://example.com/in"), "url must be an absolute http or https URL"),
    (with_(URL, url="/in"), "url must be an absolute http or https URL"),
    (with_(URL, url="https:///in"), "url must be an absolute http or https URL"),
    (with_(URL, url="https://exa mple.com/"), "url must not contain spaces or control characters"),
    (with_(URL, url="https://h/\x01"), "url must not contain spaces or control characters"),
    (with_(URL, url="http://[::1/in"), "url is not a valid URL: Invalid IPv6 URL"),
    (with_(URL, url="http://h:99999/"), "url is not a valid URL: Port out of range 0-65535"),
    (with_(URL, url="https://h/{foo}"), f"url: {UNKNOWN}"),
    (with_(URL, httpMethod=ABSENT), "httpMethod must be GET, POST or PUT"),
    (with_(URL, httpMethod="DELETE"), "httpMethod must be GET, POST or PUT"),
    (with_(URL, httpMethod="post"), "httpMethod must be GET, POST or PUT"),
    (with_(URL, headers=["X"]), "headers must be a JSON object of strings"),
    (with_(URL, headers={"X-N": 1}), "headers must be a JSON object of strings"),
    (with_(URL, headers={"Bad Name": "v"}), "headers: 'Bad Name' is not a valid header name"),
    (with_(URL, headers={"": "v"}), "headers: '' is not a valid header name"),
    (
        with_(URL, headers={"Content-Length": "1"}),
        "headers: Content-Length is computed by the sender and cannot be set",
    ),
    (
        with_(URL, headers={"X-A": "a\r\nX-B: b"}),
        "headers.X-A must not contain line breaks or control characters",
    ),
    (with_(URL, headers={"X-A": "{foo}"}), f"headers.X-A: {UNKNOWN}"),
    (with_(URL, sendSni="false"), "sendSni must be true or false"),
    (
        with_(URL, contentType="text/html"),
        "contentType must be application/x-www-form-urlencoded, application/json or text/plain",
    ),
    (with_(URL, bodyTemplate=3), "bodyTemplate must be a string"),
    (
        with_(URL, httpMethod="GET", bodyTemplate="a=1"),
        "bodyTemplate is only sent with POST or PUT",
    ),
    (with_(URL, bodyTemplate="d={foo}"), f"bodyTemplate: {UNKNOWN}"),
    (
        with_(URL, bodyTemplate="a=1&b"),
        "bodyTemplate must be key=value pairs joined by &: pair 1 is 'b'",
    ),
    (
        with_(URL, bodyTemplate="=1"),
        "bodyTemplate must be key=value pairs joined by &: pair 0 is '=1'",
    ),
    (
        with_(URL, bodyTemplate="a=1&"),
        "bodyTemplate must be key=value pairs joined by &: pair 1 is ''",
    ),
    (json_body('{"device": {device}}'), NOT_JSON.format("Expecting value at position 11")),
    (
        json_body('{"d": "{device}", "n": {time}'),
        NOT_JSON.format("Expecting ',' delimiter at position 29"),
    ),
    (with_(URL, contentType=JSON), NOT_JSON.format("Expecting value at position 0")),
    (json_body('{"a": NaN}'), NOT_JSON.format("NaN is not JSON")),
    (
        json_body("[" * 100_000),
        NOT_JSON.format(
            "maximum recursion depth exceeded while decoding a JSON array from a unicode string"
        ),
    ),
    (
        with_(URL, bodyTemplate="t={ack}"),
        "bodyTemplate: unknown variable {ack} for DATA UPLINK callbacks",
    ),
    (
        with_(URL, bodyTemplate="t={customData#t}"),
        "bodyTemplate: {customData#t} needs a field named 't' in payloadConfig",
    ),
    (
        with_(URL, payloadConfig="u::uint:8", bodyTemplate="t={customData#t}"),
        "bodyTemplate: {customData#t} needs a field named 't' in payloadConfig",
    ),
    (
        with_(URL, callbackType=1, callbackSubtype=0, url="https://h/{customData#t}"),
        "url: unknown variable {customData#t} for SERVICE STATUS callbacks",
    ),
    (
        with_(URL, callbackType=2, callbackSubtype=ABSENT, url="https://h/{data}"),
        "url: unknown variable {data} for ERROR callbacks",
    ),
    (
        with_(URL, callbackType=1, callbackSubtype=6, bodyTemplate="d={device}", contentType=FORM),
        "a SERVICE DATA_ADVANCED callback sends a JSON body: httpMethod must be POST or PUT and"
        " contentType application/json",
    ),
    (
        with_(URL, callbackType=1, callbackSubtype=6, httpMethod="GET"),
        "a SERVICE DATA_ADVANCED callback sends a JSON body: httpMethod must be POST or PUT and"
        " contentType application/json",
    ),
    (
        with_(URL, callbackType=1, callbackSubtype=6, bodyTemplate='{"d": "{duplicates}"}'),
        NOT_JSON.format("Expecting ',' delimiter at position 7"),
    ),
    (with_(BATCH_URL, url="mailto:ops@example.com"), "url must be an absolute http or https URL"),
    (with_(BATCH_URL, httpMethod="GET"), "httpMethod of a BATCH_URL callback must be POST"),
    (with_(BATCH_URL, httpMethod=1), "httpMethod must be a string"),
    (with_(BATCH_URL, linePattern=ABSENT), "linePattern is required"),
    (with_(BATCH_URL, linePattern="{foo};"), f"linePattern: {UNKNOWN}"),
    (with_(BATCH_URL, sendSni=0), "sendSni must be true or false"),
    (with_(EMAIL, subject=ABSENT), "subject is required"),
    (
        with_(EMAIL, subject="a\nBcc: x@example.com"),
        "subject must be one line, without control characters",
    ),
    (with_(EMAIL, subject="{foo}"), f"subject: {UNKNOWN}"),
    (with_(EMAIL, recipient=ABSENT), "recipient is required"),
    (with_(EMAIL, recipient="ops"), "recipient must be a valid email address"),
    (with_(EMAIL, recipient="ops@"), "recipient must be a valid email address"),
    (with_(EMAIL, recipient="a@b@example.com"), "recipient must be a valid email address"),
    (
        with_(EMAIL, recipient="a@example.com, b@example.com"),
        "recipient must be a valid email address",
    ),
    (with_(EMAIL, recipient="{device}@example.com x"), "recipient must be a valid email address"),
    (with_(EMAIL, recipient=f"{'a' * 250}@example.com"), "recipient must be a valid email address"),
    (with_(EMAIL, message=ABSENT), "message is required"),
    (with_(EMAIL, message=""), "message is required"),
    (with_(EMAIL, message="{foo}"), f"message: {UNKNOWN}"),
    (
        with_(EMAIL, callbackType=2, callbackSubtype=0, subject="{data}"),
        "subject: unknown variable {data} for ERROR callbacks",
    ),
]


@pytest.mark.parametrize(("definition", "message"), INVALID)
def test_each_rule_names_the_field_at_fault(definition: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse(definition)
    assert raised.value.message == message


def test_parse_all_names_the_index_of_the_first_invalid_definition() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_all([URL, with_(URL, httpMethod="PATCH"), with_(URL, url="")])
    assert raised.value.message == "callback 1: httpMethod must be GET, POST or PUT"


def test_the_seed_example_parses() -> None:
    seed_url = with_(
        URL,
        url="http://myserver.com/sigfox/callback",
        enabled=True,
        sendDuplicate=False,
        sendSni=False,
        payloadConfig="var1::bool:1",
        bodyTemplate="device : {device} / {customData#var1}",
        headers={"time": "{time}"},
        contentType="text/plain",
    )
    seed_batch = with_(
        BATCH_URL,
        url="http://myserver.com/sigfox/callback/batch",
        linePattern="{device};{data};",
        enabled=True,
        sendDuplicate=False,
        sendSni=False,
    )
    assert parse_all([seed_url, seed_batch]) == [
        Definition(
            channel=Channel.URL,
            callback_type=CallbackType.DATA,
            callback_subtype=2,
            enabled=True,
            send_duplicate=False,
            payload_config="var1::bool:1",
            settings={
                "url": "http://myserver.com/sigfox/callback",
                "httpMethod": "POST",
                "sendSni": False,
                "contentType": "text/plain",
                "bodyTemplate": "device : {device} / {customData#var1}",
                "headers": {"time": "{time}"},
            },
        ),
        Definition(
            channel=Channel.BATCH_URL,
            callback_type=CallbackType.DATA,
            callback_subtype=2,
            enabled=True,
            send_duplicate=False,
            payload_config=None,
            settings={
                "url": "http://myserver.com/sigfox/callback/batch",
                "httpMethod": "POST",
                "linePattern": "{device};{data};",
                "sendSni": False,
            },
        ),
    ]


def test_defaults_fill_what_is_absent_or_null() -> None:
    nulls = dict.fromkeys(
        ["enabled", "sendDuplicate", "sendSni", "contentType", "headers", "payloadConfig"]
    )
    for definition in (URL, with_(URL, **nulls, bodyTemplate=None)):
        parsed = parse(definition)
        assert (parsed.enabled, parsed.send_duplicate, parsed.payload_config) == (True, False, None)
        assert parsed.settings == {
            "url": "https://example.com/in",
            "httpMethod": "POST",
            "sendSni": False,
            "contentType": FORM,
        }


def test_unknown_members_and_other_channels_fields_are_ignored() -> None:
    parsed = parse(with_(EMAIL, url="not a url", httpMethod="PATCH", dead=True, colour="red"))
    assert parsed.settings == {
        "subject": "{device}",
        "recipient": "ops@example.com",
        "message": "{data}",
    }


def test_an_error_callback_has_subtype_zero() -> None:
    parsed = parse(
        with_(EMAIL, callbackType=2, callbackSubtype=ABSENT, subject="{severity}", message="{info}")
    )
    assert (parsed.callback_type, parsed.callback_subtype) == (CallbackType.ERROR, 0)
    assert (
        parse(
            with_(EMAIL, callbackType=2, callbackSubtype=0, message="{info}", subject="{time}")
        ).callback_subtype
        == 0
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"device": "{device}", "time": {time}, "seq": "{seqNumber}", "dup": {duplicate}}',
        '{"{device}": {rssi}, "label": "{device}-{data} at {time}"}',
        '[{avgSnr}, -{lat}, {lng}, "{station}", {snr}]',
        '{"t": {customData#t}, "ok": {customData#ok}, "s": "{customData#s}"}',
        "{time}",
    ],
)
def test_a_json_body_takes_text_inside_quotes_and_other_values_anywhere(body: str) -> None:
    config = "t::int:16 ok::bool:0 s::char:2"
    assert parse(json_body(body, payloadConfig=config)).settings["bodyTemplate"] == body


def test_a_text_custom_field_must_be_quoted_in_json() -> None:
    with pytest.raises(InvalidInput, match="Expecting value at position 6"):
        parse(json_body('{"s": {customData#s}}', payloadConfig="s::char:2"))


@pytest.mark.parametrize("body", ["", "a=1", "d={device}&t={time}&empty=", "{device}={data}"])
def test_a_form_body_is_key_value_pairs(body: str) -> None:
    assert parse(with_(URL, bodyTemplate=body)).settings.get("bodyTemplate") == (body or None)


def test_a_text_body_is_free() -> None:
    body = "{device} & = {data} {\n"
    assert (
        parse(with_(URL, contentType="text/plain", bodyTemplate=body)).settings["bodyTemplate"]
        == body
    )


def test_variables_may_stand_anywhere_in_the_url_even_the_host() -> None:
    url = "https://{device}.example.com:8443/in/{deviceTypeId}?d={data}&t={time}#{seqNumber}"
    assert parse(with_(URL, url=url)).settings["url"] == url


def test_a_data_advanced_callback_defaults_to_json() -> None:
    body = '{"device": "{device}", "duplicates": {duplicates}, "loc": {computedLocation}}'
    parsed = parse(with_(URL, callbackType=1, callbackSubtype=6, bodyTemplate=body))
    assert parsed.settings["contentType"] == JSON


def _uses_everything(variables: dict[str, ValueKind]) -> str:
    members = [
        f'"{name}": "{{{name}}}"' if kind is ValueKind.TEXT else f'"{name}": {{{name}}}'
        for name, kind in variables.items()
    ]
    return "{" + ", ".join(members) + "}"


@pytest.mark.parametrize("kind", list(VARIABLES), ids=str)
def test_every_variable_of_a_kind_is_accepted_everywhere(kind: tuple[int, int]) -> None:
    variables = dict(VARIABLES[kind])
    everything = "/".join(f"{{{name}}}" for name in variables)
    callback_type, subtype = kind
    common = {"callbackType": callback_type, "callbackSubtype": subtype}
    body = _uses_everything(variables)
    parse(
        json_body(body, **common, headers={"X-All": everything}, url=f"https://h/?q={everything}")
    )
    parse(with_(BATCH_URL, **common, linePattern=everything))
    parse(with_(EMAIL, **common, subject=everything, message=everything))


def test_legacy_variables_are_accepted() -> None:
    parse(with_(URL, url="https://h/?a={avgSnr}&lat={lat}&lng={lng}&dup={duplicate}"))
    parse(with_(URL, callbackSubtype=3, url="https://h/?ack={ack}&lp={longPolling}"))
    parse(with_(URL, callbackType=1, callbackSubtype=0, url="https://h/?s={signal}&t={temp}"))
    parse(with_(URL, callbackType=1, callbackSubtype=5, url="https://h/?o={overRegulmsg}"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
template_text = st.lists(
    st.sampled_from(list('{}"&=: ,[]ab1#\r\n'))
    | st.sampled_from(["{device}", "{time}", "{customData#t}", "{ack}", "{severity}", "{foo}"]),
    max_size=10,
).map("".join)
# Each member mostly well formed, so that random definitions reach the deeper rules.
members: dict[str, st.SearchStrategy[Any]] = {
    "enabled": st.booleans(),
    "sendDuplicate": st.booleans(),
    "payloadConfig": st.sampled_from(["t::uint:8 ok::bool:0 s::char:2", "", "t::"]),
    "url": st.sampled_from(["https://h/{device}", "http://h:1/?t={time}", "ftp://h"])
    | template_text.map("https://h/".__add__),
    "httpMethod": st.sampled_from([*HTTP_METHODS, "PATCH"]),
    "headers": st.dictionaries(
        st.sampled_from(["X-A", "Bad Name", "Content-Length"]), template_text, max_size=2
    ),
    "sendSni": st.booleans(),
    "contentType": st.sampled_from([*CONTENT_TYPES, "text/html"]),
    "bodyTemplate": template_text,
    "linePattern": template_text,
    "subject": template_text,
    "recipient": st.sampled_from(["ops@example.com", "ops", ""]) | st.text(max_size=12),
    "message": template_text,
}
kinds = st.sampled_from(list(VARIABLES)).map(
    lambda kind: {"callbackType": kind[0], "callbackSubtype": kind[1]}
)
well_formed = st.builds(
    lambda channel, kind, rest: {"channel": channel, **kind, **rest},
    st.sampled_from(list(Channel)),
    kinds,
    st.fixed_dictionaries({}, optional=members),
)
anything = st.fixed_dictionaries(
    {},
    optional={
        "channel": st.sampled_from([*Channel, "SMS"]) | json_values,
        "callbackType": st.integers(-1, 3) | json_values,
        "callbackSubtype": st.integers(-1, 7) | json_values,
        **{key: value | json_values for key, value in members.items()},
    },
)


@given(well_formed | anything | json_values)
def test_any_input_gives_a_definition_or_invalid_input(raw: Any) -> None:
    try:
        parsed = parse(raw)
    except InvalidInput as error:
        assert error.message
        return
    assert isinstance(raw, dict)
    assert parsed.channel == raw["channel"]
    assert (parsed.callback_type, parsed.callback_subtype) in VARIABLES
    assert parse(parsed_back(parsed)) == parsed


def parsed_back(definition: Definition) -> dict[str, Any]:
    """The API form of a definition: parsing it again must give the same definition."""
    return {
        "channel": definition.channel.value,
        "callbackType": definition.callback_type,
        "callbackSubtype": definition.callback_subtype,
        "enabled": definition.enabled,
        "sendDuplicate": definition.send_duplicate,
        "payloadConfig": definition.payload_config,
        **definition.settings,
    }
