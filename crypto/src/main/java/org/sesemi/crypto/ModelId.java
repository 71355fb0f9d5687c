package org.sesemi.crypto;

import java.util.regex.Pattern;

/**
 * A model's identity, {@code <owner principal id>/<name>}: only the owner may store its key.
 *
 * @param owner the owner's principal id
 * @param name 1–128 characters of {@code [A-Za-z0-9._-]}, not starting with a dot
 */
public record ModelId(PrincipalId owner, String name) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");

    public ModelId {
        if (owner == null) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "model id needs an owner");
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new CryptoException(CryptoException.Reason.MALFORMED,
                    "a model name is 1-128 characters of [A-Za-z0-9._-], not starting with '.'");
        }
    }

    /** Parses {@code OWNER/NAME}. */
    public static ModelId parse(String s) {
        if (s == null) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "model id missing");
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "a model id has the form <owner id>/<name>");
        }
        return new ModelId(PrincipalId.parse(s.substring(0, slash)), s.substring(slash + 1));
    }

    @Override
    public String toString() {
        return owner.hex() + "/" + name;
    }
}
