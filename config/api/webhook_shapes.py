"""A surface's shapes for webhook events: the object as the surface shows it, made plain JSON the
way its renderer makes it (DRF's encoder: decimals as numbers, dates as ISO text), so an event's
`data` reads exactly like the API's answer."""

import json
from collections.abc import Callable

from rest_framework.utils.encoders import JSONEncoder


def rendered(shape: Callable[[object], dict]) -> Callable[[object], dict]:
    """`shape`, with its answer as the surface's renderer would write it."""

    def as_rendered(obj) -> dict:
        return json.loads(json.dumps(shape(obj), cls=JSONEncoder))

    return as_rendered


def rendered_all(shapes: dict[str, Callable[[object], dict]]) -> dict[str, Callable[[object], dict]]:
    return {kind: rendered(shape) for kind, shape in shapes.items()}
