"""Building energy efficiency: meter data, CalTRACK baselines, savings, benchmarks, anomalies, portfolios."""
