"""Lines drawn elsewhere (QGIS, Google Earth, geojson.io): GeoJSON LineStrings and KML paths.

Named pins (GeoJSON Points with ``properties.name``, KML Point placemarks) come along: on
import each names the route point it lies on. Each drawn line keeps its name (GeoJSON
``properties.link`` / ``name``, or ``a`` and ``b``; KML ``<name>``), its positions as
(lat, lon) and where it came from (``features[3]`` or ``file:line``) so every problem points
at the line. Bad geometry is a problem and nothing is
imported; a KML with a DOCTYPE is refused (no entity expansion from a file handed around).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat  # DOCTYPEs (and so entities) are refused before parsing

FORMATS = ("geojson", "kml")


@dataclass(frozen=True, slots=True)
class DrawnLine:
    where: str  # "route.geojson: features[2]" or "route.kml:14"
    name: str | None
    positions: tuple[tuple[float, float], ...]  # (lat, lon)


@dataclass(frozen=True, slots=True)
class DrawnPoint:
    """A named pin (a pole, a closure...): it names the route point it lies on."""

    where: str
    name: str
    kind: str | None  # GeoJSON properties.kind; None: guessed from the name on import
    position: tuple[float, float]  # (lat, lon)


@dataclass(frozen=True, slots=True)
class Drawing:
    lines: tuple[DrawnLine, ...]
    points: tuple[DrawnPoint, ...] = ()


class RouteFileError(Exception):
    """The file cannot be read as routes; ``problems`` lists each one, located."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix == ".kml":
        return "kml"
    raise RouteFileError([f"{path}: expected a .geojson, .json or .kml file"])


def _check(where: str, lat: Any, lon: Any, problems: list[str]) -> tuple[float, float] | None:
    if isinstance(lat, bool) or isinstance(lon, bool) or not isinstance(lat, int | float) \
            or not isinstance(lon, int | float):
        problems.append(f"{where}: a position needs numbers [lon, lat], got {[lon, lat]!r}"[:200])
        return None
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        problems.append(f"{where}: latitude {lat} / longitude {lon} out of range "
                        "(GeoJSON and KML write longitude first)")
        return None
    return float(lat), float(lon)


def _geojson_name(props: dict[str, Any]) -> str | None:
    if props.get("a") and props.get("b"):
        return f"{props['a']},{props['b']}"
    for key in ("link", "name", "id"):
        if isinstance(props.get(key), str) and props[key].strip():
            return str(props[key]).strip()
    return None


def _geojson_point(where: str, feature: dict[str, Any], problems: list[str]) -> DrawnPoint | None:
    props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
    name = props.get("name") if isinstance(props, dict) else None
    pos = feature["geometry"].get("coordinates")
    if not isinstance(name, str) or not name.strip():
        return None  # an unnamed pin names nothing
    pair = pos if isinstance(pos, list) and len(pos) >= 2 else [None, None]
    ok = _check(f"{where}.coordinates", pair[1], pair[0], problems)
    kind = props.get("kind") if isinstance(props, dict) and isinstance(props.get("kind"), str) else None
    return DrawnPoint(where, name.strip(), kind, ok) if ok is not None else None


def read_geojson(text: str, file: str) -> Drawing:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise RouteFileError([f"{file}: not JSON: {exc}"]) from None
    features = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" \
        else [doc] if isinstance(doc, dict) and doc.get("type") == "Feature" else None
    if not isinstance(features, list):
        raise RouteFileError([f"{file}: expected a GeoJSON FeatureCollection or Feature"])
    lines: list[DrawnLine] = []
    points: list[DrawnPoint] = []
    problems: list[str] = []
    for index, feature in enumerate(features, start=1):
        where = f"{file}: features[{index}]"
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            point = _geojson_point(where, feature, problems)
            if point is not None:
                points.append(point)
            continue
        if not isinstance(geometry, dict) or geometry.get("type") not in ("LineString", "MultiLineString"):
            continue  # polygons are not routes
        parts = geometry.get("coordinates")
        if geometry["type"] == "MultiLineString":
            if not isinstance(parts, list) or len(parts) != 1:
                problems.append(f"{where}: a MultiLineString route must hold exactly one line")
                continue
            parts = parts[0]
        if not isinstance(parts, list) or len(parts) < 2:
            problems.append(f"{where}: a LineString needs two or more positions")
            continue
        positions = []
        for n, pos in enumerate(parts, start=1):
            pair = pos if isinstance(pos, list) and len(pos) >= 2 else [None, None]
            ok = _check(f"{where}.coordinates[{n}]", pair[1], pair[0], problems)
            if ok is not None:
                positions.append(ok)
        props = feature.get("properties") or {}
        lines.append(DrawnLine(where, _geojson_name(props if isinstance(props, dict) else {}),
                               tuple(positions)))
    if problems:
        raise RouteFileError(problems)
    return Drawing(tuple(lines), tuple(points))


