package org.sesemi.platform.store;

/**
 * A write lost against the stored state: the action already exists (create) or changed since it was read (update).
 * The API maps it to 409.
 */
public final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** True when the entity already existed on create; false for a concurrent modification. */
    private final boolean alreadyExists;

    public ConflictException(boolean alreadyExists) {
        super(alreadyExists ? "resource already exists" : "concurrent modification");
        this.alreadyExists = alreadyExists;
    }

    public boolean alreadyExists() {
        return alreadyExists;
    }
}
