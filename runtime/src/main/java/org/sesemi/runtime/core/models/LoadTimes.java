package org.sesemi.runtime.core.models;

/** Where a cold model load spent its time (non-secret; reported in optional timing metadata). Not thread-safe. */
public final class LoadTimes {
    public double fetchMs;
    public double decryptMs;
    public double sessionMs;
}
