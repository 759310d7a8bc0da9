"""Regenerate the SYNTHETIC example building portfolio (deterministic: fixed seeds).

    .venv/bin/python examples/buildings/make_portfolio.py

Writes, next to this file: ``weather/{beijing,copenhagen}_hourly.csv`` (timestamp,temperature_c),
``meters/<id>_electricity.parquet`` (hourly) and, for Copenhagen, ``meters/<id>_district_heat.parquet``
(daily), ``portfolio.csv`` and ``truth.csv``. Nothing here is measured data; see README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ecocity.buildings.synthetic import (
    Fault,
    Retrofit,
    load_schedule,
    synthetic_meter,
    synthetic_temperature,
    typical_eui_kwh_per_m2,
)

HERE = Path(__file__).resolve().parent
START, END = "2022-01-01", "2025-01-01"  # three calendar years, 2024 a leap year
WEATHER_SEED = {"beijing": 20260101, "copenhagen": 20260102}
PORTFOLIO_SEED = 20261129
TEMPERATURE_RESOLUTION_C = 0.1
FINE_RESOLUTION_KWH, COARSE_RESOLUTION_KWH = 0.1, 1.0  # meter register resolution
COARSE_ABOVE_KWH = 50.0  # meters whose mean reading is at least this use the coarse resolution
EUI_SPREAD = 0.18  # lognormal sigma of a building's EUI around its type's typical value
CLIMATE_ZONE = {"beijing": "cold (GB 50176 寒冷 II)", "copenhagen": "Cfb (Köppen)"}
BOX = {"beijing": ((116.6, 116.8), (39.8, 39.95)), "copenhagen": ((12.50, 12.65), (55.63, 55.72))}
MIX = {  # type: (count, floor area range [m²])
    "beijing": {"office": (20, (8_000, 60_000)), "school": (12, (6_000, 25_000)),
                "hospital": (6, (20_000, 90_000)), "mall": (12, (20_000, 120_000))},
    "copenhagen": {"office": (8, (2_000, 15_000)), "school": (8, (4_000, 12_000)), "daycare": (4, (500, 1_500))},
}
NAMES = {"office": "Office", "school": "School", "hospital": "Hospital", "mall": "Mall", "daycare": "Day-care"}

# Ground truth: (building id, meter, event). Dates leave >= 12 months before and after retrofits.
RETROFITS = {
    ("TZ-OFF-03", "electricity"): Retrofit("2023-07-01", 0.20, "all"),          # chiller + LED
    ("TZ-OFF-11", "electricity"): Retrofit("2023-09-01", 0.15, "base"),         # LED lighting
    ("TZ-MAL-02", "electricity"): Retrofit("2023-05-01", 0.25, "weather"),      # chiller plant
    ("TZ-SCH-05", "electricity"): Retrofit("2023-08-20", 0.12, "all"),          # summer-holiday works
    ("TZ-HOS-02", "electricity"): Retrofit("2024-01-01", 0.10, "base"),
    ("CPH-SCH-02", "district_heat"): Retrofit("2023-06-01", 0.25, "weather"),   # façade insulation
    ("CPH-OFF-04", "electricity"): Retrofit("2023-10-01", 0.18, "base"),        # ventilation + LED
}
FAULTS = {
    ("TZ-OFF-07", "electricity"): Fault("night_share", "2023-11-06", magnitude=0.6),
    ("TZ-OFF-15", "electricity"): Fault("baseload_creep", "2023-03-01", magnitude=0.3),
    ("TZ-MAL-08", "electricity"): Fault("wrong_season_cooling", "2023-10-15", "2024-04-01", magnitude=0.4),
    ("TZ-SCH-09", "electricity"): Fault("level_shift", "2024-02-26", magnitude=0.25),
    ("TZ-HOS-05", "electricity"): Fault("stuck", "2024-05-10", "2024-05-24"),
    ("TZ-OFF-19", "electricity"): Fault("stuck", "2023-12-01", "2023-12-08"),
    ("CPH-OFF-06", "district_heat"): Fault("night_share", "2023-10-01", magnitude=0.5),   # setback lost
    ("CPH-DAY-01", "electricity"): Fault("baseload_creep", "2023-06-01", magnitude=0.4),
}


@dataclass(frozen=True)
class Building:
    building_id: str
    name: str
    city: str
    building_type: str
    floor_area_m2: float
    lon: float
    lat: float
    eui_scale: float


def _buildings(rng: np.random.Generator) -> list[Building]:
    out = []
    for city, mix in MIX.items():
        prefix = "TZ" if city == "beijing" else "CPH"
        place = "Tongzhou" if city == "beijing" else "Copenhagen"
        (lon0, lon1), (lat0, lat1) = BOX[city]
        for building_type, (count, (low, high)) in mix.items():
            for k in range(1, count + 1):
                area = float(np.round(np.exp(rng.uniform(np.log(low), np.log(high))), -1))
                out.append(Building(
                    building_id=f"{prefix}-{building_type[:3].upper()}-{k:02d}",
                    name=f"{place} {NAMES[building_type]} {k:02d} (illustrative)",
                    city=city, building_type=building_type, floor_area_m2=area,
                    lon=round(float(rng.uniform(lon0, lon1)), 5), lat=round(float(rng.uniform(lat0, lat1)), 5),
                    eui_scale=float(np.exp(EUI_SPREAD * rng.standard_normal())),
                ))
    return out


def _write_meter(series: pd.Series, path: Path) -> None:
    step = COARSE_RESOLUTION_KWH if series.mean() >= COARSE_ABOVE_KWH else FINE_RESOLUTION_KWH
    values = (np.round(series.to_numpy() / step) * step).astype(np.float32)
    table = pa.table({"timestamp": pa.array(series.index.to_numpy().astype("datetime64[s]")), "value": pa.array(values)})
    pq.write_table(table, path, compression="zstd", compression_level=19, use_dictionary=False,
                   column_encoding={"timestamp": "DELTA_BINARY_PACKED", "value": "BYTE_STREAM_SPLIT"})


def _occupancy(building_type: str, city: str) -> str:
    s = load_schedule(building_type, city)
    days = "Mon-Fri" if s.days == (0, 1, 2, 3, 4) else "daily"
    note = " excl. vacations" if s.vacations else ""
    return f"{days} {s.open_hour:02d}-{s.close_hour:02d}{note}"


def _event_row(event: Retrofit | Fault | None) -> dict[str, object]:
    if isinstance(event, Retrofit):
        return {"event": "retrofit", "event_kind": event.component, "event_start": str(event.date),
                "event_end": "", "magnitude": event.saving}
    if isinstance(event, Fault):
        return {"event": "fault", "event_kind": event.kind, "event_start": str(event.start),
                "event_end": "" if event.end is None else str(event.end),
                "magnitude": "" if event.magnitude is None else event.magnitude}
    return {"event": "", "event_kind": "", "event_start": "", "event_end": "", "magnitude": ""}


def main() -> None:
    (HERE / "weather").mkdir(exist_ok=True)
    (HERE / "meters").mkdir(exist_ok=True)
    weather = {}
    for city, seed in WEATHER_SEED.items():
        t = synthetic_temperature(city, START, END, freq="h", seed=seed).round(1)
        frame = pd.DataFrame({"timestamp": t.index.strftime("%Y-%m-%d %H:%M"), "temperature_c": t.to_numpy()})
        frame.to_csv(HERE / "weather" / f"{city}_hourly.csv", index=False, float_format="%.1f")
        # Meters are generated from the rounded series written to the file, so the truth holds for it.
        weather[city] = pd.Series(frame["temperature_c"].to_numpy(), index=t.index, name="temperature_c")
    rng = np.random.default_rng(PORTFOLIO_SEED)
    rows, truth = [], []
    for number, b in enumerate(_buildings(rng)):
        carriers = ["electricity"] + (["district_heat"] if b.city == "copenhagen" else [])
        files = {}
        for j, carrier in enumerate(carriers):
            seed = PORTFOLIO_SEED + 10 * number + j
            retrofit, fault = RETROFITS.get((b.building_id, carrier)), FAULTS.get((b.building_id, carrier))
            eui = typical_eui_kwh_per_m2(b.building_type, b.city, carrier) * b.eui_scale  # the building's own
            meter = synthetic_meter(b.building_type, b.floor_area_m2, weather[b.city], city=b.city, carrier=carrier,
                                    eui_kwh_per_m2=eui, retrofit=retrofit, fault=fault, seed=seed)
            if carrier == "district_heat":
                meter = meter.resample("D").sum()
            path = Path("meters") / f"{b.building_id}_{carrier}.parquet"
            _write_meter(meter, HERE / path)
            files[carrier] = path.as_posix()
            coefficients = meter.attrs.get("coefficients") or {}
            after = meter.attrs.get("coefficients_after_retrofit") or {}
            truth.append({
                "building_id": b.building_id, "meter": carrier, "seed": seed,
                "eui_kwh_per_m2": round(eui, 2),
                **{k: round(v, 4) for k, v in coefficients.items()},
                **_event_row(retrofit or fault),
                "base_occupied_day_kwh_after": round(after["base_occupied_day_kwh"], 4) if after else "",
                "base_unoccupied_day_kwh_after": round(after["base_unoccupied_day_kwh"], 4) if after else "",
                "heating_slope_kwh_per_k_day_after": round(after["heating_slope_kwh_per_k_day"], 4) if after else "",
                "cooling_slope_kwh_per_k_day_after": round(after["cooling_slope_kwh_per_k_day"], 4) if after else "",
            })
        rows.append({
            "building_id": b.building_id, "name": b.name, "city": b.city, "type": b.building_type,
            "floor_area_m2": b.floor_area_m2, "lon": b.lon, "lat": b.lat, "climate_zone": CLIMATE_ZONE[b.city],
            "occupancy_hours": _occupancy(b.building_type, b.city),
            "electricity_file": files["electricity"], "district_heat_file": files.get("district_heat", ""),
            "weather_file": f"weather/{b.city}_hourly.csv",
        })
    missing = {key for key in (*RETROFITS, *FAULTS) if key not in {(t["building_id"], t["meter"]) for t in truth}}
    if missing:
        raise SystemExit(f"ground-truth events name meters that are not in the portfolio: {sorted(missing)}")
    pd.DataFrame(rows).to_csv(HERE / "portfolio.csv", index=False)
    pd.DataFrame(truth).to_csv(HERE / "truth.csv", index=False)


if __name__ == "__main__":
    main()
