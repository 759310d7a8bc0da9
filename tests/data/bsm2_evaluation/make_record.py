"""Make the bsm2-python comparison record for tests/wastewater/test_evaluation_bsm2.py.

Runs bsm2-python 0.0.16 (BSD-3-Clause, FAU-EVT; a port of the IWA BSM2 MATLAB code), class BSM2OL,
open loop, dynamic 609-day influent, days 0-20 at a fixed 15-min step, and stores (a) the 15-min
samples our ``Bsm2Record`` needs and (b) bsm2-python's own evaluation over days 15-20
(``get_final_performance``) in ``bsm2ol_20d_record.npz``. Run with the peers' interpreter:

    benchmarks/.venv-peers/bin/python tests/data/bsm2_evaluation/make_record.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from bsm2_python import __version__
from bsm2_python.bsm2.init import adm1init_bsm2, asm1init_bsm2, reginit_bsm2
from bsm2_python.bsm2_ol import BSM2OL

OUT = Path(__file__).with_name("bsm2ol_20d_record.npz")
STEP_D = 15.0 / (24.0 * 60.0)


def main() -> None:
    sys.setrecursionlimit(100_000)
    plant = BSM2OL(timestep=STEP_D, endtime=20.0, evaltime=np.array([15.0, 20.0]))
    for i in range(len(plant.simtime)):
        plant.step(i)
    n = len(plant.simtime)
    (iqi, eqi, total_sludge, sludge, carbon, ch4, h2, co2, q_gas, heat, mixing, pumping, aeration, oci) = (
        plant.get_final_performance()
    )
    asm = list(range(13)) + [14, 15]  # 13 ASM1 states, Q, T (TSS and the dummies dropped)
    digester_in = plant.yt_uf_all[:, 14] + plant.yp_uf_all[:, 14]
    heat_flow = plant.yt_uf_all[:, 14] * plant.yt_uf_all[:, 15] + plant.yp_uf_all[:, 14] * plant.yp_uf_all[:, 15]
    digester_in_t = heat_flow / digester_in
    bypass = plant.qpass_plant_all + plant.qpassAS_all
    bypass_streams = np.zeros((n, 15))
    flowing = bypass[:, 14] > 0
    # the two bypass streams share the influent composition (same splitter); keep the flow-weighted mix
    plant_bp, as_bp = plant.qpass_plant_all[flowing], plant.qpassAS_all[flowing]
    mixed = plant_bp[:, asm] * plant_bp[:, [14]] + as_bp[:, asm] * as_bp[:, [14]]
    bypass_streams[flowing] = mixed / bypass[flowing][:, [14]]
    bypass_streams[:, 13] = bypass[:, 14]
    np.savez_compressed(
        OUT,
        bsm2_python_version=np.array(__version__),
        time_d=plant.simtime,
        eval_start_d=plant.simtime[plant.eval_idx[0]],
        eval_stop_d=plant.simtime[plant.eval_idx[1]],
        influent=plant.y_in_all[:, asm],
        influent_tss=plant.y_in_all[:, 13],
        effluent=plant.y_eff_all[:, asm],
        effluent_tss=plant.y_eff_all[:, 13],
        bypass=bypass_streams,
        kla_per_d=np.tile([getattr(reginit_bsm2, f"KLA{i}") for i in range(1, 6)], (n, 1)).astype(float),
        reactor_volumes_m3=np.array([getattr(asm1init_bsm2, f"VOL{i}") for i in range(1, 6)], float),
        digester_liquid_volume_m3=float(adm1init_bsm2.V_LIQ),
        internal_recycle_m3_per_d=np.full(n, float(asm1init_bsm2.QINTR)),
        return_sludge_m3_per_d=np.full(n, float(asm1init_bsm2.QR)),
        wastage_m3_per_d=np.full(n, float(asm1init_bsm2.QW)),
        primary_underflow_m3_per_d=plant.yp_uf_all[:, 14],
        thickener_underflow_m3_per_d=plant.yt_uf_all[:, 14],
        dewatering_sludge_m3_per_d=plant.ydw_s_all[:, 14],
        dewatering_reject_m3_per_d=plant.yi_out2_all[:, 14] - plant.ydw_s_all[:, 14],
        carbon_dosing_m3_per_d=np.tile([getattr(reginit_bsm2, f"CARB{i}") for i in range(1, 6)], (n, 1)).astype(float),
        gas_flow_m3_per_d=plant.yd_out_all[:, 50],
        gas_partial_pressures_bar=plant.yd_out_all[:, 46:49],  # H2, CH4, CO2
        gas_pressure_bar=plant.yd_out_all[:, 49],
        digester_inflow_m3_per_d=digester_in,
        digester_inflow_temperature_c=digester_in_t,
        sludge=plant.ydw_s_all[:, asm],
        sludge_tss=plant.ydw_s_all[:, 13],
        solids_inventory_kg=plant.perf_factors_all[:, 5],
        # bsm2-python's own evaluation over the window (get_final_performance)
        ref_iqi=iqi, ref_eqi=eqi, ref_total_sludge=total_sludge, ref_sludge=sludge, ref_carbon=carbon,
        ref_ch4=ch4, ref_h2=h2, ref_co2=co2, ref_q_gas=q_gas, ref_heat=heat, ref_mixing=mixing,
        ref_pumping=pumping, ref_aeration=aeration, ref_oci=oci,
        ref_snh_violation_samples=np.sum(plant.violation_all[plant.eval_idx[0]:plant.eval_idx[1]]),
    )
    print(OUT, OUT.stat().st_size, "bytes; OCI", oci, "EQI", eqi, "IQI", iqi)


if __name__ == "__main__":
    main()
