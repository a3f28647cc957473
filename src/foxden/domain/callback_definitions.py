"""Callback definitions as clients post them (seed 002 "Callback creation"), checked before any
is stored: a :class:`Definition`, or InvalidInput whose message starts with the field at fault.

What is checked, beyond the JSON types (``null`` counts as absent, unknown members are ignored):
the channel and its required fields; the subtype against its type (:data:`VARIABLES`); that
``payloadConfig`` compiles and belongs to a DATA callback; that every ``{variable}`` of a
template exists for the callback's kind, ``{customData#<field>}`` naming a field of its payload
config; and that the URL, the headers, the body and the recipient will make a well-formed
request or mail once the variables are filled in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from foxden.domain import templates
from foxden.domain.callbacks import (
    CUSTOM_DATA,
    ERROR_SUBTYPE,
    VARIABLES,
    CallbackSubtype,
    CallbackType,
    Channel,
    ValueKind,
    custom_variables,
    kind_name,
)
from foxden.domain.codec import Codec, compile
from foxden.domain.errors import InvalidInput

HTTP_METHODS = ("GET", "POST", "PUT")
# Bounds of a signing secret's length: long enough to resist guessing, short enough to store.
MIN_SECRET = 16
MAX_SECRET = 128
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
CONTENT_TYPES = (FORM, JSON, "text/plain")

# What stands for a variable while a template is checked: a text variable becomes a bare word,
# valid inside a JSON string and invalid outside one, which is where its value will be.
_SAMPLES = {
    ValueKind.TEXT: "x",
    ValueKind.NUMBER: "1",
    ValueKind.BOOLEAN: "true",
    ValueKind.JSON: '[""]',
}
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# Framing headers: the sender computes them from the body it sends.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")
_MAX_EMAIL = 254


@dataclass(frozen=True, slots=True)
class Definition:
    """A valid callback definition. ``settings`` holds its channel's own fields under their API
    names: url, httpMethod, headers, sendSni, contentType and bodyTemplate (URL); url,
    httpMethod, linePattern and sendSni (BATCH_URL); subject, recipient and message (EMAIL)."""

    channel: Channel
    callback_type: CallbackType
    callback_subtype: int
    enabled: bool
    send_duplicate: bool
    payload_config: str | None
    settings: dict[str, Any]
    signing_secret: str | None = None


def parse_all(raw: Sequence[object]) -> list[Definition]:
    """Every definition of a creation request, or InvalidInput for the first invalid one, its
    message prefixed with the index: ``callback 1: httpMethod must be GET, POST or PUT``."""
    definitions = []
    for index, item in enumerate(raw):
        try:
            definitions.append(parse(item))
        except InvalidInput as error:
            raise InvalidInput(f"callback {index}: {error.message}") from error
    return definitions


def parse(raw: object) -> Definition:
    """One definition, or InvalidInput naming the first field at fault."""
    fields = _Fields(raw)
    channel = Channel(fields.choice("channel", tuple(Channel)))
    callback_type = _callback_type(fields)
    subtype = _subtype(fields, callback_type)
    enabled = fields.flag("enabled", default=True)
    send_duplicate = fields.flag("sendDuplicate", default=False)
    codec = _codec(fields, callback_type)
    known = dict(VARIABLES[(callback_type, subtype)])
    if codec is not None:
        known.update(custom_variables(codec))
    variables = _Variables(known, callback_type, subtype)
    settings = _CHANNELS[channel](fields, variables)
    return Definition(
        signing_secret=_signing_secret(fields, channel),
        channel=channel,
        callback_type=callback_type,
        callback_subtype=subtype,
        enabled=enabled,
        send_duplicate=send_duplicate,
        payload_config=codec.config if codec is not None else None,
        settings=settings,
    )


def _signing_secret(fields: _Fields, channel: Channel) -> str | None:
    """foxden's ``signingSecret``: the key of an HTTP callback's request signatures."""
    secret = fields.text("signingSecret")
    if secret is None:
        return None
    if channel is Channel.EMAIL:
        raise InvalidInput("signingSecret: only URL and BATCH_URL requests are signed")
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not secret.isprintable():
        raise InvalidInput(
            f"signingSecret must be {MIN_SECRET} to {MAX_SECRET} printable characters"
        )
    return secret


class _Fields:
    """Typed reads of a definition's JSON members; ``null`` reads as absent."""

    def __init__(self, raw: object) -> None:
        if not isinstance(raw, Mapping):
            raise InvalidInput("a callback definition must be a JSON object")
        self._raw: Mapping[Any, object] = raw

    def text(self, name: str) -> str | None:
        value = self._raw.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be a string")
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise InvalidInput(f"{name} is required")
        return value

    def flag(self, name: str, *, default: bool) -> bool:
        value = self._raw.get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise InvalidInput(f"{name} must be true or false")
        return value

    def integer(self, name: str) -> int | None:
        value = self._raw.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidInput(f"{name} must be an integer")
        return value

    def choice(self, name: str, options: Sequence[str], default: str | None = None) -> str:
        value = self._raw.get(name)
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or value not in options:
            raise InvalidInput(f"{name} must be {_one_of(options)}")
        return value

    def strings(self, name: str) -> dict[str, str]:
        value = self._raw.get(name)
        if value is None:
            return {}
        if not isinstance(value, Mapping) or not all(
            isinstance(item, str) for item in value.values()
        ):
            raise InvalidInput(f"{name} must be a JSON object of strings")
        return dict(value)


