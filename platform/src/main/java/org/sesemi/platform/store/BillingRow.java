package org.sesemi.platform.store;

/**
 * Usage of one action over a time range: GB-seconds = configured memory (MB) / 1024 × duration (s), summed over its
 * activations, the convention of hosted OpenWhisk offerings (cold starts are billed because duration includes init).
 */
public record BillingRow(String actionPath, long activations, long coldStarts, long totalDurationMs, double gbSeconds) {}
