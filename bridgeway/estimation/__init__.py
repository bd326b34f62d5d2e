"""Estimation: keyed Bloom-filter encodings (CLKs), privacy-preserving record linkage, de-duplication
within one organisation, and multiple systems estimation of the number of victims no list holds.

The modules clk, linkage, dedupe and mse are pure computation (numpy, scipy, statsmodels, splink):
they import no Django model, and clk/encode run without Django configured (the standalone encoder).
"""
