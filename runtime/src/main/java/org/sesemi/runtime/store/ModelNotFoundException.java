package org.sesemi.runtime.store;

import java.io.IOException;
import org.sesemi.crypto.ModelId;

/** The store has no encrypted model under this id. */
public final class ModelNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelNotFoundException(ModelId model, String where) {
        super("no encrypted model " + model + " in " + where);
    }
}
