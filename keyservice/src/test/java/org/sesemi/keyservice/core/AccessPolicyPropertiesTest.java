package org.sesemi.keyservice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.sesemi.attestation.Measurement;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/** Properties of the pure access rules. */
class AccessPolicyPropertiesTest {

    @Provide
    Arbitrary<PrincipalId> principals() {
        // A small id space so that "same principal" happens often.
        return Arbitraries.integers().between(0, 3).map(i -> new PrincipalId(String.valueOf(i).repeat(64)));
    }

    @Provide
    Arbitrary<Caller> callers() {
        Arbitrary<Caller> p = principals().map(id -> new Caller.Principal(id, new byte[] {1}));
        Arbitrary<Caller> r = Arbitraries.integers().between(0, 3)
                .map(i -> new Caller.Runtime(new Measurement("sgx:" + String.valueOf(i).repeat(64)), "inst" + i));
        return Arbitraries.oneOf(p, r);
    }

    @Provide
    Arbitrary<AccessPolicy.ReleaseFacts> facts() {
        Arbitrary<Boolean> b = Arbitraries.of(true, false);
        return Combinators.combine(b, b, b, b).as(AccessPolicy.ReleaseFacts::new);
    }

    @Property
    void releaseIsAllowedExactlyForRuntimesWithGrantRequestKeyAndModelKey(@ForAll("callers") Caller c,
            @ForAll("facts") AccessPolicy.ReleaseFacts f) {
        boolean allowed = AccessPolicy.release(c, f).isEmpty();
        boolean expected = c instanceof Caller.Runtime && f.modelKnown() && f.granted() && f.hasRequestKey() && f.hasModelKey();
        assertThat(allowed).isEqualTo(expected);
    }

    @Property
    void aPrincipalNeverGetsKeys(@ForAll("principals") PrincipalId id, @ForAll("facts") AccessPolicy.ReleaseFacts f) {
        assertThat(AccessPolicy.release(new Caller.Principal(id, new byte[] {1}), f)).contains(ErrorReason.ATTESTATION_REJECTED);
    }

    @Property
    void aGrantlessRuntimeIsDeniedWithNoGrantOrUnknownModel(@ForAll("callers") Caller c, @ForAll boolean known,
            @ForAll boolean rk, @ForAll boolean mk) {
        Optional<ErrorReason> d = AccessPolicy.release(c, new AccessPolicy.ReleaseFacts(known, false, rk, mk));
        assertThat(d).isPresent();
        if (c instanceof Caller.Runtime) {
            assertThat(d.get()).isEqualTo(known ? ErrorReason.NO_GRANT : ErrorReason.UNKNOWN_MODEL);
        }
    }

    @Property
    void ownerActionsOnlyForTheRegisteredOwner(@ForAll("callers") Caller c, @ForAll boolean registered,
            @ForAll("principals") PrincipalId owner) {
        ModelId model = new ModelId(owner, "m");
        boolean allowed = AccessPolicy.ownerAction(c, registered, model).isEmpty();
        assertThat(allowed).isEqualTo(c instanceof Caller.Principal p && registered && p.id().equals(owner));
        if (!allowed) {
            assertThat(AccessPolicy.ownerAction(c, registered, model)).contains(ErrorReason.FORBIDDEN);
        }
    }

    @Property
    void principalActionsOnlyForRegisteredPrincipals(@ForAll("callers") Caller c, @ForAll boolean registered) {
        assertThat(AccessPolicy.principalAction(c, registered).isEmpty()).isEqualTo(c instanceof Caller.Principal && registered);
    }
}
