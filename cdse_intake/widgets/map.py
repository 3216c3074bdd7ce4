"""The panel's map (ipyleaflet): draw the search area, see the footprints, pick products.

Layers: the search area (dashed), every result's footprint (blue) and the selected ones
(orange, on top). Drawing a rectangle or polygon sets the area; clicking a footprint toggles its
product's selection. Footprints are GeoJSON layers, so Leaflet renders them as SVG paths.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..product import Product

__all__ = ["ResultsMap"]

_EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}
AREA_STYLE = {"color": "#333333", "weight": 2, "dashArray": "6 4", "fillOpacity": 0.03}
FOOTPRINT_STYLE = {"color": "#2b6cb0", "weight": 1, "fillOpacity": 0.08}
SELECTED_STYLE = {"color": "#e67e00", "weight": 3, "fillOpacity": 0.25}
DRAW_STYLE = {"shapeOptions": {"color": "#333333", "weight": 2, "fillOpacity": 0.05}}


def _features(products: Sequence[tuple[int, Product]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": dict(p.footprint),
                "properties": {"index": i, "name": p.name},
            }
            for i, p in products
            if p.footprint
        ],
    }


def _bounds(products: Sequence[Product]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` around the footprints (None without any)."""
    boxes = [p.geometry.bounds for p in products if p.footprint]
    if not boxes:
        return None
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    return [[south, west], [north, east]]


def view_of(bounds: list[list[float]], pixels: tuple[int, int] = (640, 420)) -> Any:
    """``(center, zoom)`` showing ``bounds`` on a map of about ``pixels`` (width, height).

    Computed here rather than with ``Map.fit_bounds``, which needs a running event loop and
    a front end reporting the map's bounds back (not there in a background thread or a test).
    """
    (south, west), (north, east) = bounds
    center = ((south + north) / 2, (west + east) / 2)
    lon_span = max(east - west, 1e-6)
    lat = math.radians(center[0])
    lat_span = max((north - south) / max(math.cos(lat), 0.05), 1e-6)  # Mercator stretch
    zoom_x = math.log2(360 * pixels[0] / 256 / lon_span)
    zoom_y = math.log2(360 * pixels[1] / 256 / lat_span)
    return center, int(min(14, max(1, math.floor(min(zoom_x, zoom_y)))))


class ResultsMap:
    """The map widget (``rmap.map``) and its layers.

    ``on_area(geometry | None)`` is called with the GeoJSON geometry of a drawn shape (None when
    it is deleted); ``on_pick(index)`` with the result index of a clicked footprint.
    """

    def __init__(
        self,
        on_area: Callable[[Any], None],
        on_pick: Callable[[int], None],
        *,
        center: tuple[float, float] = (48.85, 2.35),
        zoom: int = 5,
        height: str = "420px",
    ) -> None:
        import ipyleaflet as leaflet
        import ipywidgets as w

        self._on_area = on_area
        self._on_pick = on_pick
        self.map = leaflet.Map(
            center=center, zoom=zoom, scroll_wheel_zoom=True, layout=w.Layout(height=height)
        )
        self.map.add_class("cdse-map")
        self.area_layer = leaflet.GeoJSON(data=_EMPTY, style=AREA_STYLE, name="search area")
        self.footprints = leaflet.GeoJSON(
            data=_EMPTY,
            style=FOOTPRINT_STYLE,
            hover_style={"weight": 3, "fillOpacity": 0.2},
            name="footprints",
        )
        self.selected = leaflet.GeoJSON(data=_EMPTY, style=SELECTED_STYLE, name="selected")
        for layer in (self.area_layer, self.footprints, self.selected):
            self.map.add(layer)
        self.footprints.on_click(self._clicked)
        self.selected.on_click(self._clicked)
        self.draw = leaflet.DrawControl(
            rectangle=DRAW_STYLE,
            polygon=DRAW_STYLE,
            polyline={},
            circlemarker={},
            circle={},
            marker={},
        )
        self.draw.on_draw(self._drawn)
        self.map.add(self.draw)
        self.map.add(leaflet.LayersControl(position="topright"))

    def _drawn(self, _control: Any, action: str, geo_json: Any) -> None:
        geometry = (geo_json or {}).get("geometry") if isinstance(geo_json, dict) else None
        if action in ("created", "edited") and geometry:
            self.draw.clear()  # the area layer shows it from now on (typed areas too)
            self._on_area(geometry)
        elif action == "deleted":
            self._on_area(None)

    def _clicked(self, feature: Any = None, properties: Any = None, **_: Any) -> None:
        props = properties or (feature or {}).get("properties") or {}
        if isinstance(props.get("index"), int):
            self._on_pick(props["index"])

    def show_area(self, geometry: Any) -> None:
        """Outline the search area (a GeoJSON geometry; None: none)."""
        self.area_layer.data = (
            _EMPTY if geometry is None else {"type": "Feature", "geometry": geometry}
        )

    def show_results(self, products: Sequence[Product], *, fit: bool = True) -> None:
        """Draw every result's footprint; zoom to them when ``fit``."""
        self.footprints.data = _features(list(enumerate(products)))
        bounds = _bounds(products) if fit else None
        if bounds is not None:
            self.map.center, self.map.zoom = view_of(bounds)

    def show_selection(self, products: Sequence[Product], indices: Sequence[int]) -> None:
        """Highlight the footprints of ``results[i]`` for ``i`` in ``indices``."""
        self.selected.data = _features([(i, products[i]) for i in indices if i < len(products)])
