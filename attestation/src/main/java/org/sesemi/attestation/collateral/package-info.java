/**
 * Where verification collateral comes from: Intel's PCS or a PCCS over the API v4 paths ({@link
 * org.sesemi.attestation.collateral.PccsClient}), a cache that keeps it until its {@code nextUpdate} and refreshes it in
 * the background ({@link org.sesemi.attestation.collateral.CachingCollateralSource}), and the operator's setting that
 * picks one ({@link org.sesemi.attestation.collateral.CollateralSetting}).
 */
package org.sesemi.attestation.collateral;
