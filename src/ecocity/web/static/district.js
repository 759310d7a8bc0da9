// The district map: subcatchments (GeoJSON in WGS84) coloured by the chosen indicator of the
// chosen scenario, measures outlined, a click shows a subcatchment's details. No tiles are
// loaded (the dashboard works without internet); the map shows the district's own geometry.
(function () {
  const box = document.getElementById("map");
  if (!box) return;
  const scenarioSel = document.getElementById("map-scenario");
  const indicatorSel = document.getElementById("map-indicator");
  const measuresBox = document.getElementById("map-measures");
  const details = document.getElementById("map-details");
  const legend = document.getElementById("map-legend");
  const names = JSON.parse(box.dataset.indicatorLabels || "{}");
  const map = L.map(box, { attributionControl: false, zoomSnap: 0.25 });
  let layer = null, data = null;
  const ramp = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];

  function valueOf(feature) {
    const per = (feature.properties.indicators || {})[scenarioSel.value] || {};
    const v = per[indicatorSel.value];
    return typeof v === "number" ? v : null;
  }
  function range() {
    const values = data.features.map(valueOf).filter(v => v !== null);
    return values.length ? [Math.min(...values), Math.max(...values)] : [0, 1];
  }
  function colour(v, lo, hi) {
    if (v === null) return "#cccccc";
    const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return ramp[Math.min(ramp.length - 1, Math.floor(t * ramp.length))];
  }
  function measures(feature) { return (feature.properties.measures || {})[scenarioSel.value] || []; }
  function fmt(v) { return v === null ? "—" : (Math.abs(v) <= 1 ? (100 * v).toFixed(1) + " %" : v.toFixed(1)); }
  function show(feature) {
    const p = feature.properties;
    const rows = Object.entries(p).filter(([k, v]) => typeof v !== "object")
      .map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join("");
    const per = (p.indicators || {})[scenarioSel.value] || {};
    const ind = Object.entries(per).map(([k, v]) => `<tr><th>${names[k] || k}</th><td>${fmt(v)}</td></tr>`).join("");
    const m = measures(feature);
    const ms = m.length ? m.map(x => `<li>${x.lid}: ${x.area_m2.toFixed(0)} m²</li>`).join("") : `<li>${box.dataset.labelNone}</li>`;
    details.innerHTML = `<h3>${box.dataset.labelSubcatchment} ${p.id}</h3><table>${rows}${ind}</table>` +
      `<h4>${box.dataset.labelMeasures}</h4><ul>${ms}</ul>`;
  }
  function draw() {
    if (!data) return;
    const [lo, hi] = range();
    if (layer) layer.remove();
    layer = L.geoJSON(data, {
      style: f => ({
        color: measuresBox.checked && measures(f).length ? "#1a7f37" : "#445",
        weight: measuresBox.checked && measures(f).length ? 3 : 1,
        dashArray: measuresBox.checked && measures(f).length ? "4 3" : null,
        fillColor: colour(valueOf(f), lo, hi), fillOpacity: 0.75,
      }),
      onEachFeature: (f, l) => l.on("click", () => show(f)),
    }).addTo(map);
    legend.innerHTML = indicatorSel.value ? ramp.map((c, i) =>
      `<span style="background:${c}"></span>${fmt(lo + (hi - lo) * i / ramp.length)}`).join(" ") : "";
    return layer;
  }
  fetch(box.dataset.geojson, { credentials: "same-origin" }).then(r => r.json()).then(json => {
    data = json;
    const drawn = draw();
    if (drawn && drawn.getBounds().isValid()) map.fitBounds(drawn.getBounds(), { padding: [12, 12] });
  });
  [scenarioSel, indicatorSel, measuresBox].forEach(el => el && el.addEventListener("change", draw));
})();