@dataclass(frozen=True, slots=True)
class _Variables:
    """The variables a callback of this kind may use in its templates, with their value kinds."""

    known: Mapping[str, ValueKind]
    callback_type: CallbackType
    subtype: int

    def check(self, field: str, template: str) -> None:
        """InvalidInput naming ``field`` if the template uses a variable the callback lacks."""
        for name in templates.variables(template):
            if name not in self.known:
                raise InvalidInput(f"{field}: {self._unknown(name)}")

    def _unknown(self, name: str) -> str:
        if name.startswith(CUSTOM_DATA) and self.callback_type == CallbackType.DATA:
            field = name.removeprefix(CUSTOM_DATA)
            return f"{{{name}}} needs a field named {field!r} in payloadConfig"
        kind = kind_name(self.callback_type, self.subtype)
        return f"unknown variable {{{name}}} for {kind} callbacks"

    def fill(self, template: str) -> str:
        """The template with each (known) variable replaced by a sample of its kind."""
        return templates.render(template, self._samples(template))

    def position(self, template: str, filled_at: int) -> int:
        """Where in ``template`` the character ``filled_at`` of its filled text comes from
        (a variable's opening brace for any character of its sample)."""
        samples = self._samples(template)
        filled = written = 0
        for part in templates.parse(template):
            if isinstance(part, str):
                piece, source, inside = part, len(part), filled_at - filled
            else:
                piece, source, inside = samples[part.name], len(part.name) + 2, 0
            if filled_at < filled + len(piece):
                return written + inside
            filled += len(piece)
            written += source
        return written + filled_at - filled

    def _samples(self, template: str) -> dict[str, str]:
        return {name: _SAMPLES[self.known[name]] for name in templates.variables(template)}


def _callback_type(fields: _Fields) -> CallbackType:
    value = fields.integer("callbackType")
    if value is None or value not in tuple(CallbackType):
        labels = [f"{t.value} ({t.name})" for t in CallbackType]
        raise InvalidInput(f"callbackType must be {_one_of(labels)}")
    return CallbackType(value)


def _subtype(fields: _Fields, callback_type: CallbackType) -> int:
    value = fields.integer("callbackSubtype")
    if value is None and callback_type == CallbackType.ERROR:
        return ERROR_SUBTYPE
    valid = [subtype for (kind, subtype) in VARIABLES if kind == callback_type]
    if value is None or value not in valid:
        labels = [_subtype_label(callback_type, subtype) for subtype in valid]
        raise InvalidInput(
            f"callbackSubtype must be {_one_of(labels)} for {callback_type.name} callbacks"
        )
    return value


def _subtype_label(callback_type: CallbackType, subtype: int) -> str:
    if callback_type == CallbackType.ERROR:
        return str(subtype)
    return f"{subtype} ({CallbackSubtype(subtype).name})"


def _codec(fields: _Fields, callback_type: CallbackType) -> Codec | None:
    config = fields.text("payloadConfig")
    if not config:
        return None
    if callback_type != CallbackType.DATA:
        raise InvalidInput("payloadConfig is only for DATA callbacks")
    try:
        return compile(config)
    except InvalidInput as error:
        raise InvalidInput(f"payloadConfig: {error.message}") from error


def _url_callback(fields: _Fields, variables: _Variables) -> dict[str, Any]:
    url = _url(fields, variables)
    method = fields.choice("httpMethod", HTTP_METHODS)
    send_sni = fields.flag("sendSni", default=False)
    advanced = (variables.callback_type, variables.subtype) == (
        CallbackType.SERVICE,
        CallbackSubtype.DATA_ADVANCED,
    )
    content_type = fields.choice("contentType", CONTENT_TYPES, JSON if advanced else FORM)
    if advanced and (method == "GET" or content_type != JSON):
        raise InvalidInput(
            "a SERVICE DATA_ADVANCED callback sends a JSON body: httpMethod must be POST or PUT"
            " and contentType application/json"
        )
    settings: dict[str, Any] = {
        "url": url,
        "httpMethod": method,
        "sendSni": send_sni,
        "contentType": content_type,
    }
    body = _body(fields, variables, method, content_type)
    if body:
        settings["bodyTemplate"] = body
    headers = _headers(fields, variables)
    if headers:
        settings["headers"] = headers
    return settings


