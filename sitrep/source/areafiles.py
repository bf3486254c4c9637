"""The GeoJSON files the store's areas name (`file:` in an area's update): read and checked on
every load, not cached with the store (a file can change while its entry does not); an area's
shape, from its outline or its file, for the map; and the files, as inputs of every report.
"""

from __future__ import annotations

from pathlib import Path

from sitrep.errors import ConfigError, Problem, ProblemLog
from sitrep.source.basemap import load_layer
from sitrep.source.entries import Store


def area_file_problems(store: Store) -> list[Problem]:
    """The GeoJSON files areas name, read and checked on every load (not cached with the store:
    a file can change while its entry does not)."""
    log = ProblemLog()
    for area in store.areas.values():
        origin = store.origins[area.id]
        for u, update in enumerate(area.updates):
            if update.file is None or update.outline is not None:
                continue
            try:
                rings = area_shape(store, update)
            except ConfigError as exc:
                log.error(origin.file, origin.line_of("updates", u, "file"), f"file: {exc.problems[0].message}",
                          expected="a GeoJSON file inside the store folder, with a LineString or Polygon",
                          entry_id=area.id)
                continue
            least = 2 if area.shape == "front_line" else 3
            if not rings or any(len(ring) < least for ring in rings):
                log.error(origin.file, origin.line_of("updates", u, "file"),
                          f"file: '{update.file}' holds a shape of fewer than {least} positions",
                          expected=f"at least {least} positions per line or outline", entry_id=area.id)
    return log.problems


def area_files(store: Store) -> list[Path]:
    """The GeoJSON files the store's areas name: inputs of every report, like the templates."""
    return sorted({(store.root / update.file).resolve() for area in store.areas.values()
                   for update in area.updates if update.file})


def area_shape(store: Store, update) -> list[list[tuple[float, float]]]:
    """The (lat, lon) rings an area's update draws: its outline, or its GeoJSON file's shapes."""
    if update.outline is not None:
        return [list(update.outline)]
    path = (store.root / update.file).resolve()
    if not path.is_relative_to(store.root.resolve()) or not path.is_file():
        raise ConfigError(Problem(update.file, 0, f"'{update.file}' is not a file inside the store folder"))
    layer = load_layer(path, update.file, "boundary", "", "")
    return [list(ring) for ring in (*layer.areas, *layer.lines)]
