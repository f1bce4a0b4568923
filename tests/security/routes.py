"""Walk Django's URL resolver so that security tests cover every route, including routes
added after these tests were written."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern

# Values tried for a path parameter when no better value is known, in order.
SAMPLES = ["1", "ABCDEFGH23", "x", "json", str(uuid.UUID(int=1)), "2026-03-02", "150101"]

_ROUTE_PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()\\]|\\.|\([^()]*\))*)\)")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" when the pattern has no name
    parts: tuple  # the chain of pattern objects from the root
    params: tuple[str, ...]  # names of path parameters
    regexes: dict  # parameter name -> regex its value must match

    @property
    def label(self) -> str:
        return self.name or "".join(str(p.pattern) for p in self.parts)

    def url(self, values: dict[str, str] | None = None) -> str:
        values = values or {}
        out = "/"
        for part in self.parts:
            out += _fill(part.pattern, values, self.regexes)
        return out


def _params(pattern) -> dict[str, str]:
    if isinstance(pattern, RoutePattern):
        return {name: conv.regex for name, conv in pattern.converters.items()}
    if isinstance(pattern, RegexPattern):
        return {m["name"]: m["body"] for m in _REGEX_GROUP.finditer(str(pattern._regex))}
    return {}


def _pick(name: str, regex: str, values: dict[str, str]) -> str:
    candidates = [values[name]] if name in values else []
    candidates += SAMPLES
    for c in candidates:
        if re.fullmatch(regex, str(c)):
            return str(c)
    raise AssertionError(f"No sample value matches <{name}> ({regex}); add one to SAMPLES")


def _fill(pattern, values: dict[str, str], regexes: dict[str, str]) -> str:
    if isinstance(pattern, RoutePattern):
        return _ROUTE_PARAM.sub(
            lambda m: _pick(m["name"], regexes[m["name"]], values), str(pattern)
        )
    text = str(pattern._regex)
    text = _REGEX_GROUP.sub(lambda m: _pick(m["name"], m["body"], values), text)
    text = text.lstrip("^").rstrip("$").replace("\\Z", "")
    text = text.replace("/?", "/").replace("\\.", ".").replace("\\-", "-")
    if re.search(r"[\\()\[\]*+?|{}]", text):
        raise AssertionError(f"Cannot build a URL from the regex {pattern._regex!r}")
    return text


def _walk(patterns, prefix: tuple, ns: str) -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            child_ns = ns
            if p.namespace:
                child_ns = f"{ns}:{p.namespace}" if ns else p.namespace
            yield from _walk(p.url_patterns, (*prefix, p), child_ns)
        elif isinstance(p, URLPattern):
            parts = (*prefix, p)
            regexes: dict[str, str] = {}
            for part in parts:
                regexes.update(_params(part.pattern))
            name = (f"{ns}:{p.name}" if ns else p.name) if p.name else ""
            yield Route(name=name, parts=parts, params=tuple(regexes), regexes=regexes)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, (), ""))


def is_format_suffix(route: Route) -> bool:
    """DRF's ``.json`` variants of a route: the same view as the plain route."""
    return route.params[-1:] == ("format",)


def build_url(route: Route, values: dict[str, str] | None = None) -> str:
    """A URL for ``route`` that the resolver maps back to the same view."""
    values = values or {}
    url = route.url(values)
    try:
        match = resolve(url)
    except Resolver404 as exc:
        raise AssertionError(f"Built {url} for {route.label} but it does not resolve") from exc
    if route.name and match.view_name != route.name:
        # Another route shadows this sample: try other samples for the parameters.
        for combo in itertools.product(SAMPLES, repeat=len(route.params)):
            trial = {**dict(zip(route.params, combo, strict=True)), **values}
            try:
                candidate = route.url(trial)
                if resolve(candidate).view_name == route.name:
                    return candidate
            except (AssertionError, Resolver404):
                continue
    return url