def _batch_url_callback(fields: _Fields, variables: _Variables) -> dict[str, Any]:
    url = _url(fields, variables)
    if fields.text("httpMethod") not in (None, "POST"):
        raise InvalidInput("httpMethod of a BATCH_URL callback must be POST")
    line_pattern = fields.required_text("linePattern")
    variables.check("linePattern", line_pattern)
    return {
        "url": url,
        "httpMethod": "POST",
        "linePattern": line_pattern,
        "sendSni": fields.flag("sendSni", default=False),
    }


def _email_callback(fields: _Fields, variables: _Variables) -> dict[str, Any]:
    subject = fields.required_text("subject")
    if _has_control(subject):
        raise InvalidInput("subject must be one line, without control characters")
    variables.check("subject", subject)
    recipient = fields.required_text("recipient")
    if len(recipient) > _MAX_EMAIL or not _EMAIL.fullmatch(recipient):
        raise InvalidInput("recipient must be a valid email address")
    message = fields.required_text("message")
    variables.check("message", message)
    return {"subject": subject, "recipient": recipient, "message": message}


_CHANNELS: dict[Channel, Callable[[_Fields, _Variables], dict[str, Any]]] = {
    Channel.URL: _url_callback,
    Channel.BATCH_URL: _batch_url_callback,
    Channel.EMAIL: _email_callback,
}


def _url(fields: _Fields, variables: _Variables) -> str:
    url = fields.required_text("url")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise InvalidInput("url must not contain spaces or control characters")
    variables.check("url", url)
    try:
        parts = urlsplit(variables.fill(url))
        host, _port = parts.hostname, parts.port
    except ValueError as error:
        raise InvalidInput(f"url is not a valid URL: {error}") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidInput("url must be an absolute http or https URL")
    return url


def _headers(fields: _Fields, variables: _Variables) -> dict[str, str]:
    headers = fields.strings("headers")
    for name, value in headers.items():
        if not _HEADER_NAME.fullmatch(name):
            raise InvalidInput(f"headers: {name!r} is not a valid header name")
        if name.lower() in _FRAMING_HEADERS:
            raise InvalidInput(f"headers: {name} is computed by the sender and cannot be set")
        if _has_control(value):
            raise InvalidInput(f"headers.{name} must not contain line breaks or control characters")
        variables.check(f"headers.{name}", value)
    return headers


def _body(fields: _Fields, variables: _Variables, method: str, content_type: str) -> str | None:
    """The body template (None when empty), checked against the content type it is sent as."""
    body = fields.text("bodyTemplate") or None
    if method == "GET":
        if body is not None:
            raise InvalidInput("bodyTemplate is only sent with POST or PUT")
        return None
    variables.check("bodyTemplate", body or "")
    if content_type == JSON:
        _check_json(body or "", variables)
    elif content_type == FORM:
        _check_form(body or "")
    return body


def _check_json(body: str, variables: _Variables) -> None:
    try:
        json.loads(variables.fill(body), parse_constant=_not_json)
    except json.JSONDecodeError as error:
        at = variables.position(body, error.pos)
        raise _not_json_body(f"{error.msg} at position {at}") from None
    except (ValueError, RecursionError) as error:
        raise _not_json_body(str(error)) from None


def _not_json_body(reason: str) -> InvalidInput:
    return InvalidInput(
        f"bodyTemplate must be JSON once its variables are filled in: {reason}"
        " (a text variable such as {device} goes inside quotes)"
    )


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _check_form(body: str) -> None:
    """A form body is ``key=value`` pairs joined by ``&``; checked on the template itself,
    since no variable can add or remove a ``&`` or an ``=``."""
    if not body:
        return
    for number, pair in enumerate(body.split("&")):
        key, equals, _value = pair.partition("=")
        if not key or not equals:
            raise InvalidInput(
                f"bodyTemplate must be key=value pairs joined by &: pair {number} is {pair!r}"
            )


def _has_control(text: str) -> bool:
    return any(ch != "\t" and (ord(ch) < 32 or ord(ch) == 127) for ch in text)


def _one_of(options: Sequence[str]) -> str:
    if len(options) == 1:
        return options[0]
    return f"{', '.join(options[:-1])} or {options[-1]}"