@dataclass
class _Placemark:
    name: str | None = None
    paths: list[tuple[int, str]] = field(default_factory=list)  # (line of <coordinates>, its text)
    pins: list[tuple[int, str]] = field(default_factory=list)  # the same, of <Point>s


def _kml_placemarks(text: str, file: str) -> list[_Placemark]:
    """Placemarks with their name and LineString coordinates, by expat (which knows lines)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[str] = []
    found: list[_Placemark] = []
    current: list[_Placemark] = []
    name_text: list[str] = []
    coords: list[str] = []
    coords_line = [0]

    def start(tag: str, _attrs: dict[str, str]) -> None:
        local = tag.rsplit(" ", 1)[-1]
        if local == "Placemark":
            current.append(_Placemark())
        elif local == "name" and stack and stack[-1] == "Placemark":
            name_text.clear()
        elif local == "coordinates" and stack and stack[-1] in ("LineString", "Point") and current:
            coords.clear()
            coords_line[0] = parser.CurrentLineNumber
        stack.append(local)

    def data(chunk: str) -> None:
        if len(stack) >= 2 and stack[-1] == "name" and stack[-2] == "Placemark":
            name_text.append(chunk)
        elif len(stack) >= 2 and stack[-1] == "coordinates" and stack[-2] in ("LineString", "Point"):
            coords.append(chunk)

    def end(tag: str) -> None:
        local = stack.pop()
        if local == "Placemark" and current:
            found.append(current.pop())
        elif local == "name" and stack and stack[-1] == "Placemark" and current:
            current[-1].name = "".join(name_text).strip() or None
        elif local == "coordinates" and stack and stack[-1] in ("LineString", "Point") and current:
            target = current[-1].paths if stack[-1] == "LineString" else current[-1].pins
            target.append((coords_line[0], "".join(coords)))

    parser.StartElementHandler = start
    parser.CharacterDataHandler = data
    parser.EndElementHandler = end
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise RouteFileError([f"{file}:{exc.lineno}: not valid XML: {expat.ErrorString(exc.code)}"]) from None
    return found


def _kml_pin(placemark: _Placemark, line_no: int, body: str, file: str,
             problems: list[str]) -> DrawnPoint | None:
    parts = body.strip().split(",")
    try:
        lon, lat = float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        problems.append(f"{file}:{line_no}: expected lon,lat[,alt], got {body.strip()[:60]!r}")
        return None
    ok = _check(f"{file}:{line_no}", lat, lon, problems)
    if ok is None or not placemark.name:
        return None
    return DrawnPoint(f"{file}:{line_no}", placemark.name, None, ok)


def read_kml(text: str, file: str) -> Drawing:
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.IGNORECASE):
        raise RouteFileError([f"{file}: a KML with a DOCTYPE or entities is refused"])
    lines: list[DrawnLine] = []
    points: list[DrawnPoint] = []
    problems: list[str] = []
    for placemark in _kml_placemarks(text, file):
        for line_no, body in placemark.pins:
            pin = _kml_pin(placemark, line_no, body, file, problems)
            if pin is not None:
                points.append(pin)
        for line_no, body in placemark.paths:
            where = f"{file}:{line_no}"
            tuples = body.split()
            positions = []
            for n, item in enumerate(tuples, start=1):
                parts = item.split(",")
                try:
                    lon, lat = float(parts[0]), float(parts[1])
                except (ValueError, IndexError):
                    problems.append(f"{where}: coordinates[{n}]: expected lon,lat[,alt], got {item[:60]!r}")
                    continue
                ok = _check(f"{where}: coordinates[{n}]", lat, lon, problems)
                if ok is not None:
                    positions.append(ok)
            if len(tuples) < 2:
                problems.append(f"{where}: a LineString needs two or more positions")
                continue
            lines.append(DrawnLine(where, placemark.name, tuple(positions)))
    if problems:
        raise RouteFileError(problems)
    return Drawing(tuple(lines), tuple(points))


def read_route_file(path: Path) -> Drawing:
    fmt = file_format(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RouteFileError([f"{path}: cannot read: {exc}"]) from None
    return read_geojson(text, str(path)) if fmt == "geojson" else read_kml(text, str(path))
