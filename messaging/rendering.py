"""A message's content as SQL expressions over a recipient row: no template engine, no per-row Python.

A template is split once into literals and `{name}` variables. Each variable becomes the recipient
column of that name (RECIPIENT_FIELDS) or else its custom field `name`, NULL read as ''; the pieces
are concatenated in SQL in one pass, so a value that itself contains `{x}` stays as it is. A JSON
template (a JSON message) keeps its structure: only the variables inside its string values are
filled in, each rendered string JSON-escaped by the database; keys, numbers and the rest stay as
written.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Expression, F, Func, JSONField, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

VARIABLE = re.compile(r"\{([A-Za-z0-9_]+)\}")
# The recipient columns a variable may name; any other name is a custom field.
RECIPIENT_FIELDS = frozenset(
    {
        "title", "first_name", "last_name", "company_name", "email", "mobile", "postcode", "city",
        "county", "country", "address1", "address2", "address3", "address4", "address5",
    }
)  # fmt: skip
# Where each channel's address comes from: a recipient column, or else a custom field of the
# channel's name.
ADDRESS_FIELDS = {"sms": "mobile", "whatsapp": "mobile", "viber": "mobile", "rbm": "mobile", "email": "email"}
# Channels whose template is plain text; the others' is a JSON message (email's may be either).
TEXT_CHANNELS = frozenset({"sms", "webpush"})
WEBPUSH_FIELDS = ("title", "body", "target_url", "icon", "image")


@dataclass(frozen=True)
class Variables:
    """How a template names its variables (a pattern whose first matching group is the name) and
    what each name reads from the row a message is rendered for."""

    pattern: re.Pattern
    value: Callable[[str], Expression]


def template_parts(text: str, variables: Variables | None = None) -> list[str]:
    """Literals and variable names, alternating: [literal, name, literal, ..., literal]."""
    pattern = (variables or RECIPIENT_VARIABLES).pattern
    parts, start = [], 0
    for match in pattern.finditer(text):
        name = next(group for group in match.groups() if group is not None)
        parts += [text[start : match.start()], name]
        start = match.end()
    parts.append(text[start:])
    return parts


def has_variables(text: str, variables: Variables | None = None) -> bool:
    return (variables or RECIPIENT_VARIABLES).pattern.search(text) is not None


def variable_value(name: str) -> Expression:
    value = F(name) if name in RECIPIENT_FIELDS else KeyTextTransform(name, "custom_fields")
    return Coalesce(value, Value(""), output_field=TextField())


# A recipient's template: {first_name}, {city}, {a_custom_field}.
RECIPIENT_VARIABLES = Variables(VARIABLE, variable_value)
# A client campaign's (campaign API v2): {{1}}..{{n}} are the client's params, <accountID> its number.
CLIENT_VARIABLE = re.compile(r"\{\{\s*(\d{1,4})\s*\}\}|<(accountID)>")


def client_value(name: str) -> Expression:
    if name == "accountID":
        return F("account_id")
    index = int(name) - 1
    if index < 0:
        return Value("", output_field=TextField())
    return Coalesce(KeyTextTransform(str(index), "params"), Value(""), output_field=TextField())


CLIENT_VARIABLES = Variables(CLIENT_VARIABLE, client_value)


def rendered_text(text: str, variables: Variables | None = None) -> Expression:
    """The template with every variable replaced by the row's value."""
    variables = variables or RECIPIENT_VARIABLES
    pieces = [
        variables.value(part) if index % 2 else Value(part)
        for index, part in enumerate(template_parts(text, variables))
        if index % 2 or part
    ]
    return _joined(pieces)


def _joined(pieces: list[Expression]) -> Expression:
    if not pieces:
        return Value("", output_field=TextField())
    if len(pieces) == 1:
        return pieces[0]
    return Joined(*pieces)


class Joined(Func):
    """Texts concatenated in one flat `(a || b || c)`, for pieces that are never NULL (literals,
    and values read through Coalesce). Django's Concat nests a pair per piece, deeper than
    SQLite's parser allows for a long template."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


class JSONQuoted(Func):
    """A text as a JSON string literal: quoted, and escaped as JSON requires."""

    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="json_quote(%(expressions)s)", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="to_json((%(expressions)s)::text)::text", **extra_context
        )


def rendered_json(document, variables: Variables | None = None) -> Expression:
    """The JSON document (parsed) with the variables in its string values filled in, as JSON.

    Built as the document's JSON text: the parts without variables are written out here, once;
    each string value with variables is rendered and JSON-quoted by the database."""
    chunks: list = []
    _json_chunks(document, chunks, variables or RECIPIENT_VARIABLES)
    pieces = []
    for chunk in chunks:
        if isinstance(chunk, str) and pieces and isinstance(pieces[-1], str):
            pieces[-1] += chunk
        else:
            pieces.append(chunk)
    expressions = [Value(piece) if isinstance(piece, str) else piece for piece in pieces]
    return Cast(_joined(expressions), JSONField())


def _json_chunks(node, out: list, variables: Variables) -> None:
    if isinstance(node, dict):
        out.append("{")
        for index, (key, value) in enumerate(node.items()):
            out.append(("," if index else "") + _dumped(key) + ":")
            _json_chunks(value, out, variables)
        out.append("}")
    elif isinstance(node, list):
        out.append("[")
        for index, value in enumerate(node):
            if index:
                out.append(",")
            _json_chunks(value, out, variables)
        out.append("]")
    elif isinstance(node, str) and has_variables(node, variables):
        out.append(JSONQuoted(rendered_text(node, variables)))
    else:
        out.append(_dumped(node))


def _dumped(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def json_document(template: str):
    """The template as a JSON message (an object or an array), or None if it is plain text."""
    try:
        document = json.loads(template)
    except ValueError:
        return None
    return document if isinstance(document, dict | list) else None


def address(channel: str) -> Expression:
    """The recipient's address on the channel ('' when it has none)."""
    field = ADDRESS_FIELDS.get(channel)
    return F(field) if field is not None else variable_value(channel)


def body_and_payload(channel: str, content: dict) -> tuple[Expression, Expression]:
    """A message's body (text) and payload (JSON, or NULL) on the channel, from the occurrence's
    content snapshot. Text channels render the template into the body (webpush adds its payload);
    a JSON template is rendered into the payload, with an empty body."""
    template = content.get("template") or ""
    no_payload = Cast(Value(None), JSONField())
    if channel == "webpush":
        fields = {name: content.get(f"webpush_{name}") or "" for name in WEBPUSH_FIELDS}
        fields["body"] = fields["body"] or template
        return rendered_text(template), rendered_json(fields)
    document = None if channel in TEXT_CHANNELS else json_document(template)
    if document is None:
        return rendered_text(template), no_payload
    return Value("", output_field=TextField()), rendered_json(document)


def client_body_and_payload(content: dict) -> tuple[Expression, Expression]:
    """A client campaign's message: the text and the JSON message (content's "message" and
    "template"), each with the client's number and params filled in."""
    document = json_document(content.get("template") or "")
    payload = rendered_json(document, CLIENT_VARIABLES) if document is not None else None
    return (
        rendered_text(content.get("message") or "", CLIENT_VARIABLES),
        payload if payload is not None else Cast(Value(None), JSONField()),
    )
