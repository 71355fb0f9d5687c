package org.sesemi.attestation;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/** The instants [notBefore, notAfter] in which a cached check of certificates, CRLs and collateral still holds. */
record ValidityWindow(Instant notBefore, Instant notAfter) {
    boolean contains(Instant t) {
        return !t.isBefore(notBefore) && !t.isAfter(notAfter);
    }

    /** Where every certificate is valid and every CRL is current. */
    static ValidityWindow of(List<X509Certificate> certs, List<X509CRL> crls) {
        Instant nb = Instant.MIN;
        Instant na = Instant.MAX;
        for (X509Certificate c : certs) {
            nb = max(nb, c.getNotBefore().toInstant());
            na = min(na, c.getNotAfter().toInstant());
        }
        for (X509CRL crl : crls) {
            nb = max(nb, crl.getThisUpdate().toInstant());
            if (crl.getNextUpdate() != null) {
                na = min(na, crl.getNextUpdate().toInstant());
            }
        }
        return new ValidityWindow(nb, na);
    }

    /** This window narrowed to [from, to]. */
    ValidityWindow within(Instant from, Instant to) {
        return new ValidityWindow(max(notBefore, from), min(notAfter, to));
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
